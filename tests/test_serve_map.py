"""The data behind the page's map and timeline, without a browser (the browser test is marked
``browser``): country outlines decoded from the vendored TopoJSON and keyed by ISO3, and events
and items per country and per month under the page's filters, checked against the named query
``events_by_country`` on the sample."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from kg.queries import query as named_query
from kg.reference import load as load_reference
from kg.serve.app import create_app
from kg.serve.snapshot import FixedSource
from kg.serve.world import WORLD_ATLAS, decode_arcs, world_shapes

from .conftest import ROOT

ITEM_OF_EVENT = """SELECT DISTINCT ?item WHERE {
  VALUES ?e { %s } ?e prov:wasDerivedFrom ?item . ?item a mk:NewsItem }"""


@pytest.fixture(scope="module")
def client(embedded) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(FixedSource(embedded))) as c:
        yield c


def events_of(store, iso3: str, since: str = "1900-01-01") -> set[str]:  # type: ignore[no-untyped-def]
    """The distinct events of ``iso3`` dated on or after ``since``, by the named query."""
    rows = named_query("events_by_country", store=store, country=iso3)
    return {r["event"] for r in rows if str(r["date"]) >= since}


# -- the outlines --


def test_the_world_atlas_is_vendored_with_its_licence_and_small():
    folder = WORLD_ATLAS.parent
    assert WORLD_ATLAS.stat().st_size < 120_000
    assert "Michael Bostock" in (folder / "LICENSE").read_text()
    assert "world-atlas" in (folder.parent / "README.md").read_text()
    assert "Natural Earth" in (folder.parent / "README.md").read_text()


def test_every_coded_feature_becomes_an_iso3_country():
    topology = json.loads(WORLD_ATLAS.read_text())
    features = topology["objects"]["countries"]["geometries"]
    numeric = {c.numeric: c.iso3 for c in load_reference().countries.values()}
    coded = [f["id"] for f in features if f.get("id") and f["id"] != "010"]  # Antarctica is left out
    shapes = world_shapes()["countries"]
    assert sorted(s["iso3"] for s in shapes if s["iso3"]) == sorted(numeric[code] for code in coded)
    assert sorted(s["name"] for s in shapes if not s["iso3"]) == ["Kosovo", "N. Cyprus", "Somaliland"]
    assert all(s["d"].startswith("M") and s["d"].endswith("Z") for s in shapes)


def test_outlines_are_where_the_countries_are():
    shapes = {s["iso3"]: s for s in world_shapes()["countries"] if s["iso3"]}
    gtm, hnd, mex, usa, bra = (shapes[c]["box"] for c in ("GTM", "HND", "MEX", "USA", "BRA"))
    assert gtm[0] < hnd[0] and gtm[3] > mex[1]  # Honduras is east of Guatemala, Mexico north of it
    assert usa[3] < bra[1] + 100 and usa[1] < mex[1]  # north is up
    width, height = world_shapes()["width"], world_shapes()["height"]
    assert all(0 <= b <= width for s in shapes.values() for b in (s["box"][0], s["box"][2]))
    assert all(0 <= b <= height for s in shapes.values() for b in (s["box"][1], s["box"][3]))
    # Russia's east and Fiji touch the antimeridian: no ring may run across the whole map
    for iso3 in ("RUS", "FJI"):
        for ring in shapes[iso3]["d"][1:-1].split("ZM"):
            xs = [float(p.split(",")[0]) for p in ring.split("L")]
            assert max(xs) - min(xs) < width / 2, iso3


def test_decoding_shared_arcs_forwards_and_backwards():
    topology = {
        "transform": {"scale": [1, 1], "translate": [0, 0]},
        "arcs": [[[0, 0], [1, 0], [0, 1]], [[1, 1], [-1, 0], [0, -1]]],
    }
    assert decode_arcs(topology) == [[(0, 0), (1, 0), (1, 1)], [(1, 1), (0, 1), (0, 0)]]
    from kg.serve.world import _rings

    arcs = decode_arcs(topology)
    assert _rings(arcs, [0, 1]) == [[(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]]
    assert _rings(arcs, [~1, ~0]) == [[(0, 0), (0, 1), (1, 1), (1, 0), (0, 0)]]


def test_the_outlines_are_served(client):
    response = client.get("/map/world")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    data = response.json()
    assert len(data["countries"]) == 176 and data["width"] == 1000


# -- the counts --


def test_events_and_items_per_country_match_the_named_query(client, embedded):
    data = client.get("/counts").json()
    by_country = {c["iso3"]: c for c in data["countries"]}
    # the sample, checked by hand: Guatemala takes part in 7 events reported by 5 items
    assert (by_country["GTM"]["label"], by_country["GTM"]["events"], by_country["GTM"]["items"]) == ("Guatemala", 7, 5)
    assert [c["iso3"] for c in data["countries"][:2]] == ["GTM", "MEX"]
    for iso3, row in by_country.items():
        events = events_of(embedded, iso3)
        assert row["events"] == len(events), iso3
        values = " ".join(f"<{e}>" for e in sorted(events))
        items = embedded.query(
            "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX mk: <https://w3id.org/migkg/ont#> "
            + ITEM_OF_EVENT % values
        )
        assert row["items"] == len(list(items)), iso3
    assert data["country"] is None and data["filters"] == ""


def test_months_count_every_event_once_and_quiet_months_too(client, embedded):
    data = client.get("/counts").json()
    months = [m["month"] for m in data["months"]]
    assert months[0] == "2018-01" and months[-1] == "2019-06" and len(months) == 18  # no month skipped
    assert sum(m["events"] for m in data["months"]) == data["events"] == 11
    gtm = client.get("/counts", params={"country": "gtm"}).json()
    assert gtm["country"] == "GTM" and gtm["events"] == 7 and gtm["items"] == 5
    rows = named_query("events_by_country", store=embedded, country="GTM")
    expected = Counter(str(date)[:7] for date in {r["event"]: r["date"] for r in rows}.values())
    assert {m["month"]: m["events"] for m in gtm["months"] if m["events"]} == dict(expected)
    assert gtm["countries"] == data["countries"], "the map keeps every country while one is chosen"


def test_filters_narrow_the_map_and_the_timeline_alike(client, embedded):
    later = client.get("/counts", params={"since": "2019-06"}).json()
    assert later["filters"] == "since 2019-06-01"
    assert {m["month"] for m in later["months"]} == {"2019-06"}
    by_country = {c["iso3"]: c["events"] for c in later["countries"]}
    assert by_country["GTM"] == len(events_of(embedded, "GTM", since="2019-06-01")) == 2
    trained = client.get("/counts", params={"event_type": "training"}).json()
    assert trained["events"] == sum(m["events"] for m in trained["months"]) < 11
    assert {c["iso3"] for c in trained["countries"]} == {"BLZ", "GTM"}


def test_bad_filters_are_refused_with_the_reason(client):
    assert client.get("/counts", params={"country": "XXX"}).status_code == 400
    assert "ISO 3166-1 alpha-3" in client.get("/counts", params={"country": "XXX"}).text
    assert "unknown filter 'colour'" in client.get("/counts", params={"colour": "red"}).text
    assert client.get("/counts", params={"since": "June"}).status_code == 400
    assert client.get("/counts", params={"theme": "nosuch"}).status_code == 400


def test_the_page_has_a_map_a_timeline_and_a_legend():
    page = (ROOT / "kg" / "serve" / "static" / "index.html").read_text()
    for part in ('id="map"', 'id="timeline"', 'id="legend"', 'name="measure"'):
        assert part in page, part
