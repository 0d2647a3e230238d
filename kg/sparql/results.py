"""Writing SPARQL results in the formats analysts' tools read.

Rows (SELECT, ASK) go out as SPARQL 1.1 results (JSON, XML, CSV, TSV, written by
pyoxigraph) or as a readable table; graphs (CONSTRUCT, DESCRIBE) as Turtle, N-Triples,
JSON-LD or TriG.

>>> from kg.store import KgStore
>>> store = KgStore.memory()
>>> print(answer(store, "SELECT (1 AS ?one) WHERE {}", ResultFormat.TABLE), end="")
one
---
1
"""

from __future__ import annotations

import enum
from typing import Any

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    serialize,
)

from kg.errors import KgError, UsageError
from kg.namespaces import PREFIXES
from kg.sparql.execute import execute
from kg.store import KgStore

__all__ = [
    "ResultFormat",
    "answer",
    "render",
    "term_text",
]


class ResultFormat(enum.Enum):
    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    XML = "xml"
    TURTLE = "turtle"
    NTRIPLES = "ntriples"
    JSONLD = "jsonld"
    TRIG = "trig"

    @property
    def for_rows(self) -> bool:
        return self in _ROW_FORMATS or self is ResultFormat.TABLE

    @property
    def for_graphs(self) -> bool:
        return self in _GRAPH_FORMATS


_ROW_FORMATS = {
    ResultFormat.CSV: QueryResultsFormat.CSV,
    ResultFormat.TSV: QueryResultsFormat.TSV,
    ResultFormat.JSON: QueryResultsFormat.JSON,
    ResultFormat.XML: QueryResultsFormat.XML,
}
_GRAPH_FORMATS = {
    ResultFormat.TURTLE: RdfFormat.TURTLE,
    ResultFormat.NTRIPLES: RdfFormat.N_TRIPLES,
    ResultFormat.JSONLD: RdfFormat.JSON_LD,
    ResultFormat.TRIG: RdfFormat.TRIG,
}


def answer(store: KgStore, query: str, fmt: ResultFormat | None, keep: bool = False) -> str:
    """Run ``query`` and render its results in ``fmt`` (None: CSV for rows, Turtle for graphs).

    With ``keep`` (a named query), slow results are kept beside the store
    (:func:`kg.sparql.execute.execute`). Evaluation is lazy: the rows are computed while rendering.
    This is the job ``kg sparql`` and ``kg query`` give a :class:`kg.sandbox.Worker`.
    """
    result = execute(store, query, keep=keep)
    chosen = fmt or (ResultFormat.TURTLE if isinstance(result, QueryTriples) else ResultFormat.CSV)
    return render(result, chosen)


def term_text(term: Any) -> str:
    """A term as a person reads it: IRIs compacted with the project prefixes, literals bare."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        iri = term.value
        best = max(
            ((p, ns) for p, ns in PREFIXES.items() if iri.startswith(ns)),
            key=lambda pair: len(pair[1]),
            default=None,
        )
        if best and _is_local(iri[len(best[1]) :]):
            return f"{best[0]}:{iri[len(best[1]) :]}"
        return f"<{iri}>"
    if isinstance(term, Literal):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return str(term)


def _is_local(local: str) -> bool:
    return bool(local) and all(ch.isalnum() or ch in "-_." for ch in local) and not local.endswith(".")


def render(result: Any, fmt: ResultFormat) -> str:
    """Results as text in ``fmt``; raises :class:`UsageError` for a format that cannot hold them."""
    if isinstance(result, QueryBoolean):
        if fmt is ResultFormat.TABLE:
            return ("true" if bool(result) else "false") + "\n"
        if fmt not in _ROW_FORMATS:
            raise UsageError(f"--format {fmt.value} cannot hold an ASK answer; use table, json, xml, csv or tsv")
        return (result.serialize(format=_ROW_FORMATS[fmt]) or b"").decode()
    if isinstance(result, QuerySolutions):
        if fmt is ResultFormat.TABLE:
            return table(result)
        if fmt not in _ROW_FORMATS:
            raise UsageError(f"--format {fmt.value} is for graphs; SELECT results take table, csv, tsv, json or xml")
        return (result.serialize(format=_ROW_FORMATS[fmt]) or b"").decode()
    if isinstance(result, QueryTriples):
        if fmt is ResultFormat.TABLE:
            fmt = ResultFormat.TURTLE
        if fmt not in _GRAPH_FORMATS:
            raise UsageError(
                f"--format {fmt.value} is for rows; CONSTRUCT/DESCRIBE results take turtle, ntriples, jsonld or trig"
            )
        prefixes = dict(PREFIXES) if fmt in (ResultFormat.TURTLE, ResultFormat.TRIG) else None
        return (serialize(list(result), format=_GRAPH_FORMATS[fmt], prefixes=prefixes) or b"").decode()
    raise KgError(f"unexpected result type {type(result).__name__}")


def table(solutions: QuerySolutions) -> str:
    """A plain aligned text table, one row per solution."""
    names = [v.value for v in solutions.variables]
    rows = [[term_text(solution[name]) for name in names] for solution in solutions]
    widths = [max([len(name)] + [len(row[i]) for row in rows]) for i, name in enumerate(names)]
    lines = [
        "  ".join(name.ljust(w) for name, w in zip(names, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"
