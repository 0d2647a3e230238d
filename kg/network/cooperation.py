"""Cooperation networks derived from the store: countries and organisations linked by shared events.

Two actors are linked when they take part in the same event. A country takes part as a
participant (``mk:participantCountry``) or as the location (``mk:locationCountry``); an
organisation as organiser, attendee or funder. Every network is a plain function of the
store and an :class:`~kg.network.filters.EventFilter`.

Nodes are keyed by IRI and carry ``label``, ``kind`` (``country``, ``organization`` or
``event``) and ``event_count``; countries also carry ``iso3``. Co-participation edges carry
``weight`` (the number of shared events), ``events`` (their IRIs), ``themes``, ``years``,
and ``first`` / ``last`` (the earliest and latest start date, when any event is dated).

The events come from the event table (:mod:`kg.network.table`, saved beside an on-disk store)
and their actors are paired with numpy (:mod:`kg.network.pairing`): much faster than a SPARQL
self-join or projecting a bipartite graph (see ``bench/network_pairs.py``). The bipartite graphs and
their NetworkX projections (:mod:`kg.network.bipartite`) are there for the questions they
answer best.

>>> from kg.store import KgStore
>>> G = country_network(KgStore.memory())
>>> G.number_of_nodes(), G.graph["kind"]
(0, 'countries')
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable

import networkx as nx

from kg.network.bipartite import event_actor_graph, organization_country_graph
from kg.network.events import (
    COUNTRY_ROLES,
    ORGANIZATION_ROLES,
    Selection,
    country_attrs,
    new_graph,
    node_attrs,
    organization_attrs,
    select_events,
)
from kg.network.filters import EventFilter
from kg.network.pairing import cooccurrence
from kg.store import KgStore

__all__ = ["NetworkKind", "country_network", "network", "networks_by_year", "organization_network"]


class NetworkKind(enum.Enum):
    """The networks ``kg network --kind`` builds."""

    COUNTRIES = "countries"
    ORGANIZATIONS = "organizations"
    BIPARTITE = "bipartite"  # organisation–country
    EVENT_ACTOR = "event-actor"


def _coparticipation(
    selection: Selection,
    kind: NetworkKind,
    filters: EventFilter | None,
    known: dict[str, dict[str, object]],
    node_kind: str,
    events: list[int] | None = None,
) -> nx.Graph:
    chosen = selection.event_ids() if events is None else events
    edges, counts = cooccurrence(selection, events)
    G = new_graph(kind.value, filters, len(chosen))
    G.add_nodes_from((a, {**node_attrs(a, known, node_kind), "event_count": n}) for a, n in counts.items())
    G.add_edges_from(edges)
    return G


def country_network(store: KgStore, filters: EventFilter | None = None) -> nx.Graph:
    """Countries linked by the events they take part in (as participant or location).

    Parameters
    ----------
    store : KgStore
        The store; queried with the union of all graphs as default graph.
    filters : EventFilter, optional
        Which events count; all events by default.

    Returns
    -------
    networkx.Graph
        Undirected and weighted: ``weight`` is the number of shared events. A country that
        only ever appears alone in an event is an isolated node.

    Examples
    --------
    An event with three countries gives a triangle, a second one between two of them
    doubles that edge's weight:

    >>> from pyoxigraph import NamedNode, Quad
    >>> from kg import namespaces as ns
    >>> from kg.store import KgStore
    >>> store = KgStore.memory()
    >>> def event(name, *iso3):
    ...     e, g = NamedNode(f"http://example.org/{name}"), NamedNode(f"http://example.org/graph/{name}")
    ...     yield Quad(e, NamedNode(ns.RDF["type"]), NamedNode(ns.MK["Event"]), g)
    ...     for code in iso3:
    ...         yield Quad(e, NamedNode(ns.MK["participantCountry"]), NamedNode(ns.country(code)), g)
    >>> store.store.extend([*event("e1", "GTM", "HND", "SLV"), *event("e2", "GTM", "HND")])
    >>> G = country_network(store)
    >>> G[ns.country("GTM")][ns.country("HND")]["weight"], G[ns.country("GTM")][ns.country("SLV")]["weight"]
    (2, 1)
    """
    selection = select_events(store, filters, COUNTRY_ROLES)
    return _coparticipation(selection, NetworkKind.COUNTRIES, filters, country_attrs(store), "country")


def organization_network(store: KgStore, filters: EventFilter | None = None) -> nx.Graph:
    """Organisations linked by the events they organise, attend or fund together.

    Same parameters, edge attributes and node attributes as :func:`country_network`;
    organisation nodes also carry ``acronym`` when the store has one (e.g. ``IOM``).

    Examples
    --------
    >>> from kg.store import KgStore
    >>> organization_network(KgStore.memory()).graph["kind"]
    'organizations'
    """
    selection = select_events(store, filters, ORGANIZATION_ROLES)
    return _coparticipation(selection, NetworkKind.ORGANIZATIONS, filters, organization_attrs(store), "organization")


_BUILDERS: dict[NetworkKind, Callable[[KgStore, EventFilter | None], nx.Graph]] = {
    NetworkKind.COUNTRIES: country_network,
    NetworkKind.ORGANIZATIONS: organization_network,
    NetworkKind.BIPARTITE: organization_country_graph,
    NetworkKind.EVENT_ACTOR: event_actor_graph,
}


def network(store: KgStore, kind: NetworkKind | str, filters: EventFilter | None = None) -> nx.Graph:
    """The network of ``kind`` (a :class:`NetworkKind` or its value).

    Examples
    --------
    >>> from kg.store import KgStore
    >>> network(KgStore.memory(), "organizations").graph["kind"]
    'organizations'
    """
    return _BUILDERS[NetworkKind(kind)](store, filters)


def networks_by_year(
    store: KgStore, kind: NetworkKind | str, filters: EventFilter | None = None
) -> dict[int, nx.Graph]:
    """One co-participation network per year of the events' start dates (an undated event's is its item's date).

    Only the ``countries`` and ``organizations`` kinds; the rows are fetched once.

    Examples
    --------
    >>> from kg.store import KgStore
    >>> networks_by_year(KgStore.memory(), "countries")
    {}
    """
    kind = NetworkKind(kind)
    if kind is NetworkKind.COUNTRIES:
        selection, known, node_kind = select_events(store, filters, COUNTRY_ROLES), country_attrs(store), "country"
    elif kind is NetworkKind.ORGANIZATIONS:
        selection = select_events(store, filters, ORGANIZATION_ROLES)
        known, node_kind = organization_attrs(store), "organization"
    else:
        raise ValueError(f"per-year networks are for countries and organizations, not {kind.value}")
    by_year: dict[int, list[int]] = defaultdict(list)
    for e in selection.event_ids():
        d = selection.table.date(e)
        if d:
            by_year[int(d[:4])].append(e)
    graphs = {}
    for year in sorted(by_year):
        G = _coparticipation(selection, kind, filters, known, node_kind, by_year[year])
        G.graph["year"] = year
        graphs[year] = G
    return graphs
