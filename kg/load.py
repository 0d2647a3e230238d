"""``kg load``: shards (see :mod:`kg.shards`) into a store, incrementally by content hash.

What the store already holds in the same version (content hash and extraction run) is skipped
without reading its partition; the rest is written as ``kg build`` writes it, each item graph
whole (bulk loads of at most :data:`kg.store.BULK_QUADS` quads, or a replacement per changed
graph), so a killed load leaves every graph whole or absent. The shared graphs (reference,
vocabulary, ontology) come from the shards' ``shared.nq.gz``.
"""

from __future__ import annotations

import contextlib
import gzip
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from pyoxigraph import Quad, RdfFormat, parse

from kg.build import COMPACT_AFTER, BuildReport, _hash_of, _Writer
from kg.errors import KgError
from kg.shards import SHARED, chosen_items, partition_graphs, read_manifest
from kg.store import BULK_QUADS, KgStore

__all__ = ["load_shards"]


def load_shards(
    folder: str | Path, store: KgStore, *, replace: bool = False, batch_size: int = 256, shared: bool = True
) -> BuildReport:
    """Load the shards in ``folder`` into ``store``; refuses an incomplete folder (:class:`KgError`
    naming the missing partitions) before anything is written. With ``replace``, into a new store
    swapped in when complete, as ``kg build --replace``."""
    started = time.monotonic()
    root = Path(folder)
    manifest = read_manifest(root)
    metas: list[dict[str, Any]] = manifest["metas"]
    report = BuildReport()
    chosen, report.duplicates, report.warnings = chosen_items(metas)
    report.read = sum(meta["item_count"] for meta in metas)
    report.rejected = sum(len(meta["rejects"]) for meta in metas)
    try:
        with store.replacement() if replace else contextlib.nullcontext(store) as target:
            _load_into(target, root, metas, chosen, report, batch_size=batch_size, shared=shared)
    except KgError as exc:
        written = 0 if replace and store._local else report.items_written
        raise KgError(f"{exc}; {written:,} items were written", exc.exit_code) from None
    report.seconds = time.monotonic() - started
    return report


def _load_into(
    store: KgStore,
    root: Path,
    metas: list[dict[str, Any]],
    chosen: dict[str, tuple[int, int]],
    report: BuildReport,
    *,
    batch_size: int,
    shared: bool,
) -> None:
    existing = store.fingerprints()
    if shared and (root / SHARED).exists():
        graphs: dict[str, list[Quad]] = defaultdict(list)
        for quad in parse(gzip.decompress((root / SHARED).read_bytes()), format=RdfFormat.N_QUADS):
            graphs[quad.graph_name.value].append(quad)
        changed = {name: quads for name, quads in graphs.items() if existing.get(name, ("", ""))[0] != _hash_of(quads)}
        if changed:
            store.replace_graphs(changed)
        report.shared_graphs_loaded = len(changed)

    batch: dict[str, bytes] = {}
    batch_quads = 0
    writer = _Writer(store, report)
    with writer:
        for position, meta in enumerate(metas):
            wanted = set()
            for ordinal, item in enumerate(meta["items"]):
                if chosen.get(item["graph"]) != (position, ordinal):
                    continue
                if existing.get(item["graph"]) == (item["hash"], meta["run"]):
                    report.unchanged += 1
                else:
                    wanted.add(ordinal)
            if not wanted:
                continue  # the partition's file is not even read
            for ordinal, graph, data in partition_graphs(root, meta):
                if ordinal not in wanted:
                    continue
                report.loaded += 1
                batch[graph] = data
                batch_quads += meta["items"][ordinal]["quads"]
                if len(batch) >= batch_size or batch_quads >= BULK_QUADS:
                    writer.put(batch)
                    batch, batch_quads = {}, 0
        if batch:
            writer.put(batch)
    report.quads_written += writer.written
    if report.quads_written >= COMPACT_AFTER:
        store.optimize()
