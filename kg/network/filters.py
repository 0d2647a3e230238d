"""Which events a cooperation network counts: date range, theme, GCM objective, event type, region.

Values within one filter are alternatives (``theme=("smuggling", "trafficking")`` keeps events
on either theme); different filters must all hold. Each filter value is turned into one IRI
(or one GCM number) and bound into a fixed SPARQL pattern with ``substitutions``, never
formatted into the query text.

>>> f = EventFilter(since=parse_date_bound("2019"), themes=("smuggling",))
>>> f.since, f.until
(datetime.date(2019, 1, 1), None)
>>> f.describe()
'since 2019-01-01, theme smuggling'
>>> EventFilter().is_empty
True
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from pyoxigraph import Literal, NamedNode, Variable

from kg import namespaces as ns
from kg.errors import UsageError
from kg.store import KgStore

__all__ = ["EventFilter", "matching_events", "parse_date_bound"]

_PREFIXES = "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in ns.PREFIXES.items())

# Each pattern selects the events (?e) that satisfy one filter value bound to ?want.
_THEME = f"{_PREFIXES}\nSELECT DISTINCT ?e ?want WHERE {{ ?e a mk:Event ; dcterms:subject ?want }}"
_EVENT_TYPE = f"{_PREFIXES}\nSELECT DISTINCT ?e ?want WHERE {{ ?e a mk:Event ; sem:eventType ?want }}"
_GCM = f"""{_PREFIXES}
SELECT DISTINCT ?e ?want WHERE {{
  ?e a mk:Event ; dcterms:subject ?subject .
  ?subject (skos:exactMatch|skos:closeMatch|skos:broadMatch)? ?objective .
  ?objective skos:notation ?notation .
  FILTER(STR(?notation) = ?want)
}}"""
_REGION = f"""{_PREFIXES}
SELECT DISTINCT ?e ?want WHERE {{
  ?e a mk:Event ; mk:participantCountry|mk:locationCountry ?country .
  {{ ?want mk:memberCountry ?country }} UNION {{ ?country mk:inRegion ?want }}
}}"""
_REGION_BY_LABEL = f"""{_PREFIXES}
SELECT DISTINCT ?region ?want WHERE {{
  ?region a mk:Region ; rdfs:label|skos:altLabel ?label .
  FILTER(LCASE(STR(?label)) = ?want)
}} ORDER BY ?region"""
_USED = "ASK { { ?want ?p ?o } UNION { ?s ?p ?want } }"


def parse_date_bound(text: str, *, end: bool = False) -> date:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as the first day of that period (last with ``end``).

    >>> parse_date_bound("2019-02", end=True)
    datetime.date(2019, 2, 28)
    >>> parse_date_bound("June 2019")
    Traceback (most recent call last):
    ...
    kg.errors.UsageError: date 'June 2019' is not YYYY, YYYY-MM or YYYY-MM-DD
    """
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text.strip())
    if not match:
        raise UsageError(f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(match[1]), match[2], match[3]
    try:
        if day:
            return date(year, int(month), int(day))
        if month:
            m = int(month)
            return date(year, m, calendar.monthrange(year, m)[1] if end else 1)
        return date(year, 12, 31) if end else date(year, 1, 1)
    except ValueError:
        raise UsageError(f"date {text!r} does not exist") from None


@dataclass(frozen=True)
class EventFilter:
    """Conditions an event must meet to count. Empty tuples and ``None`` mean "any".

    ``themes``, ``event_types`` and ``regions`` take concept IRIs, prefixed names
    (``theme:smuggling``) or bare identifiers (``smuggling``); regions also take a label
    (``"Central America"``). ``gcm`` takes objective numbers (``"9"``, ``"objective-9"``).
    An event's date is its ``schema:startDate``, or for an undated event its item's
    publication date (the rule of every view and query: docs/codebook.md). ``regions`` keeps
    events with a participant or location country in the region. An event reported by several
    items counts once, as its canonical event (:mod:`kg.same`); with ``reports``, each report
    counts instead.
    """

    since: date | None = None
    until: date | None = None
    themes: tuple[str, ...] = ()
    gcm: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    reports: bool = False

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise UsageError(f"--since {self.since} is after --until {self.until}")

    @classmethod
    def parse(
        cls,
        since: str | None = None,
        until: str | None = None,
        themes: Iterable[str] = (),
        gcm: Iterable[str] = (),
        event_types: Iterable[str] = (),
        regions: Iterable[str] = (),
        reports: bool = False,
    ) -> EventFilter:
        """The filter a person wrote (``kg network`` options, ``kg serve`` parameters): dates as
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (an ``until`` year or month means its end).

        >>> EventFilter.parse(since="2019", until="2019-05").until
        datetime.date(2019, 5, 31)
        """
        return cls(
            since=parse_date_bound(since) if since else None,
            until=parse_date_bound(until, end=True) if until else None,
            themes=tuple(themes),
            gcm=tuple(gcm),
            event_types=tuple(event_types),
            regions=tuple(regions),
            reports=reports,
        )

    @property
    def is_empty(self) -> bool:
        return not (self.since or self.until or self.themes or self.gcm or self.event_types or self.regions)

    @property
    def has_dates(self) -> bool:
        return self.since is not None or self.until is not None

    def accepts_date(self, iso: str | None) -> bool:
        """Whether an event dated ``iso`` (``YYYY-MM-DD`` or None) falls in the date range."""
        if not self.has_dates:
            return True
        if iso is None:
            return False
        if self.since and iso < self.since.isoformat():
            return False
        return not (self.until and iso > self.until.isoformat())

    def describe(self) -> str:
        """The filters as one line, for summaries and picture titles."""
        parts = []
        if self.since:
            parts.append(f"since {self.since}")
        if self.until:
            parts.append(f"until {self.until}")
        for name, values in (
            ("theme", self.themes),
            ("GCM objective", self.gcm),
            ("event type", self.event_types),
            ("region", self.regions),
        ):
            if values:
                parts.append(f"{name} {' or '.join(values)}")
        if self.reports:
            parts.append("every report")
        return ", ".join(parts)


def _expand(value: str, scheme_prefix: str) -> str:
    """A concept IRI from an IRI, a prefixed name or a bare identifier."""
    value = value.strip()
    if value.startswith(("http://", "https://", "urn:")):
        return value
    prefix, sep, local = value.partition(":")
    if sep and prefix in ns.PREFIXES:
        return ns.PREFIXES[prefix] + local
    return ns.PREFIXES[scheme_prefix] + value


def _gcm_number(value: str) -> str:
    match = re.fullmatch(r"(?:.*[/:])?(?:objective-?)?0*(\d{1,2})", value.strip(), re.IGNORECASE)
    if not match or not 1 <= int(match[1]) <= 23:
        raise UsageError(f"GCM objective {value!r} is not a number from 1 to 23 (e.g. --gcm 9)")
    return match[1]


def _known(store: KgStore, iri: str) -> bool:
    try:
        node = NamedNode(iri)
    except ValueError:  # "South America" is a label, not an identifier
        return False
    return bool(store.query(_USED, {Variable("want"): node}))


def _concepts(store: KgStore, values: Iterable[str], scheme_prefix: str, what: str) -> list[str]:
    iris = []
    for value in values:
        iri = _expand(value, scheme_prefix)
        if not _known(store, iri):
            raise UsageError(f"unknown {what} {value!r}: the store never mentions <{iri}>")
        iris.append(iri)
    return iris


def _regions(store: KgStore, values: Iterable[str]) -> list[str]:
    iris = []
    for value in values:
        iri = _expand(value, "region")
        if _known(store, iri):
            iris.append(iri)
            continue
        rows = store.query(_REGION_BY_LABEL, {Variable("want"): Literal(value.strip().lower())})
        found = [row["region"].value for row in rows]
        if not found:
            raise UsageError(f"unknown region {value!r}: give a region id (m49-013) or its English or Spanish name")
        iris.extend(found)
    return iris


def _select(store: KgStore, query: str, wants: Iterable[NamedNode | Literal]) -> set[str]:
    events: set[str] = set()
    for want in wants:
        events.update(row[0].value for row in store.query(query, {Variable("want"): want}))
    return events


def matching_events(store: KgStore, filters: EventFilter) -> set[str] | None:
    """The IRIs of the events that meet the theme, GCM, event-type and region filters.

    ``None`` when none of those filters is set (every event matches); dates are checked by
    the caller, who fetches each event's date anyway. Raises :class:`UsageError` for a theme,
    event type or region the store does not know.
    """
    selections: list[set[str]] = []
    if filters.themes:
        iris = _concepts(store, filters.themes, "theme", "theme")
        selections.append(_select(store, _THEME, map(NamedNode, iris)))
    if filters.gcm:
        numbers = [_gcm_number(v) for v in filters.gcm]
        selections.append(_select(store, _GCM, map(Literal, numbers)))
    if filters.event_types:
        iris = _concepts(store, filters.event_types, "evt", "event type")
        selections.append(_select(store, _EVENT_TYPE, map(NamedNode, iris)))
    if filters.regions:
        selections.append(_select(store, _REGION, map(NamedNode, _regions(store, filters.regions))))
    if not selections:
        return None
    return set.intersection(*selections)
