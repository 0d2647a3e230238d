"""The picture of ``kg network -o net.png``: labels beside the nodes, a legend of communities,
readable at 15 and at 200 countries. Read from the matplotlib figure's objects, never from pixels."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.network.draw import LEGEND_COMMUNITIES, figure, picture_size
from kg.network.metrics import communities


def synthetic(n: int, seed: int = 7) -> nx.Graph:
    base = nx.powerlaw_cluster_graph(n, 2, 0.3, seed=seed)
    G = nx.Graph(kind="countries")
    G.add_nodes_from((f"c{v}", {"label": f"Country {v}", "kind": "country"}) for v in base)
    G.add_edges_from((f"c{u}", f"c{v}", {"weight": 1 + (u + v) % 5}) for u, v in base.edges)
    return G


def labels(fig):  # type: ignore[no-untyped-def]
    return [t for t in fig.axes[0].texts if t.get_gid() == "label"]


def legend_texts(fig) -> list[str]:  # type: ignore[no-untyped-def]
    (legend,) = fig.legends
    return [t.get_text() for t in legend.get_texts()]


def inside_figure(fig, artists) -> bool:  # type: ignore[no-untyped-def]
    renderer = fig.canvas.get_renderer()
    frame = fig.bbox
    for artist in artists:
        box = artist.get_window_extent(renderer)
        if box.x0 < frame.x0 - 1 or box.x1 > frame.x1 + 1 or box.y0 < frame.y0 - 1 or box.y1 > frame.y1 + 1:
            return False
    return True


@pytest.mark.parametrize("n", [15, 200])
def test_one_legend_entry_per_community_named_by_its_members(n):
    G = synthetic(n)
    fig = figure(G)
    found = communities(G)
    k = max(found.values())
    texts = legend_texts(fig)
    assert len(texts) == min(k, LEGEND_COMMUNITIES) + (k > LEGEND_COMMUNITIES)
    for number, text in enumerate(texts[:LEGEND_COMMUNITIES], start=1):
        size = sum(1 for c in found.values() if c == number)
        assert text.startswith(f"{number} · {size} node"), text
        first = text.split(": ", 1)[1].split(",")[0].split(" +")[0]
        assert found[next(v for v in G if G.nodes[v]["label"] == first)] == number
    if k > LEGEND_COMMUNITIES:
        assert (
            texts[-1]
            == f"{k - LEGEND_COMMUNITIES} smaller communities, {sum(c > LEGEND_COMMUNITIES for c in found.values())} nodes"
        )
    fig.canvas.draw()
    assert inside_figure(fig, [fig.legends[0]]), "the legend stays inside the picture"


def test_15_countries_all_labelled_beside_their_nodes():
    G = synthetic(15)
    fig = figure(G)
    found = labels(fig)
    assert sorted(t.get_text() for t in found) == sorted(G.nodes[v]["label"] for v in G)
    for text in found:
        dx, dy = text.xyann
        assert dy == 0 and abs(dx) > 5, "beside the node, not on it"
        assert text.get_ha() == ("left" if dx > 0 else "right")
    assert (fig.get_figwidth() * fig.dpi, fig.get_figheight() * fig.dpi) == (1600, 1200)
    assert {t.get_fontsize() for t in found} == {11}
    fig.canvas.draw()
    assert inside_figure(fig, found), "no label is cut by the picture's edge"


def test_200_countries_label_the_30_best_connected_in_a_bigger_picture():
    G = synthetic(200)
    fig = figure(G)
    found = labels(fig)
    strength = dict(G.degree(weight="weight"))
    best = sorted(G, key=lambda v: (-strength[v], G.nodes[v]["label"]))[:30]
    assert sorted(t.get_text() for t in found) == sorted(G.nodes[v]["label"] for v in best)
    assert (fig.get_figwidth() * fig.dpi, fig.get_figheight() * fig.dpi) == picture_size(200) == (2400, 1800)
    # fonts grow with the picture: the same size relative to its width as a small network's 9 pt
    assert {t.get_fontsize() for t in found} == {9 * 1.5}
    notes = [t.get_text() for t in fig.texts]
    assert any("labels: the 30 best connected of 200 nodes" in t for t in notes)
    fig.canvas.draw()
    assert inside_figure(fig, found)


def test_the_picture_grows_with_the_network_up_to_a_cap():
    sizes = [picture_size(n) for n in (1, 15, 40, 60, 100, 200, 5000)]
    assert sizes[:3] == [(1600, 1200)] * 3
    assert sizes[2] < sizes[3] < sizes[4] <= sizes[5] == sizes[6] == (2400, 1800)
    assert all(w * 3 == h * 4 for w, h in sizes)


def test_an_explicit_size_is_kept():
    fig = figure(synthetic(200), width=800, height=600)
    assert (fig.get_figwidth() * fig.dpi, fig.get_figheight() * fig.dpi) == (800, 600)
