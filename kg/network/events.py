"""The rows every cooperation network is built from: events, their actors, dates and themes.

:func:`select_events` runs three flat SELECTs (event–actor rows, start dates, themes) and joins
them in Python; :func:`pair_events` pairs the actors of each event. The labels of countries and
organisations come from the reference graph (or the item graph that introduces them).

>>> from kg.store import KgStore
>>> select_events(KgStore.memory(), None, COUNTRY_ROLES).members
{}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import networkx as nx

from kg import namespaces as ns
from kg.network.filters import EventFilter, matching_events
from kg.store import KgStore

__all__ = [
    "COUNTRY_ROLES",
    "ORGANIZATION_ROLES",
    "Selection",
    "best_label",
    "country_attrs",
    "edge_attrs",
    "new_graph",
    "node_attrs",
    "organization_attrs",
    "pair_events",
    "select_events",
]

COUNTRY_ROLES = {ns.MK["participantCountry"]: "participant", ns.MK["locationCountry"]: "location"}
ORGANIZATION_ROLES = {
    ns.SCHEMA["organizer"]: "organizer",
    ns.SCHEMA["attendee"]: "attendee",
    ns.SCHEMA["funder"]: "funder",
}

_DATES = f"SELECT ?e ?d WHERE {{ ?e <{ns.SCHEMA['startDate']}> ?d }}"
# Events first: items carry dcterms:subject too; at 100k items the events' themes are 337k of
# 550k subject rows, read in 3.1 s instead of 3.9 s.
_THEMES = f"SELECT ?e ?t WHERE {{ ?e a <{ns.MK['Event']}> . ?e <{ns.DCTERMS['subject']}> ?t }}"
_COUNTRIES = f"""SELECT ?c ?label ?iso WHERE {{
  ?c <{ns.MK["iso3166Alpha3"]}> ?iso OPTIONAL {{ ?c <{ns.RDFS["label"]}> ?label }}
}}"""
_ORGANIZATIONS = f"""SELECT ?o ?label ?alt WHERE {{
  ?o a <{ns.MK["Organization"]}>
  OPTIONAL {{ ?o <{ns.RDFS["label"]}> ?label }}
  OPTIONAL {{ ?o <{ns.SKOS["altLabel"]}> ?alt }}
}}"""


def _actor_query(predicates: Iterable[str]) -> str:
    values = " ".join(f"<{p}>" for p in predicates)
    return f"SELECT ?e ?a ?p WHERE {{ VALUES ?p {{ {values} }} ?e ?p ?a }}"


@dataclass
class Selection:
    """The events that passed the filters (in IRI order) and what each one links to."""

    members: dict[str, set[str]]  # event -> actors
    dates: dict[str, str] = field(default_factory=dict)  # dated events only: the earliest start date
    themes: dict[str, set[str]] = field(default_factory=dict)
    roles: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (event, actor) -> roles, if kept
    countries: set[str] = field(default_factory=set)  # actors seen as a country (participant or location)


def select_events(
    store: KgStore, filters: EventFilter | None, predicates: dict[str, str], *, keep_roles: bool = False
) -> Selection:
    """Three flat SELECTs (actors, dates, themes) joined in Python: the store's fastest path.

    An event is whatever has one of ``predicates`` (the ontology gives them the domain
    ``mk:Event``); typing each row with ``?e a mk:Event`` would make the store join 400,000
    rows for nothing at 100,000 events. Themes are read for typed events only (items carry
    ``dcterms:subject`` too, and skipping theirs is the faster read).
    """
    filters = filters or EventFilter()
    wanted = matching_events(store, filters)
    members: dict[str, set[str]] = {}
    roles: dict[tuple[str, str], set[str]] = {}
    countries: set[str] = set()
    for row in store.query(_actor_query(predicates)):
        e = row[0].value
        if wanted is not None and e not in wanted:
            continue
        actor = row[1].value
        if e in members:
            members[e].add(actor)
        else:
            members[e] = {actor}
        if keep_roles:
            p = row[2].value
            roles.setdefault((e, actor), set()).add(predicates[p])
            if p in COUNTRY_ROLES:
                countries.add(actor)
    dates: dict[str, str] = {}
    for row in store.query(_DATES):
        e = row[0].value
        if e in members:
            d = row[1].value[:10]
            if e not in dates or d < dates[e]:  # several start dates: the earliest
                dates[e] = d
    if filters.has_dates:
        members = {e: actors for e, actors in members.items() if filters.accepts_date(dates.get(e))}
    themes: dict[str, set[str]] = {}
    for row in store.query(_THEMES):
        e = row[0].value
        if e in members:
            themes.setdefault(e, set()).add(row[1].value)
    return Selection(dict(sorted(members.items())), dates, themes, roles, countries)


def best_label(labels: list[tuple[str, str | None]], iri: str) -> str:
    """English first, then a label without language, then any, then the IRI's last segment."""
    for wanted in ("en", None):
        for text, lang in labels:
            if (lang or None) == wanted or (wanted == "en" and lang and lang.startswith("en-")):
                return text
    if labels:
        return sorted(labels)[0][0]
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def country_attrs(store: KgStore) -> dict[str, dict[str, object]]:
    labels: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    iso: dict[str, str] = {}
    for row in store.query(_COUNTRIES):
        c = row[0].value
        iso[c] = row[2].value
        if row[1] is not None:
            labels[c].append((row[1].value, row[1].language))
    return {c: {"label": best_label(labels[c], c), "iso3": code, "kind": "country"} for c, code in iso.items()}


def organization_attrs(store: KgStore) -> dict[str, dict[str, object]]:
    labels: dict[str, set[tuple[str, str | None]]] = {}
    acronyms: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_ORGANIZATIONS):
        o = row[0].value
        found = labels.setdefault(o, set())  # an organisation without a label still gets an entry
        if row[1] is not None:
            found.add((row[1].value, row[1].language))
        if row[2] is not None and row[2].value.isupper() and " " not in row[2].value:
            acronyms[o].add(row[2].value)
    attrs: dict[str, dict[str, object]] = {}
    for o, found in labels.items():
        label = best_label(sorted(found, key=lambda t: (t[0], t[1] or "")), o)
        attrs[o] = {"label": label, "kind": "organization"}
        if acronyms[o]:
            # RCM before CRM for "Regional Conference on Migration": the label's initial first
            attrs[o]["acronym"] = min(acronyms[o], key=lambda a: (a[0] != label[:1].upper(), len(a), a))
    return attrs


def node_attrs(iri: str, known: dict[str, dict[str, object]], kind: str) -> dict[str, object]:
    return dict(known.get(iri) or {"label": best_label([], iri), "kind": kind})


def edge_attrs(events: list[str], selection: Selection) -> dict[str, object]:
    """Weight and the rest for a pair's ``events`` (already in IRI order)."""
    all_dates, all_themes = selection.dates, selection.themes
    dated = [d for e in events if (d := all_dates.get(e)) is not None]
    themes: set[str] = set()
    for e in events:
        if e in all_themes:
            themes |= all_themes[e]
    attrs: dict[str, object] = {
        "weight": len(events),
        "events": events,
        "themes": sorted(themes),
        "years": sorted(int(y) for y in {d[:4] for d in dated}),
    }
    if dated:
        attrs["first"], attrs["last"] = min(dated), max(dated)
    return attrs


def pair_events(
    selection: Selection,
    events: Iterable[str],
    pairs: Callable[[set[str]], Iterable[tuple[str, str]]],
) -> tuple[dict[tuple[str, str], list[str]], dict[str, int]]:
    """Pair the actors of each event; ``(a, b) -> events`` and ``actor -> event count``."""
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    members = selection.members
    for e in events:
        actors = members[e]
        for a in actors:
            counts[a] += 1
        for pair in pairs(actors):
            shared[pair].append(e)
    return shared, counts


def new_graph(kind: str, filters: EventFilter | None, n_events: int) -> nx.Graph:
    """An empty graph that records its kind, its filters and how many events it counts."""
    G = nx.Graph()
    G.graph.update(kind=kind, filters=(filters or EventFilter()).describe(), event_count=n_events)
    return G
