"""Summaries built with the graph (issues 21 and 23): a data cube the named queries read, kept exact.

Each named query that reads the summaries has a raw-event form (``queries/raw/NAME.rq``, the
query as it was before it read them); here the two forms give the same rows on the sample and on
both fixtures, before and after an incremental build that changes or removes an item, and a few
counts are checked against numbers worked out by hand. ``tests/test_lean_graph.py`` holds the
rows to the ones the code gave before the summaries existed (golden/before/).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, QueryResultsFormat, RdfFormat, Store
from rdflib import Graph, Namespace, URIRef

from kg import namespaces as ns
from kg import queries as kq
from kg.build import build
from kg.store import KgStore
from kg.summaries import DATASETS, is_current, summary_lines, write_summaries
from kg.summaries.cube import QB

from .conftest import FIXTURES, ROOT, memory_store
from .test_queries import ANALYST, GOLDEN_PARAMS

SAMPLE = ROOT / "data" / "news" / "news-listing-2019.txt"
DUPLICATES = FIXTURES / "duplicates.jsonl"
#: The named queries that read the summaries: those with a raw-event form.
SUMMARY_QUERIES = [q.name for q in kq.catalogue() if q.raw is not None]
PARAMS = {"region_activity": {"region": "m49-013"}, "country_pairs": {"min_events": "1"}}


def summaries(store: KgStore) -> set[str]:
    return {f"{q.subject} {q.predicate} {q.object}" for q in store.quads(ns.SUMMARY_GRAPH)}


def fresh(path: Path) -> set[str]:
    store = KgStore.memory()
    build([path], store)
    return summaries(store)


def csv(result: object) -> str:
    return result.serialize(format=QueryResultsFormat.CSV).decode()  # type: ignore[attr-defined]


def differing(store: KgStore) -> list[str]:
    """The summary queries whose rows differ from their raw-event form's on ``store``."""
    return [
        name
        for name in SUMMARY_QUERIES
        if csv(kq.run(store, name, PARAMS.get(name))) != csv(kq.run(store, name, PARAMS.get(name), raw=True))
    ]


@pytest.fixture(scope="module")
def sample() -> KgStore:
    store = KgStore.memory()
    build([SAMPLE], store)
    return store


@pytest.fixture(scope="module")
def analyst() -> KgStore:
    return memory_store(ANALYST)


def observation(store: KgStore, dataset: str, *keys: str) -> dict[str, str]:
    """The components of one observation, by the local name of their predicate."""
    node = NamedNode(f"{DATASETS[dataset].iri}/{'/'.join(keys)}")
    return {
        q.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]: q.object.value
        for q in store.store.quads_for_pattern(node, None, None, NamedNode(ns.SUMMARY_GRAPH))
    }


# -- the cube --


def test_every_summary_query_is_one_the_issue_names():
    assert set(SUMMARY_QUERIES) == {
        "activity_by_objective",
        "activity_by_theme",
        "country_pairs",
        "events_per_month",
        "events_per_organization",
        "most_connected_countries",
        "organization_country_links",
        "people_reached",
        "region_activity",
        "statistics_per_country",
    }


def test_the_sample_summaries_are_a_data_cube(sample):
    rows = sample.query(
        f"SELECT ?set ?structure ?counting WHERE {{ GRAPH <{ns.SUMMARY_GRAPH}> {{"
        f" ?set a <{QB['DataSet']}> ; <{QB['structure']}> ?structure ; <{ns.MK['counting']}> ?counting }} }}"
    )
    found = {row["set"].value: (row["structure"].value, row["counting"].value) for row in rows}
    assert found == {ds.iri: (ds.structure, "events") for ds in DATASETS.values()}


def test_an_observation_holds_its_data_set_dimensions_and_measures_only(sample):
    """No rdf:type per observation (qb:dataSet implies it) and nothing the data set says once;
    its position where the data set is positioned."""
    by_set = {ds.iri: ds for ds in DATASETS.values()}
    held: dict[str, dict[str, str]] = {}
    for q in sample.quads(ns.SUMMARY_GRAPH):
        held.setdefault(q.subject.value, {})[q.predicate.value] = q.object.value
    observations = {s: p for s, p in held.items() if s not in by_set}
    assert len(observations) > 100
    for node, components in observations.items():
        ds = by_set[components[QB["dataSet"]]]
        assert node.startswith(ds.iri + "/")
        position = [ns.MK["position"]] if ds.positioned else []
        assert set(components) <= {QB["dataSet"], *ds.dimensions, *ds.measures, *position}, node
        assert set(ds.measures) - {ns.MK["firstDate"], ns.MK["lastDate"]} | set(position) <= set(components), node
        assert set(ds.dimensions) - {ns.SEM["eventType"]} <= set(components), node


def test_the_ontology_declares_each_data_set_structure():
    g = Graph().parse(ROOT / "ontology" / "migkg.ttl")
    qb = Namespace(QB)
    for ds in DATASETS.values():
        components = list(g.objects(URIRef(ds.structure), qb.component))
        dimensions = {str(d) for c in components for d in g.objects(c, qb.dimension)}
        measures = {str(m) for c in components for m in g.objects(c, qb.measure)}
        attributes = {str(a) for c in components for a in g.objects(c, qb.attribute)}
        position = {ns.MK["position"]} if ds.positioned else set()
        assert (dimensions, measures, attributes) == (set(ds.dimensions), set(ds.measures), {ns.MK["counting"], *position})


@pytest.mark.parametrize("name", [ds.name for ds in DATASETS.values() if ds.positioned])
def test_positions_follow_the_order_of_the_dimension_iris(analyst, name):
    """Queries sort a positioned data set by mk:position instead of by its dimensions' IRIs: the
    two orders must be the same, positions 1..n with no gap."""
    ds = DATASETS[name]
    rows: dict[str, dict[str, str]] = {}
    for q in analyst.quads(ns.SUMMARY_GRAPH):
        if q.subject.value.startswith(ds.iri + "/"):
            rows.setdefault(q.subject.value, {})[q.predicate.value] = q.object.value
    assert len(rows) > 3
    by_position = sorted(rows.values(), key=lambda r: int(r[ns.MK["position"]]))
    assert [int(r[ns.MK["position"]]) for r in by_position] == list(range(1, len(rows) + 1))
    keys = [tuple(r[d] for d in ds.dimensions) for r in by_position]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


@pytest.mark.parametrize(("link", "predicate"), [("member", ns.ORG["hasMember"]), ("based-in", ns.MK["basedIn"])])
def test_membership_and_seat_are_observations_with_no_events(analyst, link, predicate):
    """organization_country_links reads every row from the data set: a member country or the seat
    of an organisation (the cheat sheet of fixtures/analyst.trig) is one observation, with 0 events."""
    linked = {
        (row["org"].value, row["country"].value)
        for row in analyst.query(
            f"SELECT ?org ?country WHERE {{ ?org <{predicate}> ?country . ?country a <{ns.MK['Country']}> }}"
        )
    }
    observed = {
        (row["o"].value, row["c"].value): int(row["n"].value)
        for row in analyst.query(
            f"SELECT ?o ?c ?n WHERE {{ GRAPH <{ns.SUMMARY_GRAPH}> {{ ?x <{QB['dataSet']}> "
            f"<{DATASETS['organization-countries'].iri}> ; <{ns.MK['organization']}> ?o ; "
            f'<{ns.MK["country"]}> ?c ; <{ns.MK["link"]}> "{link}" ; <{ns.MK["eventCount"]}> ?n }} }}'
        )
    }
    assert linked and set(observed) == linked
    assert set(observed.values()) == {0}


def test_a_statistic_about_a_place_counts_for_the_country_it_is_in():
    """As statistics_by_country lists it: a statistic about a place (schema:containedInPlace a
    country) counts for that country, dated by its item when it has no observation date."""
    store = KgStore.memory()
    build([SAMPLE], store)
    item = next(iter(store.query(f"SELECT ?i ?d WHERE {{ ?i a <{ns.MK['NewsItem']}> ; <{ns.DCTERMS['date']}> ?d }}")))
    graph = next(iter(store.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{item['i'].value}> a <{ns.MK['NewsItem']}> }} }}")))
    place, stat = NamedNode("https://example.org/place/1"), NamedNode("https://example.org/statistic/1")
    g, indicator = graph["g"], NamedNode(ns.concept("indicator", "migrant-deaths"))
    store.store.extend(
        [
            Quad(place, NamedNode(ns.SCHEMA["containedInPlace"]), NamedNode(ns.country("HND")), g),
            Quad(stat, NamedNode(ns.RDF["type"]), NamedNode(ns.MK["Statistic"]), g),
            Quad(stat, NamedNode(ns.SCHEMA["observationAbout"]), place, g),
            Quad(stat, NamedNode(ns.MK["indicator"]), indicator, g),
            Quad(stat, NamedNode(ns.SCHEMA["value"]), Literal("7", datatype=NamedNode(ns.XSD["decimal"])), g),
            Quad(stat, NamedNode(ns.PROV["wasDerivedFrom"]), item["i"], g),
        ]
    )
    write_summaries(store)
    rows = [r for r in kq.rows(kq.run(store, "statistics_per_country")) if r["indicator"] == indicator.value]
    assert [(r["country"], r["statistics"], r["items"], r["min"], r["max"]) for r in rows] == [
        (ns.country("HND"), 1, 1, 7, 7)
    ]
    assert str(rows[0]["first"]) == item["d"].value[:10]
    assert differing(store) == []


# -- the same rows as the raw events --


def test_summary_queries_answer_as_their_raw_form_on_the_sample(sample):
    assert differing(sample) == []


def test_summary_queries_answer_as_their_raw_form_on_the_fixtures(analyst):
    assert differing(analyst) == []
    duplicates = KgStore.memory()
    build([DUPLICATES], duplicates)
    assert duplicates.query(f"ASK {{ ?c <{ns.MK['hasReport']}> ?e }}")  # canonical events, counted once
    assert differing(duplicates) == []


@pytest.mark.parametrize("name", SUMMARY_QUERIES)
def test_the_golden_cases_agree_in_both_forms(analyst, name):
    """The golden files' parameters too (region_activity for m49-013 is also in PARAMS)."""
    params = GOLDEN_PARAMS.get(name)
    assert csv(kq.run(analyst, name, params)) == csv(kq.run(analyst, name, params, raw=True))


@pytest.mark.parametrize("name", SUMMARY_QUERIES)
def test_the_raw_form_runs_on_its_own_and_projects_the_same_columns(name):
    """queries/raw/NAME.rq declares its prefixes (any SPARQL tool runs it) and gives NAME's columns."""
    text = (ROOT / "queries" / "raw" / f"{name}.rq").read_text(encoding="utf-8")
    assert [v.value for v in Store().query(text).variables] == list(kq.load(name).columns)


@pytest.mark.parametrize("name", [name for name in SUMMARY_QUERIES if name != "statistics_per_country"])
def test_reports_are_counted_from_the_raw_events(name):
    query = kq.load(name)
    assert query.counts_events and query.raw is not None
    text = query.text_for(PARAMS.get(name), reports=True)
    assert kq.REPORTS_FILTER in text and kq.CANONICAL_FILTER not in text
    assert "summary/" not in text


# -- counts worked out by hand --


def test_counts_by_hand_on_the_analyst_fixture(analyst):
    """From the cheat sheet of fixtures/analyst.trig: smuggling (objective 9) tags B1, B2 and E1,
    and E2 by its item; B2 is 2018, the others 2019 (E2 undated: its item's 2019-06-20)."""
    smuggling = observation(analyst, "themes", "smuggling", "2019")
    assert (smuggling["eventCount"], smuggling["itemCount"]) == ("3", "2")
    nine = observation(analyst, "objectives", "objective-9", "2019")
    assert (nine["eventCount"], nine["itemCount"], nine["period"]) == ("3", "2", "2019")
    assert observation(analyst, "objectives", "objective-9", "2018")["eventCount"] == "1"
    # months: A1, B1, E1 and E2 in June 2019; C1 and D1 (month precision) in May; B2 in 2018 only
    assert observation(analyst, "months", "2019-06")["eventCount"] == "4"
    assert observation(analyst, "months", "2019-05")["eventCount"] == "2"
    assert observation(analyst, "months", "2018")["eventCount"] == "1"
    # C1 trained 80 Guatemalan officials, 45 of them a subset (not added again)
    people = observation(analyst, "people", "GTM", "training")
    assert (people["peopleCount"], people["eventCount"]) == ("80", "1")
    # IOM organised A1, C1, D1 and E1: with TTO, GTM, BLZ and GTM/HND
    iom = observation(analyst, "organizations", "iom")
    assert (iom["eventCount"], iom["partnerCount"], iom["firstDate"], iom["lastDate"]) == (
        "4",
        "4",
        "2019-05-01",
        "2019-06-18",
    )
    assert observation(analyst, "organization-countries", "iom", "GTM", "event")["eventCount"] == "2"


def test_pairs_by_hand_on_the_sample(sample):
    """E2 and E3 (item 2) are the RCM's eleven states: BLZ-CAN take part in two events together."""
    rows = kq.query("country_pairs", store=sample, min_events=2)
    pair = next(r for r in rows if r["a"].endswith("/BLZ") and r["b"].endswith("/CAN"))
    assert (pair["events"], str(pair["first"]), str(pair["last"])) == (2, "2018-01-01", "2019-06-04")


# -- exact after incremental builds --


def test_an_item_changed_by_a_later_build_changes_its_counts(tmp_path: Path):
    before = tmp_path / "news.txt"
    before.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    store = KgStore.memory()
    build([before], store)
    # item 1 was about Trinidad and Tobago; now it is about Jamaica and Haiti
    changed = SAMPLE.read_text(encoding="utf-8").replace("Port of Spain -", "Kingston, Jamaica and Haiti -", 1)
    assert changed != SAMPLE.read_text(encoding="utf-8")
    before.write_text(changed, encoding="utf-8")
    first = summaries(store)
    report = build([before], store)
    assert report.loaded == 1 and report.unchanged == 9
    assert summaries(store) != first
    assert summaries(store) == fresh(before)
    assert differing(store) == []
    assert observation(store, "country-items", "JAM")["itemCount"] == "1"


def test_an_item_removed_by_a_replacing_build_leaves_its_counts(tmp_path: Path):
    store = KgStore.open(tmp_path / "store", write=True)
    build([SAMPLE], store)
    first = summaries(store)
    shorter = tmp_path / "news.txt"
    text = SAMPLE.read_text(encoding="utf-8")
    shorter.write_text(text[: text.index("7 June, 2019")], encoding="utf-8")  # item 1 only
    build([shorter], store, replace=True)
    assert summaries(store) != first
    assert summaries(store) == fresh(shorter)
    assert differing(store) == []
    store.close()


def test_a_removed_report_leaves_its_canonical_event(tmp_path: Path):
    """Tapachula's training is reported three times: counted once, and still once with two reports."""
    lines = DUPLICATES.read_text(encoding="utf-8").splitlines(keepends=True)
    store = KgStore.open(tmp_path / "store", write=True)
    build([DUPLICATES], store)
    first = summaries(store)
    shorter = tmp_path / "duplicates.jsonl"
    shorter.write_text("".join(line for line in lines if json.loads(line)["id"] != "tap-2"), encoding="utf-8")
    build([shorter], store, replace=True)
    assert summaries(store) != first
    assert summaries(store) == fresh(shorter)
    assert differing(store) == []
    store.close()


# -- when the graph is written --


def test_summaries_are_written_only_when_they_change(sample):
    assert write_summaries(sample) is False


def test_a_store_without_events_has_no_summary_graph():
    store = KgStore.memory()
    assert summary_lines(store) == []
    assert write_summaries(store) is False
    assert not store.store.contains_named_graph(NamedNode(ns.SUMMARY_GRAPH))


def test_an_unchanged_rebuild_does_not_count_again(monkeypatch: pytest.MonkeyPatch):
    import kg.summaries

    store = KgStore.memory()
    build([SAMPLE], store)
    calls = []
    monkeypatch.setattr(kg.summaries, "write_summaries", lambda s: calls.append(s) or False)
    assert build([SAMPLE], store).unchanged == 10
    assert calls == []


@pytest.mark.parametrize(
    "older",
    [
        # summarised before the months data set existed
        lambda q: q.subject.value.startswith(DATASETS["months"].iri),
        # summarised before the data sets said owl:versionInfo (before mk:position, which queries sort by)
        lambda q: q.predicate.value == ns.OWL["versionInfo"],
    ],
    ids=["a data set missing", "an older layout"],
)
def test_summaries_of_an_older_version_are_counted_again_by_the_next_build(tmp_path: Path, older):
    """A store summarised by an older version (its summary graph without what ``older`` picks) is
    summarised again even by a build that writes no item."""
    store = KgStore.open(tmp_path / "store", write=True)
    build([SAMPLE], store)
    expected = summaries(store)
    kept = [q for q in store.quads(ns.SUMMARY_GRAPH) if not older(q)]
    store.store.remove_graph(NamedNode(ns.SUMMARY_GRAPH))
    store.store.extend(kept)
    assert not is_current(store)
    assert build([SAMPLE], store).unchanged == 10
    assert is_current(store) and summaries(store) == expected
    store.close()


def test_a_trig_file_with_the_summary_graph_is_read_by_the_queries(sample, tmp_path: Path):
    """The summaries travel with an export (TriG keeps the graph), so a store loaded from it answers."""
    path = tmp_path / "kg.trig"
    path.write_bytes(sample.store.dump(format=RdfFormat.TRIG))
    loaded = KgStore.memory()
    loaded.store.load(path=str(path), format=RdfFormat.TRIG)
    assert differing(loaded) == []
    assert csv(kq.run(loaded, "people_reached")) == csv(kq.run(sample, "people_reached"))
