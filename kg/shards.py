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
  that ``kg load`` groups without reading the items back from the store;
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
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kg import namespaces as ns
from kg.errors import KgError
from kg.same.facts import ItemFacts
from kg.shardfs import ShardFolder, open_folder
from kg.sources import MAX_ITEM_CHARS, InputFormat, NewsItem, Notice, Reject, read_stream
from kg.sources.decode import text_lines

__all__ = ["FORMAT", "MANIFEST", "SHARED", "Partition", "partition_facts", "read_manifest", "write_partition"]

FORMAT = 2  # bump when the files change meaning (2: the facts tables)
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
    events_hash = root.write(f"{part.id}.parquet", _parquet(_event_rows(data, items)))
    facts_hash = root.write(f"{part.id}.facts.parquet", _facts_parquet(facts))
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


# -- the event table, as Parquet --

#: The Parquet event table's columns: one row per (event, actor, role) link.
EVENT_COLUMNS = ("event", "graph", "ordinal", "date", "types", "themes", "actor", "role")


def _event_rows(data: bytes, items: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The event–actor links of the N-Quads ``data`` (the items' graphs one after the other), with
    what :func:`kg.network.table.read_event_table` reads from a store: each event's earliest start
    date (an undated ``mk:Event`` its item's publication date, as ``kg.export.events.UNDATED_RULE`` says),
    and its themes when it is typed ``mk:Event``; ``ordinal`` is the item's place in the shard."""
    from pyoxigraph import RdfFormat, parse

    from kg.network.table import ACTOR_ROLES

    roles = {p: role for p, role in ACTOR_ROLES.items()}
    start, kind, subject, etype = ns.SCHEMA["startDate"], ns.RDF["type"], ns.DCTERMS["subject"], ns.SEM["eventType"]
    derived_from, published = ns.PROV["wasDerivedFrom"], ns.DCTERMS["date"]
    event_class = ns.MK["Event"]
    columns: dict[str, list[Any]] = {name: [] for name in EVENT_COLUMNS}
    # only the lines the table reads are parsed, a tenth of them: parsing every quad of a
    # partition into Python objects took as long as extracting it
    wanted = (*roles, start, subject, etype, derived_from, published)
    tokens = [f" <{p}> ".encode() for p in wanted] + [f" <{kind}> <{event_class}> ".encode()]
    offset = 0
    for ordinal, item in enumerate(items):
        links: list[tuple[str, str, str]] = []
        dates: dict[str, str] = {}
        typed: set[str] = set()
        themes: dict[str, set[str]] = {}
        types: dict[str, set[str]] = {}
        sources: dict[str, set[str]] = {}
        item_dates: dict[str, str] = {}
        lines = _lines_with(data, tokens, offset, offset + item["bytes"])
        for quad in parse(lines, format=RdfFormat.N_QUADS):
            s, p, o = quad.subject.value, quad.predicate.value, quad.object.value
            if p in roles:
                links.append((s, o, roles[p]))
            elif p == start:
                d = o[:10]
                dates[s] = min(d, dates.get(s, d))
            elif p == kind and o == event_class:
                typed.add(s)
            elif p == subject:
                themes.setdefault(s, set()).add(o)
            elif p == etype:
                types.setdefault(s, set()).add(o)
            elif p == derived_from:
                sources.setdefault(s, set()).add(o)
            elif p == published:
                d = o[:10]
                item_dates[s] = min(d, item_dates.get(s, d))
        offset += item["bytes"]
        for e in typed - dates.keys():
            undated = [item_dates[i] for i in sources.get(e, ()) if i in item_dates]
            if undated:
                dates[e] = min(undated)
        for e, a, role in sorted(set(links)):
            columns["event"].append(e)
            columns["graph"].append(item["graph"])
            columns["ordinal"].append(ordinal)
            columns["date"].append(dates.get(e))
            columns["types"].append(sorted(types.get(e, ())))
            columns["themes"].append(sorted(themes.get(e, ())) if e in typed else [])
            columns["actor"].append(a)
            columns["role"].append(role)
    return columns


def _lines_with(data: bytes, tokens: list[bytes], begin: int, end: int) -> bytes:
    """The lines of ``data[begin:end]`` (whole lines) holding any of ``tokens``, each once per token
    (the caller's sets and minima make a line read twice harmless)."""
    found: list[bytes] = []
    for token in tokens:
        at = data.find(token, begin, end)
        while at >= 0:
            first = data.rfind(b"\n", begin, at) + 1 or begin
            last = data.find(b"\n", at, end) + 1 or end
            found.append(data[first:last])
            at = data.find(token, last, end)
    return b"".join(found)


def _parquet(columns: dict[str, list[Any]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("event", pa.string()),
            ("graph", pa.string()),
            ("ordinal", pa.int32()),
            ("date", pa.string()),
            ("types", pa.list_(pa.string())),
            ("themes", pa.list_(pa.string())),
            ("actor", pa.string()),
            ("role", pa.string()),
        ]
    )
    table = pa.table(columns, schema=schema)
    out = io.BytesIO()
    pq.write_table(table, out, compression="zstd")
    return out.getvalue()


#: The Parquet facts table's columns: one row per item, the fields of :class:`kg.same.facts.ItemFacts`.
FACTS_COLUMNS = ("item", "published", "signature", "shingles", "reported", "merged")


def _facts_schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("item", pa.string(), False),
            ("published", pa.date32(), False),
            ("signature", pa.binary()),  # None: too short a text to judge
            ("shingles", pa.binary(), False),
            ("reported", pa.string(), False),
            ("merged", pa.string()),
        ]
    )


def _facts_parquet(facts: list[ItemFacts]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({name: [getattr(f, name) for f in facts] for name in FACTS_COLUMNS}, schema=_facts_schema())
    out = io.BytesIO()
    pq.write_table(table, out, compression="zstd")
    return out.getvalue()


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
    try:
        raw = root.read(f"{pid}.nq.gz")
    except OSError as exc:
        raise KgError(f"{root.shown(pid)}.nq.gz: unreadable ({exc}); build the shards again") from None
    if hashlib.sha256(raw).hexdigest() != meta["nquads_sha256"]:
        raise KgError(f"{root.shown(pid)}.nq.gz: does not match its hash in {pid}.json; build the shards again")
    data = gzip.decompress(raw)
    offset = 0
    for ordinal, item in enumerate(meta["items"]):
        yield ordinal, item["graph"], data[offset : offset + item["bytes"]]
        offset += item["bytes"]


def partition_facts(root: ShardFolder, meta: dict[str, Any]) -> list[ItemFacts]:
    """What grouping needs of each item of a partition, in the order of its items, the file checked
    against its hash."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pid = meta["partition"]["id"]
    name = f"{pid}.facts.parquet"
    try:
        raw = root.read(name)
    except OSError as exc:
        raise KgError(f"{root.shown(name)}: unreadable ({exc}); build the shards again") from None
    if hashlib.sha256(raw).hexdigest() != meta["facts_sha256"]:
        raise KgError(f"{root.shown(name)}: does not match its hash in {pid}.json; build the shards again")
    try:
        table = pq.read_table(io.BytesIO(raw))
    except (pa.ArrowException, OSError) as exc:
        raise KgError(f"{root.shown(name)}: unreadable ({exc}); build the shards again") from None
    # a folder may come from anywhere: what grouping reads is checked, a line for each fault
    if not table.schema.equals(_facts_schema()):  # names, types, and no nulls where a value is needed
        raise KgError(f"{root.shown(name)}: not a facts table of shards format {FORMAT}; build the shards again")
    expected = [ns.item(i["graph"].rsplit("/", 1)[-1]) for i in meta["items"]]
    if table.column("item").to_pylist() != expected:
        raise KgError(f"{root.shown(name)}: its items are not those of {pid}.json; build the shards again")
    columns = [table.column(c).to_pylist() for c in FACTS_COLUMNS]
    return [ItemFacts(*row) for row in zip(*columns, strict=True)]


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
