"""The event table every network is built from, and its copy on disk beside the store (``STORE.events.npz``).

The copy is what makes a network of a large store fast the second time; what matters to a user
is that it is never used for a store that changed since it was made, whoever changed it.
"""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np
import pytest
from pyoxigraph import NamedNode, Quad, Store

from kg import namespaces as ns
from kg.network import country_network, table
from kg.network.table import event_table, read_event_table
from kg.store import KgStore

from .conftest import FIXTURES, disk_store, invoke

FIXTURE = FIXTURES / "network.trig"


@pytest.fixture
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return disk_store(tmp_path_factory, "table", FIXTURE)


def saved(store_dir: str) -> Path:
    return Path(store_dir + ".events.npz")


def pairs(store_dir: str) -> set[tuple[str, str]]:
    with KgStore.open(store_dir, write=False) as store:
        G = country_network(store)
    return {tuple(sorted((u.rsplit("/", 1)[1], v.rsplit("/", 1)[1]))) for u, v in G.edges}  # type: ignore[misc]


def new_event(name: str, *iso3: str) -> list[Quad]:
    e, g = NamedNode(f"{ns.ID}event/{name}"), NamedNode(f"{ns.ID}graph/test/{name}")
    quads = [Quad(e, NamedNode(ns.RDF["type"]), NamedNode(ns.MK["Event"]), g)]
    quads += [Quad(e, NamedNode(ns.MK["participantCountry"]), NamedNode(ns.country(c)), g) for c in iso3]
    return quads


def test_the_saved_table_equals_the_one_read_from_the_store(store_dir):
    with KgStore.open(store_dir, write=False) as store:
        fresh = read_event_table(store)
        first = event_table(store)  # reads the store, saves the table
        assert saved(store_dir).exists()
        again = event_table(store)  # from the file
    assert sorted(p.name for p in Path(store_dir).parent.iterdir()) == ["store", "store.events.npz", "store.lock"]
    for got in (first, again):
        assert got.events == fresh.events and got.actors == fresh.actors
        assert got.dates == fresh.dates and got.themes == fresh.themes
        for name in ("links", "date_of", "tagged"):
            assert np.array_equal(getattr(got, name), getattr(fresh, name)), name
    assert len(fresh.events) == 9  # the fixture's nine events
    # E9 is undated: it takes its item's publication date (docs/codebook.md)
    assert fresh.date(fresh.events.index(f"{ns.ID}event/2018-09-10-colombia-e3")) == "2018-09-10"


def test_a_second_network_comes_from_the_saved_table(store_dir, monkeypatch):
    before = pairs(store_dir)
    monkeypatch.setattr(table, "read_event_table", lambda store: pytest.fail("read the store again"))
    assert pairs(store_dir) == before
    assert len(before) == 57  # 55 among the RCM members, USA-COL and COL-ECU


def test_a_write_through_kg_makes_the_saved_table_stale(store_dir):
    assert ("COL", "MEX") not in pairs(store_dir)
    with KgStore.open(store_dir, write=True) as store:
        store.replace_graphs({f"{ns.ID}graph/test/x": new_event("x", "COL", "MEX")})
    assert ("COL", "MEX") in pairs(store_dir)


def test_a_write_by_another_program_makes_it_stale(store_dir):
    assert ("ECU", "MEX") not in pairs(store_dir)
    other = Store(store_dir)  # pyoxigraph itself, no flush: the change is only in RocksDB's log
    other.extend(new_event("y", "ECU", "MEX"))
    del other
    gc.collect()
    assert ("ECU", "MEX") in pairs(store_dir)


def test_a_damaged_table_file_is_read_again_and_replaced(store_dir):
    expected = pairs(store_dir)
    saved(store_dir).write_bytes(b"not a numpy file")
    assert pairs(store_dir) == expected
    with np.load(saved(store_dir), allow_pickle=False) as data:  # rewritten whole
        assert "links" in data


def test_a_table_saved_by_another_format_is_not_used(store_dir, monkeypatch):
    """A migkg whose arrays mean something else (another _FORMAT) must not read this one's file."""
    with KgStore.open(store_dir, write=False) as store:
        event_table(store)  # saved with this version's format
        monkeypatch.setattr(table, "_FORMAT", table._FORMAT + 1)
        reads = []
        monkeypatch.setattr(table, "read_event_table", lambda s: reads.append(1) or read_event_table(s))
        event_table(store)
    assert reads == [1]  # the store was read again, not the file
    with np.load(saved(store_dir), allow_pickle=False) as data:  # and the file now has the new format
        assert int(data["format"]) == table._FORMAT


def test_reading_keeps_the_store_version_and_writing_changes_it(store_dir):
    with KgStore.open(store_dir, write=False) as store:
        version = store.version()
        country_network(store)
        assert store.version() == version
    with KgStore.open(store_dir, write=False) as store:
        assert store.version() == version
    with KgStore.open(store_dir, write=True) as store:
        store.replace_graphs({f"{ns.ID}graph/test/z": new_event("z", "GTM")})
    with KgStore.open(store_dir, write=False) as store:
        assert store.version() != version
    assert KgStore.memory().version() is None


def test_the_command_line_writes_the_same_network_with_and_without_the_saved_table(runner, store_dir, tmp_path):
    first, second = tmp_path / "first.graphml", tmp_path / "second.graphml"
    assert invoke(runner, "network", "--store", store_dir, "--out", first).exit_code == 0
    assert saved(store_dir).exists()
    assert invoke(runner, "network", "--store", store_dir, "--out", second).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_a_build_leaves_the_table_it_summarised_for_the_first_network(tmp_path, monkeypatch):
    """The summaries read the event table after a build; the summary graph they write holds
    nothing the table reads, so the table is saved for the store as written, and the first
    network reads the file (the same table as reading the store afresh)."""
    from kg.build import build

    from .conftest import SAMPLE

    with KgStore.open(tmp_path / "store", write=True) as store:
        build([SAMPLE], store)
    with KgStore.open(tmp_path / "store", write=False) as store:
        fresh = read_event_table(store)
        monkeypatch.setattr(table, "read_event_table", lambda s: pytest.fail("read the store again"))
        kept = event_table(store)
    assert kept.events == fresh.events and kept.items == fresh.items and kept.types == fresh.types
    for name in ("links", "date_of", "tagged", "report_of", "typed", "item_of", "typed_as", "year_only", "people"):
        assert np.array_equal(getattr(kept, name), getattr(fresh, name)), name


def test_a_write_after_the_summaries_keeps_no_table(tmp_path):
    """What the writer wrote after reading the table may be events: the table is then not kept."""
    from kg.build import build

    from .conftest import SAMPLE

    with KgStore.open(tmp_path / "store", write=True) as store:
        build([SAMPLE], store)
        store.replace_graphs({f"{ns.ID}graph/test/x": new_event("x", "COL", "MEX")})
    assert not (tmp_path / "store.events.npz").exists()
    assert ("COL", "MEX") in pairs(str(tmp_path / "store"))
