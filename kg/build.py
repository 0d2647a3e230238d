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
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from kg import namespaces as ns
from kg.errors import KgError, UsageError
from kg.extracting import fewer_gc_passes, item_graphs, warm_up
from kg.rdf import provenance_quads, run_iri
from kg.sources import MAX_ITEM_CHARS, InputFormat, NewsItem, Notice, NotModified, Reject, read_sources
from kg.store import BULK_QUADS, KgStore
from kg.store.writer import Writer, graph_hash

if TYPE_CHECKING:
    from kg.same.facts import ItemFacts
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
    their derived graphs as they were (the benchmark's build without grouping; the summaries are
    still counted).
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
    seen: dict[str, tuple[str, str]] = {}  # graph -> content hash and run, of every graph the store holds
    try:
        with store.replacement() if replace else contextlib.nullcontext(store) as target:
            _build_into(
                target,
                records,
                report,
                fresh,
                seen,
                shared=shared,
                batch_size=batch_size,
                workers=workers,
                on_reject=on_reject,
                progress=progress,
            )
            group_reports(target, report, fresh, shared=shared, seen=seen, group=group)
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
    seen: dict[str, tuple[str, str]],
    *,
    shared: bool,
    batch_size: int,
    workers: int,
    on_reject: Callable[[Reject | Notice], None] | None,
    progress: Progress | None,
) -> None:
    """Extract the items of ``records`` that ``store`` lacks or holds in another version, write them;
    ``fresh`` takes what grouping needs of each, ``seen`` the fingerprint of every graph the store
    then holds."""
    existing = store.fingerprints()
    if shared:
        from kg.reference import shared_graphs

        changed = {
            name: quads
            for name, quads in shared_graphs().items()
            if existing.get(name, ("", ""))[0] != graph_hash(quads)
        }
        if changed:
            store.replace_graphs(changed)
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
    warm_up()  # before the collector freezes what is loaded, and before any worker is forked
    writer = Writer(store, report)
    with fewer_gc_passes(), writer:
        for graph, data, count, facts in item_graphs(to_extract(), workers):
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
    seen.update((graph, (str(held[0]), str(held[1]))) for graph, held in known.items())
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


def group_reports(
    store: KgStore,
    report: BuildReport,
    fresh: dict[str, bytes] | None = None,
    *,
    shared: bool = True,
    seen: Mapping[str, tuple[str, str]] | None = None,
    group: bool = True,
    facts: dict[str, ItemFacts] | None = None,
) -> None:
    """Rebuild the derived graphs of same stories and canonical events (:mod:`kg.same`) and the
    summaries after a build or a load has written the item graphs, and count them in ``report``.

    When it wrote none (an unchanged rebuild), the groups cannot have changed: they are counted,
    not redone, unless the file kept beside the store (:mod:`kg.same.kept`) says that the last
    grouping saw the store otherwise (a build killed before grouping) or it is missing. ``fresh``:
    what grouping needs of the items written, taken where they were extracted
    (:func:`kg.same.facts.packed`), emptied once unpacked; ``facts``: the same, already unpacked
    (``kg load`` reads them from the shards), emptied once taken; ``seen``: the content hash and run of
    every graph in the store (read when not given); with ``shared``, describe the extraction run
    the item graphs name in the provenance graph; ``group=False`` groups nothing."""
    from kg.same import item_fingerprints, link, linked_before, linked_counts
    from kg.same.kept import SUFFIX
    from kg.summaries import is_current, write_summaries

    if shared:
        describe_run(store)
    kept = store.beside(SUFFIX)
    items = item_fingerprints(store, seen)
    started = time.monotonic()
    if not group:
        linked, report.grouped = linked_counts(store), False
    elif report.items_written or (kept is not None and not linked_before(store, items, kept)):
        from kg.same.facts import unpacked

        taken = {**(facts or {}), **unpacked((fresh or {}).values())}
        for held in (fresh, facts):
            if held:
                held.clear()  # the caller's copies: at 100k items, a few hundred MB while grouping
        linked = link(store, taken, seen=items, kept=kept)
        del taken
    else:
        linked, report.grouped = linked_counts(store), False
    report.link_seconds = time.monotonic() - started
    # after the canonical events, which the summaries count; only when something was written
    # (an unchanged rebuild reads nothing more) or the store lacks some (none yet, or an older version's)
    if report.items_written or linked.written or not (store._local and is_current(store)):
        write_summaries(store)
    report.same_stories, report.canonical_events = linked.stories, linked.groups


def describe_run(store: KgStore) -> None:
    """Add this version's extraction run to the provenance graph unless it is there already.

    Runs described by earlier builds stay: item graphs written by them still name them.
    """
    quads = provenance_quads()
    held = list(store.quads(ns.PROVENANCE_GRAPH))  # a few quads per run; read the same way from a server
    if all(q in held for q in quads):
        return
    store.replace_graphs({ns.PROVENANCE_GRAPH: [*held, *(q for q in quads if q not in held)]})


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
