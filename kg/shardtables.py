"""The two Parquet tables of a shard (:mod:`kg.shards`), written by the workers and read back:

- ``pNNNNN.parquet``, its event table, a row per event–actor link, which ``kg network --shards``
  reads (:mod:`kg.network.shards`);
- ``pNNNNN.facts.parquet``, what grouping same events needs of each item (:class:`kg.same.facts.ItemFacts`),
  which ``kg load`` hands to grouping instead of reading the items back from the store.
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

from kg import namespaces as ns
from kg.errors import KgError
from kg.same.facts import ItemFacts

if TYPE_CHECKING:
    from kg.shardfs import ShardFolder

__all__ = ["EVENT_COLUMNS", "FACTS_COLUMNS", "event_table", "facts_table", "partition_facts"]


# -- the event table --

#: The Parquet event table's columns: one row per (event, actor, role) link.
EVENT_COLUMNS = ("event", "graph", "ordinal", "date", "types", "themes", "actor", "role")


def event_table(data: bytes, items: list[dict[str, Any]]) -> bytes:
    """The event table of a partition's N-Quads ``data`` (its items' graphs one after the other)."""
    import pyarrow as pa

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
    return _parquet(pa.table(_event_rows(data, items), schema=schema))


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


def _parquet(table: Any) -> bytes:
    """A pyarrow table as Parquet bytes, zstd (the same table gives the same bytes: a retried
    partition's files are the first attempt's, tests/test_cluster.py)."""
    import pyarrow.parquet as pq

    out = io.BytesIO()
    pq.write_table(table, out, compression="zstd")
    return out.getvalue()


# -- the facts table --

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


def facts_table(facts: list[ItemFacts]) -> bytes:
    """The facts table of a partition's items (``pNNNNN.facts.parquet``)."""
    import pyarrow as pa

    columns = {name: [getattr(f, name) for f in facts] for name in FACTS_COLUMNS}
    return _parquet(pa.table(columns, schema=_facts_schema()))


# -- reading --


def partition_facts(root: ShardFolder, meta: dict[str, Any]) -> list[ItemFacts]:
    """What grouping needs of each item of a partition, in the order of its items, the file checked
    against its hash."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pid = meta["partition"]["id"]
    name = f"{pid}.facts.parquet"
    raw = root.read_checked(name, meta["facts_sha256"], f"{pid}.json")
    try:
        table = pq.read_table(io.BytesIO(raw))
    except (pa.ArrowException, OSError) as exc:
        raise KgError(f"{root.shown(name)}: unreadable ({exc}); build the shards again") from None
    # a folder may come from anywhere: what grouping decodes is checked here, a line for each fault
    schema = _facts_schema()
    if [(f.name, f.type) for f in table.schema] != [(f.name, f.type) for f in schema] or any(
        table.column(f.name).null_count for f in schema if not f.nullable
    ):
        raise KgError(f"{root.shown(name)}: not a facts table of this kg; build the shards again")
    expected = [ns.item(i["graph"].rsplit("/", 1)[-1]) for i in meta["items"]]
    if table.column("item").to_pylist() != expected:
        raise KgError(f"{root.shown(name)}: its items are not those of {pid}.json; build the shards again")
    columns = [table.column(c).to_pylist() for c in FACTS_COLUMNS]
    facts = [ItemFacts(*row) for row in zip(*columns, strict=True)]
    for n, f in enumerate(facts):
        if not _decodable(f):
            raise KgError(f"{root.shown(name)}: row {n + 1} ({f.item}) cannot be read; build the shards again")
    return facts


def _decodable(facts: ItemFacts) -> bool:
    """Whether grouping can decode ``facts``: whole uint32 arrays, a MinHash of the right length,
    its events as JSON rows of nine values (:func:`kg.same.facts._encoded_reports`): ~15 µs an item."""
    from kg.same.story import PERMUTATIONS

    if len(facts.shingles) % 4 or (facts.signature is not None and len(facts.signature) != 4 * PERMUTATIONS):
        return False
    try:
        reported = json.loads(facts.reported)
        merged = json.loads(facts.merged) if facts.merged is not None else {}
    except ValueError:
        return False
    rows_ok = isinstance(reported, list) and all(isinstance(r, list) and len(r) == 9 for r in reported)
    return rows_ok and isinstance(merged, dict)
