"""Events as docs/extraction.md defines them (issue 17, classes 5-7): the main event's date, its
type and the roles in it. Every item here is made up for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from kg.extract import LOWER_CASE_PASS, extract
from kg.extract.dates import find_dates
from kg.sources import NewsItem

# A Thursday.
PUB = date(2024, 2, 15)


def item(summary: str, title: str = "News", published: date = PUB) -> NewsItem:
    return NewsItem("k", published, title, summary, "t.txt", 1)


def main(summary: str, title: str = "News", published: date = PUB):
    events = extract(item(summary, title, published)).events
    assert events, "no event found"
    return events[0]


def span(event) -> tuple[str | None, str | None, str | None]:
    return (
        event.start.isoformat() if event.start else None,
        event.end.isoformat() if event.end else None,
        event.precision,
    )


# -- class 5: dates --


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from September 2022 to April 2023", ("2022-09-01", "2023-04-30", "month")),
        ("Between January and March 2023, teams surveyed", ("2023-01-01", "2023-03-31", "month")),
        ("entre septiembre de 2022 y febrero de 2023", ("2022-09-01", "2023-02-28", "month")),
        ("de mayo a julio de 2023", ("2023-05-01", "2023-07-31", "month")),
        ("last month", ("2024-01-01", "2024-01-31", "month")),
        ("earlier this month", ("2024-02-01", "2024-02-29", "month")),
        ("el mes pasado", ("2024-01-01", "2024-01-31", "month")),
        ("la semana pasada", ("2024-02-05", "2024-02-11", "day")),
        ("el pasado lunes", ("2024-02-12", "2024-02-12", "day")),
        ("se reunieron el martes", ("2024-02-13", "2024-02-13", "day")),
        ("on Monday and Tuesday", ("2024-02-12", "2024-02-13", "day")),
        ("In January, teams visited", ("2024-01-01", "2024-01-31", "month")),
        ("En noviembre, la OIM", ("2023-11-01", "2023-11-30", "month")),
        ("Since December, the teams", ("2023-12-01", None, "month")),
        ("Throughout 2023, IOM worked", ("2023-01-01", "2023-12-31", "year")),
    ],
)
def test_date_expressions_of_the_guide(text, expected):
    got = [span(d) for d in find_dates(text, PUB, LOWER_CASE_PASS)]
    assert got[:1] == [expected]


def test_a_range_across_months_is_one_event():
    ev = extract(item("A survey carried out by IOM from March 2022 to January 2023 interviewed 900 fishers.")).events
    assert [span(e) for e in ev] == [("2022-03-01", "2023-01-31", "month")]


def test_a_dateline_date_gives_way_to_the_activity_date():
    ev = main("Lima, 14 February 2024 – Thirty judges took part in a course on 7 and 8 February in Cusco.")
    assert span(ev) == ("2024-02-07", "2024-02-08", "day")


def test_a_dateline_date_dates_an_activity_that_has_none():
    ev = main("Lima, 14 February 2024 – Thirty judges took part in a course on refugee law in Cusco.")
    assert span(ev) == ("2024-02-14", "2024-02-14", "day")


def test_background_years_are_not_the_main_event():
    ev = main(
        "The border network, first proposed in 2015 and created in 2017, held its annual meeting "
        "last week in Salta with IOM."
    )
    assert span(ev) == ("2024-02-05", "2024-02-11", "day")


def test_relative_dates_resolve_against_publication():
    assert span(main("IOM handed out blankets to families in Oruro yesterday.")) == ("2024-02-14", "2024-02-14", "day")
    ev = main("La OIM entregó el pasado viernes mantas a 300 familias en Oruro.")
    assert span(ev) == ("2024-02-09", "2024-02-09", "day")


def test_a_month_without_year_is_that_month_of_the_publication_year_or_the_one_before():
    assert span(main("In January, IOM trained 20 guards.")) == ("2024-01-01", "2024-01-31", "month")
    assert span(main("In October, IOM trained 20 guards.")) == ("2023-10-01", "2023-10-31", "month")


def test_only_the_end_when_only_the_end_is_known():
    ev = main("The course for border guards, which ended on 9 February, was held by IOM.")
    assert span(ev) == (None, "2024-02-09", "day")


# -- class 6: types --


def test_no_activity_no_type():
    ev = main("Throughout 2023, IOM and the city of Salto worked to include migrants in local services.")
    assert ev.types == []


def test_distribution_of_kits_is_assistance():
    ev = main("Last week IOM distributed 800 blankets and kits to families sleeping near the bus terminal.")
    assert ev.types == ["assistance"]


def test_returnees_received_by_local_authorities_are_a_return():
    ev = main(
        "On 9 February, 130 Bolivians stranded in Arica crossed the border and were received by local authorities."
    )
    assert ev.types == ["return"]
    ev = main("El pasado sábado, 80 peruanos regresaron a Lima en un vuelo de retorno voluntario asistido de la OIM.")
    assert ev.types == ["return"]


def test_the_launch_of_a_campaign_is_a_launch():
    ev = main("IOM and the municipality launched an awareness campaign on safe migration on 12 February.")
    assert ev.types == ["launch"]


def test_a_capacity_building_workshop_is_a_training():
    ev = main("On 12 February, IOM held a capacity-building workshop for 25 labour inspectors.")
    assert ev.types == ["training"]


# -- class 7: roles --


@pytest.mark.parametrize(
    "text",
    [
        "The course, held by IOM on 12 February, was financed by the Government of Japan and USAID.",
        "The course, held by IOM on 12 February, was made possible by a contribution of 3 million euros from USAID.",
        "El curso, organizado por la OIM el 12 de febrero, contó con el apoyo financiero de USAID.",
        "El curso fue organizado por la OIM el 12 de febrero y financiado por USAID.",
    ],
)
def test_funders(text):
    ev = main(text)
    assert "usaid" in ev.funders
    assert "usaid" not in ev.attendees + ev.organizers


def test_a_venue_is_not_an_attendee():
    ev = main("On 12 February IOM held a forum on labour migration at the University of the West Indies.")
    assert ev.attendees == []


def test_co_organisers_named_together_share_the_role():
    ev = main("On 12 February, a workshop organized by IOM and UNHCR brought together 30 officials.")
    assert ev.organizers == ["iom", "unhcr"]


def test_a_nationality_is_not_a_participating_country():
    ev = main("On 12 February IOM's envoy Jane Roe, a national of Chad, met officials in Lima.")
    assert "TCD" not in ev.participant_countries


def test_officials_from_two_countries_are_both_participants():
    ev = main("On 12 February, 35 officials from Haiti and the Dominican Republic were trained by IOM.")
    assert {"HTI", "DOM"} <= set(ev.participant_countries)
