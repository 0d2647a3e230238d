"""Bipartite graphs: organisations and countries, events and actors, and their projections.

Node attribute ``bipartite`` says the side (0 or 1), as NetworkX's bipartite algorithms expect;
:func:`project` wraps :func:`networkx.algorithms.bipartite.weighted_projected_graph`.

>>> from kg.store import KgStore
>>> B = event_actor_graph(KgStore.memory())
>>> B.graph["kind"], B.number_of_nodes()
('event-actor', 0)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from itertools import product

import networkx as nx
from networkx.algorithms import bipartite

from kg.network.events import (
    COUNTRY_ROLES,
    ORGANIZATION_ROLES,
    best_label,
    country_attrs,
    edge_attrs,
    new_graph,
    node_attrs,
    organization_attrs,
    pair_events,
    select_events,
)
from kg.network.filters import EventFilter
from kg.store import KgStore

__all__ = ["event_actor_graph", "organization_country_graph", "project"]


def organization_country_graph(store: KgStore, filters: EventFilter | None = None) -> nx.Graph:
    """The bipartite graph of organisations (``bipartite=0``) and countries (``bipartite=1``).

    An organisation and a country are linked when they take part in the same event; the
    edge attributes are those of :func:`~kg.network.country_network`. Use :func:`project` for the
    organisations linked by the countries they share, or the other way round.

    Examples
    --------
    >>> from kg.store import KgStore
    >>> B = organization_country_graph(KgStore.memory())
    >>> B.graph["kind"], B.number_of_edges()
    ('bipartite', 0)
    """
    selection = select_events(store, filters, {**COUNTRY_ROLES, **ORGANIZATION_ROLES}, keep_roles=True)
    country_ids = selection.countries
    shared, counts = pair_events(
        selection,
        selection.members,
        lambda actors: product(sorted(actors - country_ids), sorted(actors & country_ids)),
    )
    countries, organizations = country_attrs(store), organization_attrs(store)
    B = new_graph("bipartite", filters, len(selection.members))
    for actor, n in sorted(counts.items()):
        if actor in country_ids:
            B.add_node(actor, **node_attrs(actor, countries, "country"), event_count=n, bipartite=1)
        else:
            B.add_node(actor, **node_attrs(actor, organizations, "organization"), event_count=n, bipartite=0)
    B.add_edges_from((a, b, edge_attrs(evs, selection)) for (a, b), evs in sorted(shared.items()))
    return B


def event_actor_graph(store: KgStore, filters: EventFilter | None = None) -> nx.Graph:
    """The bipartite graph of events (``bipartite=0``) and the countries and organisations in them.

    Each edge carries ``roles`` (``participant``, ``location``, ``organizer``, ``attendee``,
    ``funder``); event nodes carry ``date`` and ``themes``. :func:`project` onto countries
    gives :func:`~kg.network.country_network`'s weights.

    Examples
    --------
    >>> from kg.store import KgStore
    >>> event_actor_graph(KgStore.memory()).graph["kind"]
    'event-actor'
    """
    selection = select_events(store, filters, {**COUNTRY_ROLES, **ORGANIZATION_ROLES}, keep_roles=True)
    countries, organizations = country_attrs(store), organization_attrs(store)
    B = new_graph("event-actor", filters, len(selection.members))
    counts: dict[str, int] = defaultdict(int)
    for e, actors in selection.members.items():
        attrs: dict[str, object] = {"label": best_label([], e), "kind": "event", "bipartite": 0}
        if e in selection.dates:
            attrs["date"] = selection.dates[e]
        attrs["themes"] = sorted(selection.themes.get(e, ()))
        B.add_node(e, **attrs)
        for actor in sorted(actors):
            counts[actor] += 1
            B.add_edge(e, actor, roles=sorted(selection.roles[e, actor]), weight=1)
    for actor, n in counts.items():
        known, kind = (countries, "country") if actor in selection.countries else (organizations, "organization")
        B.add_node(actor, **node_attrs(actor, known, kind), event_count=n, bipartite=1)
    return B


def project(B: nx.Graph, kinds: str | Collection[str]) -> nx.Graph:
    """The weighted projection of a bipartite graph onto the nodes of the given ``kind``(s).

    A thin wrapper over :func:`networkx.algorithms.bipartite.weighted_projected_graph`:
    ``weight`` is the number of neighbours two nodes share (shared events for
    :func:`event_actor_graph`, shared partners for :func:`organization_country_graph`).

    Examples
    --------
    >>> B = nx.Graph([("e1", "GTM"), ("e1", "HND"), ("e2", "GTM"), ("e2", "HND")])
    >>> nx.set_node_attributes(B, {"e1": "event", "e2": "event", "GTM": "country", "HND": "country"}, "kind")
    >>> P = project(B, "country")
    >>> P["GTM"]["HND"]["weight"]
    2
    """
    wanted = {kinds} if isinstance(kinds, str) else set(kinds)
    nodes = [n for n, kind in B.nodes(data="kind") if kind in wanted]
    # NetworkX projects over a whole side: countries and organisations share the actor side
    sides = {B.nodes[n].get("bipartite") for n in nodes}
    if len(sides) > 1:
        raise ValueError(f"nodes of kind {', '.join(sorted(wanted))} lie on both sides of the graph")
    side = sides.pop() if sides else None
    whole_side = nodes if side is None else [n for n, s in B.nodes(data="bipartite") if s == side]
    P = bipartite.weighted_projected_graph(B, whole_side)
    if len(whole_side) != len(nodes):
        P = P.subgraph(nodes).copy()
    P.graph.update(B.graph, projection=",".join(sorted(wanted)))
    return P
