"""Quantities (issue 17, class 8) and themes (class 9): items of our own wording, English and Spanish.

A quantity is a count of people, countries or organisations, or a percentage, with a kind:
participation (counted as taking part in the reported activity), statistic (a figure about the
world) or target (a projected number). See docs/extraction.md.
"""

from __future__ import annotations

from datetime import date

import pytest

from kg.extract import extract
from kg.extract.score import _facts
from kg.sources import NewsItem

PUB = date(2023, 6, 15)


def quantities(summary: str, title: str = "News") -> set[str]:
    """``value|kind`` of every quantity the extractor finds, as ``kg eval`` scores them."""
    ex = extract(NewsItem("k", PUB, title, summary, "t.txt", 1))
    return {f"{float(value):.10g}|{kind}" for value, kind in (q.split("|") for q in _facts(ex)["quantities"])}


def themes(summary: str, title: str = "News") -> list[str]:
    return extract(NewsItem("k", PUB, title, summary, "t.txt", 1)).themes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # people counted in the reported activity, whatever the noun
        ("IOM trained 36 firefighters and paramedics in Arica on 2 June.", {"36|participation"}),
        ("On 2 June, IOM held a workshop in Salta with 27 labour inspectors.", {"27|participation"}),
        # numbers in words, hyphenated or in several words
        ("Sixty-three volunteers took part in a training held by IOM in Cusco on 2 June.", {"63|participation"}),
        ("On 2 June IOM trained two hundred health workers in Manaus.", {"200|participation"}),
        # a part of the group: "N of them"
        (
            "On 2 June IOM trained 90 teachers in Oruro, 54 of them women.",
            {"90|participation", "54|participation"},
        ),
        # percentages are statistics, in every spelling
        ("On 2 June IOM presented a survey in Lima: 81 per cent of respondents had no work permit.", {"81|statistic"}),
        ("A survey published on 2 June found that 12.5% of households lack documents.", {"12.5|statistic"}),
        # figures about the world: people living somewhere, displaced, dead or missing
        ("Some 310,000 Haitians live in Chile, according to official figures.", {"310000|statistic"}),
        ("Floods displaced 2.3 million people in the region last year.", {"2300000|statistic"}),
        # projected numbers are targets, apart from people counted as taking part
        ("The new programme, launched on 2 June, will reach 15,000 young people in Ecuador.", {"15000|target"}),
        ("IOM launched a project on 2 June that aims to benefit 4,000 families.", {"4000|target"}),
        # not quantities: money, goods, facilities, ordinals, years, ages
        ("IOM donated 3,000 hygiene kits and USD 250,000 to the shelter on 2 June.", set()),
        ("The third regional meeting was held on 2 June 2023 in Quito.", set()),
        ("Children aged 12 to 17 attended the workshop on 2 June.", set()),
    ],
)
def test_english_quantities(text: str, expected: set[str]) -> None:
    assert quantities(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Spanish thousands and decimals: "5.000", "1,5 millones", "27,5 %"
        ("El 2 de junio la OIM capacitó a 1.300 personas en Cúcuta.", {"1300|participation"}),
        ("Unos 1,5 millones de venezolanos viven en el Perú, según datos oficiales.", {"1500000|statistic"}),
        (
            "La encuesta publicada el 2 de junio indica que el 27,5 % de los hogares no tiene empleo.",
            {"27.5|statistic"},
        ),
        ("Según la encuesta, el 78 por ciento de los entrevistados quiere quedarse.", {"78|statistic"}),
        # numbers in words
        (
            "Cuarenta y cinco funcionarios participaron el 2 de junio en un taller de la OIM en Quito.",
            {"45|participation"},
        ),
        ("Doscientas mujeres recibieron capacitación de la OIM el 2 de junio en Tumbes.", {"200|participation"}),
        # projected numbers
        ("El proyecto, presentado el 2 de junio, beneficiará a 5.000 personas en Lima.", {"5000|target"}),
        # not quantities: money and goods
        ("La OIM entregó 2.000 kits de higiene por un valor de 50.000 dólares el 2 de junio.", set()),
    ],
)
def test_spanish_quantities(text: str, expected: set[str]) -> None:
    assert quantities(text) == expected


def test_a_target_is_carried_into_the_graph_as_its_own_role() -> None:
    from kg.rdf import item_nquads

    it = NewsItem("k", PUB, "News", "IOM launched a programme on 2 June that will train 600 officials.", "t.txt", 1)
    ex = extract(it)
    assert [(p.count, p.role) for e in ex.events for p in e.participations] == [(600, "target")]
    assert "/vocab/role/target>" in item_nquads(it, ex)


def test_a_statistic_without_a_country_is_still_a_statistic() -> None:
    text = "A report released on 2 June shows that 64 per cent of migrants surveyed were women."
    ex = extract(NewsItem("k", PUB, "News", text, "t.txt", 1))
    assert [s.value for s in ex.statistics] == [64.0]


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("IOM handed out food and hygiene items to families living in makeshift camps.", "vulnerability-protection"),
        ("The survey collected data on the needs of people on the move.", "migration-data"),
        ("Officials learned how to detect forged passports at airports.", "border-management"),
        ("La OIM entregó kits de alimentos a familias en situación de vulnerabilidad.", "vulnerability-protection"),
        ("El estudio recoge datos sobre las necesidades de las personas en tránsito.", "migration-data"),
        ("Miles de personas desplazadas por las inundaciones recibieron asistencia.", "displacement-crisis"),
    ],
)
def test_themes_from_general_phrasings(text: str, theme: str) -> None:
    assert theme in themes(text)
