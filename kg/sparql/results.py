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

import datetime as dt
import decimal
from collections.abc import Callable
from typing import Any

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    serialize,
)

from kg.errors import KgError, UsageError
from kg.formats import ResultFormat
from kg.namespaces import PREFIXES, XSD, compact
from kg.sparql.execute import execute
from kg.store import KgStore
from kg.text import text_table

__all__ = [
    "answer",
    "render",
    "term_text",
    "to_python",
]


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
        return compact(term.value) or f"<{term.value}>"
    if isinstance(term, Literal):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return str(term)


def render(result: Any, fmt: ResultFormat) -> str:
    """Results as text in ``fmt``; raises :class:`UsageError` for a format that cannot hold them."""
    if isinstance(result, QueryBoolean):
        if fmt is ResultFormat.TABLE:
            return ("true" if bool(result) else "false") + "\n"
        if fmt.results_format is None:
            raise UsageError(f"--format {fmt.value} cannot hold an ASK answer; use table, json, xml, csv or tsv")
        return (result.serialize(format=fmt.results_format) or b"").decode()
    if isinstance(result, QuerySolutions):
        if fmt is ResultFormat.TABLE:
            return table(result)
        if fmt.results_format is None:
            raise UsageError(f"--format {fmt.value} is for graphs; SELECT results take table, csv, tsv, json or xml")
        return (result.serialize(format=fmt.results_format) or b"").decode()
    if isinstance(result, QueryTriples):
        if fmt is ResultFormat.TABLE:
            fmt = ResultFormat.TURTLE
        if fmt.rdf_format is None:
            raise UsageError(
                f"--format {fmt.value} is for rows; CONSTRUCT/DESCRIBE results take turtle, ntriples, jsonld or trig"
            )
        prefixes = dict(PREFIXES) if fmt in (ResultFormat.TURTLE, ResultFormat.TRIG) else None
        return (serialize(list(result), format=fmt.rdf_format, prefixes=prefixes) or b"").decode()
    raise KgError(f"unexpected result type {type(result).__name__}")


def table(solutions: QuerySolutions) -> str:
    """A plain aligned text table, one row per solution."""
    names = [v.value for v in solutions.variables]
    return text_table(names, [[term_text(solution[name]) for name in names] for solution in solutions])


_NUMBERS: dict[str, Callable[[str], Any]] = {
    **{
        XSD[t]: int
        for t in (
            "integer",
            "int",
            "long",
            "short",
            "byte",
            "nonNegativeInteger",
            "positiveInteger",
            "nonPositiveInteger",
            "negativeInteger",
            "unsignedInt",
            "unsignedLong",
            "unsignedShort",
            "unsignedByte",
            "gYear",
        )
    },
    XSD["decimal"]: decimal.Decimal,
    XSD["double"]: float,
    XSD["float"]: float,
    XSD["boolean"]: lambda v: v in ("true", "1"),
    XSD["date"]: dt.date.fromisoformat,
    XSD["dateTime"]: dt.datetime.fromisoformat,
}


def to_python(term: Any) -> Any:
    """A plain Python value: IRIs as str, numbers as int/Decimal/float, dates as date, unbound as None.

    >>> to_python(Literal("14.8", datatype=NamedNode(XSD["decimal"])))
    Decimal('14.8')
    >>> to_python(Literal("2019-06-11", datatype=NamedNode(XSD["date"])))
    datetime.date(2019, 6, 11)
    >>> to_python(NamedNode("https://w3id.org/migkg/id/country/GTM"))
    'https://w3id.org/migkg/id/country/GTM'
    """
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Literal):
        convert = _NUMBERS.get(term.datatype.value)
        if convert is not None:
            try:
                return convert(term.value)
            except (ValueError, ArithmeticError):
                return term.value
        return term.value
    return str(term)
