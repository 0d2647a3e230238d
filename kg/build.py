"""``kg build``: read sources, extract, write one named graph per item.

>>> import io, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.txt").write_text("11 June, 2019\\nA title\\nA summary.\\n")
>>> store = KgStore.memory()
>>> report = build([folder], store, shared=False)
>>> (report.read, report.loaded, report.unchanged, report.rejected)
(1, 1, 0, 0)
>>> build([folder], store, shared=False).unchanged
1
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Quad

from kg import namespaces as ns
from kg.errors import KgError
from kg.extract import extract
from kg.rdf import item_quads, run_iri
from kg.sources import InputFormat, NewsItem, Reject, read_sources
from kg.store import KgStore

__all__ = ["BuildReport", "build"]


@dataclass
class BuildReport:
    read: int = 0
    loaded: int = 0
    unchanged: int = 0
    rejected: int = 0
    quads_written: int = 0
    shared_graphs_loaded: int = 0
    seconds: float = 0.0
    rejects: list[Reject] = field(default_factory=list)

    def summary(self, store: KgStore) -> str:
        rate = self.read / self.seconds if self.seconds else 0.0
        rows = [
            ("items read", f"{self.read:,}"),
            ("loaded", f"{self.loaded:,}"),
            ("unchanged", f"{self.unchanged:,}"),
            ("rejected", f"{self.rejected:,}"),
            ("triples written", f"{self.quads_written:,}"),
            ("store", f"{store.graph_count():,} graphs, {store.triple_count():,} quads"),
            ("time", f"{self.seconds:.2f} s ({rate:,.0f} items/s)"),
        ]
        return "\n".join(f"{name:<16}{value}" for name, value in rows)


class Progress:
    """Progress on stderr: a live line on a terminal, a line every few seconds otherwise."""

    def __init__(self, stream=None, interval: float = 5.0) -> None:  # type: ignore[no-untyped-def]
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.interval = 0.2 if self.tty else interval
        self.started = time.monotonic()
        self.last = self.started

    def update(self, report: BuildReport, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.interval:
            return
        if now - self.started < 1.0 and not force:
            return
        self.last = now
        rate = report.read / max(now - self.started, 1e-9)
        line = (
            f"kg build: {report.read:,} items read, {report.loaded:,} loaded, "
            f"{report.unchanged:,} unchanged, {report.rejected:,} rejected ({rate:,.0f}/s)"
        )
        if self.tty:
            self.stream.write("\r" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty and self.last != self.started:
            self.stream.write("\n")
            self.stream.flush()


def build(
    sources: Iterable[str | Path],
    store: KgStore,
    *,
    input_format: InputFormat | None = None,
    strict: bool = False,
    replace: bool = False,
    shared: bool = True,
    batch_size: int = 256,
    on_reject: Callable[[Reject], None] | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Build item graphs from ``sources`` into ``store``; returns counts and rejects.

    With ``strict``, the first bad record raises :class:`KgError` before anything is written.
    With ``shared`` (the default), the reference, vocabulary and ontology graphs are loaded
    (or refreshed when their files changed).
    """
    started = time.monotonic()
    report = BuildReport()
    records: Iterable[NewsItem | Reject] = read_sources(sources, input_format)
    if strict:
        records = list(records)
        bad = next((r for r in records if isinstance(r, Reject)), None)
        if bad is not None:
            raise KgError(f"{bad} (--strict: nothing was written)")
    if replace:
        store.clear()
    existing = store.fingerprints()
    if shared:
        from kg.reference import shared_graphs

        changed = {
            name: quads for name, quads in shared_graphs().items() if existing.get(name, ("", ""))[0] != _hash_of(quads)
        }
        if changed:
            store.replace_graphs(changed)
        report.shared_graphs_loaded = len(changed)
    run = run_iri()
    batch: dict[str, list[Quad]] = {}
    for record in records:
        if isinstance(record, Reject):
            report.rejected += 1
            report.rejects.append(record)
            if on_reject:
                on_reject(record)
            continue
        report.read += 1
        graph = ns.item_graph(record.key)
        fingerprint = (record.content_hash(), run)
        if existing.get(graph) == fingerprint:
            report.unchanged += 1
        else:
            batch[graph] = item_quads(record, extract(record))
            existing[graph] = fingerprint
            report.loaded += 1
            if len(batch) >= batch_size:
                report.quads_written += store.replace_graphs(batch)
                batch = {}
        if progress:
            progress.update(report)
    if batch:
        report.quads_written += store.replace_graphs(batch)
    report.seconds = time.monotonic() - started
    if progress:
        progress.done()
    return report


def _hash_of(quads: list[Quad]) -> str:
    """The content hash a shared graph carries (its last quad, by construction)."""
    return quads[-1].object.value if quads else ""
