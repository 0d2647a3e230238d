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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
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

__all__ = [
    "ResultFormat",
    "Token",
    "answer",
    "declared_prefixes",
    "declares_dataset",
    "depth",
    "inline_values",
    "render",
    "run",
    "significant",
    "syntax_message",
    "term_text",
    "tokens",
    "unescape_iri",
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


_ERROR_AT = re.compile(r"error at (\d+):(\d+): (.*)", re.S)
_EXPECTED = re.compile(r'"(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^,\s][^,]*')


def _expected(items: str) -> str:
    """The parser's alternatives without its character classes (``['A' ..= 'Z' | ...]``)."""
    found = [item.strip() for item in _EXPECTED.findall(items)]
    kept = [item for item in found if not item.startswith("[")]
    if len(kept) < len(found):
        kept.append("a name or number")
    return ", ".join(kept)


def syntax_message(error: SyntaxError) -> tuple[str, int | None, int | None]:
    """pyoxigraph's parse error as one sentence, with its line and column when it gives them.

    >>> syntax_message(SyntaxError("error at 2:7: expected one of HAVING, LIMIT, ['0'..='9']"))
    ('SPARQL syntax error at line 2, column 7: expected one of HAVING, LIMIT, a name or number', 2, 7)
    """
    text = str(error)
    match = _ERROR_AT.fullmatch(text)
    if not match:
        return f"SPARQL syntax error: {text}", None, None
    detail = " ".join(match[3].split())
    if "Prefix not found" in detail:
        detail = "undeclared prefix (add a PREFIX line)"
    elif detail.startswith("expected one of "):
        detail = "expected one of " + _expected(detail.removeprefix("expected one of "))
    return f"SPARQL syntax error at line {match[1]}, column {match[2]}: {detail}", int(match[1]), int(match[2])


def run(store: KgStore, query: str, substitutions: dict[Any, Any] | None = None) -> Any:
    """Run ``query`` over the union of all graphs; syntax errors become one clear line."""
    try:
        return store.query(query, substitutions)
    except SyntaxError as exc:
        raise UsageError(syntax_message(exc)[0]) from None
    except OSError as exc:
        raise KgError(f"query failed: {exc}") from None


def answer(store: KgStore, query: str, fmt: ResultFormat | None, keep: bool = False) -> str:
    """Run ``query`` and render its results in ``fmt`` (None: CSV for rows, Turtle for graphs).

    With ``keep`` (a named query), slow results are kept beside the store
    (:func:`kg.queries.evaluate`). Evaluation is lazy: the rows are computed while rendering.
    This is the job ``kg sparql`` and ``kg query`` give a :class:`kg.sandbox.Worker`.
    """
    if keep:
        from kg.queries import evaluate

        result = evaluate(store, query)
    else:
        result = run(store, query)
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


# -- reading query text --

_TOKENS = re.compile(
    r"""
      (?P<comment>\#[^\n]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'''(?:[^'\\]|\\.|'(?!''))*'''
                 |"(?:[^"\\\n]|\\.)*"
                 |'(?:[^'\\\n]|\\.)*')
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    | (?P<variable>[?$]\w+)
    | (?P<name>(?:[^\W\d](?:[\w.-]*[\w-])?)?:(?:[\w:%-]|\\.|\.(?=[\w:%\\-]))*)
    | (?P<word>[^\W\d]\w*)
    | (?P<open>[({[])
    | (?P<close>[)}\]])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Token:
    """A lexeme of a SPARQL query: its kind (``comment``, ``string``, ``iri``, ``variable``,
    ``name`` for a prefixed name, ``word`` for a keyword or function name, ``open``, ``close``),
    its text and where it starts."""

    kind: str
    text: str
    start: int
    end: int

    def is_keyword(self, keyword: str) -> bool:
        return self.kind == "word" and self.text.upper() == keyword


def tokens(query: str) -> Iterator[Token]:
    """The lexemes of ``query`` that matter to the checks and rewrites made before it runs.

    Strings, IRIs and comments are single tokens, so that a keyword, a bracket or a ``#``
    inside them is never taken for one outside. Numbers, operators and punctuation other than
    brackets are skipped.

    >>> [(t.kind, t.text) for t in tokens('SELECT ?s WHERE { ?s ex:p "}" } # }')]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('word', 'SELECT'), ('variable', '?s'), ('word', 'WHERE'), ('open', '{'), ('variable', '?s'),
     ('name', 'ex:p'), ('string', '"}"'), ('close', '}'), ('comment', '# }')]
    """
    for match in _TOKENS.finditer(query):
        kind = match.lastgroup
        assert kind is not None
        yield Token(kind, match[0], match.start(), match.end())


def significant(query: str) -> list[Token]:
    """:func:`tokens` without the comments."""
    return [t for t in tokens(query) if t.kind != "comment"]


def declares_dataset(query: str) -> bool:
    """Whether ``query`` has its own FROM or FROM NAMED clause (then it is not given the union).

    >>> declares_dataset("SELECT * FROM <http://g/1> WHERE { ?s ?p ?o }")
    True
    >>> declares_dataset('SELECT * WHERE { ?s ?p "FROM <x>" } # FROM <y>')
    False
    """
    found = significant(query)
    for i, token in enumerate(found[:-1]):
        if token.is_keyword("FROM"):
            following = found[i + 2] if found[i + 1].is_keyword("NAMED") and i + 2 < len(found) else found[i + 1]
            if following.kind in ("iri", "name"):
                return True
    return False


def depth(query: str) -> int:
    """How deeply brackets (``{``, ``(``, ``[``) nest in ``query``, outside strings, IRIs and comments.

    >>> depth("SELECT * WHERE { FILTER((1 + 2) > 0) }"), depth('ASK { "((((" }')
    (3, 1)
    """
    level = deepest = 0
    for token in tokens(query):
        if token.kind == "open":
            level += 1
            deepest = max(deepest, level)
        elif token.kind == "close":
            level -= 1
    return deepest


def unescape_iri(text: str) -> str:
    r"""An IRI token's value: without its ``<>``, with ``\uXXXX`` and ``\UXXXXXXXX`` escapes decoded.

    >>> unescape_iri(r"<http://e/\u0078>")
    'http://e/x'
    """
    return re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})", lambda m: chr(int(m[1] or m[2], 16)), text[1:-1])


def declared_prefixes(query: str) -> dict[str, str]:
    """The ``PREFIX p: <iri>`` declarations of ``query`` (prefix without its colon -> IRI).

    >>> declared_prefixes("PREFIX ex: <http://e/> PREFIX : <http://d/> ASK {}")
    {'ex': 'http://e/', '': 'http://d/'}
    """
    found = significant(query)
    declared = {}
    for i, token in enumerate(found[:-2]):
        if token.is_keyword("PREFIX") and found[i + 1].kind == "name" and found[i + 2].kind == "iri":
            declared[found[i + 1].text[:-1]] = unescape_iri(found[i + 2].text)
    return declared


# -- parameters as a VALUES block --


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
    level = 0
    where_seen = False
    first_group = None
    insert_at = None
    for token in tokens(query):
        if token.is_keyword("WHERE") and level == 0:
            where_seen = True
        elif token.text == "{":
            if level == 0 and where_seen:
                insert_at = token.end
                break
            if level == 0 and first_group is None:
                first_group = token.end
            level += 1
        elif token.text == "}":
            level -= 1
    insert_at = insert_at or (None if where_seen else first_group)
    if insert_at is None:
        raise UsageError("cannot bind parameters: the query has no WHERE { … } group")
    names = " ".join(f"?{v.value if isinstance(v, Variable) else v}" for v in substitutions)
    terms = " ".join(str(term) for term in substitutions.values())
    return f"{query[:insert_at]}\n  VALUES ({names}) {{ ({terms}) }}\n{query[insert_at:]}"
