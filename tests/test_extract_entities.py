"""Countries, organisations and places as docs/extraction.md defines them (issue 17, classes 1-4).

Every item here is written for this file; none is taken from the gold sets.
"""

from __future__ import annotations

from datetime import date

import pytest

from kg.extract import extract
from kg.sources import NewsItem


def item(summary: str, title: str = "News") -> NewsItem:
    return NewsItem("k", date(2021, 6, 11), title, summary, "t.txt", 1)


def org_labels(text: str) -> dict[str, str | None]:
    """Organisations the item introduces (not in the registry): label -> country."""
    ex = extract(item(text))
    new = {e.key: e for e in ex.new_entities if e.kind == "org"}
    return {new[slug].label: new[slug].country for slug in ex.organizations if slug in new}


def place_names(text: str, title: str = "News") -> list[tuple[str, str | None]]:
    ex = extract(item(text, title))
    from kg.extract.score import _facts

    return sorted(tuple(p.split("|")) for p in _facts(ex)["places"])  # type: ignore[misc]


# -- class 1: a region is a region, not its member countries --


def test_a_region_does_not_put_its_member_countries_in_scope():
    ex = extract(item("IOM supported cross-border dialogues across the Andean region and the Southern Cone."))
    assert ex.regions == ["andean-region", "southern-cone"]
    assert ex.countries_in_scope == []
    ex = extract(item("Talks in the Northern Triangle continued in Tegucigalpa."))
    assert ex.countries_in_scope == ["HND"]  # the city's country, not Guatemala or El Salvador


# -- class 2: countries inside organisation names and job titles are mentioned --


@pytest.mark.parametrize(
    ("text", "mentioned"),
    [
        ("The Embassy of Norway in Paraguay financed the course.", ["NOR", "PRY"]),
        ("She spoke with the IOM Chief of Mission for Guyana about the floods.", ["GUY"]),
        ("Support came from the UK Home Office and the US Department of Labor.", ["GBR", "USA"]),
        ("The Ministry of the Interior of Uruguay hosted the meeting.", ["URY"]),
        ("Peru's Migration Superintendence opened two offices.", ["PER"]),
        ("The Ecuador-Peru Binational Commission met in May.", ["ECU", "PER"]),
    ],
)
def test_countries_inside_organisation_names_and_titles_are_mentioned(text, mentioned):
    ex = extract(item(text))
    assert ex.countries_mentioned == mentioned
    assert set(mentioned) <= set(ex.countries_in_scope)


def test_an_organisation_carries_the_country_named_with_it():
    assert org_labels("Uruguay's Ministry of Social Development trained 30 officials.") == {
        "Ministry of Social Development": "URY"
    }
    assert org_labels("The Ministry of the Interior of Uruguay hosted the talks.") == {
        "Ministry of the Interior of Uruguay": "URY"
    }


# -- class 3: organisation spans --


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a possessive country is not part of the name
        ("Chile's National Migration Service registered 500 people.", {"National Migration Service": "CHL"}),
        # staff and people around a name are not part of it
        ("Staff of the Ministry of Tourism attended.", {"Ministry of Tourism": None}),
        ("Programme Officer Ana Ruiz presented the results to the Ministry of Tourism.", {"Ministry of Tourism": None}),
        # programmes, plans, tools, platforms, clusters and facilities are not organisations
        ("The Regional Labour Mobility Programme ended in May.", {}),
        ("The 2022-2024 Border Health Work Plan was approved by the Ministry of Health.", {"Ministry of Health": None}),
        ("Data from the Flow Monitoring Matrix (FMM) were shared.", {}),
        ("The Shelter Cluster and the Migrant Reception Centre in Rivera reopened.", {}),
        ("The Comprehensive Attention Centre opened in March.", {}),
        # the Government of X is the country
        ("The Government of Uruguay and IOM signed the accord.", {}),
    ],
)
def test_organisation_spans(text, expected):
    assert org_labels(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a name listed after a known one ("IOM and the …", "la OIM y la …") is still a name
        ("The course was given by IOM and the University of Lagos in May.", {"University of Lagos": None}),
        (
            "El taller fue organizado por la OIM y la Universidad Católica Boliviana.",
            {"Universidad Católica Boliviana": "BOL"},
        ),
        (
            "Equipos de la OIM y de la Fundación Horizonte Abierto visitaron los albergues.",
            {"Fundación Horizonte Abierto": None},
        ),
        # an acronym defines the name just before it, not the list that name ends
        (
            "La OIM y el Instituto Nacional de Estadística (INE) presentaron el informe.",
            {"Instituto Nacional de Estadística": None},
        ),
        (
            "IOM and the National Statistics Institute (NSI) published the survey.",
            {"National Statistics Institute": None},
        ),
        # where a body acted is not part of its name; a diplomatic mission's seat is
        ("La OIM entregó equipos a la Guardia Costera de Chile en Iquique.", {"Guardia Costera de Chile": "CHL"}),
        ("Staff of the Border Police in Tacna received the kits.", {"Border Police": None}),
        ("The Embassy of Japan in Bolivia funded the kits.", {"Embassy of Japan in Bolivia": "BOL"}),  # its seat
        # a name written across commas keeps its "of COUNTRY"
        (
            "El Ministerio de Trabajo, Empleo y Seguridad Social de Argentina firmó el acuerdo.",
            {"Ministerio de Trabajo, Empleo y Seguridad Social de Argentina": "ARG"},
        ),
    ],
)
def test_organisation_names_beside_other_names_and_places(text, expected):
    assert org_labels(text) == expected


def test_a_full_name_and_its_acronym_are_one_organisation():
    ex = extract(item("The Andean Labour Observatory (ALO) met. The ALO and the Andean Labour Observatory agreed."))
    assert [e.label for e in ex.new_entities if e.kind == "org"] == ["Andean Labour Observatory"]
    ex = extract(item("The government of Chile welcomed IOM, the UN Migration agency, and the International "
                      "Organization for Migration's staff."))  # fmt: skip
    assert ex.organizations == ["iom"]


# -- class 4: places --


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        # small border towns, read with a preposition and the country in play
        ("News", "IOM assisted Venezuelan families arriving in Bonfim, Brazil.", [("bonfim", "BRA")]),
        ("News", "In Peru, IOM staff at Desaguadero registered 40 arrivals.", [("desaguadero", "PER")]),
        # datelines at the start of the summary
        ("Border talks", "Tumbes, 12-14 March 2021. Health officials agreed on joint checks.", [("tumbes", "PER")]),
        ("Kits delivered", "Leticia. On 3 April, IOM delivered hygiene kits.", [("leticia", "COL")]),
        # Spanish forms
        (
            "Reunión",
            "La reunión se realizó en Ciudad de Panamá el 3 de mayo.",
            [("ciudad de panama", "PAN")],
        ),  # named as written
        # common words and names are not places
        ("News", "In March, the Mobile Health Team of Colombia visited Santa Marta.", [("santa marta", "COL")]),
        ("News", "Officials from Brazil spoke of Hope and Victoria Street.", []),
    ],
)
def test_places_small_towns_datelines_and_spanish_forms(title, text, expected):
    assert place_names(text, title) == expected


def test_a_city_named_for_its_country_is_a_place_not_a_mention():
    ex = extract(item("La reunión se realizó en Ciudad de Panamá."))
    assert ex.countries_mentioned == []
    assert ex.countries_in_scope == ["PAN"]
