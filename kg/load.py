"""``kg load``: shards (see :mod:`kg.shards`) into a store, incrementally by content hash.

What the store already holds in the same version (content hash and extraction run) is skipped
without reading its partition; the rest is written as ``kg build`` writes it, each item graph
whole (bulk loads of at most :data:`kg.store.BULK_QUADS` quads, or a replacement per changed
graph), so a killed load leaves every graph whole or absent. The shared graphs (reference,
vocabulary, ontology) come from the shards' ``shared.nq.gz``. The shards folder is a path or
any fsspec URL (:mod:`kg.shardfs`).
"""

from __future__ import annotations

import contextlib
import gzip
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from pyoxigraph import Quad, RdfFormat, parse

from kg.build import COMPACT_AFTER, BuildReport, group_reports
from kg.errors import KgError
from kg.same.facts import ItemFacts
from kg.shardfs import ShardFolder, open_folder
from kg.shards import SHARED, partition_graphs, read_manifest
from kg.shardtables import partition_facts
from kg.sources import Notice
from kg.store import BULK_QUADS, KgStore
from kg.store.writer import Writer, graph_hash

__all__ = ["ShardLoader", "load_shards"]


def load_shards(
    folder: str | Path | ShardFolder,
    store: KgStore,
    *,
    replace: bool = False,
    batch_size: int = 256,
    shared: bool = True,
    manifest: dict[str, Any] | None = None,
) -> BuildReport:
    """Load the shards in ``folder`` into ``store``; refuses an incomplete folder (:class:`KgError`
    naming the missing partitions) before anything is written. With ``replace``, into a new store
    swapped in when complete, as ``kg build --replace``. ``manifest``: the folder's, if the
    caller has read it already (:func:`kg.shards.read_manifest`)."""
    started = time.monotonic()
    root = open_folder(folder)
    manifest = manifest or read_manifest(root)
    report = BuildReport()
    try:
        with store.replacement() if replace else contextlib.nullcontext(store) as target:
            with ShardLoader(target, root, report, batch_size=batch_size, shared=shared) as loader:
                for meta in manifest["metas"]:
                    loader.add(meta)
            # as kg build does: the same events of what is now stored
            group_reports(target, report, shared=shared, facts=loader.facts)
    except KgError as exc:
        written = 0 if replace and store._local else report.items_written
        raise KgError(f"{exc}; {written:,} items were written", exc.exit_code) from None
    report.seconds = time.monotonic() - started
    return report


class ShardLoader:
    """Writes partitions into a store one after the other, in the order of the sources, as
    ``kg build`` writes their items: an item the store holds in the same version is skipped (and
    a partition with nothing to write is not even read); of an item read twice, the later one is
    kept when its text differs, else the earlier. The store is written by a thread of its own
    (:class:`kg.store.writer.Writer`), so the caller may go on (extracting, waiting for Dask) meanwhile.

    ``kg load`` adds the partitions of a complete shards folder; ``kg build --scheduler`` adds
    each as soon as it and those before it are extracted (a remote cluster), or all of them once
    the last is (a local one). It keeps what grouping needs of the items it writes (:attr:`facts`).
    """

    def __init__(
        self,
        store: KgStore,
        root: str | Path | ShardFolder,
        report: BuildReport,
        *,
        batch_size: int = 256,
        shared: bool = True,
    ) -> None:
        self.store, self.root, self.report, self.batch_size = store, open_folder(root), report, batch_size
        self.shared = shared
        # graph -> (content hash, run), and for the items of this load where they were read
        self.known: dict[str, tuple[Any, ...]] = dict(store.fingerprints())
        self.writer = Writer(store, report)
        self.batch: dict[str, bytes] = {}
        self.batch_quads = 0
        self.partitions = 0
        #: item IRI -> what grouping needs of it, for the items written (from the shards' facts tables)
        self.facts: dict[str, ItemFacts] = {}

    def __enter__(self) -> ShardLoader:
        self.writer.__enter__()
        return self

    def _load_shared(self) -> None:
        """The shards' shared graphs, once (``kg build --scheduler`` writes them before any partition)."""
        if not self.shared or not self.root.exists(SHARED):
            return
        self.shared = False
        graphs: dict[str, list[Quad]] = defaultdict(list)
        try:
            data = gzip.decompress(self.root.read(SHARED))
        except (OSError, EOFError) as exc:
            raise KgError(f"{self.root.shown(SHARED)}: unreadable ({exc}); build the shards again") from None
        for quad in parse(data, format=RdfFormat.N_QUADS):
            graphs[quad.graph_name.value].append(quad)
        changed = {n: quads for n, quads in graphs.items() if self.known.get(n, ("", ""))[0] != graph_hash(quads)}
        if changed:
            self.store.replace_graphs(changed)

    def add(self, meta: dict[str, Any]) -> None:
        """Write the items of one partition (its ``pNNNNN.json``) that the store lacks."""
        self._load_shared()
        report, known, run = self.report, self.known, meta["run"]
        self.partitions += 1
        report.read += meta["item_count"]
        report.rejected += len(meta["rejects"])
        source = meta["partition"]["source"]
        wanted: set[int] = set()
        for ordinal, item in enumerate(meta["items"]):
            graph, digest = item["graph"], item["hash"]
            before = known.get(graph)
            known[graph] = (digest, run, source, item["line"])
            if before is not None and len(before) > 2:  # an earlier item of this load had the key
                report.duplicates += 1
                if before[0] == digest:
                    continue
                report.warnings.append(
                    Notice(
                        source,
                        item["line"],
                        f"same key as {before[2]}:{before[3]} (date and title, or url) but different text; "
                        "the later one is kept",
                    )
                )
                wanted.add(ordinal)
                continue
            if before == (digest, run):
                report.unchanged += 1
                continue
            report.loaded += 1
            report.changed += before is not None
            wanted.add(ordinal)
        if not wanted:
            return  # the partition's file is not even read
        facts = partition_facts(self.root, meta)
        for ordinal in sorted(wanted):
            self.facts[facts[ordinal].item] = facts[ordinal]
        for ordinal, graph, data in partition_graphs(self.root, meta):
            if ordinal not in wanted:
                continue
            self.batch[graph] = data
            self.batch_quads += meta["items"][ordinal]["quads"]
            if len(self.batch) >= self.batch_size or self.batch_quads >= BULK_QUADS:
                self.writer.put(self.batch)
                self.batch, self.batch_quads = {}, 0

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self._load_shared()
            if self.batch:
                self.writer.put(self.batch)
        self.batch = {}
        self.writer.__exit__(exc_type, *rest)
        self.report.quads_written += self.writer.written
        if exc_type is None and self.report.quads_written >= COMPACT_AFTER:
            self.store.optimize()
