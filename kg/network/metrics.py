"""Per-node metrics of a cooperation network, for one network or for each year.

Weighted degree counts shared events (the sum of edge weights). Betweenness and clustering
are computed on hops, ignoring weights: a weight here is a count of shared events, a
*closeness*, and NetworkX would read it as a distance. Eigenvector centrality uses the
weights. Communities come from Louvain with a fixed seed, so the same network always gets
the same partition; they are numbered 1, 2, … from the largest.

>>> G = nx.Graph([("a", "b", {"weight": 2}), ("b", "c", {"weight": 1})])
>>> table = metrics_table(G)
>>> [(row["node"], row["weighted_degree"], row["betweenness"]) for row in table]
[('b', 3, 1.0), ('a', 2, 0.0), ('c', 1, 0.0)]
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import networkx as nx

from kg.text import text_table

__all__ = [
    "COLUMNS",
    "DEFAULT_SEED",
    "annotate",
    "communities",
    "format_table",
    "metrics_by_year",
    "metrics_table",
    "node_metrics",
    "rank_changes",
]

DEFAULT_SEED = 42
METRICS = ("degree", "weighted_degree", "betweenness", "eigenvector", "clustering", "community")
COLUMNS = ("rank", "code", "label", "event_count", *METRICS)


def communities(G: nx.Graph, *, seed: int = DEFAULT_SEED) -> dict[Hashable, int]:
    """Louvain communities (weighted) as ``node -> community number``, largest first.

    Examples
    --------
    Two triangles joined by one edge are two communities:

    >>> G = nx.Graph([(1, 2), (2, 3), (1, 3), (3, 4), (4, 5), (5, 6), (4, 6)])
    >>> communities(G)
    {1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 2}
    """
    if G.number_of_nodes() == 0:
        return {}
    found = nx.community.louvain_communities(G, weight="weight", seed=seed)
    ordered = sorted(found, key=lambda c: (-len(c), sorted(map(str, c))))
    return {node: number for number, members in enumerate(ordered, start=1) for node in sorted(members, key=str)}


def _eigenvector(G: nx.Graph) -> dict[Hashable, float]:
    if G.number_of_edges() == 0:
        return dict.fromkeys(G, 0.0)
    try:
        return nx.eigenvector_centrality(G, weight="weight", max_iter=1000, tol=1e-9)
    except nx.PowerIterationFailedConvergence:  # pragma: no cover - A+I iteration converges on real data
        return dict.fromkeys(G, 0.0)


def node_metrics(G: nx.Graph, *, seed: int = DEFAULT_SEED) -> dict[Hashable, dict[str, Any]]:
    """``node -> {degree, weighted_degree, betweenness, eigenvector, clustering, community}``.

    Parameters
    ----------
    G : networkx.Graph
        An undirected network; ``weight`` edge attributes (default 1).
    seed : int
        The Louvain seed.

    Examples
    --------
    >>> G = nx.Graph([("a", "b", {"weight": 3}), ("b", "c", {"weight": 1}), ("a", "c", {"weight": 1})])
    >>> m = node_metrics(G)
    >>> m["a"]["weighted_degree"], m["a"]["clustering"], m["a"]["community"]
    (4, 1.0, 1)
    """
    if G.is_directed() or G.is_multigraph():
        raise ValueError("metrics are defined here for undirected simple graphs (a cooperation network)")
    strength = dict(G.degree(weight="weight"))
    betweenness = nx.betweenness_centrality(G, normalized=True)
    eigenvector = _eigenvector(G)
    clustering = nx.clustering(G)
    community = communities(G, seed=seed)
    return {
        n: {
            "degree": G.degree(n),
            "weighted_degree": strength[n],
            "betweenness": betweenness[n],
            "eigenvector": eigenvector[n],
            "clustering": float(clustering[n]),
            "community": community[n],
        }
        for n in G
    }


def annotate(G: nx.Graph, metrics: Mapping[Hashable, Mapping[str, Any]]) -> nx.Graph:
    """Store each node's metrics as node attributes (for GraphML, GEXF and the picture); returns ``G``."""
    for node, values in metrics.items():
        G.nodes[node].update(values)
    return G


def _code(node: Hashable, attrs: Mapping[str, Any]) -> str:
    if attrs.get("iso3"):
        return str(attrs["iso3"])
    if attrs.get("acronym"):
        return str(attrs["acronym"])
    local = str(node).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return local if len(local) <= 24 else local[:23] + "…"


def metrics_table(
    G: nx.Graph, *, seed: int = DEFAULT_SEED, metrics: Mapping[Hashable, Mapping[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """One row per node, by weighted degree (highest first), then label.

    ``rank`` is the competition rank by weighted degree (ties share the better rank);
    ``code`` is the ISO 3166 alpha-3 code, the acronym, or the IRI's last segment.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> [(row["rank"], row["node"], row["degree"]) for row in metrics_table(G)]
    [(1, 'b', 2), (2, 'a', 1), (2, 'c', 1)]
    """
    metrics = metrics if metrics is not None else node_metrics(G, seed=seed)
    rows = []
    for node, attrs in G.nodes(data=True):
        label = str(attrs.get("label", node))
        rows.append(
            {
                "node": node,
                "code": _code(node, attrs),
                "label": label,
                "event_count": attrs.get("event_count", ""),
                **metrics[node],
            }
        )
    rows.sort(key=lambda r: (-r["weighted_degree"], r["label"], str(r["node"])))
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        if row["weighted_degree"] != previous:
            rank, previous = position, row["weighted_degree"]
        row["rank"] = rank
    return rows


def metrics_by_year(graphs: Mapping[int, nx.Graph], *, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """:func:`metrics_table` for each year's network, each row with its ``year``.

    Examples
    --------
    >>> graphs = {2018: nx.Graph([("a", "b")]), 2019: nx.Graph([("a", "c"), ("c", "b")])}
    >>> [(r["year"], r["node"], r["rank"]) for r in metrics_by_year(graphs)]
    [(2018, 'a', 1), (2018, 'b', 1), (2019, 'c', 1), (2019, 'a', 2), (2019, 'b', 2)]
    """
    return [{"year": year, **row} for year in sorted(graphs) for row in metrics_table(graphs[year], seed=seed)]


def rank_changes(rows: Sequence[Mapping[str, Any]]) -> tuple[list[int], list[dict[str, Any]]]:
    """How each node's rank by weighted degree moves from year to year.

    Takes :func:`metrics_by_year` rows; returns the years and one row per node with
    ``code``, ``label`` and the node's rank in each year (``None`` when absent), ordered by
    the total weighted degree over all years.

    Examples
    --------
    >>> graphs = {2018: nx.Graph([("a", "b")]), 2019: nx.Graph([("a", "c"), ("c", "b")])}
    >>> years, rows = rank_changes(metrics_by_year(graphs))
    >>> years, [(r["code"], r[2018], r[2019]) for r in rows]
    ([2018, 2019], [('a', 1, 2), ('b', 1, 2), ('c', None, 1)])
    """
    years = sorted({row["year"] for row in rows})
    by_node: dict[Hashable, dict[str, Any]] = {}
    totals: dict[Hashable, float] = {}
    for row in rows:
        entry = by_node.setdefault(
            row["node"], {"node": row["node"], "code": row["code"], "label": row["label"], **dict.fromkeys(years)}
        )
        entry[row["year"]] = row["rank"]
        totals[row["node"]] = totals.get(row["node"], 0) + row["weighted_degree"]
    ordered = sorted(by_node.values(), key=lambda e: (-totals[e["node"]], e["label"], str(e["node"])))
    return years, ordered


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def format_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[Any] = COLUMNS) -> str:
    """A plain aligned text table with a header line and a rule; numbers right-aligned.

    Examples
    --------
    >>> print(format_table([{"code": "GTM", "weighted_degree": 14, "clustering": 0.5}],
    ...                    ["code", "weighted_degree", "clustering"]), end="")
    code  weighted_degree  clustering
    ----  ---------------  ----------
    GTM                14       0.500
    """
    numeric = [
        bool(rows) and all(isinstance(row.get(c), int | float) or row.get(c) is None for row in rows) for c in columns
    ]
    return text_table([str(c) for c in columns], [[_cell(row.get(c)) for c in columns] for row in rows], numeric)
