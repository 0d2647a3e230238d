"""Pairs with numpy: every pair of members of each run of a sorted array, and the connected
groups that pairs make.

Grouping compares reports (or items) only within blocks that share a key; a block is a run of
equal keys in a sorted array, and its pairs are made here for all blocks of one size at once
instead of one pair at a time in Python. A pair ``(i, j)``, ``i < j``, of ``n`` members is the
integer ``i * n + j``, so that sorting pairs sorts them by ``i``, then ``j``.

>>> members = np.array([0, 2, 3, 1, 4])
>>> codes = within(members, np.array([0, 3]), np.array([3, 2]), 5)
>>> [divmod(int(c), 5) for c in np.sort(codes)]
[(0, 2), (0, 3), (1, 4), (2, 3)]
>>> components(5, np.array([0, 3]), np.array([2, 4])).tolist()
[0, 1, 0, 3, 3]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["components", "distinct", "runs", "within"]

Ints = NDArray[np.int64]


def runs(keys: NDArray[np.generic]) -> tuple[Ints, Ints]:
    """Where each run of equal values (rows, for a 2-d array) of a sorted ``keys`` starts, and its length."""
    if not len(keys):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    differs = keys[1:] != keys[:-1]
    if differs.ndim > 1:
        differs = differs.any(axis=1)
    starts = np.flatnonzero(np.r_[True, differs])
    return starts, np.diff(np.r_[starts, len(keys)])


def distinct(values: Ints) -> Ints:
    """The distinct values, sorted (``np.unique``, which took twenty times as long on millions of
    pair codes with numpy 2.4).

    >>> distinct(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    held = np.sort(values)
    return held[np.r_[True, held[1:] != held[:-1]]] if len(held) else held


def within(members: Ints, starts: Ints, sizes: Ints, n: int) -> Ints:
    """Every pair of the members of each run (``members[start : start + size]``, ascending within
    a run) as ``i * n + j`` codes; a pair in several runs comes once per run."""
    out = []
    for size in np.unique(sizes[sizes > 1]).tolist():
        first = starts[sizes == size]
        held = members[first[:, None] + np.arange(size)]
        a, b = np.triu_indices(size, 1)
        out.append((held[:, a] * n + held[:, b]).reshape(-1))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def components(n: int, i: Ints, j: Ints) -> Ints:
    """Per member of ``0 … n-1``, the smallest member of its connected group, the pairs
    ``(i[k], j[k])`` being its links: roots hooked to the smaller root of each link, then every
    path halved, until no link joins two groups (a few rounds, not one per member)."""
    parent = np.arange(n, dtype=np.int64)
    while True:
        pi, pj = parent[i], parent[j]
        apart = pi != pj
        if not apart.any():
            return parent
        low, high = np.minimum(pi[apart], pj[apart]), np.maximum(pi[apart], pj[apart])
        np.minimum.at(parent, high, low)
        while True:
            jumped = parent[parent]
            if (jumped == parent).all():
                break
            parent = jumped
