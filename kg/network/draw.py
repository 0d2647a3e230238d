"""A picture of a cooperation network (PNG or SVG) with matplotlib's Agg canvas.

Nodes are sized by weighted degree and coloured by Louvain community, edges are as wide as
their weight, and the picture has exactly the requested size in pixels. Readability policy:
up to ``label_all`` nodes every node is labelled; above that only the ``label_top`` nodes
with the highest weighted degree are, smaller and with a note saying so, and nodes and edges
shrink and fade with the size of the network. Countries are circles, organisations squares,
events triangles.

matplotlib is imported inside :func:`draw`, never at import time, and without pyplot: no
global figure state, no GUI backend.
"""

from __future__ import annotations

import os
from collections.abc import Hashable
from typing import Any

import networkx as nx

from kg.network.metrics import DEFAULT_SEED, communities

__all__ = ["draw"]

_MARKERS = {"country": "o", "organization": "s", "event": "^"}


def _layout(G: nx.Graph, seed: int) -> dict[Hashable, Any]:
    """ForceAtlas2 (NumPy only) with gravity, so that isolated nodes and small components stay
    near the rest instead of being pushed to the corners as a plain spring layout does."""
    if G.number_of_nodes() <= 2:
        return nx.circular_layout(G)
    simple = nx.Graph(G) if G.is_multigraph() or G.is_directed() else G
    rounds = 300 if G.number_of_nodes() <= 500 else 100
    return nx.forceatlas2_layout(
        simple, weight="weight", seed=seed, max_iter=rounds, gravity=2.0, strong_gravity=True, scaling_ratio=2.0
    )


def _short(attrs: dict[str, Any], node: Hashable, crowded: bool) -> str:
    label = str(attrs.get("label", node))
    if (crowded or attrs.get("kind") == "organization") and len(label) > 22 and attrs.get("acronym"):
        return str(attrs["acronym"])
    return label if len(label) <= 40 else label[:38] + "…"


def draw(
    G: nx.Graph,
    path: str | os.PathLike[str],
    *,
    width: int = 1600,
    height: int = 1200,
    dpi: int = 100,
    label_all: int = 40,
    label_top: int = 30,
    seed: int = DEFAULT_SEED,
    title: str | None = None,
    fmt: str = "png",
) -> None:
    """Draw ``G`` into ``path`` as a ``width`` x ``height`` pixel picture.

    Parameters
    ----------
    G : networkx.Graph
        A cooperation network; ``weight`` on edges, ``label`` and ``kind`` on nodes. A
        ``community`` node attribute is used when present, else Louvain runs with ``seed``.
    path : path-like
        The file to write.
    width, height, dpi : int
        The picture's size in pixels and its resolution.
    label_all, label_top : int
        Label every node up to ``label_all`` nodes, else the ``label_top`` best connected.
    seed : int
        Seed of the layout and of Louvain.
    title : str, optional
        Defaults to the network's kind, size and filters.
    fmt : str
        ``png`` or ``svg``.

    Examples
    --------
    >>> import struct, tempfile
    >>> from pathlib import Path
    >>> G = nx.Graph([("GTM", "HND", {"weight": 2}), ("HND", "SLV", {"weight": 1})])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     draw(G, Path(tmp) / "net.png", width=400, height=300)
    ...     struct.unpack(">II", (Path(tmp) / "net.png").read_bytes()[16:24])
    (400, 300)
    """
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure

    n, m = G.number_of_nodes(), G.number_of_edges()
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.05, 0.96, 0.87))
    ax.set_axis_off()
    kind = G.graph.get("kind", "network")
    heading = title or f"{kind} cooperation network: {n} nodes, {m} edges"
    if G.graph.get("event_count") is not None and not title:
        heading += f", {G.graph['event_count']} events"
    fig.text(0.5, 0.965, heading, ha="center", va="center", fontsize=16, weight="bold")
    if G.graph.get("filters"):
        fig.text(0.5, 0.935, str(G.graph["filters"]), ha="center", va="center", fontsize=11, color="#444444")

    if n == 0:
        ax.text(0.5, 0.5, "No events match: the network is empty.", ha="center", va="center", fontsize=14)
        fig.savefig(path, format=fmt, dpi=dpi, metadata={"Software": None} if fmt == "png" else None)
        return

    strength = dict(G.degree(weight="weight"))
    if all("community" in d for _, d in G.nodes(data=True)):
        community = dict(G.nodes(data="community"))
    else:
        community = communities(G, seed=seed) if not G.is_directed() else dict.fromkeys(G, 1)
    pos = _layout(G, seed)
    n_communities = max(community.values(), default=1)
    palette = colormaps["tab10" if n_communities <= 10 else "tab20"]

    top = max(strength.values()) or 1
    node_area = min(1800.0, max(120.0, 60000.0 / n))
    edge_max = 6.0 if n <= 60 else 2.5
    weights = [d.get("weight", 1) for _, _, d in G.edges(data=True)]
    w_lo, w_hi = (min(weights), max(weights)) if weights else (1, 1)

    if m:
        segments = [(pos[u], pos[v]) for u, v in G.edges()]
        widths = [0.6 + (edge_max - 0.6) * ((w - w_lo) / (w_hi - w_lo) if w_hi > w_lo else 0.3) for w in weights]
        alpha = 0.55 if m <= 300 else 0.25
        ax.add_collection(LineCollection(segments, linewidths=widths, colors="#7a7a7a", alpha=alpha, zorder=1))

    by_marker: dict[str, list[Hashable]] = {}
    for node, node_kind in G.nodes(data="kind"):
        by_marker.setdefault(_MARKERS.get(str(node_kind), "o"), []).append(node)
    for marker, nodes in sorted(by_marker.items()):
        ax.scatter(
            [pos[v][0] for v in nodes],
            [pos[v][1] for v in nodes],
            s=[node_area * (0.08 + 0.92 * strength[v] / top) for v in nodes],
            c=[to_hex(palette((community.get(v, 1) - 1) % palette.N)) for v in nodes],
            marker=marker,
            edgecolors="white",
            linewidths=0.8,
            zorder=2,
        )

    crowded = n > label_all
    ranked = sorted(G, key=lambda v: (-strength[v], str(G.nodes[v].get("label", v))))
    labelled = ranked if not crowded else ranked[:label_top]
    font = 10 if not crowded else 8
    for v in labelled:
        x, y = pos[v]
        ax.text(
            x,
            y,
            _short(G.nodes[v], v, crowded),
            fontsize=font,
            ha="center",
            va="center",
            zorder=3,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7, "linewidth": 0},
        )
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    pad_x = (max(xs) - min(xs)) * 0.08 or 1.0
    pad_y = (max(ys) - min(ys)) * 0.08 or 1.0
    ax.set_xlim(min(xs) - pad_x, max(xs) + pad_x)
    ax.set_ylim(min(ys) - pad_y, max(ys) + pad_y)

    note = "node size: weighted degree (shared events) · edge width: shared events · colour: Louvain community"
    if crowded:
        note += f" · labels: the {len(labelled)} best connected of {n} nodes"
    fig.text(0.5, 0.02, note, ha="center", va="center", fontsize=9, color="#555555")
    fig.savefig(path, format=fmt, dpi=dpi, metadata={"Software": None} if fmt == "png" else None)
