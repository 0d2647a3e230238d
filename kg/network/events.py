"""The events every cooperation network counts, chosen by filters, and the labels of their actors.

:func:`select_events` takes the event table (:mod:`kg.network.table`: every event with its
actors, roles, start date and themes, as integer arrays) and keeps the events and roles a
network asks for; :mod:`kg.network.pairing` pairs their actors. The labels of countries and
organisations come from the reference graph (or the item graph that introduces them).

>>> from kg.store import KgStore
>>> select_events(KgStore.memory(), None, COUNTRY_ROLES).event_ids()
[]
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from kg import namespaces as ns
from kg.network.filters import EventFilter, matching_events
from kg.network.table import ACTOR_ROLES, COUNTRY_ROLES, ORGANIZATION_ROLES, EventTable, Ints, event_table, run_starts
from kg.store import KgStore

__all__ = [
    "COUNTRY_ROLES",
    "ORGANIZATION_ROLES",
    "Selection",
    "best_label",
    "country_attrs",
    "new_graph",
    "node_attrs",
    "organization_attrs",
    "select_events",
]

_COUNTRIES = f"""SELECT ?c ?label ?iso WHERE {{
  ?c <{ns.MK["iso3166Alpha3"]}> ?iso OPTIONAL {{ ?c <{ns.RDFS["label"]}> ?label }}
}}"""
_ORGANIZATIONS = f"""SELECT ?o ?label ?alt WHERE {{
  ?o a <{ns.MK["Organization"]}>
  OPTIONAL {{ ?o <{ns.RDFS["label"]}> ?label }}
  OPTIONAL {{ ?o <{ns.SKOS["altLabel"]}> ?alt }}
}}"""
_COUNTRY_BITS = sum(1 << i for i, p in enumerate(ACTOR_ROLES) if p in COUNTRY_ROLES)


@dataclass(frozen=True)
class Selection:
    """The events that passed the filters and which of their actors take part in the roles asked for."""

    table: EventTable
    members: Ints  # (k, 2): event, actor ids; sorted, distinct; the chosen events only
    roles: Ints  # (k,): per member, a bit per predicate of ACTOR_ROLES it takes part by

    def event_ids(self) -> list[int]:
        """The chosen events' ids, ascending (so in IRI order)."""
        return np.unique(self.members[:, 0]).tolist()

    def is_country(self) -> NDArray[np.bool_]:
        """Per actor id: whether it takes part in a chosen event as a participant or location country."""
        flags = np.zeros(len(self.table.actors), dtype=bool)
        flags[self.members[(self.roles & _COUNTRY_BITS) != 0, 1]] = True
        return flags

    @staticmethod
    def role_names(bits: int) -> list[str]:
        """The roles (``organizer``, ``participant`` …) whose bits are set in ``bits``, sorted."""
        return sorted(role for i, role in enumerate(ACTOR_ROLES.values()) if bits >> i & 1)


def select_events(store: KgStore, filters: EventFilter | None, predicates: dict[str, str]) -> Selection:
    """The events that meet ``filters``, with their actors in the roles of ``predicates``
    (a subset of :data:`~kg.network.table.ACTOR_ROLES`)."""
    filters = filters or EventFilter()
    wanted = matching_events(store, filters)  # raises on an unknown theme or region before any read
    table = event_table(store)
    predicate_ids = [i for i, p in enumerate(ACTOR_ROLES) if p in predicates]
    if len(predicate_ids) != len(predicates):
        raise ValueError(f"networks are built from the predicates {', '.join(ACTOR_ROLES)}")
    links = table.links[np.isin(table.links[:, 2], predicate_ids)]
    links = links[table.canonical_mask(filters.reports)[links[:, 0]]]
    if wanted is not None:
        events = table.events  # sorted: an event's id is where bisect finds it
        ids = [i for e in wanted if (i := bisect_left(events, e)) < len(events) and events[i] == e]
        links = links[np.isin(links[:, 0], ids)]
    if filters.has_dates:
        # a date's verdict per date rank; the last one is for rank -1, the undated events
        verdicts = np.array([*map(filters.accepts_date, table.dates), filters.accepts_date(None)], dtype=bool)
        links = links[verdicts[table.date_of[links[:, 0]]]]
    if not len(links):
        return Selection(table, np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64))
    # links are sorted by (event, actor, predicate): one run of rows per member
    starts = run_starts(links[:, :2])
    roles = np.bitwise_or.reduceat(np.left_shift(1, links[:, 2]), starts)
    return Selection(table, links[starts, :2], roles.astype(np.int64))


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
    # An acronym several organisations share ("SER", the Social Economic Councils of Aruba,
    # Curaçao and Sint Maarten) names none of them: such nodes keep their full names.
    owners: dict[str, int] = defaultdict(int)
    for found_acronyms in acronyms.values():
        for a in found_acronyms:
            owners[a] += 1
    for o in acronyms:
        acronyms[o] = {a for a in acronyms[o] if owners[a] == 1}
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


def new_graph(kind: str, filters: EventFilter | None, n_events: int) -> nx.Graph:
    """An empty graph that records its kind, its filters and how many events it counts."""
    G = nx.Graph()
    G.graph.update(kind=kind, filters=(filters or EventFilter()).describe(), event_count=n_events)
    return G
