"""The work ``kg serve`` does on a store: each job a function ``job(store, *args)``.

:class:`~kg.serve.runner.Runner` runs them in worker processes (or, for a store in memory, in
threads); they are plain functions of a store, so they are tested without a server.

- :func:`run_sparql` answers a SPARQL query (:class:`SparqlJob`) with a serialized
  :class:`Answer`, its rows capped at ``max_rows`` and its body at ``max_bytes``: the first
  rows are kept, and the answer says the result was cut;
- :func:`network_json` is a cooperation network as node-link JSON, laid out for the page;
- :func:`store_counts` counts graphs and quads.

>>> from kg.store import KgStore
>>> from kg.formats import WireFormat
>>> job = SparqlJob("SELECT ?n WHERE { VALUES ?n { 1 2 3 } }", rows_format=WireFormat.CSV, max_rows=2)
>>> answer = run_sparql(KgStore.memory(), job)
>>> answer.body, answer.rows, answer.truncated
(b'n\\r\\n1\\r\\n2\\r\\n', 2, True)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import (
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    parse_query_results,
    serialize,
)

from kg.errors import QuerySyntaxError
from kg.formats import WireFormat
from kg.namespaces import PREFIXES
from kg.sandbox import QueryTimeout
from kg.serve.protocol import ProtocolError
from kg.sparql.execute import execute
from kg.store import KgStore

__all__ = ["Answer", "SparqlJob", "network_json", "run_sparql", "store_counts"]

# How many rows a job produces between two looks at the clock.
_CHECK_EVERY = 512


@dataclass(frozen=True)
class Answer:
    """A serialized result: the body, its format, and how many rows (or triples) it holds."""

    body: bytes
    format: WireFormat
    rows: int | None = None
    truncated: bool = False
    seconds: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SparqlJob:
    """A query to answer: its text, its protocol dataset, the formats the client takes for rows
    and for graphs (None: it takes none of that kind), the caps, and whether slow results are
    kept beside the store (named queries)."""

    query: str
    rows_format: WireFormat | None = None
    graphs_format: WireFormat | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int = 100_000
    max_bytes: int = 64 << 20
    deadline: float | None = None
    keep: bool = False


def _start(store: KgStore, job: SparqlJob) -> Any:
    """Start ``job.query`` on ``store``: the protocol dataset if given, else the query's own FROM
    clauses, else the union of all graphs as the default graph. The project prefixes (mk:,
    schema:, ctry:, ...) are predeclared, as in ``kg sparql``. A syntax error becomes a 400
    :class:`ProtocolError` naming line and column."""
    try:
        return execute(
            store, job.query, keep=job.keep, default_graphs=job.default_graphs, named_graphs=job.named_graphs
        )
    except QuerySyntaxError as exc:
        where = {"X-Migkg-Error-Line": str(exc.line), "X-Migkg-Error-Column": str(exc.column)} if exc.line else {}
        raise ProtocolError(400, str(exc), where) from None


def _lines(items: Any, cell: Callable[[Any], str], job: SparqlJob) -> tuple[list[str], bool]:
    """Each item as a line of text, the first ``max_rows`` of them, fewer once they hold
    ``max_bytes``; and whether some were left out."""
    kept: list[str] = []
    size = 0
    for item in items:
        if len(kept) >= job.max_rows or size > job.max_bytes:
            return kept, True
        if job.deadline is not None and len(kept) % _CHECK_EVERY == 0 and time.monotonic() > job.deadline:
            raise QueryTimeout("the query ran out of time")
        line = cell(item)
        size += len(line) + 1
        kept.append(line)
    return kept, False


def _within_bytes(lines: list[str], write: Callable[[list[str]], bytes], max_bytes: int) -> tuple[bytes, int]:
    """``write(lines)``, cut to fewer lines until it holds at most ``max_bytes``."""
    body = write(lines)
    while len(body) > max_bytes and lines:
        lines = lines[: int(len(lines) * max_bytes / len(body) * 0.95)]
        body = write(lines)
    return body, len(lines)


def run_sparql(store: KgStore, job: SparqlJob) -> Answer:
    """Evaluate and serialize ``job`` (a job for :class:`Runner`)."""
    started = time.monotonic()
    result = _start(store, job)
    for_rows = not isinstance(result, QueryTriples)
    fmt = job.rows_format if for_rows else job.graphs_format
    if fmt is None:
        what = "SELECT and ASK results" if for_rows else "CONSTRUCT and DESCRIBE graphs"
        offered = ", ".join(f.value for f in WireFormat if f.for_rows == for_rows)
        raise ProtocolError(406, f"none of the accepted types fits; {what} come as {offered}")
    if isinstance(result, QueryBoolean):
        body = _written(result.serialize(format=fmt.results_format))
        return Answer(body, fmt, seconds=time.monotonic() - started)
    if isinstance(result, QuerySolutions):
        variables = [v.value for v in result.variables]
        header = "\t".join(f"?{v}" for v in variables)

        def tsv_row(row: Any) -> str:
            return "\t".join("" if row[i] is None else str(row[i]) for i in range(len(variables)))

        def write_rows(lines: list[str]) -> bytes:
            # the kept rows go through pyoxigraph's TSV reader, whose cells are N-Triples terms:
            # nothing is lost on the way to the format asked for
            solutions = parse_query_results("\n".join([header, *lines]) + "\n", QueryResultsFormat.TSV)
            assert isinstance(solutions, QuerySolutions)
            return _written(solutions.serialize(format=fmt.results_format))

        lines, truncated = _lines(result, tsv_row, job)
        body, count = _within_bytes(lines, write_rows, job.max_bytes)
        return Answer(body, fmt, count, truncated or count < len(lines), time.monotonic() - started)
    prefixes = dict(PREFIXES) if fmt in (WireFormat.TURTLE, WireFormat.RDFXML) else None

    def write_triples(lines: list[str]) -> bytes:
        from pyoxigraph import RdfFormat, parse

        triples = list(parse("".join(lines), format=RdfFormat.N_TRIPLES))
        return _written(serialize(triples, format=fmt.rdf_format, prefixes=prefixes))

    lines, truncated = _lines(result, lambda t: f"{t} .\n", job)
    body, count = _within_bytes(lines, write_triples, job.max_bytes)
    return Answer(body, fmt, count, truncated or count < len(lines), time.monotonic() - started)


def _written(data: bytes | None) -> bytes:
    """What a pyoxigraph serializer returned when given no output file (always bytes)."""
    assert data is not None
    return data


def store_counts(store: KgStore) -> tuple[int, int]:
    """``(graphs, quads)`` of ``store`` (a job for :class:`Runner`)."""
    return store.graph_count(), store.triple_count()


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity; such metrics go out as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_finite(v) for v in (sorted(value) if isinstance(value, set | frozenset) else value)]
    return value


def network_json(store: Any, kind: str, filters: Any = None) -> dict[str, Any]:
    """A cooperation network with its node metrics, as node-link JSON (``nodes``, ``links``)."""
    import networkx as nx

    from kg.network import network
    from kg.network.draw import _layout  # the layout of `kg network -o net.png`, for the same picture
    from kg.network.metrics import annotate, node_metrics

    graph = network(store, kind, filters)
    if graph.number_of_nodes():
        annotate(graph, node_metrics(graph))
        positions = _layout(graph, seed=42)
        xs, ys = [p[0] for p in positions.values()], [p[1] for p in positions.values()]
        span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
        for node, (x, y) in positions.items():  # into a box of about the view's size, y downwards
            graph.nodes[node]["x"] = round(float((x - min(xs)) / span * 600), 1)
            graph.nodes[node]["y"] = round(float((max(ys) - y) / span * 600), 1)
    data = nx.node_link_data(graph, edges="links")
    return _finite(data)
