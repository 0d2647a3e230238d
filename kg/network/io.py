"""Network files: GraphML and GEXF for Gephi, node-link JSON, CSV edge and node lists, pictures.

The format comes from the file name (:meth:`NetworkFormat.from_path`). GraphML and GEXF hold
only scalar attributes, so list-valued ones (an edge's ``events``, ``themes``, ``years``) are
written ``;``-joined (``"2018;2019"``) and missing values are left out; Gephi then shows
``label`` as the node label and uses ``weight`` as the edge weight. Node-link JSON keeps lists
as lists. CSV files have a header line and the same ``;``-joined lists.

>>> NetworkFormat.from_path("out/cooperation.gexf")
<NetworkFormat.GEXF: 'gexf'>
>>> NetworkFormat.from_path("out/cooperation.nodes.csv")
<NetworkFormat.NODES_CSV: 'nodes.csv'>
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from kg.formats import NetworkFormat
from kg.network.metrics import METRICS
from kg.whole import whole

__all__ = ["LIST_SEPARATOR", "scalar_attributes", "write_network"]

LIST_SEPARATOR = ";"


def _scalar(value: Any) -> str | int | float | bool | None:
    if value is None:
        return None
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, Iterable):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def _scalars(attrs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in ((k, _scalar(v)) for k, v in attrs.items()) if v is not None}


def scalar_attributes(G: nx.Graph) -> nx.Graph:
    """A copy of ``G`` whose attributes are all scalars (lists ``;``-joined, ``None`` dropped).

    Examples
    --------
    >>> G = nx.Graph([("GTM", "HND", {"weight": 2, "years": [2018, 2019], "first": None})])
    >>> scalar_attributes(G).edges["GTM", "HND"]
    {'weight': 2, 'years': '2018;2019'}
    """
    H = G.__class__()
    H.graph.update(_scalars(G.graph))
    H.add_nodes_from((n, _scalars(d)) for n, d in G.nodes(data=True))
    if G.is_multigraph():
        H.add_edges_from((u, v, k, _scalars(d)) for u, v, k, d in G.edges(keys=True, data=True))
    else:
        H.add_edges_from((u, v, _scalars(d)) for u, v, d in G.edges(data=True))
    return H


_EDGE_COLUMNS = ("source", "target", "key", "source_label", "target_label", "weight", "events", "themes", "years")
_NODE_COLUMNS = ("id", "label", "kind", "iso3", "acronym", "event_count", *METRICS)


def _columns(rows: Iterable[Mapping[str, Any]], preferred: Iterable[str]) -> list[str]:
    """The preferred columns that occur, in that order, then the others alphabetically."""
    present = {k for row in rows for k in row}
    first = [c for c in preferred if c in present]
    return first + sorted(present - set(first))


def _write_csv(path: Path, header: list[str], rows: Iterable[Mapping[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else _scalar(v) for k, v in row.items()})


def _edge_rows(G: nx.Graph) -> list[dict[str, Any]]:
    label = G.nodes
    rows = []
    edges = G.edges(keys=True, data=True) if G.is_multigraph() else ((u, v, None, d) for u, v, d in G.edges(data=True))
    for u, v, key, data in edges:
        row = {
            "source": u,
            "target": v,
            "source_label": label[u].get("label", u),
            "target_label": label[v].get("label", v),
        }
        if key is not None:
            row["key"] = key
        row.update(data)
        rows.append(row)
    return rows


def _node_rows(G: nx.Graph) -> list[dict[str, Hashable]]:
    return [{"id": n, **d} for n, d in G.nodes(data=True)]


def write_network(G: nx.Graph, path: str | os.PathLike[str], fmt: NetworkFormat | None = None, **picture: Any) -> Path:
    """Write ``G`` to ``path`` in ``fmt`` (default: from the file name); returns the path.

    Parameters
    ----------
    G : networkx.Graph
        Any graph of this package (a cooperation network, a bipartite graph, the mirror).
    path : path-like
        The file to write; its folder is created.
    fmt : NetworkFormat, optional
        Overrides the format the file name implies.
    **picture
        Options of :func:`kg.network.draw.draw` for PNG and SVG (``width``, ``height``,
        ``label_top``, ``seed``, ``title``).

    Examples
    --------
    >>> import tempfile
    >>> G = nx.Graph([("GTM", "HND", {"weight": 2, "years": [2018, 2019]})])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_network(G, Path(tmp) / "net.csv")
    ...     print(out.read_text(), end="")
    source,target,source_label,target_label,weight,years
    GTM,HND,GTM,HND,2,2018;2019
    """
    final = Path(path)
    fmt = fmt or NetworkFormat.from_path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    with whole(final) as partial:  # a reader never sees half a file
        _write(G, partial, fmt, picture)
    return final


def _write(G: nx.Graph, path: Path, fmt: NetworkFormat, picture: dict[str, Any]) -> None:
    if fmt is NetworkFormat.GRAPHML:
        nx.write_graphml(scalar_attributes(G), path, encoding="utf-8", prettyprint=True)
    elif fmt is NetworkFormat.GEXF:
        nx.write_gexf(scalar_attributes(G), path, encoding="utf-8", prettyprint=True)
    elif fmt is NetworkFormat.JSON:
        data = nx.node_link_data(G, edges="edges")
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=_json_default) + "\n", encoding="utf-8")
    elif fmt is NetworkFormat.CSV:
        rows = _edge_rows(G)
        _write_csv(path, _columns(rows, _EDGE_COLUMNS) if rows else list(_EDGE_COLUMNS[:2]), rows)
    elif fmt is NetworkFormat.NODES_CSV:
        rows = _node_rows(G)
        _write_csv(path, _columns(rows, _NODE_COLUMNS) if rows else ["id"], rows)
    else:
        from kg.network.draw import draw

        draw(G, path, fmt=fmt.value, **picture)


def _json_default(value: Any) -> Any:
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str)
    return str(value)
