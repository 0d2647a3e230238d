"""Running SPARQL and writing its results in the formats analysts' tools read.

Rows (SELECT, ASK) go out as SPARQL 1.1 results (JSON, XML, CSV, TSV, written by
pyoxigraph) or as a readable table; graphs (CONSTRUCT, DESCRIBE) as Turtle, N-Triples,
JSON-LD or TriG.

>>> from kg.store import KgStore
>>> store = KgStore.memory()
>>> print(render(run(store, "SELECT (1 AS ?one) WHERE {}"), ResultFormat.TABLE), end="")
one
---
1
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
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
    Variable,
    serialize,
)

from kg.errors import KgError, UsageError
from kg.namespaces import PREFIXES
from kg.store import KgStore

__all__ = ["ResultFormat", "inline_values", "render", "run", "term_text"]


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


def run(store: KgStore, query: str, substitutions: dict[Any, Any] | None = None) -> Any:
    """Run ``query`` over the union of all graphs; syntax errors become one clear line."""
    try:
        return store.query(query, substitutions)
    except SyntaxError as exc:
        raise UsageError(f"SPARQL syntax {exc}".replace("syntax error at", "syntax error at line:column")) from None
    except OSError as exc:
        raise KgError(f"query failed: {exc}") from None


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


# -- parameters as a VALUES block --

_TOKENS = re.compile(
    r"""
      (?P<comment>\#[^\n]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'''(?:[^'\\]|\\.|'(?!''))*'''
                 |"(?:[^"\\\n]|\\.)*"
                 |'(?:[^'\\\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<where>(?<![\w?$:])WHERE\b)
    | (?P<open>\{)
    | (?P<close>\})
    """,
    re.VERBOSE | re.IGNORECASE,
)


def inline_values(query: str, substitutions: Mapping[Any, Any]) -> str:
    """``query`` with ``VALUES (?a …) { (term …) }`` first in its outermost WHERE group.

    For a parameter that is a SELECT variable used in the top-level pattern (as named queries'
    parameters are), this gives the same rows as pyoxigraph's ``substitutions``. Comments,
    strings and IRIs are skipped when looking for the top-level ``WHERE {`` (or, in the short
    form ``SELECT * { … }``, the first top-level group). Each term is written by pyoxigraph
    (IRIs and literals escaped), never taken from user text.

    >>> print(inline_values("SELECT ?c ?n WHERE { ?e <http://e/p> ?c }", {Variable("c"): NamedNode("http://e/GTM")}))
    SELECT ?c ?n WHERE {
      VALUES (?c) { (<http://e/GTM>) }
     ?e <http://e/p> ?c }
    """
    if not substitutions:
        return query
    depth = 0
    where_seen = False
    first_group = None
    insert_at = None
    for token in _TOKENS.finditer(query):
        kind = token.lastgroup
        if kind == "where" and depth == 0:
            where_seen = True
        elif kind == "open":
            if depth == 0 and where_seen:
                insert_at = token.end()
                break
            if depth == 0 and first_group is None:
                first_group = token.end()
            depth += 1
        elif kind == "close":
            depth -= 1
    insert_at = insert_at or (None if where_seen else first_group)
    if insert_at is None:
        raise UsageError("cannot bind parameters: the query has no WHERE { … } group")
    names = " ".join(f"?{v.value if isinstance(v, Variable) else v}" for v in substitutions)
    terms = " ".join(str(term) for term in substitutions.values())
    return f"{query[:insert_at]}\n  VALUES ({names}) {{ ({terms}) }}\n{query[insert_at:]}"
