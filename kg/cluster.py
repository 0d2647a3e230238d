"""``kg build --scheduler``: extraction as Dask tasks, one per partition of the sources, each writing a shard.

The sources are cut into partitions (:class:`kg.shards.Partition`): every file, and JSON Lines
files larger than ``partition_bytes`` into byte ranges ending at line ends, each knowing the
number of its first line, so rejects and provenance name the same ``FILE:LINE`` as ``kg build``.
Each task extracts its partition and writes its shard (:func:`kg.shards.write_partition`); the
store is not touched. A partition whose shard is already there, from the same file, options and
rules, is not extracted again, so a build stopped half-way (a scheduler gone) finishes where it
stopped when run again.

Dask retries the task of a worker that died; its shard is written under temporary names and
renamed (or put whole on an object store), so the retry replaces it. The workers read the
sources by path and write the shards to the folder's path or URL (:mod:`kg.shardfs`): on a
cluster of several machines the sources must be on a filesystem every machine mounts, and the
shards there too or in an object store (``s3://…``) every machine reaches.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "big.jsonl").write_text("".join(f'{{"n": {i}}}\\n' for i in range(100)))
>>> [(p.id, p.start, p.end, p.first_line) for p in plan([folder], partition_bytes=400)][:3]
[('p00000', 0, 410, 1), ('p00001', 410, 820, 43), ('p00002', 820, 990, 84)]
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import KgError, UsageError, first_line
from kg.shardfs import ShardFolder, open_folder
from kg.shards import FORMAT, MANIFEST, SHARED, Partition, gzipped, partition_meta, write_partition
from kg.sources import MAX_ITEM_CHARS, InputFormat, Notice, Reject, display_path, source_files

__all__ = ["PARTITION_BYTES", "ShardReport", "build_shards", "plan"]

#: JSON Lines files above this many bytes are cut into partitions of about this size (~1,100 items,
#: a second or two of work a task): small enough that the store loads each partition while the
#: workers extract the next ones and the last one's load is short, and that two workers share
#: a 10,000-item file evenly; few enough for the scheduler (1M items: ~900 tasks).
PARTITION_BYTES = 1 << 20


@dataclass
class ShardReport:
    partitions: int = 0
    extracted: int = 0  # partitions extracted in this run (the others were there already)
    items: int = 0
    quads: int = 0
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self, folder: str | Path) -> str:
        rate = self.items / self.seconds if self.seconds else 0.0
        rows = [
            ("partitions", f"{self.partitions:,} ({self.extracted:,} extracted, the rest already in the shards)"),
            ("items", f"{self.items:,}"),
            ("rejected", f"{self.rejected:,}"),
            ("quads", f"{self.quads:,}"),
            ("shards", str(folder)),
            ("time", f"{self.seconds:.2f} s ({rate:,.0f} items/s)"),
        ]
        return "\n".join(f"{name:<16}{value}" for name, value in rows)


def plan(
    sources: Iterable[str | Path],
    input_format: InputFormat | None = None,
    *,
    partition_bytes: int = PARTITION_BYTES,
    max_item_chars: int = MAX_ITEM_CHARS,
) -> list[Partition]:
    """The partitions of ``sources``, in input order (files as :func:`kg.sources.source_files` lists them)."""
    parts: list[Partition] = []
    for path in source_files(sources, input_format):
        if path is None:
            raise UsageError("kg build --scheduler reads files, not standard input ('-')")
        if isinstance(path, str):
            raise UsageError(f"kg build --scheduler reads files, not URLs ({path}); kg build URL fetches them")
        fmt = input_format or InputFormat.from_extension(path)
        stat = path.stat()
        name, shown = str(path.resolve()), display_path(path)
        given = input_format.value if input_format else None
        signature = f"{stat.st_size}:{stat.st_mtime_ns}:{max_item_chars}"
        if fmt is not InputFormat.JSONL or stat.st_size <= partition_bytes:
            parts.append(Partition(f"p{len(parts):05d}", name, shown, given, signature=signature))
            continue
        for start, end, line in _ranges(path, partition_bytes):
            parts.append(Partition(f"p{len(parts):05d}", name, shown, given, start, end, line, signature))
    return parts


def _ranges(path: Path, size: int) -> Iterable[tuple[int, int, int]]:
    """``(start, end, first line)`` of byte ranges of about ``size`` bytes, each ending after a
    line feed (or at the end of the file). Lines are counted as :func:`kg.sources.decode.text_lines`
    counts them: a lone carriage return ends a line too."""
    total = path.stat().st_size
    with path.open("rb") as f:
        start, line = 0, 1
        while start < total:
            f.seek(start + size)
            f.readline()
            end = min(f.tell(), total)
            f.seek(start)
            data = f.read(end - start)
            yield start, end, line
            line += data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
            start = end


def build_shards(
    sources: Iterable[str | Path],
    folder: str | Path,
    *,
    scheduler: str,
    workers: int = 2,
    input_format: InputFormat | None = None,
    max_item_chars: int = MAX_ITEM_CHARS,
    partition_bytes: int = PARTITION_BYTES,
    on_reject: Callable[[Reject | Notice], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    on_partition: Callable[[dict[str, Any]], None] | None = None,
) -> ShardReport:
    """Extract ``sources`` on the Dask cluster at ``scheduler`` (``tcp://host:8786``, or ``local``
    for a ``LocalCluster`` of ``workers`` processes) into shards in ``folder``, a path or a URL
    (:mod:`kg.shardfs`).

    A scheduler that cannot be reached or goes away raises :class:`KgError`; the shards written
    until then stay, and the next run extracts only the missing partitions.

    ``on_partition`` is called with each partition's ``pNNNNN.json`` contents in the order of the
    sources, as soon as the partition and every one before it are extracted (those already in
    the folder first), while the cluster goes on with the others: ``kg build --scheduler`` with a
    remote cluster loads them into the store meanwhile (:class:`kg.load.ShardLoader`).
    """
    from kg.rdf import rules_hash, run_iri

    started = time.monotonic()
    root = open_folder(folder)  # an unknown or missing filesystem is refused before anything runs
    root.make()
    parts = plan(sources, input_format, partition_bytes=partition_bytes, max_item_chars=max_item_chars)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "rules_hash": rules_hash(),
        "run": run_iri(),
        "complete": False,
        "partitions": [asdict(p) for p in parts],
    }
    _write_json(root, MANIFEST, manifest)
    _remove_unplanned(root, {p.id for p in parts})
    _write_shared(root)

    metas: dict[str, dict[str, Any]] = {}
    todo: list[Partition] = []
    for part in parts:
        meta = _existing(root, part, manifest["rules_hash"])
        if meta is None:
            todo.append(part)
        else:
            metas[part.id] = meta
    report = ShardReport(partitions=len(parts), extracted=len(todo))
    handed = 0  # partitions handed to on_partition, in order

    def arrived(meta: dict[str, Any]) -> None:
        nonlocal handed
        metas[meta["partition"]["id"]] = meta
        while on_partition and handed < len(parts) and parts[handed].id in metas:
            on_partition(metas[parts[handed].id])
            handed += 1

    for meta in list(metas.values()):
        arrived(meta)
    if todo:
        _run(todo, root.for_workers(), scheduler, workers, max_item_chars, len(parts), on_progress, arrived)
    ordered = [metas[p.id] for p in parts]
    for meta in ordered:
        report.items += meta["item_count"]
        report.quads += meta["quad_count"]
        for source, line, reason in meta["rejects"]:
            report.rejects.append(Reject(source, line, reason))
        for source, line, reason in meta["notices"]:
            report.warnings.append(Notice(source, line, reason))
    report.rejected = len(report.rejects)
    if on_reject:
        records: list[Reject | Notice] = [*report.rejects, *report.warnings]
        for record in records:
            on_reject(record)
    manifest.update(
        complete=True,
        item_count=report.items,
        quad_count=report.quads,
        rejected=report.rejected,
        counts={m["partition"]["id"]: [m["item_count"], m["quad_count"]] for m in ordered},
        hashes={m["partition"]["id"]: [m["nquads_sha256"], m["parquet_sha256"], m["facts_sha256"]] for m in ordered},
    )
    _write_json(root, MANIFEST, manifest)
    report.seconds = time.monotonic() - started
    return report


def _run(
    todo: list[Partition],
    folder: str,
    scheduler: str,
    workers: int,
    max_item_chars: int,
    total: int,
    on_progress: Callable[[int, int], None] | None,
    arrived: Callable[[dict[str, Any]], None],
) -> None:
    """Extract the partitions ``todo`` as Dask tasks; ``arrived`` is called with each one's
    ``pNNNNN.json`` contents as it finishes. Its errors are raised as they are."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise UsageError("--scheduler needs Dask: pip install 'migkg[cluster]' (dask[distributed], pyarrow)") from None
    cluster = None
    import distributed  # noqa: F401  (configures its loggers, which _Quiet then turns down)

    quiet = _Quiet()
    try:
        if scheduler == "local":
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                # the scheduler's HTTP routes (health, metrics) on a free port of this host, not on
                # 8787, which a second build or a notebook's cluster may hold
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        quiet.restore()
        raise KgError(
            f"cannot reach the Dask scheduler at {scheduler} ({first_line(exc)}); is `dask scheduler` running?"
        ) from None
    done: dict[str, dict[str, Any]] = {}
    try:
        futures = [
            client.submit(write_partition, part, folder, max_item_chars, key=f"kg-extract-{part.id}-{_token(part)}")
            for part in todo
        ]
        for future in as_completed(futures):
            meta = future.result()
            done[meta["partition"]["id"]] = meta
            if on_progress:
                on_progress(total - len(todo) + len(done), total)
            try:
                arrived(meta)
            except BaseException as exc:  # the store's, not the cluster's
                raise _Handed(exc) from exc
    except _Handed as handed:
        raise handed.error from None
    except KgError:
        raise
    except Exception as exc:  # the scheduler went away, or a task failed where it should not
        name = type(exc).__name__
        raise KgError(
            f"the build on the Dask cluster stopped ({name}: {first_line(exc)}) after {len(done)} of "
            f"{len(todo)} partitions; the store was not changed, and running the same command again "
            "extracts only the missing partitions"
        ) from None
    finally:
        _close(client, cluster)
        quiet.restore()


class _Handed(Exception):
    """An error of the ``arrived`` callback, passed through the cluster's error handling."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


class _Quiet:
    """Dask's loggers turned down while it runs: the client logs each lost connection with a
    traceback, and the one line of the KgError says it all."""

    def __init__(self) -> None:
        names = ["distributed", *(n for n in logging.root.manager.loggerDict if n.startswith("distributed."))]
        self.levels = {name: logging.getLogger(name).level for name in names}
        for name in names:
            logging.getLogger(name).setLevel(logging.CRITICAL)

    def restore(self) -> None:
        for name, level in self.levels.items():
            logging.getLogger(name).setLevel(level)


def _close(client: Any, cluster: Any) -> None:
    """Close the client (and the local cluster) without waiting long for a scheduler that is gone."""
    with contextlib.suppress(Exception):
        client.close(timeout=5)
    if cluster is not None:
        with contextlib.suppress(Exception):
            cluster.close(timeout=10)


def _token(part: Partition) -> str:
    return hashlib.sha1(json.dumps(asdict(part), sort_keys=True).encode()).hexdigest()[:12]


def _existing(root: ShardFolder, part: Partition, rules: str) -> dict[str, Any] | None:
    """The shard of ``part`` already in the folder (same file, range, options and rules), if whole."""
    meta = partition_meta(root, part.id)
    if meta is None or meta.get("partition") != asdict(part) or meta.get("rules_hash") != rules:
        return None
    if not all(root.exists(f"{part.id}.{kind}") for kind in ("nq.gz", "parquet", "facts.parquet")):
        return None  # a file lost since: the partition is extracted again
    return meta


def _remove_unplanned(root: ShardFolder, planned: set[str]) -> None:
    """Shards of partitions an earlier plan had and this one has not (fewer or other sources)."""
    for name in root.names("p[0-9]*.*"):
        if name.split(".", 1)[0] not in planned:
            root.remove(name)


def _write_shared(root: ShardFolder) -> None:
    from pyoxigraph import RdfFormat, serialize

    from kg.reference import shared_graphs

    quads = [q for graph in shared_graphs().values() for q in graph]
    data = serialize(quads, format=RdfFormat.N_QUADS) or b""
    root.write(SHARED, gzipped(data))


def _write_json(root: ShardFolder, name: str, value: dict[str, Any]) -> None:
    root.write(name, json.dumps(value, indent=1).encode())
