"""``kg build --workers N``: extraction in N processes gives the store the same quads as one."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

from pyoxigraph import RdfFormat, serialize

import kg.build
import kg.extracting
from bench.corpus import write
from kg import namespaces as ns
from kg.build import build
from kg.store import KgStore


def canonical_nquads(store: KgStore) -> bytes:
    lines = serialize(store.quads(), format=RdfFormat.N_QUADS).splitlines(keepends=True)
    return b"".join(sorted(lines))


def test_two_workers_write_byte_identical_nquads(tmp_path: Path) -> None:
    corpus = write(tmp_path / "news.jsonl", 120, seed=9)
    listing = write(tmp_path / "more" / "news.txt", 80, seed=10)
    outputs = []
    for workers in (1, 2):
        store = KgStore.memory()
        report = build([corpus, listing.parent], store, shared=False, workers=workers, batch_size=50)
        assert (report.read, report.loaded, report.rejected) == (200, 200, 0)
        outputs.append(canonical_nquads(store))
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n") > 200 * 50  # real item graphs, not empty ones


def test_workers_skip_unchanged_items_on_disk(tmp_path: Path) -> None:
    corpus = write(tmp_path / "news.jsonl", 40, seed=11)
    with KgStore.open(tmp_path / "store", write=True) as store:
        first = build([corpus], store, shared=False, workers=2, batch_size=16)
        again = build([corpus], store, shared=False, workers=2)
        assert (first.loaded, again.loaded, again.unchanged) == (40, 0, 40)
        item_graphs = [g for g in store.store.named_graphs() if g.value.startswith(ns.GRAPH + "item/")]
        assert len(item_graphs) == 40  # besides them, the derived graphs of kg.same


def test_workers_spool_folders_are_removed_and_so_are_those_of_killed_builds(tmp_path: Path, monkeypatch) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(kg.extracting, "spool_root", lambda: spool)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    killed = spool / f"{kg.extracting.SPOOL_PREFIX}{int(gone.stdout)}-abc"  # a build that was killed mid-way
    killed.mkdir()
    (killed / "tmp1.nq").write_bytes(b"<a> <b> <c> .\n")
    running = spool / f"{kg.extracting.SPOOL_PREFIX}{os.getpid()}-def"  # a build that is still running
    running.mkdir()
    corpus = write(tmp_path / "news.jsonl", 100, seed=12)
    report = build([corpus], KgStore.memory(), shared=False, workers=2)
    assert report.loaded == 100
    assert sorted(p.name for p in spool.iterdir()) == [running.name]


def test_a_full_spool_folder_sends_the_chunks_through_the_pipe(tmp_path: Path, monkeypatch) -> None:
    def full(folder: str, data: bytes) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(kg.extracting, "_write_spool", full)  # the workers are forked with it
    corpus = write(tmp_path / "news.jsonl", 60, seed=13)
    outputs = []
    for workers in (1, 2):
        store = KgStore.memory()
        assert build([corpus], store, shared=False, workers=workers).loaded == 60
        outputs.append(canonical_nquads(store))
    assert outputs[0] == outputs[1]
