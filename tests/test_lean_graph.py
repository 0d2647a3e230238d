"""Issue 21: leaner item graphs lose nothing a user could ask for before.

``golden/before/`` holds every named query's rows on the sample, ``fixtures/duplicates.jsonl`` and
``fixtures/analyst.trig`` (and ``provenance`` for every entity of the sample), written by the
code before the change; the store must still answer exactly those rows. Mentions now live in
one ``mk:evidence`` literal per item (kg.evidence), and the extraction run in the provenance graph.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyoxigraph import NamedNode, QueryResultsFormat

from kg import namespaces as ns
from kg import queries as kq
from kg.build import build
from kg.evidence import KINDS, decode, encode, entity_iri
from kg.extract import extract
from kg.extract.model import Mention
from kg.rdf import item_nquads, run_iri
from kg.sources import NewsItem, read_sources
from kg.sparql.execute import execute
from kg.store import KgStore

from .conftest import ANALYST, FIXTURES, ROOT, memory_store

BEFORE = Path(__file__).resolve().parent / "golden" / "before"
SAMPLE = ROOT / "data" / "news" / "news-listing-2019.txt"


def _rows(result: object) -> list[list[str]]:
    return list(csv.reader(io.StringIO(result.serialize(format=QueryResultsFormat.CSV).decode())))  # type: ignore[attr-defined]


def _same_rows(store: KgStore, snapshot: dict[str, dict[str, object]]) -> list[str]:
    """The names of the snapshot's queries whose rows the store no longer gives.

    ``statistics_by_country`` listed every country's statistics when the snapshot was taken and
    takes one country now: it is run for each country of the snapshot's rows, in their order
    (the query sorts by country first), and the rows put together."""
    differ = []
    for name, case in snapshot.items():
        query, reports = name.removesuffix(" --reports"), name.endswith(" --reports")
        expected: list[list[str]] = case["rows"]  # type: ignore[assignment]
        if query == "statistics_by_country" and not case["params"]:
            countries = list(dict.fromkeys(row[0].rsplit("/", 1)[1] for row in expected[1:]))
            parts = [_rows(kq.run(store, query, {"country": c}))[1:] for c in countries]
            got = expected[:1] + [row for part in parts for row in part]
        else:
            got = _rows(kq.run(store, query, case["params"], reports=reports))  # type: ignore[arg-type]
        if got != expected:
            differ.append(name)
    return differ


@pytest.fixture(scope="module")
def sample() -> KgStore:
    store = KgStore.memory()
    build([SAMPLE], store)
    return store


def test_named_queries_answer_as_before_on_the_sample(sample):
    before = json.loads((BEFORE / "sample.json").read_text(encoding="utf-8"))
    assert _same_rows(sample, before["queries"]) == []


def test_provenance_of_every_entity_is_as_before_on_the_sample(sample):
    before = json.loads((BEFORE / "sample.json").read_text(encoding="utf-8"))["provenance"]
    assert len(before) == 27
    text = kq.load("provenance").text_for
    changed = [
        e for e, rows in before.items() if _rows(execute(sample, text({"entity": NamedNode(e)}), keep=True)) != rows
    ]
    assert changed == []


def test_named_queries_answer_as_before_on_the_fixtures():
    store = KgStore.memory()
    build([FIXTURES / "duplicates.jsonl"], store)
    before = json.loads((BEFORE / "duplicates.json").read_text(encoding="utf-8"))["queries"]
    assert _same_rows(store, before) == []
    before = json.loads((BEFORE / "analyst.json").read_text(encoding="utf-8"))["queries"]
    assert _same_rows(memory_store(ANALYST), before) == []


def test_every_mention_keeps_its_entity_text_offsets_and_rule(sample):
    """What extraction found is what the graph holds: decoded from each item's mk:evidence."""
    items = [r for r in read_sources([SAMPLE]) if isinstance(r, NewsItem)]
    for item in items:
        found = {(m.kind, m.ref, m.start, m.end, m.text, m.rule) for m in extract(item).mentions if m.kind in KINDS}
        rows = list(sample.query(f"SELECT ?ev WHERE {{ <{ns.item(item.key)}> <{ns.MK['evidence']}> ?ev }}"))
        assert len(rows) == 1
        held = decode(rows[0]["ev"].value)
        assert {(m.kind, m.ref, m.start, m.end, m.text, m.rule) for m in held} == found
        assert all(item.text[m.start : m.end] == m.text for m in held)
    assert sample.query(f"ASK {{ ?m a <{ns.MK['Mention']}> }}").__bool__() is False


def test_every_mentioned_entity_has_an_iri_the_item_mentions_or_tags(sample):
    """An evidence line's KIND:REF is the IRI the item graph links to (countries, organisations, places)."""
    for row in sample.query(f"SELECT ?item ?ev WHERE {{ ?item <{ns.MK['evidence']}> ?ev }}"):
        for m in decode(row["ev"].value):
            if m.kind in ("country", "org", "place"):
                iri = entity_iri(f"{m.kind}:{m.ref}")
                assert sample.query(f"ASK {{ {row['item']} ?p <{iri}> }}"), (row["item"], iri)


def test_the_run_is_described_once_in_the_provenance_graph(sample):
    run = run_iri()
    graphs = {q.graph_name.value for q in sample.store.quads_for_pattern(NamedNode(run), None, None, None)}
    assert graphs == {ns.PROVENANCE_GRAPH}
    software = {
        q.graph_name.value for q in sample.store.quads_for_pattern(None, NamedNode(ns.MK["softwareVersion"]), None)
    }
    assert software == {ns.PROVENANCE_GRAPH}
    generated = list(sample.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ ?g <{ns.PROV['wasGeneratedBy']}> <{run}> }} }}"))
    assert len(generated) == 10  # every item graph still names its run (kg build skips unchanged items by it)


def test_a_rebuild_adds_no_second_description_of_the_run(sample):
    store = KgStore.memory()
    build([SAMPLE], store)
    once = len(list(store.quads(ns.PROVENANCE_GRAPH)))
    build([SAMPLE], store, replace=False)
    assert len(list(store.quads(ns.PROVENANCE_GRAPH))) == once == 6


def test_the_sample_item_graphs_hold_at_most_80_quads_an_item(sample):
    """1,245 quads in the ten item graphs before (mention nodes, the run in every graph); the
    bench corpus's figure is bench.lean's."""
    sizes = [
        len(list(sample.quads(g.value))) for g in sample.store.named_graphs() if g.value.startswith(ns.GRAPH + "item/")
    ]
    assert len(sizes) == 10 and sum(sizes) == 523, sizes


mention = st.builds(
    Mention,
    kind=st.sampled_from(sorted(KINDS)),
    ref=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9.-]{0,12}", fullmatch=True),
    start=st.integers(0, 5000),
    end=st.integers(0, 5000),
    text=st.text(max_size=30),
    rule=st.from_regex(r"[a-z][a-z0-9.-]{0,20}", fullmatch=True),
)


@given(st.lists(mention, max_size=12))
def test_evidence_round_trips_any_mentions(mentions):
    decoded = decode(encode(mentions))
    assert {(m.kind, m.ref, m.start, m.end, m.text, m.rule) for m in decoded} == {
        (m.kind, m.ref, m.start, m.end, m.text, m.rule) for m in mentions
    }


def test_mentions_of_other_kinds_are_not_evidence():
    item = NewsItem("k1", __import__("datetime").date(2019, 6, 11), "IOM in Guatemala", "On 3 May 2019.", "x.txt", 1)
    text = item_nquads(item, extract(item))
    assert "date:" not in text and "quantity:" not in text
    assert "country:GTM" in text and "org:iom" in text
