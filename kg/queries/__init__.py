"""Named queries: ``queries/*.rq``, documented by their header, run with typed parameters.

Each file holds one SPARQL query and starts with a header comment that says what it answers,
which parameters it takes and which columns it returns::

    # title: Events by country
    # description: Events in which a country took part or that took place there,
    #   overlapping a date range (continuation lines are indented).
    # param: country  country  required            ISO 3166-1 alpha-3 code, e.g. GTM
    # param: since    date     default=1900-01-01  first day of the range
    # columns: country, since, until, date, event, type, start, end, title

A parameter is turned into an RDF term of its type (a country code into the country's IRI, a
date into an ``xsd:date`` literal) and bound by a ``VALUES`` row that
:func:`kg.sparql.text.inline_values` puts first in the query's WHERE group, the term written by
pyoxigraph (IRIs and literals escaped), never the user's text. Every parameter is also a
result column: rows say which values produced them. Optional parameters are always bound, to their default.

>>> q = load("events_by_country")
>>> [(p.name, p.type.name, p.default) for p in q.params]
[('country', 'country', None), ('since', 'date', '1900-01-01'), ('until', 'date', '9999-12-31')]
>>> q.bind({"country": "gtm"})[Variable("country")]
<NamedNode value=https://w3id.org/migkg/id/country/GTM>
>>> q.bind({"country": "GTMX"})
Traceback (most recent call last):
...
kg.errors.UsageError: parameter 'country': 'GTMX' is not an ISO 3166-1 alpha-3 code or a country name; did you mean GTM?
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import QuerySolutions, Variable

from kg import namespaces as ns
from kg.errors import KgError, UsageError
from kg.queries.params import PARAM_TYPES, Param, ParamType, Term
from kg.reference import HOME
from kg.sparql.execute import execute, within
from kg.sparql.results import to_python

__all__ = [
    "PARAM_TYPES",
    "QUERY_DIR",
    "NamedQuery",
    "Param",
    "ParamType",
    "catalogue",
    "load",
    "query",
    "rows",
    "run",
]

QUERY_DIR = Path(os.environ.get("MIGKG_QUERIES", HOME / "queries"))
#: Where, under QUERY_DIR, a query that reads the summaries keeps its raw-event form.
RAW_DIR = "raw"

#: The pattern by which a named query counts a canonical event (kg.same) once and leaves its
#: reports out; run with ``reports=True`` it becomes :data:`REPORTS_FILTER`, which counts every
#: report, as each item told it, and no canonical event. A query that reads the summaries
#: (kg.summaries, which count canonical events once) has the pattern in its raw-event form,
#: ``queries/raw/NAME.rq``, which ``reports=True`` runs instead.
CANONICAL_FILTER = "FILTER NOT EXISTS { ?canonical mk:hasReport ?event }"
REPORTS_FILTER = "FILTER NOT EXISTS { ?event mk:hasReport ?report }"
DEFAULT_BASE = "https://w3id.org/migkg/"


# -- named queries --


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    text: str
    raw: str | None = None  # the same rows counted from the raw events, where ``text`` reads the summaries

    def bind(self, values: Mapping[str, object] | None = None) -> dict[Variable, Term]:
        """Substitutions for ``values``, defaults filled in; unknown or missing parameters are a UsageError."""
        values = {k: v for k, v in (values or {}).items() if v is not None}
        names = [p.name for p in self.params]
        for unknown in sorted(set(values) - set(names)):
            takes = f"it takes {', '.join(names)}" if names else "it takes none"
            raise UsageError(f"query {self.name} has no parameter '{unknown}'; {takes}")
        bound: dict[Variable, Term] = {}
        for p in self.params:
            if p.name not in values and p.required:
                raise UsageError(
                    f"parameter '{p.name}' is required by query {self.name} ({p.doc}); pass -p {p.name} VALUE"
                )
            bound[Variable(p.name)] = p.bind(values.get(p.name, p.default))
        return bound

    @property
    def counts_events(self) -> bool:
        """Whether the query counts canonical events once (and takes ``reports``)."""
        return CANONICAL_FILTER in (self.raw or self.text)

    def text_for(self, values: Mapping[str, object] | None = None, *, reports: bool = False, raw: bool = False) -> str:
        """The query text with ``values`` (defaults filled in) bound by a ``VALUES`` row; with
        ``reports``, every report of an event counted instead of its canonical event; with
        ``reports`` or ``raw``, the raw-event form of a query that reads the summaries.

        A VALUES row, not pyoxigraph substitutions: Oxigraph plans its joins from a VALUES row
        but not from a substituted variable (``organization_partners`` at 100k items: 7.5 s with
        substitutions, 0.07 s with VALUES), and embedded and remote stores run the same text.
        """
        from kg.sparql.text import inline_values

        text = self.raw if (reports or raw) and self.raw else self.text
        if reports:
            text = text.replace(CANONICAL_FILTER, REPORTS_FILTER)
        return inline_values(text, self.bind(values))

    def describe(self) -> dict[str, Any]:
        """The query as the page and other clients see it (``GET /queries``)."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "params": [
                {
                    "name": p.name,
                    "type": p.type.name,
                    "type_help": p.type.help,
                    "required": p.required,
                    "default": p.default,
                    "doc": p.doc,
                    "example": p.example,
                }
                for p in self.params
            ],
            "columns": list(self.columns),
            "reports": self.counts_events,  # takes reports=1: every report of an event, not the event once
            "url": f"/queries/{self.name}",
            "sparql": self.text,
        }

    def usage(self) -> str:
        """One line: the parameters as a command line would take them."""
        return " ".join(
            f"-p {p.name} {p.type.name.upper()}" if p.required else f"[-p {p.name} {p.default}]" for p in self.params
        )


_HEADER = re.compile(r"#\s*(title|description|param|columns)\s*:\s*(.*)")


def parse(text: str, name: str, raw: str | None = None) -> NamedQuery:
    """Read the header comment of a query file; a malformed header is a KgError naming the line.
    ``raw``: the text of its raw-event form, if it reads the summaries."""
    fields: dict[str, list[str]] = {"title": [], "description": [], "param": [], "columns": []}
    last: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        match = _HEADER.fullmatch(line.strip())
        if match:
            last = match[1]
            fields[last].append(match[2].strip())
        elif last == "description" and line.startswith("#  ") and line[1:].strip():
            fields["description"][-1] += " " + line[1:].strip()
        elif line[1:].strip():
            raise KgError(f"queries/{name}.rq:{number}: unexpected header line {line!r}")
    if len(fields["title"]) != 1 or len(fields["columns"]) != 1:
        raise KgError(f"queries/{name}.rq: the header needs one '# title:' and one '# columns:' line")
    params = []
    for spec in fields["param"]:
        match = re.fullmatch(r"(\w+)\s+(\w+)\s+(required|default=\S+)\s*(.*)", spec)
        if not match or match[2] not in PARAM_TYPES:
            raise KgError(
                f"queries/{name}.rq: bad '# param: {spec}' (want NAME TYPE required|default=VALUE DOC; "
                f"types: {', '.join(PARAM_TYPES)})"
            )
        default = None if match[3] == "required" else match[3].removeprefix("default=")
        params.append(Param(match[1], PARAM_TYPES[match[2]], default, match[4]))
    columns = tuple(c.strip() for c in fields["columns"][0].split(",") if c.strip())
    if ns.BASE != DEFAULT_BASE:  # the files declare the default base; follow MIGKG_BASE
        text = text.replace(f"<{DEFAULT_BASE}", f"<{ns.BASE}")
        raw = raw.replace(f"<{DEFAULT_BASE}", f"<{ns.BASE}") if raw is not None else None
    title, description = fields["title"][0], " ".join(fields["description"])
    return NamedQuery(name, title, description, tuple(params), columns, text, raw)


@functools.cache
def _load_file(path: Path, mtime: float, raw_mtime: float | None) -> NamedQuery:
    raw = path.parent / RAW_DIR / path.name
    return parse(
        path.read_text(encoding="utf-8"), path.stem, raw.read_text(encoding="utf-8") if raw_mtime is not None else None
    )


def load(name: str) -> NamedQuery:
    """The named query ``queries/NAME.rq`` (and its raw-event form ``queries/raw/NAME.rq`` where
    there is one); an unknown name is a UsageError listing the known ones."""
    path = QUERY_DIR / f"{name}.rq"
    if not re.fullmatch(r"[\w-]+", name) or not path.is_file():
        known = ", ".join(q.name for q in catalogue()) or "none"
        raise UsageError(f"no named query '{name}' in {QUERY_DIR}; known: {known}")
    raw = QUERY_DIR / RAW_DIR / path.name
    return _load_file(path, path.stat().st_mtime, raw.stat().st_mtime if raw.is_file() else None)


def catalogue() -> list[NamedQuery]:
    """Every named query, by name."""
    return [load(path.stem) for path in sorted(QUERY_DIR.glob("*.rq"))]


# -- running --


def run(
    store: Any, name: str, params: Mapping[str, object] | None = None, *, reports: bool = False, raw: bool = False
) -> Any:
    """Run a named query over ``store`` (embedded or remote); returns pyoxigraph query results.
    With ``reports``, an event reported by several items counts once per report; with ``raw``,
    a query that reads the summaries counts the raw events instead (the same rows, slower)."""
    return execute(store, load(name).text_for(params, reports=reports, raw=raw), keep=True)


def rows(result: Any) -> list[dict[str, Any]]:
    """SELECT results as a list of ``{column: value}`` dicts of plain Python values."""
    if not isinstance(result, QuerySolutions):
        raise UsageError("only SELECT queries give rows")
    names = [v.value for v in result.variables]
    return [{name: to_python(solution[name]) for name in names} for solution in result]


def query(
    name: str,
    /,
    *,
    store: Any = None,
    timeout: float | None = None,
    reports: bool = False,
    raw: bool = False,
    **params: object,
) -> list[dict[str, Any]]:
    """Run the named query ``name`` and return its rows as dicts of plain Python values.

    ``store`` is a store folder, a SPARQL server URL or an open store (default: ``.kg/store``
    or ``$MIGKG_STORE``). Parameters are keyword arguments, as strings or Python values.
    ``reports=True`` counts every report of an event reported by several items, not the event once;
    ``raw=True`` counts the raw events where the query reads the summaries (a store without them).

    >>> from kg.store import KgStore
    >>> query("events_by_country", store=KgStore.memory(), country="GTM")
    []
    """
    from kg.store import DEFAULT_STORE, open_store

    if store is None or isinstance(store, str | os.PathLike):
        with open_store(str(store or DEFAULT_STORE)) as opened:
            if timeout and hasattr(opened, "timeout"):
                opened.timeout = timeout  # a remote store also closes its HTTP request
            return within(timeout, lambda: rows(run(opened, name, params, reports=reports, raw=raw)))
    return within(timeout, lambda: rows(run(store, name, params, reports=reports, raw=raw)))
