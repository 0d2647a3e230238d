"""Store safety: a killed build leaves whole item graphs, one writer at a time, readers share.

The builds run as real processes (``python -m kg build``), so that SIGKILL and file locks
behave as they do for a user. The generated corpus uses short texts: the subject here is the
store, not the extractor.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg.errors import KgError
from kg.extract import extract
from kg.namespaces import item_graph
from kg.rdf import item_quads
from kg.sources import NewsItem, read_sources
from kg.store import KgStore

from .conftest import Process, invoke, kg_process, wait_until, write_corpus

ITEMS = 3000
ITEM_GRAPHS = "https://w3id.org/migkg/graph/item/"

INCOMPLETE = """
PREFIX mk: <https://w3id.org/migkg/ont#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?g WHERE {
  GRAPH ?g { ?s ?p ?o }
  FILTER(STRSTARTS(STR(?g), "https://w3id.org/migkg/graph/item/"))
  FILTER NOT EXISTS {
    GRAPH ?g { ?g mk:contentHash ?hash . ?item a mk:NewsItem ; dcterms:title ?title ; dcterms:date ?date }
  }
}
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus") / "news.jsonl", "safety", 0, ITEMS)


def item_graph_sizes(store: Store) -> dict[str, int]:
    rows = store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{ITEM_GRAPHS}")) }} GROUP BY ?g'
    )
    return {row["g"].value: int(row["n"].value) for row in rows}


def wait_for_item_graphs(path: Path, process: subprocess.Popen[str], at_least: int) -> None:
    """Poll a read-only view of the store (RocksDB allows it beside a writer) until items land."""

    def landed() -> bool:
        try:
            view = Store.read_only(str(path))
            found = sum(1 for g in view.named_graphs() if g.value.startswith(ITEM_GRAPHS))
            del view
        except RuntimeError:  # half-created, or files moved: look again (OSError: not created yet)
            return False
        return found >= at_least

    wait_until(landed, timeout=120, what=f"{at_least} item graphs in {path}", alive=process)


def test_a_killed_build_leaves_whole_graphs_and_a_rerun_finishes(corpus, tmp_path):
    path = tmp_path / "store"
    build = kg_process("build", corpus, "--store", path, "--batch-size", "7", "-q")
    wait_for_item_graphs(path, build, at_least=50)
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=30)
    assert build.returncode == -signal.SIGKILL

    with KgStore.open(path, write=False) as store:  # the lock died with the process
        assert list(store.query(INCOMPLETE)) == []
        landed = item_graph_sizes(store.store)
        assert 50 <= len(landed) < ITEMS
        # every graph that landed is exactly what the builder makes for its item
        items = {item_graph(r.key): r for r in read_sources([corpus]) if isinstance(r, NewsItem)}
        for graph in sorted(landed)[:100]:
            expected = set(item_quads(items[graph], extract(items[graph])))
            assert set(store.quads(graph)) == expected, graph

    rerun = kg_process("build", corpus, "--store", path, "--batch-size", "50", "-q")
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert f"unchanged       {len(landed):,}" in out
    with KgStore.open(path, write=False) as store:
        assert list(store.query(INCOMPLETE)) == []
        final = item_graph_sizes(store.store)
    assert len(final) == ITEMS
    assert {g: final[g] for g in landed} == landed  # the graphs that had landed were left alone


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[Path]:
    """A process that holds the store open for writing until the test ends."""
    path = tmp_path / "store"
    code = (
        "import sys, time\n"
        "from kg.store import KgStore\n"
        "store = KgStore.open(sys.argv[1], write=True)\n"
        "print('ready', flush=True)\n"
        "time.sleep(120)\n"
    )
    process = Process([sys.executable, "-c", code, path])
    try:
        process.wait_until(lambda: "ready\n" in process.lines, timeout=60, what="the process holding the store")
        yield path
    finally:
        process.end(signal.SIGKILL)


def test_a_second_writer_is_told_the_store_is_in_use(holder, corpus, runner):
    other = kg_process("build", corpus, "--store", holder, "-q")
    _, err = other.communicate(timeout=120)
    assert other.returncode == 1
    assert err.startswith(f"kg: error: store {holder} is in use by another process (pid ")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and "RocksDB" not in err
    # in-process too, and a reader is told to wait rather than read a store being written
    result = invoke(runner, "build", corpus, "--store", holder, "-q")
    assert result.exit_code == 1 and "is in use by another process" in result.stderr
    result = invoke(runner, "sparql", "ASK {}", "--store", holder)
    assert result.exit_code == 1 and "is being written by another process" in result.stderr


def test_readers_share_the_store_and_keep_writers_out(tmp_path, runner):
    path = tmp_path / "store"
    news = tmp_path / "news.txt"
    news.write_text("11 June, 2019\n\nA title\n\nA summary.\n")
    assert invoke(runner, "build", news, "--store", path, "-q").exit_code == 0
    code = (
        "import sys, time\n"
        "from kg.store import KgStore\n"
        "store = KgStore.open(sys.argv[1], write=False)\n"
        "print('graphs', store.graph_count(), flush=True)\n"
        "time.sleep(120)\n"
    )
    reader = Process([sys.executable, "-c", code, path])
    try:
        said = reader.wait_until(
            lambda: [line for line in reader.lines if line.startswith("graphs ")], timeout=60, what="the reader"
        )
        assert int(said[0].split()[1]) >= 1
        # a second reader, while the first one holds the store open
        ask = invoke(runner, "sparql", "ASK { ?i a mk:NewsItem }", "--store", path, "-f", "csv")
        assert ask.exit_code == 0 and ask.output.split() == ["true"]
        with KgStore.open(path, write=False) as store:
            assert store.triple_count() > 0
            with pytest.raises(RuntimeError, match="read-write"):  # opened read-only: no writes
                store.store.add(next(iter(store.quads())))
        # a writer waits for readers to finish
        with pytest.raises(KgError, match="is in use by another process"):
            KgStore.open(path, write=True)
    finally:
        reader.end(signal.SIGKILL)
    KgStore.open(path, write=True).close()  # and gets in once they have


def test_the_lock_names_the_holder(tmp_path):
    path = tmp_path / "store"
    with KgStore.open(path, write=True):
        assert (tmp_path / "store.lock").read_text() == f"pid {os.getpid()}"
        with pytest.raises(KgError, match=f"in use by another process \\(pid {os.getpid()}\\)"):
            KgStore.open(path, write=True)


# -- issue 16, finding 7: --replace builds a new store beside the old and swaps it in whole --


def item_count(path: Path) -> int:
    with KgStore.open(path, write=False) as store:
        return len(item_graph_sizes(store.store))


def test_issue_16_a_replace_that_fails_midway_leaves_the_old_store_whole(tmp_path, monkeypatch):
    import kg.build
    import kg.extracting

    path = tmp_path / "store"
    old = write_corpus(tmp_path / "old.jsonl", "old", 0, 120)
    new = write_corpus(tmp_path / "new.jsonl", "new", 0, 400)
    with KgStore.open(path, write=True) as store:
        kg.build.build([old], store, shared=False)
    real, calls = kg.extracting.graph_of, []

    def failing(item: NewsItem):  # type: ignore[no-untyped-def]
        calls.append(item)
        if len(calls) > 200:
            raise OSError("disk full")
        return real(item)

    monkeypatch.setattr(kg.extracting, "graph_of", failing)
    with KgStore.open(path, write=True) as store, pytest.raises(OSError, match="disk full"):
        kg.build.build([new], store, shared=False, replace=True, batch_size=16)
    assert item_count(path) == 120
    # no half-built replacement beside the store; the event table and the kept groups are the first build's
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "new.jsonl",
        "old.jsonl",
        "store",
        "store.events.npz",
        "store.lock",
        "store.same.sqlite",
    ]
    monkeypatch.setattr(kg.extracting, "graph_of", real)
    with KgStore.open(path, write=True) as store:
        report = kg.build.build([new], store, shared=False, replace=True, batch_size=16)
        assert (report.loaded, len(item_graph_sizes(store.store))) == (400, 400)  # besides, kg.same's graphs
    assert item_count(path) == 400


def test_issue_16_a_killed_replace_leaves_the_old_store_whole(corpus, tmp_path):
    path = tmp_path / "store"
    old = write_corpus(tmp_path / "old.jsonl", "old", 0, 100)
    assert kg_process("build", old, "--store", path, "-q").wait(timeout=120) == 0
    build = kg_process("build", corpus, "--store", path, "--replace", "--batch-size", "7", "-q")
    [side] = wait_until(
        lambda: list(tmp_path.glob("store.replacing-*")), timeout=60, what="the replacement's folder", alive=build
    )
    wait_for_item_graphs(side, build, at_least=50)
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=30)
    assert item_count(path) == 100
    rerun = kg_process("build", old, "--store", path, "--replace", "-q")
    assert rerun.wait(timeout=120) == 0
    assert item_count(path) == 100
    assert not list(tmp_path.glob("store.replacing-*"))  # the killed build's folder was removed
