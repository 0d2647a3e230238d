"""The parameters of named queries: each type turns the text a user gives ("GTM", "Guatemala",
"smuggling", "IOM", "2019-05") into the RDF term the query binds, or refuses it with the nearest
valid values."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode

from kg import namespaces as ns
from kg.errors import UsageError
from kg.namespaces import XSD
from kg.reference import HOME, Reference
from kg.reference import load as load_reference

__all__ = ["PARAM_TYPES", "Param", "ParamType", "scheme_ids", "suggest"]

Term = NamedNode | Literal


@dataclass(frozen=True)
class ParamType:
    """A kind of parameter: how a value typed by a person becomes an RDF term."""

    name: str
    help: str
    convert: Callable[[str], Term]  # raises ValueError with the reason
    example: str | None = None  # a value that runs it (the page's one-click examples)


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
        ParamType("country", "ISO 3166-1 alpha-3 code (GTM); becomes the country's IRI", _country, "GTM"),
        ParamType("date", "YYYY-MM-DD; becomes an xsd:date", _date),
        ParamType("integer", "a whole number; becomes an xsd:integer", _integer),
        ParamType("gcm", "GCM objective number 1-23; becomes gcm:objective-N", _gcm, "9"),
        ParamType("theme", "theme id (smuggling); becomes the theme concept", _theme, "smuggling"),
        ParamType(
            "organization", "slug (iom), acronym (IOM) or name; becomes the organisation's IRI", _organization, "iom"
        ),
        ParamType(
            "region", "region id (m49-013), M49 code (013) or name; becomes the region's IRI", _region, "m49-013"
        ),
        ParamType("entity", "country code, organisation, kind:key (place:3573890) or IRI", _entity, "GTM"),
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

    @property
    def example(self) -> str | None:
        """A value that runs the query: its doc's "e.g. VALUE", else its default, else its type's."""
        match = re.search(r"e\.g\.\s+([^\s,;()]+)", self.doc)
        return match[1] if match else self.default or self.type.example

    def bind(self, value: object) -> Term:
        """The RDF term for ``value`` (a string, or a date/int from Python); UsageError names the parameter."""
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
        try:
            return self.type.convert(text)
        except ValueError as exc:
            raise UsageError(f"parameter '{self.name}': {exc}") from None
