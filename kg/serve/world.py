"""The world map of the page: country outlines as SVG paths, keyed by ISO 3166-1 alpha-3.

The outlines are Natural Earth's 1:110m countries as TopoJSON, from the npm package
``world-atlas`` (``static/vendor/world-atlas/countries-110m.json``, vendored: nothing is fetched at
run time). TopoJSON stores each shared border once, as a delta-encoded "arc" on a quantized grid;
a polygon lists the arcs of its rings (``~i``, i.e. ``-i - 1``, is arc ``i`` walked backwards).
This module decodes that in a few lines instead of shipping a JavaScript decoder, so the page only
draws paths and the decoding is tested without a browser. world-atlas names countries by their
ISO 3166-1 numeric code (``"320"``), the reference data (``data/reference/countries.csv``, the
graph's ``mk:m49Code``) turns it into the ISO3 code the graph uses; three features have no
code (N. Cyprus, Somaliland, Kosovo) and are drawn without one.

The projection is Miller's cylindrical, ``WIDTH`` pixels wide, Antarctica left out.

>>> shapes = world_shapes()
>>> gtm = next(s for s in shapes["countries"] if s["iso3"] == "GTM")
>>> gtm["name"], gtm["d"][:1]
('Guatemala', 'M')
>>> x0, y0, x1, y1 = gtm["box"]   # Guatemala: about 92°W to 88°W, 14°N to 18°N
>>> 0.23 < x0 / shapes["width"] < x1 / shapes["width"] < 0.26
True
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kg.reference import load as load_reference

__all__ = ["WIDTH", "WORLD_ATLAS", "decode_arcs", "project", "world_shapes"]

WORLD_ATLAS = Path(__file__).with_name("static") / "vendor" / "world-atlas" / "countries-110m.json"
WIDTH = 1000.0
_LEFT_OUT = {"010"}  # Antarctica: a third of the map's height for no event
_NORTH = 84.0  # the northernmost latitude drawn (Greenland's north coast)
_SOUTH = -56.0  # Tierra del Fuego


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """The topology's arcs as lists of (longitude, latitude): each quantized arc is a start
    point and deltas, scaled and translated by the topology's ``transform``.

    >>> decode_arcs({"transform": {"scale": [0.5, 0.25], "translate": [-10, 5]}, "arcs": [[[4, 8], [2, -4]]]})
    [[(-8.0, 7.0), (-7.0, 6.0)]]
    """
    transform = topology.get("transform")
    (sx, sy), (tx, ty) = (transform["scale"], transform["translate"]) if transform else ((1, 1), (0, 0))
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            if transform:
                x, y = x + dx, y + dy
            else:
                x, y = dx, dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def project(lon: float, lat: float) -> tuple[float, float]:
    """Miller cylindrical, in pixels of a map ``WIDTH`` wide whose top is latitude 84°N.

    >>> project(-180, 84)
    (0.0, 0.0)
    >>> project(0, 0)[0]
    500.0
    """

    def miller(phi: float) -> float:
        return 1.25 * math.log(math.tan(math.pi / 4 + 0.4 * math.radians(phi)))

    scale = WIDTH / (2 * math.pi)
    return (lon + 180) / 360 * WIDTH, (miller(_NORTH) - miller(lat)) * scale


def _rings(arcs: list[list[tuple[float, float]]], indices: Iterable[int]) -> list[list[tuple[float, float]]]:
    """A ring's points, its arcs joined (each without the point it shares with the one before),
    as one or two planar rings.

    world-atlas keeps rings that cross the antimeridian whole (Russia's Chukotka, Fiji), for
    spherical projections to cut. On a flat map such a ring is unwrapped into continuous
    longitudes past ±180° and drawn twice, a world apart; the map's frame clips both copies.

    >>> east, west = _rings([[(179.0, 1.0), (-179.0, 1.0), (-179.0, 0.0), (179.0, 0.0)]], [0])
    >>> east
    [(179.0, 1.0), (181.0, 1.0), (181.0, 0.0), (179.0, 0.0)]
    >>> west
    [(-181.0, 1.0), (-179.0, 1.0), (-179.0, 0.0), (-181.0, 0.0)]
    """
    points: list[tuple[float, float]] = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc[1:] if points else arc)
    unwrapped = points[:1]
    for lon, lat in points[1:]:
        previous = unwrapped[-1][0]
        while lon - previous > 180:
            lon -= 360
        while lon - previous < -180:
            lon += 360
        unwrapped.append((lon, lat))
    lons = [lon for lon, _ in unwrapped]
    rings = [unwrapped]
    if max(lons) > 180:
        rings.append([(lon - 360, lat) for lon, lat in unwrapped])
    elif min(lons) < -180:
        rings.append([(lon + 360, lat) for lon, lat in unwrapped])
    return rings


def _polygons(geometry: dict[str, Any]) -> list[list[list[int]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["arcs"])
    return []


@functools.cache
def world_shapes() -> dict[str, Any]:
    """Every country of the vendored map: ``iso3`` (or None), ``name`` (the reference's English
    name, else Natural Earth's), ``d`` (an SVG path) and ``box`` (x0, y0, x1, y1 in pixels), in
    a ``width`` x ``height`` frame. Read and decoded once per process (~180 shapes)."""
    topology = json.loads(WORLD_ATLAS.read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    countries = {c.numeric: c for c in load_reference().countries.values()}
    _, height = project(180, _SOUTH)
    shapes = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = geometry.get("id")
        if code in _LEFT_OUT:
            continue
        country = countries.get(code) if code else None
        parts: list[str] = []
        xs: list[float] = []
        ys: list[float] = []
        for polygon in _polygons(geometry):
            for indices in polygon:
                for ring in _rings(arcs, indices):
                    pixels = [project(lon, lat) for lon, lat in ring]
                    xs.extend(min(max(x, 0.0), WIDTH) for x, _ in pixels)
                    ys.extend(y for _, y in pixels)
                    parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pixels) + "Z")
        if not parts:
            continue
        shapes.append(
            {
                "iso3": country.iso3 if country else None,
                "name": country.name_en if country else geometry.get("properties", {}).get("name", ""),
                "d": "".join(parts),
                "box": [round(min(xs), 1), round(min(ys), 1), round(max(xs), 1), round(max(ys), 1)],
            }
        )
    shapes.sort(key=lambda s: (s["iso3"] or "~", s["name"]))
    return {"width": WIDTH, "height": round(height, 1), "countries": shapes}
