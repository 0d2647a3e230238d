"""Golden tests on the sample build (issues 5, 6 and 7), every expected value worked out by hand.

The sample is ``data/news/news-listing-2019.txt`` built by the session fixture ``sample_store``.
The expected values below and in ``golden/sample/`` were checked against the text of the ten
items and ``data/gold/seed.jsonl``, not copied from the program. Where the graph contradicted the
text, the golden files held the correct value and the extractor was fixed until they matched.

The items (numbered in listing order) and their 13 events, with the countries that take part
(participant or location) as the extractor models them (an item's named countries; the
grouping-only scope of items 3 and 6, "Mesoamerica", is not put on events):

    E1  item 1   conference 2019-06-06..07, Port of Spain        TTO (location)
    E2  item 2   RCM workshop 2019-06-04..05, Mexico City        RCM11 = BLZ CAN CRI DOM GTM HND MEX NIC PAN SLV USA
    E3  item 2   Work Plan approved "in 2018" (year precision)   RCM11
    E4  item 3   Grupo Tacana meeting 2019-05-16..17             -
    E5  item 3   El Salvador-Honduras committee 2019-05-23..24   -
    E6  item 4   Galen University course, undated                BLZ
    E7  item 5   symposium 2019-05-09..10, Willemstad            ABW CUW SXM (CUW also location)
    E8  item 6   C4D launch, undated, 4 cities                   GTM HND MEX SLV (also locations)
    E9  item 7   training 2019-05-22                             GTM
    E10 item 7   training 2019-05-27                             GTM
    E11 item 8   LMIS meeting 2019-05-23..24, San Jose           CRI GTM HND MEX SLV (CRI also location)
    E12 item 9   caravans return programme created 2018-10       GTM MEX
    E13 item 10  Panama-Costa Rica meeting, undated              CRI PAN
"""

from __future__ import annotations

import itertools
import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner
from pyoxigraph import QueryResultsFormat

from kg import namespaces as ns
from kg import queries as kq
from kg.network import EventFilter, country_network, metrics_table, parse_date_bound
from kg.store import KgStore

from .conftest import NAMES, ROOT, csv_rows, invoke, order_keys

SAMPLE_GOLDEN = Path(__file__).resolve().parent / "golden" / "sample"
PARAMS = json.loads((SAMPLE_GOLDEN / "params.json").read_text(encoding="utf-8"))
QUERIES: dict[str, dict[str, Any]] = PARAMS["queries"]
EVENT = f"{ns.ID}event/"

ITEM = {
    1: "2019-06-11-caribbean-countries-and-iom-address-458f9e",
    2: "2019-06-07-north-and-central-american-countries-928fb9",
    3: "2019-06-06-iom-builds-institutional-capacities-at-d8a046",
    4: "2019-06-06-iom-and-galen-university-in-belize-build-a2b923",
    5: "2019-06-06-iom-strengthens-dialogue-on-labor-67b8b8",
    6: "2019-06-06-over-100-local-actors-launch-1495f0",
    7: "2019-06-06-80-guatemalan-government-officials-12ed3d",
    8: "2019-05-24-regional-research-team-advances-in-the-dc68da",
    9: "2019-05-20-migrants-from-caravans-share-their-3d4a79",
    10: "2019-05-08-panama-and-costa-rica-hold-third-meeting-dca672",
}
E1, E2, E3 = f"{EVENT}{ITEM[1]}-e1", f"{EVENT}{ITEM[2]}-e1", f"{EVENT}{ITEM[2]}-e2"
E7, E8, E11 = f"{EVENT}{ITEM[5]}-e1", f"{EVENT}{ITEM[6]}-e1", f"{EVENT}{ITEM[8]}-e1"
E12, E13 = f"{EVENT}{ITEM[9]}-e1", f"{EVENT}{ITEM[10]}-e1"
MESO = ["GTM", "HND", "MEX", "SLV"]  # E8, the launch in Mesoamerica
RCM = ["BLZ", "CAN", "CRI", "DOM", "GTM", "HND", "MEX", "NIC", "PAN", "SLV", "USA"]


@pytest.fixture(scope="module")
def store(sample_store: str):  # type: ignore[no-untyped-def]
    with KgStore.open(sample_store, write=False) as opened:
        yield opened


def sample_rows(store: KgStore, name: str) -> list[list[str]]:
    """The query's rows on the sample (header first), restricted to the golden subset if any.

    ``mk:sourceFile`` is the path as given to ``kg build`` (``sample_store`` passes an absolute
    one), so a ``source`` column is made relative to the repository, as ``make run`` writes it.
    """
    spec = QUERIES[name]
    rows = csv_rows(kq.run(store, name, spec["params"]).serialize(format=QueryResultsFormat.CSV))
    if "source" in rows[0]:
        i = rows[0].index("source")
        for row in rows[1:]:
            row[i] = row[i].removeprefix(f"{ROOT}/")
    if "subset" in spec:
        ((column, value),) = spec["subset"].items()
        i = rows[0].index(column)
        rows = rows[:1] + [row for row in rows[1:] if row[i] == value]
    return rows


def golden_rows(name: str) -> list[list[str]]:
    return csv_rows((SAMPLE_GOLDEN / f"{name}.csv").read_text(encoding="utf-8"))


# -- every named query on the sample (issue 5) --


def test_every_query_has_a_sample_golden_file_and_its_parameters():
    assert set(QUERIES) == set(NAMES)
    for name, spec in QUERIES.items():
        assert (SAMPLE_GOLDEN / f"{name}.csv").exists(), f"write and check {name}.csv by hand"
        params = {p.name: p for p in kq.load(name).params}
        assert set(spec["params"]) <= set(params), name
        assert {p for p, param in params.items() if param.required} <= set(spec["params"]), name


@pytest.mark.parametrize("name", NAMES)
def test_sample_golden(store, name):
    """Cell by cell and in order (every query has a total ORDER BY)."""
    assert sample_rows(store, name) == golden_rows(name)


def cell_key(cell: str) -> tuple[Any, ...]:
    """SPARQL ORDER BY on a CSV cell: unbound < IRIs < literals; numbers by value, dates as ISO text."""
    if cell == "":
        return (0, 0, "")
    if cell.startswith(("http://", "https://")):
        return (2, 0, cell)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell):
        return (3, 1, cell)
    try:
        return (3, 0, Decimal(cell))
    except InvalidOperation:
        return (3, 2, cell)


@pytest.mark.parametrize("name", NAMES)
def test_golden_files_follow_the_query_order(name):
    """The hand-written rows are in ORDER BY order too, or a fixed extractor could never match them.
    A query that reads the summaries may sort by ``mk:position``, which stands for the order of
    its columns: its raw-event form says that order by the columns themselves (tests/test_summaries.py
    holds both forms to the same rows in the same order)."""
    header, *rows = golden_rows(name)
    query = kq.load(name)
    keys = [(header.index(var), descending) for var, descending in order_keys(query.raw or query.text)]
    for before, after in itertools.pairwise(rows):
        for i, descending in keys:
            a, b = cell_key(before[i]), cell_key(after[i])
            if a != b:
                assert (a > b) if descending else (a < b), f"{name}: {after} is out of ORDER BY order"
                break
        else:
            pytest.fail(f"{name}: two rows tie on every ORDER BY key: {before}")


@pytest.mark.parametrize("name", [name for name in NAMES if "rows" in QUERIES.get(name, {})])
def test_row_count_of_queries_checked_on_a_subset(store, name):
    rows = csv_rows(kq.run(store, name, QUERIES[name]["params"]).serialize(format=QueryResultsFormat.CSV))
    assert len(rows) - 1 == QUERIES[name]["rows"]


# -- the country cooperation network of the sample (issue 6) --


def C(iso3: str) -> str:
    return ns.country(iso3)


def weights(G: nx.Graph) -> dict[frozenset[str], int]:
    return {frozenset((u.rsplit("/", 1)[1], v.rsplit("/", 1)[1])): w for u, v, w in G.edges(data="weight")}


def rcm_pairs(weight: int) -> dict[frozenset[str], int]:
    return {frozenset((a, b)): weight for i, a in enumerate(RCM) for b in RCM[i + 1 :]}


@pytest.fixture(scope="module")
def countries(store: KgStore) -> nx.Graph:
    return country_network(store)


def test_country_network_edge_weights(countries):
    # Every pair of the 11 RCM members shares E2 (the 4-5 June workshop, item 2) and E3 (the Work
    # Plan approved in 2018, item 2): 55 pairs of weight 2. On top of that:
    #   E8  C4D launch (item 6): GTM HND MEX SLV               +1 on their 6 pairs
    #   E11 LMIS meeting (item 8): CRI GTM HND MEX SLV          +1 on their 10 pairs
    #   E12 caravans programme (item 9): GTM MEX                +1
    #   E13 third Panama-Costa Rica meeting (item 10): CRI PAN  +1
    #   E7  Dutch Caribbean symposium (item 5): ABW CUW SXM     3 new pairs of weight 1
    # E1 (TTO), E6 (BLZ), E9 and E10 (GTM) have one country each; E4, E5 have
    # none: no pairs.
    expected = rcm_pairs(2) | {
        frozenset(("GTM", "MEX")): 5,  # E2 + E3 + E8 + E11 + E12
        frozenset(("GTM", "HND")): 4,  # E2 + E3 + E8 + E11
        frozenset(("GTM", "SLV")): 4,  # E2 + E3 + E8 + E11
        frozenset(("HND", "MEX")): 4,  # E2 + E3 + E8 + E11
        frozenset(("HND", "SLV")): 4,  # E2 + E3 + E8 + E11
        frozenset(("MEX", "SLV")): 4,  # E2 + E3 + E8 + E11
        frozenset(("CRI", "GTM")): 3,  # E2 + E3 + E11
        frozenset(("CRI", "HND")): 3,  # E2 + E3 + E11
        frozenset(("CRI", "MEX")): 3,  # E2 + E3 + E11
        frozenset(("CRI", "SLV")): 3,  # E2 + E3 + E11
        frozenset(("CRI", "PAN")): 3,  # E2 + E3 + E13
        frozenset(("ABW", "CUW")): 1,  # E7
        frozenset(("ABW", "SXM")): 1,  # E7
        frozenset(("CUW", "SXM")): 1,  # E7
    }
    assert weights(countries) == expected


def test_country_network_size(countries):
    # nodes: the 11 RCM members, ABW CUW SXM (E7) and TTO (E1, isolated)
    assert sorted(n.rsplit("/", 1)[1] for n in countries) == sorted([*RCM, "ABW", "CUW", "SXM", "TTO"])
    assert (countries.number_of_nodes(), countries.number_of_edges()) == (15, 58)  # 55 + 3
    assert list(nx.isolates(countries)) == [C("TTO")]
    # 55 * 2 + 6 (E8) + 10 (E11) + 1 (E12) + 1 (E13) + 3 (E7)
    assert countries.size(weight="weight") == 131


def test_top_three_countries_by_weighted_degree(countries):
    # weighted degree = 10 partners * 2 (E2, E3) for every RCM member, plus:
    #   GTM 20 + 3 (E8: HND MEX SLV) + 4 (E11: CRI HND MEX SLV) + 1 (E12: MEX) = 28
    #   MEX 20 + 3 (E8) + 4 (E11) + 1 (E12: GTM)                               = 28
    #   HND 20 + 3 (E8) + 4 (E11) = 27          SLV 20 + 3 (E8) + 4 (E11) = 27
    #   CRI 20 + 4 (E11) + 1 (E13: PAN) = 25    PAN 20 + 1 (E13) = 21
    #   BLZ CAN DOM NIC USA 20;  ABW CUW SXM 2 (E7);  TTO 0
    expected = {"GTM": 28, "MEX": 28, "HND": 27, "SLV": 27, "CRI": 25, "PAN": 21}
    expected |= {c: 20 for c in ("BLZ", "CAN", "DOM", "NIC", "USA")} | {"ABW": 2, "CUW": 2, "SXM": 2, "TTO": 0}
    assert {n.rsplit("/", 1)[1]: w for n, w in countries.degree(weight="weight")} == expected
    table = metrics_table(countries)
    top = {(row["code"], row["weighted_degree"], row["rank"]) for row in table[:4]}
    assert top == {("GTM", 28, 1), ("MEX", 28, 1), ("HND", 27, 3), ("SLV", 27, 3)}  # ties share a rank
    assert [row["degree"] for row in table[:4]] == [10, 10, 10, 10]


# event_count: the events each country takes part in (E10 counted for GTM, see the next test)
EVENT_COUNTS = {
    "GTM": 7,  # E2 E3 E8 E9 E10 E11 E12
    "MEX": 5,  # E2 E3 E8 E11 E12
    "CRI": 4,  # E2 E3 E11 E13
    "HND": 4,  # E2 E3 E8 E11
    "SLV": 4,  # E2 E3 E8 E11
    "BLZ": 3,  # E2 E3 E6
    "PAN": 3,  # E2 E3 E13
    **{c: 2 for c in ("CAN", "DOM", "NIC", "USA")},  # E2 E3
    **{c: 1 for c in ("ABW", "CUW", "SXM")},  # E7
    "TTO": 1,  # E1
}


def test_country_event_counts(countries):
    found = {n.rsplit("/", 1)[1]: count for n, count in countries.nodes(data="event_count")}
    assert {c: n for c, n in found.items() if c != "GTM"} == {c: n for c, n in EVENT_COUNTS.items() if c != "GTM"}


def test_guatemala_takes_part_in_both_workshops_of_item_7(countries):
    assert countries.nodes[C("GTM")]["event_count"] == EVENT_COUNTS["GTM"]
    assert countries.graph["event_count"] == 11  # every event but E4 and E5, which name no country


def test_edge_attributes(countries):
    gtm_mex = countries[C("GTM")][C("MEX")]
    assert gtm_mex["events"] == sorted([E2, E3, E8, E11, E12])
    # E8 is undated: it counts at its item's publication date, 2019-06-06 (docs/codebook.md)
    assert (gtm_mex["years"], gtm_mex["first"], gtm_mex["last"]) == ([2018, 2019], "2018-01-01", "2019-06-06")
    themes = ["regional-cooperation", "smuggling"]  # E2, E3
    themes += ["information-provision", "labour-migration", "migration-data"]  # E8, E11
    themes += ["displacement-crisis", "return-reintegration", "vulnerability-protection"]  # E12
    assert gtm_mex["themes"] == sorted(ns.concept("theme", t) for t in themes)
    cri_pan = countries[C("CRI")][C("PAN")]
    assert cri_pan["events"] == sorted([E2, E3, E13])  # E13 undated: at its item's 2019-05-08
    assert (cri_pan["years"], cri_pan["first"], cri_pan["last"]) == ([2018, 2019], "2018-01-01", "2019-06-04")
    abw_cuw = countries[C("ABW")][C("CUW")]
    assert (abw_cuw["events"], abw_cuw["years"], abw_cuw["first"], abw_cuw["last"]) == (
        [E7],
        [2019],
        "2019-05-09",
        "2019-05-09",
    )
    assert abw_cuw["themes"] == [
        ns.concept("theme", t) for t in ("diaspora", "labour-migration", "regional-cooperation")
    ]
    gtm = countries.nodes[C("GTM")]
    assert (gtm["label"], gtm["iso3"], gtm["kind"]) == ("Guatemala", "GTM", "country")


CENTRAL5 = ["CRI", "GTM", "HND", "MEX", "SLV"]  # E11's countries


@pytest.mark.parametrize(
    ("filters", "codes", "expected", "events", "event_count"),
    [
        # GCM 9 <- smuggling (exactMatch): only item 2's events, E2 and E3: the clique, weight 2
        (EventFilter(gcm=("9",)), RCM, rcm_pairs(2), {E2, E3}, 2),
        # since 20 May 2019: E1 E2 E9 E10 E11 (+ E5, without countries) and the undated E6 E8 at their
        # items' date, 6 June. The 2018 events E3 and E12, the earlier E4 E7 and the undated E13 (its
        # item: 8 May) drop out: E2 gives 1, E11 adds 1 on its 10 pairs, E8 1 more among GTM HND MEX SLV
        (
            EventFilter(since=parse_date_bound("2019-05-20")),
            [*RCM, "TTO"],
            rcm_pairs(1)
            | {frozenset((a, b)): 2 for i, a in enumerate(CENTRAL5) for b in CENTRAL5[i + 1 :]}
            | {frozenset((a, b)): 3 for a in MESO for b in MESO if a < b},
            {E2, E11, E8},
            None,  # (the events per country are checked by the tests above)
        ),
        # up to 2018: E3 and E12 (GTM MEX)
        (
            EventFilter(until=parse_date_bound("2018", end=True)),
            RCM,
            rcm_pairs(1) | {frozenset(("GTM", "MEX")): 2},
            {E3, E12},
            2,
        ),
        # launches: E8 (GTM HND MEX SLV) and E12 (GTM MEX)
        (
            EventFilter(event_types=("launch",)),
            ["GTM", "HND", "MEX", "SLV"],
            {frozenset(p): 1 for p in [("GTM", "HND"), ("GTM", "SLV"), ("HND", "MEX"), ("HND", "SLV"), ("MEX", "SLV")]}
            | {frozenset(("GTM", "MEX")): 2},
            {E8, E12},
            2,
        ),
        # labour-migration: E7 (ABW CUW SXM), E11 (CENTRAL5), E13 (CRI PAN): 3 + 10 + 1 edges of weight 1
        (
            EventFilter(themes=("labour-migration",)),
            ["ABW", "CUW", "SXM", *CENTRAL5, "PAN"],
            {frozenset(p): 1 for p in [("ABW", "CUW"), ("ABW", "SXM"), ("CUW", "SXM"), ("CRI", "PAN")]}
            | {frozenset((a, b)): 1 for i, a in enumerate(CENTRAL5) for b in CENTRAL5[i + 1 :]},
            {E7, E11, E13},
            3,
        ),
        # the Caribbean keeps whole events with a Caribbean country: E1 (TTO), E2 and E3 (DOM), E7
        (
            EventFilter(regions=("Caribbean",)),
            [*RCM, "ABW", "CUW", "SXM", "TTO"],
            rcm_pairs(2) | {frozenset(p): 1 for p in [("ABW", "CUW"), ("ABW", "SXM"), ("CUW", "SXM")]},
            {E2, E3, E7},
            4,
        ),
        # filters combine with "and": GCM 9 in 2019 is the workshop E2 alone
        (EventFilter(gcm=("9",), since=parse_date_bound("2019")), RCM, rcm_pairs(1), {E2}, 1),
        # GCM 2 <- climate-disasters (broadMatch, gold rule T3): E1 alone, TTO isolated
        (EventFilter(gcm=("2",)), ["TTO"], {}, set(), 1),
    ],
    ids=["gcm-9", "since-2019-05-20", "until-2018", "launch", "labour-migration", "caribbean", "gcm-9-2019", "gcm-2"],
)
def test_filters_on_the_sample(store, filters, codes, expected, events, event_count):
    G = country_network(store, filters)
    assert sorted(n.rsplit("/", 1)[1] for n in G) == sorted(codes)
    assert weights(G) == expected
    assert {e for _, _, evs in G.edges(data="events") for e in evs} == events
    if event_count is not None:
        assert G.graph["event_count"] == event_count


# -- the framed events view (issue 7) --

GOLDEN_EVENTS: list[dict[str, Any]] = json.loads((SAMPLE_GOLDEN / "events.json").read_text(encoding="utf-8"))
GOLDEN_BY_ID = {event["id"].removeprefix(EVENT): event for event in GOLDEN_EVENTS}


@pytest.fixture(scope="module")
def events_view(sample_store: str, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    out = tmp_path_factory.mktemp("view") / "events.json"
    result = invoke(CliRunner(), "export", "--store", sample_store, "--frame", "events", "--out", str(out))
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def test_events_view_lists_the_13_events_in_order(events_view):
    # by start date, the undated E13 E6 E8 at their items' publication dates (precision
    # "publication", issue 20): E3 (2018, year) E12 (2018-10) E13 (05-08) E7 E4 E9 E11 E5
    # (05-23, IRI order) E10 E2, then E6 E8 (06-06) and E1
    assert [e["id"] for e in events_view] == [e["id"] for e in GOLDEN_EVENTS]
    assert len(GOLDEN_EVENTS) == 13  # the gold's event count: 1 + 2 + 2 + 1 + 1 + 1 + 2 + 1 + 1 + 1


@pytest.mark.parametrize("event", list(GOLDEN_BY_ID))
def test_events_view_fields(events_view, event):
    actual = {e["id"].removeprefix(EVENT): e for e in events_view}[event]
    assert actual == GOLDEN_BY_ID[event]
