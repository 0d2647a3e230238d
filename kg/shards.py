"""Shards: what ``kg build --scheduler`` writes and ``kg load`` (or any store's bulk loader) reads.

A shards folder (a local path, or any fsspec URL: :mod:`kg.shardfs`) holds, per partition of the
sources (a file, or a byte range of a large JSON Lines file), four files, each written whole
(under a temporary name renamed into place, or in one put on an object store), so a retried
task replaces its partition's files and never adds to them:

- ``pNNNNN.nq.gz``: the partition's item graphs as N-Quads, gzipped (no timestamp: the same
  items give the same bytes), one item after the other in input order;
- ``pNNNNN.parquet``: its event table, a row per event–actor link (event, item graph, start
  date, event types, themes, actor, role);
- ``pNNNNN.facts.parquet``: what grouping same events needs of each item (:mod:`kg.same.facts`:
  its text's shingles and MinHash, its events), a row per item in the order of the N-Quads, so
  that ``kg load`` groups without reading the items back from the store (the two tables:
  :mod:`kg.shardtables`);
- ``pNNNNN.json``, written last: counts, the other files' SHA-256, and per item its graph IRI,
  content hash, line and size. A partition is complete when this file is there.

Beside them ``shared.nq.gz`` (the reference, vocabulary and ontology graphs) and
``manifest.json``: the partitions planned, the extractor's rules hash, and once the build has
finished, the totals.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "a.txt").write_text("11 June, 2019\\nA title\\nA summary.\\n")
>>> part = Partition("p00000", str(folder / "a.txt"), "a.txt", None)
>>> meta = write_partition(part, str(folder))
>>> meta["items"][0]["line"], meta["rejects"]
(1, [])
>>> sorted(p.name for p in folder.glob("p00000*"))
['p00000.facts.parquet', 'p00000.json', 'p00000.nq.gz', 'p00000.parquet']
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.same.facts import ItemFacts
from kg.shardfs import ShardFolder, open_folder
from kg.shardtables import event_table, facts_table
from kg.sources import MAX_ITEM_CHARS, InputFormat, NewsItem, Notice, Reject, read_stream
from kg.sources.decode import text_lines

__all__ = ["FORMAT", "MANIFEST", "SHARED", "Partition", "read_manifest", "write_partition"]

# Bump when the files change meaning (2: the facts tables), and so when kg/same/facts.py changes what
# it encodes or kg/same/story.py its shingles (as kg.same.kept.FORMAT): facts are not extracted again.
FORMAT = 2
MANIFEST = "manifest.json"
SHARED = "shared.nq.gz"


@dataclass(frozen=True)
class Partition:
    """A part of the sources one task extracts: a whole file, or bytes ``start``–``end`` of a JSON
    Lines file cut at line ends, whose first line is line ``first_line`` of the file."""

    id: str  # pNNNNN, in input order
    path: str  # absolute, as the workers see it
    source: str  # the name rejects and provenance give (as `kg build` names the file)
    fmt: str | None  # InputFormat value, or None: from the extension
    start: int = 0
    end: int | None = None  # None: to the end of the file
    first_line: int = 1
    signature: str = ""  # the file's size and mtime with the options that change the output

    def records(self, max_item_chars: int = MAX_ITEM_CHARS) -> Iterator[NewsItem | Reject | Notice]:
        """The records of this partition, numbered by their line in the whole file."""
        fmt = InputFormat(self.fmt) if self.fmt else InputFormat.from_extension(self.path)
        assert fmt is not None  # source_files checked every file's type
        try:
            with open(self.path, "rb") as stream:
                if self.end is None and self.start == 0:
                    yield from read_stream(stream, self.source, fmt, max_item_chars=max_item_chars)
                    return
                stream.seek(self.start)
                data = stream.read((self.end or 0) - self.start)
        except OSError as exc:
            yield Reject(self.source, self.first_line, f"cannot read file: {exc.strerror or exc}")
            return
        from kg.sources.jsonl import read_lines

        shift = self.first_line - 1
        lines = (
            Reject(e.source_file, e.line + shift, e.reason) if isinstance(e, Reject) else (e[0] + shift, e[1])
            for e in text_lines(io.BytesIO(data), self.source)
        )
        for record in read_lines(lines, self.source, max_item_chars):
            # a range of blank lines is no empty file: that verdict is the first range's
            if isinstance(record, Reject) and self.start > 0 and record.reason.startswith("empty file"):
                continue
            yield record


def gzipped(data: bytes) -> bytes:
    """``data`` gzipped without a timestamp, so that the same data gives the same file."""
    return gzip.compress(data, compresslevel=5, mtime=0)


def write_partition(part: Partition, folder: str, max_item_chars: int = MAX_ITEM_CHARS) -> dict[str, Any]:
    """Extract ``part`` and write its shard into ``folder`` (a path or a URL); returns what
    ``pNNNNN.json`` holds.

    Runs in a Dask worker (or anywhere): it reads the partition's file itself.
    """
    from kg.extracting import graph_of
    from kg.rdf import rules_hash, run_iri
    from kg.same.facts import item_facts

    root = open_folder(folder)
    items: list[dict[str, Any]] = []
    rejects: list[list[Any]] = []
    notices: list[list[Any]] = []
    chunks: list[bytes] = []
    facts: list[ItemFacts] = []
    for record in part.records(max_item_chars):
        if isinstance(record, Reject):
            rejects.append([record.source_file, record.line, record.reason])
        elif isinstance(record, Notice):
            notices.append([record.source_file, record.line, record.reason])
        else:
            graph, data, count = graph_of(record)
            chunks.append(data)
            facts.append(item_facts(record, data))
            items.append({"graph": graph, "hash": record.content_hash(), "line": record.line, "bytes": len(data)})
            items[-1]["quads"] = count
    data = b"".join(chunks)
    quads_hash = root.write(f"{part.id}.nq.gz", gzipped(data))
    events_hash = root.write(f"{part.id}.parquet", event_table(data, items))
    facts_hash = root.write(f"{part.id}.facts.parquet", facts_table(facts))
    meta = {
        "format": FORMAT,
        "partition": asdict(part),
        "rules_hash": rules_hash(),
        "run": run_iri(),
        "item_count": len(items),
        "quad_count": sum(i["quads"] for i in items),
        "nquads_sha256": quads_hash,
        "parquet_sha256": events_hash,
        "facts_sha256": facts_hash,
        "rejects": rejects,
        "notices": notices,
        "items": items,
    }
    root.write(f"{part.id}.json", json.dumps(meta).encode())
    return meta


# -- reading --


def read_manifest(folder: str | Path | ShardFolder) -> dict[str, Any]:
    """The manifest of a shards folder (a path or a URL), checked to be complete: every planned
    partition's ``pNNNNN.json`` present and from the manifest's extractor. Adds ``"metas"``, those
    files' contents."""
    root = open_folder(folder)
    try:
        manifest = json.loads(root.read(MANIFEST).decode("utf-8"))
    except FileNotFoundError:
        raise KgError(f"{root}: no {MANIFEST}; not a shards folder (kg build --scheduler ... --shards DIR)") from None
    except (OSError, ValueError) as exc:
        raise KgError(f"{root.shown(MANIFEST)}: unreadable ({exc}); build the shards again") from None
    if manifest.get("format") != FORMAT:
        found = manifest.get("format")
        raise KgError(f"{root.shown(MANIFEST)}: shards format {found}, this kg reads {FORMAT}; rebuild")
    metas: list[dict[str, Any]] = []
    missing: list[str] = []
    for planned in manifest["partitions"]:
        meta = partition_meta(root, planned["id"])
        if meta is None or meta["partition"] != planned or meta["rules_hash"] != manifest["rules_hash"]:
            missing.append(planned["id"])
        else:
            metas.append(meta)
    if missing:
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        raise KgError(
            f"{root}: incomplete shards, {len(missing)} of {len(manifest['partitions'])} partitions missing "
            f"({shown}); run the same kg build --scheduler ... --shards {root} again to finish them"
        )
    manifest["metas"] = metas
    return manifest


def partition_meta(root: ShardFolder, pid: str) -> dict[str, Any] | None:
    """The ``pNNNNN.json`` of partition ``pid``, if it is there, whole and of this format."""
    try:
        meta = json.loads(root.read(f"{pid}.json").decode("utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and meta.get("format") == FORMAT else None


def partition_graphs(root: ShardFolder, meta: dict[str, Any]) -> Iterator[tuple[int, str, bytes]]:
    """``(ordinal, graph IRI, N-Quads)`` of each item of a partition, its file checked against its hash."""
    pid = meta["partition"]["id"]
    data = gzip.decompress(root.read_checked(f"{pid}.nq.gz", meta["nquads_sha256"], f"{pid}.json"))
    offset = 0
    for ordinal, item in enumerate(meta["items"]):
        yield ordinal, item["graph"], data[offset : offset + item["bytes"]]
        offset += item["bytes"]


def chosen_items(metas: list[dict[str, Any]]) -> tuple[dict[str, tuple[int, int]], int, list[Notice]]:
    """Which occurrence of each item graph a build keeps, as ``kg build`` keeps it: of items read
    twice, the later one when its text differs, else the earlier. Returns ``graph -> (partition
    position, ordinal)``, the number of repeats and a notice per conflict."""
    chosen: dict[str, tuple[int, int]] = {}
    last: dict[str, tuple[str, str, int]] = {}  # graph -> (hash, source, line) of its latest occurrence
    repeats = 0
    notices: list[Notice] = []
    for position, meta in enumerate(metas):
        source = meta["partition"]["source"]
        for ordinal, item in enumerate(meta["items"]):
            graph, digest = item["graph"], item["hash"]
            before = last.get(graph)
            last[graph] = (digest, source, item["line"])
            if before is not None:
                repeats += 1
                if before[0] == digest:
                    continue
                notices.append(
                    Notice(
                        source,
                        item["line"],
                        f"same key as {before[1]}:{before[2]} (date and title, or url) but different text; "
                        "the later one is kept",
                    )
                )
            chosen[graph] = (position, ordinal)
    return chosen, repeats, notices
