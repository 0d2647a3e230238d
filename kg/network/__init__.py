"""Cooperation networks: the NetworkX mirror of the store, derived networks, metrics and files.

>>> from kg.store import KgStore
>>> G = country_network(KgStore.memory(), EventFilter(themes=()))
>>> G.number_of_nodes()
0
"""

from __future__ import annotations

from kg.formats import NetworkFormat
from kg.network.bipartite import event_actor_graph, organization_country_graph, project
from kg.network.cooperation import NetworkKind, country_network, network, networks_by_year, organization_network
from kg.network.filters import EventFilter, parse_date_bound
from kg.network.io import write_network
from kg.network.metrics import metrics_by_year, metrics_table, node_metrics
from kg.network.mirror import to_multidigraph, to_quads

__all__ = [
    "EventFilter",
    "NetworkFormat",
    "NetworkKind",
    "country_network",
    "event_actor_graph",
    "metrics_by_year",
    "metrics_table",
    "network",
    "networks_by_year",
    "node_metrics",
    "organization_country_graph",
    "organization_network",
    "parse_date_bound",
    "project",
    "to_multidigraph",
    "to_quads",
    "write_network",
]
