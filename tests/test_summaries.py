"""Summaries built with the graph (issue 21): a data cube the named queries read, kept exact.

The rows of the queries that read the summaries are checked against the rows the code gave
before (tests/test_lean_graph.py, golden/before/); here: the cube itself, and that an
incremental build that changes or removes an item leaves exactly the summaries a fresh build
of the same input writes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from kg import namespaces as ns
from kg import queries as kq
from kg.build import build
from kg.store import KgStore
from kg.summaries import DATASETS, summary_lines, write_summaries

from .conftest import ROOT

SAMPLE = ROOT / "data" / "news" / "news-listing-2019.txt"
QB = "http://purl.org/linked-data/cube#"


def summaries(store: KgStore) -> set[str]:
    return {f"{q.subject} {q.predicate} {q.object}" for q in store.quads(ns.SUMMARY_GRAPH)}


def fresh(path: Path) -> set[str]:
    store = KgStore.memory()
    build([path], store)
    return summaries(store)


def test_the_sample_summaries_are_a_data_cube():
    store = KgStore.memory()
    build([SAMPLE], store)
    assert summaries(store)
    rows = store.query(
        f"SELECT ?set (COUNT(?o) AS ?n) WHERE {{ ?o a <{QB}Observation> ; <{QB}dataSet> ?set }} GROUP BY ?set"
    )
    counts = {row["set"].value: int(row["n"].value) for row in rows}
    assert set(counts) == set(DATASETS.values())
    # every data set names its structure, and the ontology declares the structure's components
    for iri in DATASETS.values():
        structure = next(iter(store.store.quads_for_pattern(NamedNode(iri), NamedNode(QB + "structure"), None)))
        assert store.query(f"ASK {{ {structure.object} <{QB}component> ?c }}")


def test_pairs_by_hand_on_the_sample():
    """E2 and E3 (item 2) are the RCM's eleven states: BLZ-CAN take part in two events together."""
    store = KgStore.memory()
    build([SAMPLE], store)
    rows = kq.query("country_pairs", store=store, min_events=2)
    pair = next(r for r in rows if r["a"].endswith("/BLZ") and r["b"].endswith("/CAN"))
    assert (pair["events"], str(pair["first"]), str(pair["last"])) == (2, "2018-01-01", "2019-06-04")


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
    store.close()


def test_summaries_are_written_only_when_they_change():
    store = KgStore.memory()
    build([SAMPLE], store)
    assert write_summaries(store) is False


def test_a_store_without_events_has_no_summary_graph():
    store = KgStore.memory()
    assert summary_lines(store) == []
    assert write_summaries(store) is False
    assert not store.store.contains_named_graph(NamedNode(ns.SUMMARY_GRAPH))


@pytest.mark.parametrize("name", ["country_pairs", "most_connected_countries"])
def test_summary_queries_take_the_reports_switch(name):
    query = kq.load(name)
    assert query.counts_events
    assert 'mk:counting "reports"' in query.text_for({}, reports=True)


def test_an_unchanged_rebuild_does_not_count_again(monkeypatch: pytest.MonkeyPatch):
    import kg.summaries

    store = KgStore.memory()
    build([SAMPLE], store)
    calls = []
    monkeypatch.setattr(kg.summaries, "write_summaries", lambda s: calls.append(s) or False)
    assert build([SAMPLE], store).unchanged == 10
    assert calls == []
