"""Pair the actors of each event and total each pair's events, dates and themes, with numpy.

A co-participation network over 100,000 events has ~600,000 (pair, event) rows, and each edge
wants its events, themes, years and first/last date. Here they are integer arrays (from the
:class:`~kg.network.events.Selection`), sorted once with ``numpy.lexsort`` and cut into edges.

Actors, events, dates and themes are ids in their sort order, so sorting ids sorts IRIs and
date strings: the edges come out ordered by ``(a, b)`` IRIs, each edge's events in IRI order,
its themes in IRI order and its years ascending, exactly as a plain ``sorted(...)`` would give.

>>> import numpy as np
>>> from kg.network.events import Selection
>>> from kg.network.table import EventTable
>>> table = EventTable(["e1", "e2"], ["A", "B", "C"], np.zeros((0, 3), np.int64), ["2019-05-02"],
...                    np.array([0, -1]), ["t"], np.array([[1, 0]]))
>>> s = Selection(table, np.array([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1]]), np.ones(5, np.int64))
>>> edges, counts = cooccurrence(s)
>>> for a, b, d in edges:
...     print(a, b, d["weight"], d["events"], d["themes"], d.get("first"))
A B 2 ['e1', 'e2'] ['t'] 2019-05-02
A C 1 ['e1'] [] 2019-05-02
B C 1 ['e1'] [] 2019-05-02
>>> counts
{'A': 2, 'B': 2, 'C': 1}
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from kg.network.events import Selection
from kg.network.table import Ints, run_starts

__all__ = ["Edge", "cooccurrence"]

Edge = tuple[str, str, dict[str, object]]


def cooccurrence(
    selection: Selection, events: Sequence[int] | None = None, *, right: NDArray[np.bool_] | None = None
) -> tuple[list[Edge], dict[str, int]]:
    """The edges between actors that share events, and each actor's number of events.

    ``events`` (ids, default: all of the selection's) limits the events counted. Without
    ``right``, every two actors of an event are paired (``a < b``); with it (a flag per
    actor id), each actor outside ``right`` is paired with each actor in it (``a`` outside,
    ``b`` in), as in a bipartite graph.

    Each edge is ``(a, b, attrs)``; ``attrs`` holds ``weight`` (the number of shared events),
    ``events`` (their IRIs), ``themes`` (sorted IRIs), ``years`` (ascending) and, when any
    of the events is dated, ``first`` and ``last`` (the earliest and latest start date).
    Edges come sorted by ``(a, b)``; ``counts`` is sorted by actor.
    """
    table = selection.table
    members = selection.members
    if events is not None:
        members = members[np.isin(members[:, 0], np.asarray(events, dtype=np.int64))]
    n_actors = len(table.actors)
    per_actor = np.bincount(members[:, 1], minlength=n_actors)
    counts = {table.actors[a]: int(per_actor[a]) for a in np.flatnonzero(per_actor).tolist()}
    lefts, rights, owners = _pairs(members)
    if right is not None:  # keep the pairs across the sides, outside first
        across = right[lefts] != right[rights]
        lefts, rights, owners = lefts[across], rights[across], owners[across]
        flip = right[lefts]
        lefts, rights = np.where(flip, rights, lefts), np.where(flip, lefts, rights)
    if not len(lefts):
        return [], counts

    key = lefts * n_actors + rights
    order = np.lexsort((owners, key))
    key, owners = key[order], owners[order]
    starts = run_starts(key)
    ends = np.r_[starts[1:], len(key)]
    edge_of_row = np.repeat(np.arange(len(starts)), ends - starts)

    ranks = table.date_of[owners]
    dated = ranks >= 0
    firsts = np.minimum.reduceat(np.where(dated, ranks, len(table.dates)), starts).tolist()
    lasts = np.maximum.reduceat(ranks, starts).tolist()
    years = np.array([int(d[:4]) for d in table.dates], dtype=np.int64)
    year_lists = _grouped(edge_of_row[dated], years[ranks[dated]], len(starts))
    theme_lists = _edge_themes(table.tagged, owners, edge_of_row, len(starts))

    names = [table.events[i] for i in owners.tolist()]
    actors, themes, dates = table.actors, table.themes, table.dates
    edges: list[Edge] = []
    lefts_of, rights_of = np.divmod(key[starts], n_actors)
    rows = zip(
        lefts_of.tolist(), rights_of.tolist(), starts.tolist(), ends.tolist(), theme_lists, year_lists, strict=True
    )
    for (a, b, s, e, theme_ids, years_of), first, last in zip(rows, firsts, lasts, strict=True):
        attrs: dict[str, object] = {
            "weight": e - s,
            "events": names[s:e],
            "themes": [themes[t] for t in theme_ids],
            "years": years_of,
        }
        if last >= 0:
            attrs["first"], attrs["last"] = dates[first], dates[last]
        edges.append((actors[a], actors[b], attrs))
    return edges, counts


def _pairs(members: Ints) -> tuple[Ints, Ints, Ints]:
    """Every two actors ``a < b`` of each event and the event: ``(a, b, event)`` arrays.

    ``members`` is sorted by (event, actor), so each event's actors are a sorted run; the
    runs of one length are a matrix, and its column pairs are the event's actor pairs.
    """
    lefts: list[Ints] = []
    rights: list[Ints] = []
    owners: list[Ints] = []
    if len(members):
        event_col, actor_col = members[:, 0], members[:, 1]
        starts = run_starts(event_col)
        sizes = np.diff(np.r_[starts, len(members)])
        for size in np.unique(sizes[sizes > 1]).tolist():
            first = starts[sizes == size]
            matrix = actor_col[first[:, None] + np.arange(size)]
            upper, lower = np.triu_indices(size, 1)
            lefts.append(matrix[:, upper].ravel())
            rights.append(matrix[:, lower].ravel())
            owners.append(np.repeat(event_col[first], len(upper)))
    if not lefts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(lefts), np.concatenate(rights), np.concatenate(owners)


def _grouped(groups: Ints, values: Ints, n_groups: int) -> list[list[int]]:
    """The distinct ``values`` of each group, ascending (``groups`` need not be sorted)."""
    if not len(groups):
        return [[] for _ in range(n_groups)]
    span = int(values.max()) + 1
    pairs = np.unique(groups * span + values)
    sizes = np.bincount(pairs // span, minlength=n_groups).tolist()
    found = (pairs % span).tolist()
    out: list[list[int]] = []
    at = 0
    for size in sizes:
        out.append(found[at : at + size])
        at += size
    return out


def _edge_themes(tagged: Ints, owners: Ints, edge_of_row: Ints, n_edges: int) -> list[list[int]]:
    """The theme ids of each edge: the union over its events' themes."""
    if not len(tagged):
        return [[] for _ in range(n_edges)]
    tagged_events = tagged[:, 0]  # sorted: each event's themes are a run
    first = np.searchsorted(tagged_events, owners, side="left")
    sizes = np.searchsorted(tagged_events, owners, side="right") - first
    total = int(sizes.sum())
    # the themes of each (pair, event) row, one after another: start of its event's run + position in it
    within = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return _grouped(np.repeat(edge_of_row, sizes), tagged[np.repeat(first, sizes) + within, 1], n_edges)
