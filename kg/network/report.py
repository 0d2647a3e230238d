"""What ``kg network`` prints: a one-paragraph summary and the metrics tables.

>>> import networkx as nx
>>> G = nx.Graph([("a", "b", {"weight": 2})], kind="countries", event_count=2, filters="")
>>> print(summary(G), end="")
countries network: 2 nodes, 1 edges, total weight 2, from 2 events
components: 1 (largest 2 nodes), density 1.000
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx

from kg.network.metrics import COLUMNS, DEFAULT_SEED, format_table, metrics_by_year, metrics_table, rank_changes

__all__ = ["by_year_report", "metrics_report", "summary"]


def summary(G: nx.Graph) -> str:
    """Size, weight, events, components and density; the filters when there are any."""
    n, m = G.number_of_nodes(), G.number_of_edges()
    weight = G.size(weight="weight")
    kind = G.graph.get("kind", "network")
    line = f"{kind} network: {n} nodes, {m} edges, total weight {weight:g}"
    if G.graph.get("event_count") is not None:
        line += f", from {G.graph['event_count']} events"
    lines = [line]
    if G.graph.get("filters"):
        lines.append(f"filters: {G.graph['filters']}")
    if n:
        components = list(nx.connected_components(G)) if not G.is_directed() else []
        largest = max((len(c) for c in components), default=0)
        lines.append(f"components: {len(components)} (largest {largest} nodes), density {nx.density(G):.3f}")
    else:
        lines.append("no events match: the network is empty")
    return "\n".join(lines) + "\n"


def metrics_report(
    G: nx.Graph, *, seed: int = DEFAULT_SEED, top: int | None = None, rows: Sequence[Mapping[str, Any]] | None = None
) -> str:
    """The metrics table (all nodes, or the ``top`` ones), with its header even when empty."""
    rows = list(rows if rows is not None else metrics_table(G, seed=seed))
    shown = rows[:top] if top else rows
    text = format_table(shown, COLUMNS)
    if len(shown) < len(rows):
        text += f"({len(rows) - len(shown)} more nodes; --top 0 shows all)\n"
    return text


def by_year_report(graphs: Mapping[int, nx.Graph], *, seed: int = DEFAULT_SEED, top: int | None = None) -> str:
    """Per-year tables, then each node's rank by weighted degree year by year."""
    rows = metrics_by_year(graphs, seed=seed)
    parts = []
    for year in sorted(graphs):
        G = graphs[year]
        year_rows = [r for r in rows if r["year"] == year]
        parts.append(
            f"== {year}: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges, "
            f"{G.graph.get('event_count', 0)} events ==\n" + metrics_report(G, top=top, rows=year_rows)
        )
    years, changes = rank_changes(rows)
    shown = changes[:top] if top else changes
    parts.append(
        "== rank by weighted degree, year by year (- = absent) ==\n" + format_table(shown, ["code", "label", *years])
    )
    return "\n".join(parts)
