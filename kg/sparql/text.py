"""Reading SPARQL text without running it: a lexer (:func:`tokens`), the checks made before a
query is parsed (:func:`depth`, :func:`declares_dataset`, :func:`declared_prefixes`), parameters
bound as a ``VALUES`` row (:func:`inline_values`), and pyoxigraph's parse errors as one sentence
(:func:`syntax_message`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pyoxigraph import Variable

from kg.errors import UsageError

__all__ = [
    "Token",
    "declared_prefixes",
    "declares_dataset",
    "depth",
    "inline_values",
    "significant",
    "syntax_message",
    "tokens",
    "unescape_iri",
    "with_prefixes",
]

_ERROR_AT = re.compile(r"error at (\d+):(\d+): (.*)", re.S)
_EXPECTED = re.compile(r'"(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^,\s][^,]*')


def _expected(items: str) -> str:
    """The parser's alternatives without its character classes (``['A' ..= 'Z' | ...]``)."""
    found = [item.strip() for item in _EXPECTED.findall(items)]
    kept = [item for item in found if not item.startswith("[")]
    if len(kept) < len(found):
        kept.append("a name or number")
    return ", ".join(kept)


def syntax_message(error: SyntaxError, query: str = "") -> tuple[str, int | None, int | None]:
    """pyoxigraph's parse error as one sentence, with its line and column when it gives them, and
    the undeclared prefix named when ``query`` (the text parsed) is given.

    >>> syntax_message(SyntaxError("error at 2:7: expected one of HAVING, LIMIT, ['0'..='9']"))
    ('SPARQL syntax error at line 2, column 7: expected one of HAVING, LIMIT, a name or number', 2, 7)
    >>> print(syntax_message(SyntaxError("error at 1:10: Prefix not found"), "ASK { x:y ?p ?o }")[0])
    SPARQL syntax error at line 1, column 10: undeclared prefix 'x:' (add a PREFIX line; `kg vocab` lists kg's prefixes)
    """
    text = str(error)
    match = _ERROR_AT.fullmatch(text)
    if not match:
        return f"SPARQL syntax error: {text}", None, None
    detail = " ".join(match[3].split())
    if "Prefix not found" in detail:
        detail = "undeclared prefix (add a PREFIX line)"
        lines = query.splitlines()
        if 1 <= int(match[1]) <= len(lines):
            name = re.search(r"([A-Za-z][\w.-]*)?:[\w.-]*$", lines[int(match[1]) - 1][: int(match[2]) - 1])
            if name:
                prefix = name[1] or ""
                detail = f"undeclared prefix '{prefix}:' (add a PREFIX line; `kg vocab` lists kg's prefixes)"
    elif detail.startswith("expected one of "):
        detail = "expected one of " + _expected(detail.removeprefix("expected one of "))
    return f"SPARQL syntax error at line {match[1]}, column {match[2]}: {detail}", int(match[1]), int(match[2])


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


def with_prefixes(query: str, prefixes: Mapping[str, str]) -> str:
    """``query`` with a ``PREFIX`` line first for each of ``prefixes`` that it uses (in a prefixed
    name outside strings, IRIs and comments) but does not declare: the text a SPARQL server is sent,
    where an embedded store is given the prefixes themselves.

    >>> print(with_prefixes("ASK { ?x a mk:Event } # ex:x", {"mk": "https://w3id.org/migkg/ontology#", "ex": "http://e/"}))
    PREFIX mk: <https://w3id.org/migkg/ontology#>
    ASK { ?x a mk:Event } # ex:x
    """
    found = significant(query)
    declared = declared_prefixes(query)
    used = {t.text.split(":", 1)[0] for t in found if t.kind == "name"}
    lines = [f"PREFIX {p}: <{prefixes[p]}>" for p in sorted(used) if p in prefixes and p not in declared]
    return "\n".join([*lines, query]) if lines else query


# -- parameters as a VALUES block --


def inline_values(query: str, substitutions: Mapping[Any, Any]) -> str:
    """``query`` with ``VALUES (?a …) { (term …) }`` first in its outermost WHERE group.

    For a parameter that is a SELECT variable used in the top-level pattern (as named queries'
    parameters are), this gives the same rows as pyoxigraph's ``substitutions``. Comments,
    strings and IRIs are skipped when looking for the top-level ``WHERE {`` (or, in the short
    form ``SELECT * { … }``, the first top-level group). Each term is written by pyoxigraph
    (IRIs and literals escaped), never taken from user text.

    >>> from pyoxigraph import NamedNode
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
