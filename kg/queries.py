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

import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, QuerySolutions, Variable

from kg import namespaces as ns
from kg.errors import KgError, UsageError
from kg.namespaces import XSD
from kg.reference import HOME, Reference
from kg.reference import load as load_reference
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

#: The pattern by which a named query counts a canonical event (kg.same) once and leaves its
#: reports out; run with ``reports=True`` it becomes :data:`REPORTS_FILTER`, which counts every
#: report, as each item told it, and no canonical event.
CANONICAL_FILTER = "FILTER NOT EXISTS { ?canonical mk:hasReport ?event }"
REPORTS_FILTER = "FILTER NOT EXISTS { ?event mk:hasReport ?report }"
#: The same switch in a query that reads the summaries (kg.summaries): observations that count
#: canonical events once, or (``reports=True``) every report.
CANONICAL_SUMMARY = 'mk:counting "events"'
REPORTS_SUMMARY = 'mk:counting "reports"'
DEFAULT_BASE = "https://w3id.org/migkg/"

Term = NamedNode | Literal


# -- parameter types --


@dataclass(frozen=True)
class ParamType:
    """A kind of parameter: how a value typed by a person becomes an RDF term."""

    name: str
    help: str
    convert: Callable[[str], Term]  # raises ValueError with the reason


def suggest(value: str, candidates: Mapping[str, str], n: int = 3) -> str:
    """``"; did you mean X or Y?"`` for the candidates nearest ``value`` (keys are the names
    compared, values what to suggest), or ``""`` when none is near.

    >>> suggest("smugling", {"smuggling": "smuggling", "trafficking": "trafficking"})
    '; did you mean smuggling?'
    """
    import difflib

    folded = {k.casefold(): v for k, v in sorted(candidates.items())}
    near = difflib.get_close_matches(value.strip().casefold(), list(folded), n=n * 3, cutoff=0.75)
    found = list(dict.fromkeys(folded[k] for k in near))[:n]
    return f"; did you mean {' or '.join(found)}?" if found else ""


def _country_names(refs: Reference) -> dict[str, str]:
    """Every name of every country (English, Spanish, official, aliases), folded -> ISO3."""
    names: dict[str, str] = {}
    for code, c in sorted(refs.countries.items()):
        for name in (c.name_en, c.name_es, c.official_name_en, *c.aliases_en, *c.aliases_es):
            if name:
                names.setdefault(name.casefold(), code)
    return names


def _country(text: str, refs: Reference | None = None) -> NamedNode:
    """An ISO3 code or a country's name (English or Spanish): ``GTM``, ``Guatemala``."""
    refs = refs or load_reference()
    code = text.strip().upper()
    known = refs.countries
    if known and code not in known:
        code = _country_names(refs).get(text.strip().casefold(), code)
    if not re.fullmatch(r"[A-Z]{3}", code) or (known and code not in known):
        candidates = {c: c for c in known} | {
            name: f"{c} ({known[c].name_en})" for name, c in _country_names(refs).items()
        }
        raise ValueError(f"{text!r} is not an ISO 3166-1 alpha-3 code or a country name{suggest(text, candidates)}")
    return NamedNode(ns.country(code))


def _date(text: str) -> Literal:
    value = text.strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    return Literal(day.isoformat(), datatype=NamedNode(XSD["date"]))


def _integer(text: str) -> Literal:
    if not re.fullmatch(r"\s*[+-]?\d+\s*", text):
        raise ValueError(f"{text!r} is not an integer")
    return Literal(str(int(text)), datatype=NamedNode(XSD["integer"]))


def _gcm(text: str) -> NamedNode:
    match = re.fullmatch(r"(?:gcm:)?(?:objective-)?(\d{1,2})", text.strip(), re.I)
    if not match or not 1 <= int(match[1]) <= 23:
        raise ValueError(f"{text!r} is not a GCM objective number (1 to 23)")
    return NamedNode(ns.concept("gcm", f"objective-{int(match[1])}"))


_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# What an organisation's or region's name may contain; anything else (<, >, {, ;, #, quotes) is rejected.
_NAME = re.compile(r"[\w .,'’&()/-]+")


@functools.cache
def scheme_ids(scheme: str) -> dict[str, str]:
    """The concepts of ``ontology/vocab/{scheme}.ttl``: local id -> English label (empty if no file)."""
    from pyoxigraph import RdfFormat
    from pyoxigraph import parse as parse_rdf

    path = HOME / "ontology" / "vocab" / f"{scheme}.ttl"
    if not path.exists():
        return {}
    base, ids, labels = ns.SCHEMES[scheme], set(), {}
    for t in parse_rdf(path=str(path), format=RdfFormat.TURTLE):
        s = t.subject.value if isinstance(t.subject, NamedNode) else ""
        if not s.startswith(base):
            continue
        if t.predicate.value == ns.SKOS["inScheme"]:
            ids.add(s[len(base) :])
        elif t.predicate.value == ns.SKOS["prefLabel"] and isinstance(t.object, Literal) and t.object.language == "en":
            labels[s[len(base) :]] = t.object.value
    return {i: labels.get(i, i) for i in sorted(ids)}


def _theme(text: str) -> NamedNode:
    local = text.strip().lower().removeprefix("theme:")
    known = scheme_ids("theme")
    if not _SLUG.fullmatch(local) or (known and local not in known):
        candidates = {i: i for i in known} | {label: i for i, label in known.items()}
        hint = suggest(local, candidates) or f"; `kg vocab` lists the themes ({', '.join(list(known)[:4])}, ...)"
        raise ValueError(f"{text!r} is not a theme id{hint}")
    return NamedNode(ns.concept("theme", local))


def _organization(text: str, refs: Reference | None = None, also: Mapping[str, str] | None = None) -> NamedNode:
    """A slug, acronym or name of an organisation; unknown names map to the slug the extractor
    mints, unless they are a near miss of a known organisation (or of ``also``: name -> suggestion)."""
    value = text.strip().removeprefix("org:")
    orgs = (refs or load_reference()).organizations
    if value in orgs:
        return NamedNode(ns.org(value))
    folded = value.casefold()
    matches = sorted(
        slug
        for slug, o in orgs.items()
        if folded in {n.casefold() for n in (o.name_en, o.name_es, *o.acronyms_en, *o.acronyms_es, *o.aliases) if n}
    )
    if len(matches) == 1:
        return NamedNode(ns.org(matches[0]))
    if len(matches) > 1:
        raise ValueError(f"{text!r} names several organisations ({', '.join(matches)}); pass the slug")
    # Not in the registry: the slug the extractor mints for an organisation it met in the text,
    # unless the value is a near miss of a known one (a typo returns no rows, silently).
    explicit = text.strip().startswith("org:")
    if not explicit:
        candidates = {slug: slug for slug in orgs} | {
            n: slug for slug, o in orgs.items() for n in (o.name_en, o.name_es, *o.acronyms_en, *o.acronyms_es) if n
        }
        hint = suggest(value, {**candidates, **(also or {})})
        if hint:
            what = "a country or an organisation" if also else "an organisation"
            raise ValueError(f"{text!r} is not {what} of the registry{hint} (org:SLUG takes any slug as it is)")
    if _SLUG.fullmatch(value):
        return NamedNode(ns.org(value))
    if value and _NAME.fullmatch(value):
        return NamedNode(ns.org(ns.slugify(value)))
    raise ValueError(f"{text!r} is not an organisation slug, acronym or name")


def _region(text: str, refs: Reference | None = None) -> NamedNode:
    """A region id (m49-013, north-of-central-america), an M49 code (013) or a region name."""
    value = text.strip().removeprefix("region:")
    regions = (refs or load_reference()).regions
    if re.fullmatch(r"\d{3}", value):
        value = f"m49-{value}"
    if value in regions:
        return NamedNode(ns.region(value))
    folded = value.casefold()
    for region_id, r in sorted(regions.items()):
        if folded in {n.casefold() for n in (r.label_en, r.label_es, *r.aliases_en, *r.aliases_es) if n}:
            return NamedNode(ns.region(region_id))
    if not regions and _SLUG.fullmatch(value):
        return NamedNode(ns.region(value))
    candidates = {region_id: region_id for region_id in regions} | {
        n: f"{r.label_en} ({region_id})" for region_id, r in regions.items() for n in (r.label_en, r.label_es) if n
    }
    raise ValueError(f"{text!r} is not a region id, M49 code or region name{suggest(value, candidates)}")


def _entity(text: str, refs: Reference | None = None) -> NamedNode:
    """A country code, an organisation, ``kind:key`` (country, org, place, region) or a full IRI."""
    value = text.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if re.match(r"https?://", value):
        try:
            return NamedNode(value)
        except ValueError:
            raise ValueError(f"{text!r} is not a valid IRI") from None
    kind, sep, key = value.partition(":")
    if sep:
        if kind == "country":
            return _country(key, refs)
        if kind == "org":
            return _organization(value, refs)
        if kind == "region":
            return _region(key, refs)
        if kind == "place" and re.fullmatch(r"[\w-]+", key):
            return NamedNode(ns.place(key))
        raise ValueError(f"{text!r} is not country:ISO3, org:SLUG, place:KEY, region:ID or an IRI")
    refs = refs or load_reference()
    if value.upper() in refs.countries:
        return NamedNode(ns.country(value))
    names = _country_names(refs)
    if value.casefold() in names:  # "Guatemala" is the country, not an organisation slug
        return _country(value, refs)
    return _organization(
        value, refs, also={name: f"{code} ({refs.countries[code].name_en})" for name, code in names.items()}
    )


PARAM_TYPES: dict[str, ParamType] = {
    t.name: t
    for t in (
        ParamType("country", "ISO 3166-1 alpha-3 code (GTM); becomes the country's IRI", _country),
        ParamType("date", "YYYY-MM-DD; becomes an xsd:date", _date),
        ParamType("integer", "a whole number; becomes an xsd:integer", _integer),
        ParamType("gcm", "GCM objective number 1-23; becomes gcm:objective-N", _gcm),
        ParamType("theme", "theme id (smuggling); becomes the theme concept", _theme),
        ParamType("organization", "slug (iom), acronym (IOM) or name; becomes the organisation's IRI", _organization),
        ParamType("region", "region id (m49-013), M49 code (013) or name; becomes the region's IRI", _region),
        ParamType("entity", "country code, organisation, kind:key (place:3573890) or IRI", _entity),
    )
}


@dataclass(frozen=True)
class Param:
    name: str
    type: ParamType
    default: str | None
    doc: str

    @property
    def required(self) -> bool:
        return self.default is None

    def bind(self, value: object) -> Term:
        """The RDF term for ``value`` (a string, or a date/int from Python); UsageError names the parameter."""
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
        try:
            return self.type.convert(text)
        except ValueError as exc:
            raise UsageError(f"parameter '{self.name}': {exc}") from None


# -- named queries --


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    text: str

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
        return CANONICAL_FILTER in self.text or CANONICAL_SUMMARY in self.text

    def text_for(self, values: Mapping[str, object] | None = None, *, reports: bool = False) -> str:
        """The query text with ``values`` (defaults filled in) bound by a ``VALUES`` row; with
        ``reports``, every report of an event counted instead of its canonical event.

        A VALUES row, not pyoxigraph substitutions: Oxigraph plans its joins from a VALUES row
        but not from a substituted variable (``organization_partners`` at 100k items: 7.5 s with
        substitutions, 0.07 s with VALUES), and embedded and remote stores run the same text.
        """
        from kg.sparql.text import inline_values

        text = self.text
        if reports:
            text = text.replace(CANONICAL_FILTER, REPORTS_FILTER).replace(CANONICAL_SUMMARY, REPORTS_SUMMARY)
        return inline_values(text, self.bind(values))

    def usage(self) -> str:
        """One line: the parameters as a command line would take them."""
        return " ".join(
            f"-p {p.name} {p.type.name.upper()}" if p.required else f"[-p {p.name} {p.default}]" for p in self.params
        )


_HEADER = re.compile(r"#\s*(title|description|param|columns)\s*:\s*(.*)")


def parse(text: str, name: str) -> NamedQuery:
    """Read the header comment of a query file; a malformed header is a KgError naming the line."""
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
    return NamedQuery(name, fields["title"][0], " ".join(fields["description"]), tuple(params), columns, text)


@functools.cache
def _load_file(path: Path, mtime: float) -> NamedQuery:
    return parse(path.read_text(encoding="utf-8"), path.stem)


def load(name: str) -> NamedQuery:
    """The named query ``queries/NAME.rq``; an unknown name is a UsageError listing the known ones."""
    path = QUERY_DIR / f"{name}.rq"
    if not re.fullmatch(r"[\w-]+", name) or not path.is_file():
        known = ", ".join(q.name for q in catalogue()) or "none"
        raise UsageError(f"no named query '{name}' in {QUERY_DIR}; known: {known}")
    return _load_file(path, path.stat().st_mtime)


def catalogue() -> list[NamedQuery]:
    """Every named query, by name."""
    return [load(path.stem) for path in sorted(QUERY_DIR.glob("*.rq"))]


# -- running --


def run(store: Any, name: str, params: Mapping[str, object] | None = None, *, reports: bool = False) -> Any:
    """Run a named query over ``store`` (embedded or remote); returns pyoxigraph query results.
    With ``reports``, an event reported by several items counts once per report."""
    return execute(store, load(name).text_for(params, reports=reports), keep=True)


def rows(result: Any) -> list[dict[str, Any]]:
    """SELECT results as a list of ``{column: value}`` dicts of plain Python values."""
    if not isinstance(result, QuerySolutions):
        raise UsageError("only SELECT queries give rows")
    names = [v.value for v in result.variables]
    return [{name: to_python(solution[name]) for name in names} for solution in result]


def query(
    name: str, /, *, store: Any = None, timeout: float | None = None, reports: bool = False, **params: object
) -> list[dict[str, Any]]:
    """Run the named query ``name`` and return its rows as dicts of plain Python values.

    ``store`` is a store folder, a SPARQL server URL or an open store (default: ``.kg/store``
    or ``$MIGKG_STORE``). Parameters are keyword arguments, as strings or Python values.
    ``reports=True`` counts every report of an event reported by several items, not the event once.

    >>> from kg.store import KgStore
    >>> query("events_by_country", store=KgStore.memory(), country="GTM")
    []
    """
    from kg.store import DEFAULT_STORE, open_store

    if store is None or isinstance(store, str | os.PathLike):
        with open_store(str(store or DEFAULT_STORE)) as opened:
            if timeout and hasattr(opened, "timeout"):
                opened.timeout = timeout  # a remote store also closes its HTTP request
            return within(timeout, lambda: rows(run(opened, name, params, reports=reports)))
    return within(timeout, lambda: rows(run(store, name, params, reports=reports)))
