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

import networkx as nx
from networkx.algorithms import bipartite

from kg.network.events import (
    best_label,
    country_attrs,
    new_graph,
    node_attrs,
    organization_attrs,
    select_events,
)
from kg.network.filters import EventFilter
from kg.network.pairing import cooccurrence
from kg.network.table import ACTOR_ROLES
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
    selection = select_events(store, filters, ACTOR_ROLES)
    is_country = selection.is_country()
    edges, counts = cooccurrence(selection, right=is_country)
    countries, organizations = country_attrs(store), organization_attrs(store)
    B = new_graph("bipartite", filters, len(selection.event_ids()))
    actor_id = {a: i for i, a in enumerate(selection.table.actors)}
    for actor, n in counts.items():
        if is_country[actor_id[actor]]:
            B.add_node(actor, **node_attrs(actor, countries, "country"), event_count=n, bipartite=1)
        else:
            B.add_node(actor, **node_attrs(actor, organizations, "organization"), event_count=n, bipartite=0)
    B.add_edges_from(edges)
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
    selection = select_events(store, filters, ACTOR_ROLES)
    table, is_country = selection.table, selection.is_country()
    countries, organizations = country_attrs(store), organization_attrs(store)
    B = new_graph("event-actor", filters, len(selection.event_ids()))
    themes: dict[int, list[str]] = defaultdict(list)
    for e, t in table.tagged.tolist():  # sorted by (event, theme): each list comes out sorted
        themes[e].append(table.themes[t])
    counts: dict[int, int] = defaultdict(int)
    last = -1
    for (e, a), bits in zip(selection.members.tolist(), selection.roles.tolist(), strict=True):
        event = table.events[e]
        if e != last:  # members are sorted by (event, actor)
            attrs: dict[str, object] = {"label": best_label([], event), "kind": "event", "bipartite": 0}
            if (date := table.date(e)) is not None:
                attrs["date"] = date
            attrs["themes"] = themes.get(e, [])
            B.add_node(event, **attrs)
            last = e
        counts[a] += 1
        B.add_edge(event, table.actors[a], roles=selection.role_names(bits), weight=1)
    for a, n in counts.items():
        known, kind = (countries, "country") if is_country[a] else (organizations, "organization")
        B.add_node(table.actors[a], **node_attrs(table.actors[a], known, kind), event_count=n, bipartite=1)
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
