"""Same event for many reports at once: :func:`kg.same.events.group_reports`' answer, with the
candidate pairs made and judged by numpy.

The rules are :mod:`kg.same.events`'; what differs is how many pairs Python looks at. Each
report's blocks (type, month, country, place or organisation) become integer codes; the pairs of
each run of equal codes are made for all blocks at once (:func:`kg.same.pairs.within`), and each
pair carries the kinds of blocks it shares: sharing a type and a month, two reports share a
country exactly when they share a block of that country. So the tests of a pair (a country, a
host country, a place, an organisation in common or not; types, dates, items) are columns of
numbers, and only the pairs that pass reach the joining of groups, which stays as it was: one
link at a time, in the order of the reports' IRIs, refused when two reports of the groups
contradict each other.

Reports fall into connected groups by these pairs (:func:`kg.same.pairs.components`), and the
groups of one connected group depend on its reports alone: :func:`join` can regroup some
connected groups and leave the others as they were (an incremental build, :mod:`kg.same.derive`).

>>> from datetime import date
>>> from kg.same.events import group_reports
>>> day = date(2019, 6, 4)
>>> a = Report("e:a", "i:a", day, frozenset({"workshop"}), day, None, "day", frozenset({"MEX"}), frozenset({"MEX"}))
>>> b = Report("e:b", "i:b", day, frozenset({"meeting"}), day, None, "day", frozenset(), frozenset({"MEX"}))
>>> c = Report("e:c", "i:c", day, frozenset(), None, None, None, frozenset(), frozenset({"MEX"}))
>>> links = Links.of([a, b, c])
>>> links.pairs.tolist(), links.component.tolist()
([[0, 1]], [0, 0, 2])
>>> join([a, b, c], links) == group_reports([a, b, c])
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kg.same.events import TYPE_FAMILIES, Report, _common, _contradicts, _months
from kg.same.pairs import components, distinct, runs, within

__all__ = ["Links", "join"]

Ints = NDArray[np.int64]
#: What a pair shares, by the blocks it is in: a country, a host country, a place, an organisation.
_COUNTRY, _HOST, _PLACE, _ORG = 1, 2, 4, 8
_KINDS = {"c": _COUNTRY, "l": _HOST, "p": _PLACE, "o": _ORG}
_TAG_BITS = 4
_TAG = 1 << _TAG_BITS
_MONTHS = 12 * 10_000  # a month of years 0-9999 as 12 * year + month - 1


@dataclass(frozen=True)
class Links:
    """The pairs of reports (indices into reports sorted by IRI) that may be joined into one
    event, sorted, and each report's connected group (the smallest index in it)."""

    pairs: Ints  # (m, 2), i < j
    component: Ints
    common: frozenset[str]  # organisations that are no evidence (kg.same.events.COMMON_SHARE)

    @classmethod
    def of(cls, reports: Sequence[Report], stories: Mapping[str, str] | None = None) -> Links:
        """The links of ``reports`` (sorted by IRI); ``stories``: item -> its story
        (:func:`kg.same.story.story_groups`)."""
        rs = list(reports)
        common = _common(rs)
        pairs = _judged(rs, *_candidates(rs, common))
        pairs = _with_stories(rs, pairs, stories or {})
        return cls(pairs, components(len(rs), pairs[:, 0], pairs[:, 1]), common)


def _candidates(rs: list[Report], common: frozenset[str]) -> tuple[Ints, Ints]:
    """The pairs that share a block (:func:`kg.same.events._blocks`) as ``i * n + j`` codes, sorted,
    each once, and what each shares (``_COUNTRY | _HOST | ...``)."""
    n = len(rs)
    key_of = {t: min(f) for f in TYPE_FAMILIES for t in f}  # one block per family
    keys_of = [{key_of.get(t, t) for t in r.types} for r in rs]
    every_key = sorted(set().union(*keys_of, {""}))  # an untyped report may be of any type: it is in every block
    key_id = {k: i for i, k in enumerate(every_key)}
    every_id = list(range(len(every_key)))
    actor_id: dict[tuple[str, str], int] = {}
    types: list[int] = []  # per report, its type keys, one after the other
    actors: list[int] = []  # per report, its countries, host countries, places, organisations
    counts: list[tuple[int, int, int]] = []  # per report: type keys, actors, months
    first: list[int] = []  # per report, its first month
    ids = actor_id.setdefault
    for r, keys in zip(rs, keys_of, strict=True):
        span = r.span
        months = _months(span) if span is not None else [(0, 1)]
        held = [ids(("c", c), len(actor_id)) for c in r.countries]
        held += [ids(("l", c), len(actor_id)) for c in r.locations]
        held += [ids(("p", p), len(actor_id)) for p in r.places]
        held += [ids(("o", o), len(actor_id)) for o in r.organizations if o not in common]
        typed = [key_id[k] for k in sorted(keys)] or every_id
        types += typed
        actors += held
        counts.append((len(typed), len(held), len(months) if span is not None else 0))
        first.append(12 * months[0][0] + months[0][1] - 1)
    if len(actor_id) >= 1 << 24:
        raise ValueError("more than 2**24 countries, places and organisations")
    code, owner = _block_codes(
        np.array(types, dtype=np.int64),
        np.array(actors, dtype=np.int64),
        np.array(counts, dtype=np.int64).reshape(-1, 3),
        np.array(first, dtype=np.int64),
    )
    kind_of = np.array([_KINDS[kind] for kind, _ in actor_id], dtype=np.int64)
    order = np.argsort(code, kind="stable")  # a block's reports stay in the order of their IRIs
    code, owner = code[order], owner[order]
    kind = kind_of[code & ((1 << 24) - 1)]
    starts, sizes = runs(code)
    # each pair once per block it is in, with the kind of that block in its lowest bits
    tagged = np.concatenate(
        [
            within(owner, starts[kind[starts] == bit], sizes[kind[starts] == bit], n) * _TAG + bit
            for bit in _KINDS.values()
        ]
    )
    tagged.sort()
    once, _ = runs(tagged >> _TAG_BITS)
    share = np.bitwise_or.reduceat(tagged & (_TAG - 1), once) if len(once) else tagged[:0]
    return tagged[once] >> _TAG_BITS, share


def _block_codes(types: Ints, actors: Ints, counts: Ints, first: Ints) -> tuple[Ints, Ints]:
    """Every block of every report, ``(type key * months + month) * 2**24 + actor``, and its report:
    per report, each of its type keys (``counts[:, 0]`` of ``types``) with each of its months
    (``counts[:, 2]`` from ``first``) and each of its actors (``counts[:, 1]`` of ``actors``)."""
    nt, na, nm = counts.T
    total = nt * na * nm
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), total)
    k = np.arange(total.sum(), dtype=np.int64) - np.repeat(np.cumsum(total) - total, total)  # within its report
    per_type = (na * nm)[owner]
    t = types[(np.cumsum(nt) - nt)[owner] + k // np.maximum(per_type, 1)]
    month = first[owner] + (k // np.maximum(na[owner], 1)) % np.maximum(nm[owner], 1)
    a = actors[(np.cumsum(na) - na)[owner] + k % np.maximum(na[owner], 1)]
    return (t * _MONTHS + month) * (1 << 24) + a, owner


def _judged(rs: list[Report], pair: Ints, share: Ints) -> Ints:
    """The candidate pairs :func:`kg.same.events.compatible` keeps (not of one story), as ``(i, j)`` rows."""
    n = len(rs)
    i, j = pair // max(n, 1), pair % max(n, 1)
    names = sorted({t for r in rs for t in r.family})
    if len(names) > 62:
        raise ValueError("more than 62 event types")
    bit = {t: 1 << k for k, t in enumerate(names)}
    item_id: dict[str, int] = {}
    item = np.array([item_id.setdefault(r.item, len(item_id)) for r in rs], dtype=np.int64)
    family = np.array([sum(bit[t] for t in r.family) for r in rs], dtype=np.int64)
    typed = np.array([bool(r.types) for r in rs], dtype=bool)
    dated = np.array([r.start is not None for r in rs], dtype=bool)
    low = np.array([r.span[0].toordinal() if r.span else 0 for r in rs], dtype=np.int64)
    high = np.array([r.span[1].toordinal() if r.span else 0 for r in rs], dtype=np.int64)
    hosted = np.array([bool(r.locations) for r in rs], dtype=bool)
    countries = np.array([bool(r.countries) for r in rs], dtype=bool)
    placed = np.array([bool(r.places) for r in rs], dtype=bool)

    def apart(has: NDArray[np.bool_], kind: int) -> NDArray[np.bool_]:
        return has[i] & has[j] & (share & kind == 0)

    contradicts = (item[i] == item[j]) | (typed[i] & typed[j] & (family[i] & family[j] == 0))
    contradicts |= (low[i] > high[j]) | (low[j] > high[i])
    contradicts |= apart(hosted, _HOST) | apart(countries, _COUNTRY) | apart(placed, _PLACE)
    specific = share & (_PLACE | _ORG) != 0
    kept = ~contradicts & (specific | (dated[i] & dated[j] & (share & _COUNTRY != 0)))
    return np.stack([i[kept], j[kept]], axis=1)


def _with_stories(rs: list[Report], pairs: Ints, stories: Mapping[str, str]) -> Ints:
    """``pairs`` and the pairs of reports of copies of one story that nothing contradicts, sorted."""
    by_story: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rs):
        if r.item in stories:
            by_story[stories[r.item]].append(i)
    extra = [
        (i, j)
        for held in by_story.values()
        for x, i in enumerate(held)
        for j in held[x + 1 :]
        if not _contradicts(rs[i], rs[j])
    ]
    if not extra:
        return pairs
    n = len(rs)
    codes = distinct(np.r_[pairs[:, 0] * n + pairs[:, 1], np.array([i * n + j for i, j in extra], dtype=np.int64)])
    return np.stack([codes // n, codes % n], axis=1)


def join(reports: Sequence[Report], links: Links, only: NDArray[np.bool_] | None = None) -> list[list[str]]:
    """The groups of two or more reports of one event, as sorted lists of IRIs, sorted: the
    linked pairs taken in order, two groups joined when no report of one contradicts a report of
    the other. ``only``: per report, whether to group its connected group (the others are left out)."""
    rs = list(reports)
    pairs = links.pairs
    if only is not None:
        pairs = pairs[only[links.component[pairs[:, 0]]]]
    group: dict[int, int] = {}  # report -> its group's first report
    members: dict[int, list[int]] = {}
    for i, j in pairs.tolist():
        gi, gj = group.get(i, i), group.get(j, j)
        if gi == gj:
            continue
        mi, mj = members.get(gi), members.get(gj)
        # two single reports: linked, so nothing contradicts; else every report of one against the other
        if (mi or mj) and any(_contradicts(rs[x], rs[y]) for x in mi or (gi,) for y in mj or (gj,)):
            continue
        keep, gone = (gi, gj) if gi < gj else (gj, gi)
        moved = members.pop(gone, None) or [gone]
        for x in moved:
            group[x] = keep
        members[keep] = (members.get(keep) or [keep]) + moved
    return sorted(sorted(rs[x].iri for x in m) for m in members.values())
