"""A picture of a cooperation network (PNG or SVG) with matplotlib's Agg canvas.

Nodes are sized by weighted degree and coloured by Louvain community, edges are as wide as
their weight, and a legend on the right names each community by its best connected members.
Labels sit beside their nodes (to the right, or to the left in the right-hand part of the
picture), never on them. Readability policy: up to ``label_all`` nodes every node is labelled;
above that only the ``label_top`` nodes with the highest weighted degree are, with a note saying
so; the picture grows with the network (1600 x 1200 pixels up to 40 nodes, up to 2400 x 1800),
fonts grow with the picture, and nodes and edges shrink and fade with the size of the network.
Countries are circles, organisations squares, events triangles.

:func:`figure` builds the matplotlib figure (tests read its legend and labels), :func:`draw`
writes it. matplotlib is imported inside them, never at import time, and without pyplot: no
global figure state, no GUI backend.
"""

from __future__ import annotations

import os
from collections.abc import Hashable
from typing import Any

import networkx as nx

from kg.network.metrics import DEFAULT_SEED, communities

__all__ = ["draw", "figure", "picture_size"]

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


#: Communities named in the legend; smaller ones are summed up in one last entry.
LEGEND_COMMUNITIES = 12


def picture_size(n: int) -> tuple[int, int]:
    """The default size in pixels of the picture of an ``n``-node network: 1600 x 1200 up to
    40 nodes, then growing with the square root of ``n``, at most 2400 x 1800.

    >>> picture_size(15), picture_size(200)
    ((1600, 1200), (2400, 1800))
    """
    width = min(2400, max(1600, round(1600 * (max(n, 1) / 40) ** 0.5 / 8) * 8))
    return width, width * 3 // 4


def _short(attrs: dict[str, Any], node: Hashable, crowded: bool) -> str:
    label = str(attrs.get("label", node))
    if (crowded or attrs.get("kind") == "organization") and len(label) > 22 and attrs.get("acronym"):
        return str(attrs["acronym"])
    return label if len(label) <= 40 else label[:38] + "…"


def draw(
    G: nx.Graph,
    path: str | os.PathLike[str],
    *,
    width: int | None = None,
    height: int | None = None,
    dpi: int = 100,
    fmt: str = "png",
    **options: Any,
) -> None:
    """Draw ``G`` into ``path`` as a ``width`` x ``height`` pixel picture (by default
    :func:`picture_size` of its size); ``options`` are those of :func:`figure`.

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
    fig = figure(G, width=width, height=height, dpi=dpi, **options)
    fig.savefig(path, format=fmt, dpi=dpi, metadata={"Software": None} if fmt == "png" else None)


def figure(
    G: nx.Graph,
    *,
    width: int | None = None,
    height: int | None = None,
    dpi: int = 100,
    label_all: int = 40,
    label_top: int = 30,
    seed: int = DEFAULT_SEED,
    title: str | None = None,
) -> Any:
    """The picture of ``G`` as a matplotlib ``Figure`` (Agg canvas), not yet written.

    Parameters
    ----------
    G : networkx.Graph
        A cooperation network; ``weight`` on edges, ``label`` and ``kind`` on nodes. A
        ``community`` node attribute is used when present, else Louvain runs with ``seed``.
    width, height, dpi : int
        The picture's size in pixels (default :func:`picture_size`) and its resolution.
    label_all, label_top : int
        Label every node up to ``label_all`` nodes, else the ``label_top`` best connected.
    seed : int
        Seed of the layout and of Louvain.
    title : str, optional
        Defaults to the network's kind, size and filters.

    Examples
    --------
    The labels are the figure's texts with the gid ``label``, the legend names the communities:

    >>> G = nx.Graph([("GTM", "HND", {"weight": 2}), ("HND", "SLV", {"weight": 1})])
    >>> fig = figure(G)
    >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_gid() == "label")
    ['GTM', 'HND', 'SLV']
    >>> [t.get_text() for t in fig.legends[0].get_texts()]
    ['1 · 3 nodes: HND, GTM, SLV']
    """
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    n, m = G.number_of_nodes(), G.number_of_edges()
    default_width, default_height = picture_size(n)
    width, height = width or default_width, height or default_height
    grow = min(width / 1600, height / 1200)  # fonts grow with the picture
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.05, 0.74, 0.87))
    ax.set_axis_off()
    kind = G.graph.get("kind", "network")
    heading = title or f"{kind} cooperation network: {n} nodes, {m} edges"
    if G.graph.get("event_count") is not None and not title:
        heading += f", {G.graph['event_count']} events"
    fig.text(0.5, 0.965, heading, ha="center", va="center", fontsize=16 * grow, weight="bold")
    if G.graph.get("filters"):
        fig.text(0.5, 0.935, str(G.graph["filters"]), ha="center", va="center", fontsize=11 * grow, color="#444444")

    if n == 0:
        ax.text(0.5, 0.5, "No events match: the network is empty.", ha="center", va="center", fontsize=14 * grow)
        return fig

    strength = dict(G.degree(weight="weight"))
    if all("community" in d for _, d in G.nodes(data=True)):
        community = dict(G.nodes(data="community"))
    else:
        community = communities(G, seed=seed) if not G.is_directed() else dict.fromkeys(G, 1)
    pos = _layout(G, seed)
    n_communities = max(community.values(), default=1)
    palette = colormaps["tab10" if n_communities <= 10 else "tab20"]

    def colour(v: Hashable) -> str:
        return to_hex(palette((community.get(v, 1) - 1) % palette.N))

    top = max(strength.values()) or 1
    node_area = min(1800.0, max(120.0, 60000.0 / n)) * grow**2
    edge_max = 6.0 if n <= 60 else 2.5
    weights = [d.get("weight", 1) for _, _, d in G.edges(data=True)]
    w_lo, w_hi = (min(weights), max(weights)) if weights else (1, 1)

    if m:
        segments = [(pos[u], pos[v]) for u, v in G.edges()]
        widths = [0.6 + (edge_max - 0.6) * ((w - w_lo) / (w_hi - w_lo) if w_hi > w_lo else 0.3) for w in weights]
        alpha = 0.55 if m <= 300 else 0.25
        ax.add_collection(LineCollection(segments, linewidths=widths, colors="#7a7a7a", alpha=alpha, zorder=1))

    area = {v: node_area * (0.08 + 0.92 * strength[v] / top) for v in G}
    by_marker: dict[str, list[Hashable]] = {}
    for node, node_kind in G.nodes(data="kind"):
        by_marker.setdefault(_MARKERS.get(str(node_kind), "o"), []).append(node)
    for marker, nodes in sorted(by_marker.items()):
        ax.scatter(
            [pos[v][0] for v in nodes],
            [pos[v][1] for v in nodes],
            s=[area[v] for v in nodes],
            c=[colour(v) for v in nodes],
            marker=marker,
            edgecolors="white",
            linewidths=0.8,
            zorder=2,
        )

    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    crowded = n > label_all
    ranked = sorted(G, key=lambda v: (-strength[v], str(G.nodes[v].get("label", v))))
    labelled = ranked if not crowded else ranked[:label_top]
    font = (11 if not crowded else 9) * grow
    right = min(xs) + 0.7 * (max(xs) - min(xs))  # labels of nodes past this go to the left
    for v in labelled:
        x, y = pos[v]
        gap = (area[v] ** 0.5) / 2 + 3 * grow  # the marker's radius in points, and a little air
        left = x > right
        ax.annotate(
            _short(G.nodes[v], v, crowded),
            (x, y),
            xytext=(-gap if left else gap, 0),
            textcoords="offset points",
            fontsize=font,
            ha="right" if left else "left",
            va="center",
            zorder=3,
            gid="label",
            bbox={"boxstyle": "round,pad=0.12", "facecolor": "white", "alpha": 0.75, "linewidth": 0},
        )
    pad_x = (max(xs) - min(xs)) * 0.12 or 1.0
    pad_y = (max(ys) - min(ys)) * 0.06 or 1.0
    ax.set_xlim(min(xs) - pad_x, max(xs) + pad_x)
    ax.set_ylim(min(ys) - pad_y, max(ys) + pad_y)

    members: dict[int, list[Hashable]] = {}
    for v in ranked:
        members.setdefault(community.get(v, 1), []).append(v)
    handles, names = [], []
    for number in sorted(members)[:LEGEND_COMMUNITIES]:
        nodes = members[number]
        shown = ", ".join(_short(G.nodes[v], v, True) for v in nodes[:3])
        while len(shown) > 30 and "," in shown:  # the legend keeps to its column
            shown = shown.rsplit(",", 1)[0]
        shown = shown if len(shown) <= 30 else shown[:29] + "…"
        named = shown.count(",") + 1
        shown += f" +{len(nodes) - named}" if len(nodes) > named else ""
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=9 * grow, color=colour(nodes[0])))
        names.append(f"{number} · {len(nodes)} node{'s' if len(nodes) > 1 else ''}: {shown}")
    rest = sorted(members)[LEGEND_COMMUNITIES:]
    if rest:
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=9 * grow, color="#bbbbbb"))
        names.append(f"{len(rest)} smaller communities, {sum(len(members[c]) for c in rest)} nodes")
    fig.legend(
        handles,
        names,
        loc="upper left",
        bbox_to_anchor=(0.755, 0.9),
        title="Communities (Louvain)",
        fontsize=9.5 * grow,
        title_fontsize=10.5 * grow,
        frameon=False,
        alignment="left",
    )

    note = "node size: weighted degree (shared events) · edge width: shared events · colour: Louvain community"
    if crowded:
        note += f" · labels: the {len(labelled)} best connected of {n} nodes"
    fig.text(0.5, 0.02, note, ha="center", va="center", fontsize=9 * grow, color="#555555")
    return fig
