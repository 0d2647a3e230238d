"""Checks on the curated reference registries in data/reference/ (countries.csv, regions.csv).

The CSV files are the source of truth; these tests only read them with the csv module and
compare the ISO codes against pycountry, which is a runtime dependency of the project.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections import defaultdict
from pathlib import Path

import pycountry
import pytest

REF = Path(__file__).resolve().parent.parent / "data" / "reference"

COUNTRY_COLUMNS = [
    "iso3",
    "iso2",
    "numeric",
    "name_en",
    "name_es",
    "official_name_en",
    "aliases_en",
    "aliases_es",
    "demonym_en",
    "demonym_es_m",
    "demonym_es_f",
    "m49_region",
    "m49_subregion",
    "m49_intermediate",
    "sovereign_iso3",
    "geonames_id",
    "wikidata",
]
REGION_COLUMNS = [
    "id",
    "kind",
    "m49",
    "label_en",
    "label_es",
    "aliases_en",
    "aliases_es",
    "parent",
    "members",
]
# Territories of the Americas with no permanent population, hence no demonym (see README).
UNINHABITED_AMERICAS = {"BVT", "SGS"}


def _read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (REF / name).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


@pytest.fixture(scope="module")
def countries() -> list[dict[str, str]]:
    header, rows = _read("countries.csv")
    assert header == COUNTRY_COLUMNS
    return rows


@pytest.fixture(scope="module")
def by_iso3(countries: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["iso3"]: r for r in countries}


@pytest.fixture(scope="module")
def regions() -> list[dict[str, str]]:
    header, rows = _read("regions.csv")
    assert header == REGION_COLUMNS
    return rows


@pytest.fixture(scope="module")
def region_by_id(regions: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in regions}


def _split(value: str) -> list[str]:
    return [v for v in value.split("|") if v]


def test_one_row_per_pycountry_entry(countries: list[dict[str, str]]) -> None:
    assert len(countries) == 249
    assert len(countries) == len(pycountry.countries)
    iso3 = [r["iso3"] for r in countries]
    assert iso3 == sorted(iso3)


@pytest.mark.parametrize("column", ["iso3", "iso2", "numeric", "wikidata"])
def test_codes_are_unique(countries: list[dict[str, str]], column: str) -> None:
    values = [r[column] for r in countries if r[column]]
    assert len(values) == len(set(values))


def test_codes_match_pycountry(by_iso3: dict[str, dict[str, str]]) -> None:
    expected = {c.alpha_3: (c.alpha_2, c.numeric) for c in pycountry.countries}
    assert set(by_iso3) == set(expected)
    for iso3, (iso2, numeric) in expected.items():
        row = by_iso3[iso3]
        assert (row["iso2"], row["numeric"]) == (iso2, numeric), iso3
        assert re.fullmatch(r"\d{3}", row["numeric"]), iso3


def test_every_row_has_names_and_links(countries: list[dict[str, str]]) -> None:
    for r in countries:
        assert r["name_en"] and r["name_es"] and r["official_name_en"], r["iso3"]
        assert r["geonames_id"].isdigit(), r["iso3"]
        assert re.fullmatch(r"Q[1-9]\d*", r["wikidata"]), r["iso3"]
        for key, value in r.items():
            assert value == value.strip(), (r["iso3"], key)
            assert "||" not in value and not value.startswith("|") and not value.endswith("|")


def test_americas_rows_are_complete(countries: list[dict[str, str]]) -> None:
    americas = [r for r in countries if r["m49_region"] == "019"]
    assert len(americas) == 57
    for r in americas:
        required = ["name_es", "geonames_id", "wikidata"]
        if r["iso3"] not in UNINHABITED_AMERICAS:
            required += ["demonym_en", "demonym_es_m", "demonym_es_f"]
        for key in required:
            assert r[key], (r["iso3"], key)
        assert r["geonames_id"].isdigit(), r["iso3"]
        assert re.fullmatch(r"Q[1-9]\d*", r["wikidata"]), r["iso3"]


def test_spanish_demonyms_come_in_pairs(countries: list[dict[str, str]]) -> None:
    for r in countries:
        assert bool(r["demonym_es_m"]) == bool(r["demonym_es_f"]), r["iso3"]


def test_sovereign_states(by_iso3: dict[str, dict[str, str]]) -> None:
    for iso3, row in by_iso3.items():
        sovereign = row["sovereign_iso3"]
        if sovereign:
            assert sovereign in by_iso3, iso3
            assert sovereign != iso3
            assert not by_iso3[sovereign]["sovereign_iso3"], iso3
    for iso3 in ("CUW", "SXM", "ABW", "BES"):
        assert by_iso3[iso3]["sovereign_iso3"] == "NLD"
    for iso3 in ("PRI", "VIR"):
        assert by_iso3[iso3]["sovereign_iso3"] == "USA"
    for iso3 in ("GLP", "MTQ", "MAF", "BLM"):
        assert by_iso3[iso3]["sovereign_iso3"] == "FRA"
    for iso3 in ("VGB", "CYM", "TCA", "AIA", "MSR", "BMU"):
        assert by_iso3[iso3]["sovereign_iso3"] == "GBR"
    for iso3 in ("USA", "MEX", "GTM", "NLD", "DOM", "DMA"):
        assert by_iso3[iso3]["sovereign_iso3"] == ""


def test_m49_spot_values(by_iso3: dict[str, dict[str, str]]) -> None:
    def m49(iso3: str) -> tuple[str, str, str]:
        r = by_iso3[iso3]
        return r["m49_region"], r["m49_subregion"], r["m49_intermediate"]

    assert m49("GTM") == ("019", "419", "013")
    assert m49("MEX") == ("019", "419", "013")
    assert m49("USA") == ("019", "021", "")
    assert m49("BMU") == ("019", "021", "")
    assert m49("CUW") == ("019", "419", "029")
    assert m49("GUY") == ("019", "419", "005")
    assert m49("SUR") == ("019", "419", "005")
    assert m49("ATA") == ("", "", "")
    for r in by_iso3.values():
        for key in ("m49_region", "m49_subregion", "m49_intermediate"):
            assert r[key] == "" or re.fullmatch(r"\d{3}", r[key]), (r["iso3"], key)


def test_m49_codes_nest_as_in_regions(countries: list[dict[str, str]], region_by_id: dict[str, dict[str, str]]) -> None:
    for r in countries:
        chain = [r["m49_region"], r["m49_subregion"], r["m49_intermediate"]]
        chain = [c for c in chain if c]
        if r["iso3"] != "ATA":
            assert len(chain) >= 2, r["iso3"]
        for outer, inner in itertools.pairwise(chain):
            assert region_by_id[f"m49-{inner}"]["parent"] == f"m49-{outer}", r["iso3"]
        if chain:
            assert region_by_id[f"m49-{chain[0]}"]["parent"] == "m49-001", r["iso3"]


def test_regions_are_well_formed(
    regions: list[dict[str, str]],
    region_by_id: dict[str, dict[str, str]],
    by_iso3: dict[str, dict[str, str]],
) -> None:
    assert len(region_by_id) == len(regions)
    for r in regions:
        assert r["kind"] in {"m49", "grouping"}, r["id"]
        assert r["label_en"] and r["label_es"], r["id"]
        if r["parent"]:
            assert r["parent"] in region_by_id, r["id"]
        if r["kind"] == "m49":
            assert re.fullmatch(r"\d{3}", r["m49"]), r["id"]
            assert r["id"] == f"m49-{r['m49']}"
            assert r["members"] == "", r["id"]
        else:
            assert r["m49"] == "", r["id"]
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r["id"]), r["id"]
            assert _split(r["members"]), r["id"]
        for member in _split(r["members"]):
            assert member in by_iso3, (r["id"], member)
    assert region_by_id["m49-001"]["parent"] == ""
    for code in ("002", "019", "142", "150", "009", "419", "021", "029", "013", "005"):
        assert f"m49-{code}" in region_by_id


def test_named_groupings(region_by_id: dict[str, dict[str, str]]) -> None:
    def members(region_id: str) -> set[str]:
        return set(_split(region_by_id[region_id]["members"]))

    assert members("north-of-central-america") == {"GTM", "HND", "SLV"}
    assert members("dutch-caribbean") == {"ABW", "CUW", "SXM", "BES"}
    assert members("north-america") == {"CAN", "USA", "MEX"}
    assert {"NLD", "MTQ", "GLP"}.isdisjoint(members("eastern-caribbean"))
    assert "Northern Triangle" in _split(region_by_id["north-of-central-america"]["aliases_en"])


def test_surface_forms_are_unambiguous(countries: list[dict[str, str]], regions: list[dict[str, str]]) -> None:
    """No name or alias (case-insensitively) points at two countries or regions."""
    owners: dict[str, set[str]] = defaultdict(set)
    for r in countries:
        for lang in ("en", "es"):
            for form in [r[f"name_{lang}"], *_split(r[f"aliases_{lang}"])]:
                owners[form.casefold()].add(r["iso3"])
    for r in regions:
        for lang in ("en", "es"):
            for form in [r[f"label_{lang}"], *_split(r[f"aliases_{lang}"])]:
                owners[form.casefold()].add(r["id"])
    clashes = {form: sorted(ids) for form, ids in owners.items() if len(ids) > 1}
    assert clashes == {}


def test_ambiguous_bare_words_are_not_aliases(by_iso3: dict[str, dict[str, str]]) -> None:
    forms = {form for r in by_iso3.values() for form in _split(r["aliases_en"]) + _split(r["aliases_es"])}
    for word in ("America", "Dominican", "Congo", "DR", "Micronesia", "Caribbean"):
        assert word not in forms
    assert by_iso3["BES"]["name_en"] == "Caribbean Netherlands"
    assert "Dominican Rep." in _split(by_iso3["DOM"]["aliases_en"])
