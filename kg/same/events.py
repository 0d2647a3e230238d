"""Same event: reports of one real-world event, from different items, grouped.

Two reports (events of different items) are the same event when

- they share an event type, or types one event is reported under by different writers
  (:data:`TYPE_FAMILIES`: a meeting, workshop, conference, dialogue or training; a launch or
  campaign), or one of them has no type (the extractor found an event but not its kind: "will
  meet", "brought food parcels"), which may then be of any type;
- their dates overlap, each read as the period its precision says: a month-precision
  ``2019-06-01`` is all of June 2019, a year-precision date the whole year, an undated report
  the :data:`UNDATED_DAYS` days up to its item's publication (news reports recent events);
  an undated report then needs a place or an organisation in common, a country is not enough;
- their participants or place overlap: a country (taking part or hosting), a place, or an
  organisation in common, leaving out organisations in so many reports that they tell events
  apart no better than chance (:data:`COMMON_SHARE`; IOM in IOM's news);
- and nothing contradicts it: no two different host countries, no two different places, no two
  reports naming countries without one in common.

Candidates are found by blocking on (type, month, country or place), never by comparing all
pairs. Groups grow by single links in a fixed order (the reports' IRIs), and two groups are
joined only when no report of one contradicts a report of the other (above, or both from the
same item), so that a vague report cannot chain two distinct events together.

>>> from datetime import date
>>> a = Report("e:a", "i:a", date(2019, 6, 7), frozenset({"workshop"}), date(2019, 6, 4), None, "day",
...            frozenset({"MEX"}), frozenset({"GTM", "MEX"}))
>>> b = Report("e:b", "i:b", date(2019, 6, 20), frozenset({"workshop"}), date(2019, 6, 1), None, "month",
...            frozenset(), frozenset({"GTM"}))
>>> c = Report("e:c", "i:c", date(2019, 6, 7), frozenset({"workshop"}), date(2019, 6, 4), None, "day",
...            frozenset({"SLV"}), frozenset({"SLV"}))
>>> group_reports([c, b, a])
[['e:a', 'e:b']]
"""

from __future__ import annotations

import calendar
import functools
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from kg import namespaces as ns

__all__ = ["Report", "canonical_iri", "compatible", "group_reports", "period"]

#: Event types a reader cannot tell apart reliably across reports of one event (the extractor's
#: evaluation scores meeting, conference, workshop and dialogue as one type for the same reason).
TYPE_FAMILIES = (
    frozenset({"meeting", "conference", "workshop", "dialogue", "training"}),
    frozenset({"launch", "campaign"}),
)
#: The period an undated report stands for: the days up to its item's publication.
UNDATED_DAYS = 31
#: An organisation in more than this share of the reports (and in more than 4) is no evidence.
COMMON_SHARE = 0.1

#: Months a report's period may span and still be blocked on each of them (longer periods are
#: blocked on their first months only: a programme over years is not one dated event).
MAX_MONTHS = 24


@dataclass(frozen=True)
class Report:
    """One event as one item reports it: what grouping needs to know."""

    iri: str
    item: str
    published: date
    types: frozenset[str]
    start: date | None
    end: date | None
    precision: str | None  # day, month, year (None: day)
    locations: frozenset[str] = frozenset()  # host countries (ISO3 or IRI)
    countries: frozenset[str] = frozenset()  # participant and host countries
    places: frozenset[str] = frozenset()
    organizations: frozenset[str] = frozenset()
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)  # for merging

    @functools.cached_property
    def span(self) -> tuple[date, date] | None:
        """:func:`period`, computed once: grouping compares each report with many others."""
        return period(self)

    @functools.cached_property
    def family(self) -> frozenset[str]:
        """Its types and the types of their families."""
        return _family(self.types)


def period(report: Report) -> tuple[date, date] | None:
    """The days the report's dates may stand for (undated: the days before its publication).

    >>> period(Report("e", "i", date(2019, 6, 6), frozenset(), date(2019, 2, 1), None, "month"))
    (datetime.date(2019, 2, 1), datetime.date(2019, 2, 28))
    """
    if report.start is None:
        return report.published - timedelta(days=UNDATED_DAYS), report.published
    end = report.end or report.start
    if report.precision == "year":
        return date(report.start.year, 1, 1), date(end.year, 12, 31)
    if report.precision == "month":
        last = calendar.monthrange(end.year, end.month)[1]
        return report.start.replace(day=1), date(end.year, end.month, last)
    return report.start, max(end, report.start)


def _family(types: frozenset[str]) -> frozenset[str]:
    """The types and the types of their families."""
    return types.union(*(f for f in TYPE_FAMILIES if f & types))


def _contradicts(a: Report, b: Report) -> bool:
    """Whether ``a`` and ``b`` cannot be one event, whatever else links them."""
    if a.item == b.item:  # an item's own events were told apart by the extractor
        return True
    if a.types and b.types and a.family.isdisjoint(b.family):
        return True
    pa, pb = a.span, b.span
    if pa and pb and (pa[0] > pb[1] or pb[0] > pa[1]):
        return True
    if a.locations and b.locations and a.locations.isdisjoint(b.locations):
        return True
    if a.countries and b.countries and a.countries.isdisjoint(b.countries):
        return True
    return bool(a.places and b.places and a.places.isdisjoint(b.places))


def compatible(a: Report, b: Report, same_story: bool = False, common: frozenset[str] = frozenset()) -> bool:
    """Whether ``a`` and ``b`` report the same event (``same_story``: their items are copies of
    one story; ``common``: organisations that are no evidence)."""
    if _contradicts(a, b):
        return False
    if same_story:
        return True
    specific = bool(a.places & b.places or (a.organizations & b.organizations) - common)
    if a.start is None or b.start is None:  # a vague date needs more than a country in common
        return specific
    return specific or bool(a.countries & b.countries)


def _months(span: tuple[date, date]) -> list[tuple[int, int]]:
    first, last = span
    months: list[tuple[int, int]] = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month) and len(months) < MAX_MONTHS:
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _common(reports: list[Report]) -> frozenset[str]:
    counts: dict[str, int] = defaultdict(int)
    for r in reports:
        for o in r.organizations:
            counts[o] += 1
    limit = max(4, COMMON_SHARE * len(reports))
    return frozenset(o for o, n in counts.items() if n > limit)


def _blocks(reports: list[Report], common: frozenset[str]) -> dict[tuple[object, ...], list[int]]:
    blocks: dict[tuple[object, ...], list[int]] = defaultdict(list)
    keys_of = [{next((min(f) for f in TYPE_FAMILIES if t in f), t) for t in r.types} for r in reports]  # one per family
    every_key = sorted(set().union(*keys_of, {""}))  # an untyped report may be of any type: it is in every block
    for i, r in enumerate(reports):
        span = period(r)
        if span is None:
            continue
        actors = [("c", c) for c in r.countries] + [("p", p) for p in r.places]
        actors += [("o", o) for o in r.organizations if o not in common]
        for t in sorted(keys_of[i]) or every_key:
            for month in _months(span):
                for actor in actors:
                    blocks[(t, month, *actor)].append(i)
    return blocks


def group_reports(reports: Iterable[Report], stories: Mapping[str, str] | None = None) -> list[list[str]]:
    """The groups of two or more reports of one event, as sorted lists of IRIs, sorted.

    ``stories`` maps an item to its story (:func:`kg.same.story.story_groups`): reports from
    copies of one story may be undated. The answer depends on the reports, not on their order.
    """
    rs = sorted(reports, key=lambda r: r.iri)
    stories = stories or {}
    pairs: set[tuple[int, int]] = set()
    common = _common(rs)
    for block in _blocks(rs, common).values():
        for x, i in enumerate(block):
            for j in block[x + 1 :]:
                if i != j:
                    pairs.add((min(i, j), max(i, j)))
    by_story: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rs):
        if r.item in stories:
            by_story[stories[r.item]].append(i)
    story_pairs = {(i, j) for story in by_story.values() for x, i in enumerate(story) for j in story[x + 1 :]}
    pairs |= story_pairs

    group = list(range(len(rs)))  # report -> its group's first report
    members: dict[int, list[int]] = {i: [i] for i in range(len(rs))}
    for i, j in sorted(pairs):
        gi, gj = group[i], group[j]
        if gi == gj or not compatible(rs[i], rs[j], (i, j) in story_pairs, common):
            continue
        if any(_contradicts(rs[x], rs[y]) for x in members[gi] for y in members[gj]):
            continue
        keep, gone = min(gi, gj), max(gi, gj)
        for x in members[gone]:
            group[x] = keep
        members[keep].extend(members.pop(gone))
    return sorted(sorted(rs[x].iri for x in m) for m in members.values() if len(m) > 1)


def canonical_iri(members: Iterable[str]) -> str:
    """The canonical event of a group: a hash of its sorted member IRIs, so the same reports
    always give the same IRI.

    >>> canonical_iri(["https://x/e2", "https://x/e1"]) == canonical_iri(["https://x/e1", "https://x/e2"])
    True
    """
    digest = hashlib.sha256("\n".join(sorted(members)).encode()).hexdigest()[:16]
    return ns.canonical_event(digest)
