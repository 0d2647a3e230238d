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

With ``workers=N`` the items are extracted in N processes while this one reads the sources and
writes the store; the store ends up with the same quads as with one worker.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.pool
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, cast

from pyoxigraph import Literal, Quad

from kg import namespaces as ns
from kg.errors import KgError, UsageError
from kg.extract import extract
from kg.rdf import item_nquads, run_iri
from kg.sources import MAX_ITEM_CHARS, InputFormat, NewsItem, Notice, NotModified, Reject, read_sources
from kg.store import BULK_QUADS, KgStore, process_alive

if TYPE_CHECKING:
    from kg.sources.fetch import Fetcher

__all__ = ["BuildReport", "build"]


@dataclass
class BuildReport:
    read: int = 0
    loaded: int = 0
    changed: int = 0  # of the loaded, those whose graph the store had in another version
    unchanged: int = 0
    not_modified: int = 0  # URLs that answered 304: their items are counted as unchanged
    duplicates: int = 0  # items whose key an earlier item of the same build had
    rejected: int = 0
    quads_written: int = 0
    items_written: int = 0  # item graphs the store took
    shared_graphs_loaded: int = 0
    same_stories: int = 0  # pairs of near-duplicate items in the store
    canonical_events: int = 0  # events reported by two or more items
    link_seconds: float = 0.0
    grouped: bool = True  # False: the build wrote no item graph, so the groups were kept as they were
    seconds: float = 0.0
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)

    def summary(self, store: KgStore) -> str:
        rate = self.read / self.seconds if self.seconds else 0.0
        rows = [
            ("items read", f"{self.read:,}"),
            ("loaded", f"{self.loaded:,}"),
            ("unchanged", f"{self.unchanged:,}"),
            *([("not modified", f"{self.not_modified:,} URLs (304)")] if self.not_modified else []),
            *([("duplicates", f"{self.duplicates:,}")] if self.duplicates else []),
            ("rejected", f"{self.rejected:,}"),
            ("triples written", f"{self.quads_written:,}"),
            ("same stories", f"{self.same_stories:,} pairs of items"),
            ("same events", f"{self.canonical_events:,} events reported more than once"),
            (
                ("grouping", f"{self.link_seconds:.2f} s (same stories and same events, in the time below)")
                if self.grouped
                else ("grouping", "skipped: no item graph was written")
            ),
            ("store", f"{store.graph_count():,} graphs, {store.triple_count():,} quads"),
            ("time", f"{self.seconds:.2f} s ({rate:,.0f} items/s)"),
        ]
        return "\n".join(f"{name:<16}{value}" for name, value in rows)


class Progress:
    """Progress on stderr: a live line on a terminal, a line every few seconds otherwise."""

    def __init__(self, stream=None, interval: float = 5.0) -> None:
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
    workers: int = 1,
    max_item_chars: int = MAX_ITEM_CHARS,
    on_reject: Callable[[Reject | Notice], None] | None = None,
    progress: Progress | None = None,
    fetcher: Fetcher | None = None,
    max_pages: int | None = None,
    group: bool = True,
) -> BuildReport:
    """Build item graphs from ``sources`` into ``store``; returns counts and rejects.

    Every path is checked and, with ``strict``, every record read and checked before anything is
    written: a missing path raises :class:`UsageError`, and with ``strict`` the first bad record
    raises :class:`KgError`. An item over ``max_item_chars`` characters is a reject.
    With ``shared`` (the default), the reference, vocabulary and ontology graphs are loaded
    (or refreshed when their files changed). ``batch_size`` items (at most
    :data:`kg.store.BULK_QUADS` quads) go to the store per atomic write; ``workers`` processes
    extract while this one reads and writes.

    http(s) URLs among ``sources`` are fetched with ``fetcher`` (listings to ``max_pages`` pages);
    the validators of its cache are kept once the build is complete, and a source whose items
    the store holds is asked whether it changed (a ``304`` reads nothing).

    Same stories and same events are grouped afterwards (:mod:`kg.same`); ``group=False`` leaves
    the derived graphs as they were (the benchmark's build without grouping).
    """
    if workers < 1:
        raise UsageError(f"--workers {workers}: give 1 or more worker processes")
    started = time.monotonic()
    report = BuildReport()
    if fetcher is not None:
        fetcher.holds = (lambda keys: False) if replace else _holds(store)
    records: Iterable[NewsItem | Reject | Notice] = read_sources(
        sources, input_format, max_item_chars=max_item_chars, fetcher=fetcher, max_pages=max_pages
    )
    if strict:
        records = list(records)
        bad = next((r for r in records if not isinstance(r, NewsItem)), None) or _first_conflict(records)
        if bad is not None:
            raise KgError(f"{bad} (--strict: nothing was written)")
    fresh: dict[str, bytes] = {}  # graph -> what grouping needs of its item, from its extraction (packed)
    try:
        with store.replacement() if replace else contextlib.nullcontext(store) as target:
            _build_into(
                target,
                records,
                report,
                fresh,
                shared=shared,
                batch_size=batch_size,
                workers=workers,
                on_reject=on_reject,
                progress=progress,
            )
            if group:
                group_reports(target, report, fresh)
    except KgError as exc:  # a remote store that failed, say: how far the build got
        # a local replacement was discarded whole: the store holds none of what the build wrote
        written = 0 if replace and store._local else report.items_written
        raise KgError(f"{exc}; {written:,} items were written", exc.exit_code) from None
    if fetcher is not None:
        fetcher.cache.commit()
    report.seconds = time.monotonic() - started
    if progress:
        progress.done()
    return report


def _build_into(
    store: KgStore,
    records: Iterable[NewsItem | Reject | Notice],
    report: BuildReport,
    fresh: dict[str, bytes],
    *,
    shared: bool,
    batch_size: int,
    workers: int,
    on_reject: Callable[[Reject | Notice], None] | None,
    progress: Progress | None,
) -> None:
    """Extract the items of ``records`` that ``store`` lacks or holds in another version, write them."""
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

    # graph -> (content hash, run), and for the items of this build where they were read
    known = cast(dict[str, tuple[object, ...]], existing)

    def to_extract() -> Iterator[NewsItem]:
        """The items whose graphs must be (re)written, in input order; counts the others."""
        for record in records:
            if isinstance(record, NotModified):
                report.not_modified += 1
                report.unchanged += record.items
                continue
            if not isinstance(record, NewsItem):
                if isinstance(record, Reject):
                    report.rejected += 1
                    report.rejects.append(record)
                else:
                    report.warnings.append(record)
                if on_reject:
                    on_reject(record)
                continue
            report.read += 1
            graph = ns.item_graph(record.key)
            fingerprint = (record.content_hash(), run)
            before = known.get(graph)
            known[graph] = (*fingerprint, record.source_file, record.line)
            if before is not None and len(before) > 2:  # an earlier item of this build had the key
                report.duplicates += 1
                if before[0] == fingerprint[0]:
                    continue
                notice = _conflict(record, str(before[2]), cast(int, before[3]))
                report.warnings.append(notice)
                if on_reject:
                    on_reject(notice)
                yield record  # the later one is kept, as when it is read in a later build
                continue
            if before == fingerprint:
                report.unchanged += 1
                if progress:
                    progress.update(report)
                continue
            report.loaded += 1
            report.changed += before is not None
            yield record

    batch: dict[str, bytes] = {}
    batch_quads = 0
    _warm_up()  # before the collector freezes what is loaded, and before any worker is forked
    writer = _Writer(store, report)
    with _fewer_gc_passes(), writer:
        for graph, data, count, facts in _item_graphs(to_extract(), workers):
            batch[graph] = data  # an item read twice: the later one wins, as in the store
            fresh[graph] = facts
            batch_quads += count
            if len(batch) >= batch_size or batch_quads >= BULK_QUADS:
                writer.put(batch)
                batch, batch_quads = {}, 0
            if progress:
                progress.update(report)
        if batch:
            writer.put(batch)
    report.quads_written += writer.written
    if report.quads_written >= COMPACT_AFTER:
        store.optimize()


def _holds(store: KgStore) -> Callable[[list[str]], bool]:
    """Whether ``store`` holds the item graphs of some keys (its graphs listed on first use)."""
    graphs: set[str] | None = None

    def holds(keys: list[str]) -> bool:
        nonlocal graphs
        if graphs is None:
            graphs = set(store.fingerprints())
        return all(ns.item_graph(key) in graphs for key in keys)

    return holds


def group_reports(store: KgStore, report: BuildReport, fresh: dict[str, bytes] | None = None) -> None:
    """Rebuild the derived graphs of same stories and canonical events (:mod:`kg.same`) after a
    build or a load has written the item graphs, and count them in ``report``. When it wrote
    none (an unchanged rebuild), the groups cannot have changed: they are counted, not redone.
    ``fresh``: what grouping needs of the items written, taken where they were extracted
    (:func:`kg.same.facts.packed`), emptied once unpacked."""
    from kg.same import link, linked_counts

    started = time.monotonic()
    if report.items_written:
        from kg.same.facts import unpacked

        facts = unpacked((fresh or {}).values())
        if fresh:
            fresh.clear()  # the packed copies: at 100k items, a few hundred MB while grouping
        linked = link(store, facts)
        del facts
    else:
        linked = linked_counts(store)
        report.grouped = False
    report.same_stories, report.canonical_events = linked.stories, linked.groups
    report.link_seconds = time.monotonic() - started


def _conflict(item: NewsItem, source_file: str, line: int) -> Notice:
    return Notice(
        item.source_file,
        item.line,
        f"same key as {source_file}:{line} (date and title, or url) but different text; the later one is kept",
    )


def _first_conflict(records: list[NewsItem | Reject | Notice]) -> Notice | None:
    """The first item whose key an earlier item with other text had."""
    first: dict[str, NewsItem] = {}
    for record in records:
        if isinstance(record, NewsItem):
            earlier = first.setdefault(record.key, record)
            if earlier.content_hash() != record.content_hash():
                return _conflict(record, earlier.source_file, earlier.line)
    return None


#: A build that wrote this many quads compacts the store at the end (see KgStore.optimize).
COMPACT_AFTER = 1_000_000


# -- extraction, in this process or in workers --

_CHUNK = 32  # items per task sent to a worker process


def _graph_of(item: NewsItem) -> tuple[str, bytes, int]:
    """``(graph IRI, N-Quads as UTF-8, quads)`` of one item.

    Encoded here, where the item is extracted (in a worker, if there are any): the writer joins
    the bytes and hands them to the store as they are, where joining and encoding text took
    ~0.2 ms an item of the one process that writes.
    """
    data = item_nquads(item, extract(item)).encode()
    return ns.item_graph(item.key), data, data.count(b"\n")


def _graph_and_facts(item: NewsItem) -> tuple[str, bytes, int, bytes]:
    """:func:`_graph_of`, and what grouping needs of the item (:mod:`kg.same.facts`), taken from
    the same N-Quads where the item is extracted (in a worker, if there are any)."""
    from kg.same.facts import packed

    graph, data, count = _graph_of(item)
    return graph, data, count, packed(item, data)


#: A worker's chunk: the spool file holding its N-Quads (or, when the spool folder is full, the
#: N-Quads themselves), then ``(graph IRI, bytes, quads, facts)`` per item.
_Spooled = tuple[str | bytes, list[tuple[str, int, int, bytes]]]


def _spool_graphs(items: list[NewsItem], folder: str) -> _Spooled:
    """A worker's chunk: its items' N-Quads written one after the other to a file in ``folder``."""
    graphs = [_graph_and_facts(item) for item in items]
    data = b"".join(data for _, data, _, _ in graphs)
    sizes = [(graph, len(data), count, facts) for graph, data, count, facts in graphs]
    try:
        return _write_spool(folder, data), sizes
    except OSError:  # a full /dev/shm (a container's is 64 MB): through the pipe after all
        return data, sizes


def _write_spool(folder: str, data: bytes) -> str:
    """A new file in ``folder`` holding ``data`` (none is left behind when writing fails)."""
    descriptor, name = tempfile.mkstemp(dir=folder, suffix=".nq")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return name


def _unspool(spooled: _Spooled) -> Iterator[tuple[str, bytes, int, bytes]]:
    held, graphs = spooled
    if isinstance(held, bytes):
        data = held
    else:
        path = Path(held)
        data = path.read_bytes()
        path.unlink()
    start = 0
    for graph, size, count, facts in graphs:
        yield graph, data[start : start + size], count, facts
        start += size


def _item_graphs(items: Iterator[NewsItem], workers: int) -> Iterator[tuple[str, bytes, int, bytes]]:
    """The graph of each item, in input order, and its facts for grouping.

    With several workers, chunks of items go to a pool of processes and come back in the
    order sent; a bounded number of chunks is in flight, so the input is read as the work
    proceeds. Call :func:`_warm_up` first: workers forked after it share the compiled gazetteers.

    A worker writes each chunk's N-Quads (~1 MB) to a file in a spool folder (:func:`_spool_folder`,
    in memory where the system has ``/dev/shm``) and sends back its name: through the pool's pipe
    the same bytes went in 64 KB pieces, each a wake-up of both processes, and the parent spent
    twice the CPU receiving them (0.55 s against 0.28 s for 6,000 items), CPU the two cores'
    workers and the store's writer need.
    """
    if workers == 1:
        for item in items:
            yield _graph_and_facts(item)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with _spool_folder() as folder, context.Pool(workers) as pool:
        pending: deque[multiprocessing.pool.AsyncResult[_Spooled]] = deque()
        while chunk := list(islice(items, _CHUNK)):
            pending.append(pool.apply_async(_spool_graphs, (chunk, folder)))
            if len(pending) >= 8 * workers:
                yield from _unspool(pending.popleft().get())
        while pending:
            yield from _unspool(pending.popleft().get())


#: Spool folders are named ``migkg-build-PID-RANDOM`` (PID: the build that made it).
SPOOL_PREFIX = "migkg-build-"


def _spool_root() -> Path:
    """``/dev/shm`` (memory) where the system has it, else the temporary folder."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else Path(tempfile.gettempdir())


@contextlib.contextmanager
def _spool_folder() -> Iterator[str]:
    """A folder of this build's own, removed with what is left in it at the end, and the folders
    of builds that were killed before they could remove theirs (their process is gone)."""
    root = _spool_root()
    for stale in root.glob(f"{SPOOL_PREFIX}*"):
        pid = stale.name[len(SPOOL_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not process_alive(int(pid)) and stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=f"{SPOOL_PREFIX}{os.getpid()}-", dir=root) as folder:
        yield folder


def _warm_up() -> None:
    """Compile the gazetteers and cue automata (once per process; workers forked later share them)."""
    extract(NewsItem("warm-up", date(2019, 1, 1), "IOM", "Staff met in Guatemala.", "", 0))


@contextlib.contextmanager
def _fewer_gc_passes() -> Iterator[None]:
    """Cyclic garbage collection seldom, and never again over what is loaded so far.

    Extraction allocates many short-lived objects and few cycles, so with the default threshold
    the collector runs every 700 allocations and keeps rescanning the compiled gazetteers: it
    took 7-10% of extraction time. Frozen objects (gazetteers, reference data) are left alone,
    and forked workers inherit both settings. Restored on exit.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


# -- the writer --


class _Writer:
    """Writes batches to the store in a thread of its own, in order, one batch queued at most.

    pyoxigraph releases the GIL while it loads, so parsing and indexing one batch overlaps
    with extracting the next. An error in the writer is raised in the caller.
    """

    def __init__(self, store: KgStore, report: BuildReport) -> None:
        self.store = store
        self.report = report
        self.queue: queue.Queue[dict[str, bytes] | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.written = 0  # quads, as the store counted them
        self.thread = threading.Thread(target=self._run, name="kg-build-writer", daemon=True)

    def __enter__(self) -> _Writer:
        self.thread.start()
        return self

    def _run(self) -> None:
        while (batch := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.written += self.store.load_graphs(batch)
                    self.report.items_written += len(batch)
                except BaseException as exc:  # handed to the caller
                    self.error = exc

    def put(self, batch: dict[str, bytes]) -> None:
        self._check()
        self.queue.put(batch)

    def _check(self) -> None:
        if self.error is not None:
            raise self.error

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.queue.put(None)  # batches already queued are still written, each whole
        self.thread.join()
        if exc_type is None:
            self._check()


def _hash_of(quads: list[Quad]) -> str:
    """The content hash a shared graph carries (its last quad, by construction)."""
    last = quads[-1].object if quads else None
    return last.value if isinstance(last, Literal) else ""
