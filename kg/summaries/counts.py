"""The summaries counted in Python from the event table and the item facts, one function per data set.

Each function gives the lines of its data set's observations (:mod:`kg.summaries.cube`). The
rules are those of the named queries the data sets answer (``queries/raw/*.rq`` count the
same rows from the raw events): an event counts when it is a ``mk:Event`` and not a report of a
canonical event (:meth:`~kg.network.table.EventTable.canonical_mask`); where the query dates it,
it also needs a dated item, and its date is its earliest start date, else its item's
publication date.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from kg.network.table import ACTOR_ROLES, COUNTRY_ROLES, ORGANIZATION_ROLES, EventTable
from kg.summaries.cube import DATASETS, date, decimal, integer, iri, period, string
from kg.summaries.facts import ItemFacts

__all__ = ["COUNTERS"]

_COUNTRY = [i for i, p in enumerate(ACTOR_ROLES) if p in COUNTRY_ROLES]
_ORGANIZATION = [i for i, p in enumerate(ACTOR_ROLES) if p in ORGANIZATION_ROLES]
Mask = NDArray[np.bool_]


def _last(iri_: str) -> str:
    return iri_.rstrip("/").rsplit("/", 1)[-1]


def _members(table: EventTable, predicates: list[int], counted: Mask) -> dict[int, list[int]]:
    """Per counted event: its actors by ``predicates``, as sorted actor ids."""
    links = table.links[np.isin(table.links[:, 2], predicates)]
    links = links[counted[links[:, 0]]]
    members: dict[int, set[int]] = defaultdict(set)
    for event, actor in links[:, :2].tolist():
        members[event].add(actor)
    return {e: sorted(a) for e, a in members.items()}


def _span(days: list[str]) -> tuple[str | None, str | None]:
    return (min(days), max(days)) if days else (None, None)


def countries(table: EventTable, facts: ItemFacts) -> list[str]:
    """Per country that took part in or hosted events: how many, with how many partner countries,
    the first and last event date (``most_connected_countries``, ``region_activity``)."""
    ds = DATASETS["countries"]
    members = _members(table, _COUNTRY, table.canonical_mask() & table.is_event())
    events: dict[int, list[int]] = defaultdict(list)
    partners: dict[int, set[int]] = defaultdict(set)
    for e, actors in members.items():
        for a in actors:
            events[a].append(e)
            partners[a].update(actors)
    dated = table.item_ids() >= 0
    lines = []
    for a, found in sorted(events.items()):
        first, last = _span([d for e in found if dated[e] and (d := table.date(e)) is not None])
        values = [iri(table.actors[a]), integer(len(found)), integer(len(partners[a]) - 1), date(first), date(last)]
        lines += ds.observation([_last(table.actors[a])], values)
    return lines


def country_items(table: EventTable, facts: ItemFacts) -> list[str]:
    """Per country: the news items that mention it or are about it (``region_activity``)."""
    ds = DATASETS["country-items"]
    lines = []
    for country, items in sorted(facts.countries.items()):
        lines += ds.observation([_last(country)], [iri(country), integer(len(items))])
    return lines


def country_pairs(table: EventTable, facts: ItemFacts) -> list[str]:
    """Per pair of countries (by IRI) in the same dated events: how many, the first and the last
    (``country_pairs``)."""
    ds = DATASETS["country-pairs"]
    members = _members(table, _COUNTRY, table.canonical_mask() & table.is_event() & (table.item_ids() >= 0))
    stats: dict[tuple[int, int], list] = {}
    for e, actors in members.items():
        day = table.date(e)
        for i, a in enumerate(actors):
            for b in actors[i + 1 :]:
                found = stats.get((a, b))
                if found is None:
                    stats[(a, b)] = [1, day, day]
                else:
                    found[0] += 1
                    if day is not None:
                        found[1] = day if found[1] is None else min(found[1], day)
                        found[2] = day if found[2] is None else max(found[2], day)
    lines = []
    for position, ((a, b), (n, first, last)) in enumerate(sorted(stats.items()), start=1):
        ia, ib = table.actors[a], table.actors[b]
        values = [iri(ia), iri(ib), integer(n), date(first), date(last)]
        lines += ds.observation([_last(ia), _last(ib)], values, position)
    return lines


def _themed(table: EventTable, facts: ItemFacts, counted: Mask) -> list[tuple[int, str, str, str]]:
    """``(event, item, theme, year)``: a counted event's own themes with its item, or, for an
    event without themes of its own, the themes of each item about it; the year of its date."""
    rows: list[tuple[int, str, str, str]] = []
    item_of, typed = table.item_ids(), table.is_event()
    own: dict[int, list[str]] = defaultdict(list)
    for e, t in table.tagged.tolist():
        own[e].append(table.themes[t])
    for e in np.flatnonzero(counted).tolist():
        day = table.date(e)
        if own.get(e):
            if typed[e] and item_of[e] >= 0 and day is not None:
                rows += [(e, table.items[item_of[e]], t, day[:4]) for t in own[e]]
            continue
        for i in facts.about.get(e, ()):
            year = (day or facts.published[i])[:4]
            rows += [(e, facts.items[i], t, year) for t in facts.themes.get(i, ())]
    return rows


def themes(table: EventTable, facts: ItemFacts) -> list[str]:
    """Per theme and year: the events about it (their own themes, else their item's) and their
    items (``activity_by_theme``)."""
    return _per_key_and_year("themes", table, facts, lambda theme: (theme,))


def objectives(table: EventTable, facts: ItemFacts) -> list[str]:
    """Per GCM objective and year: the events under it (through their themes) and their items
    (``activity_by_objective``)."""
    return _per_key_and_year("objectives", table, facts, lambda theme: facts.objectives.get(theme, ()))


def _per_key_and_year(
    name: str, table: EventTable, facts: ItemFacts, keys_of: Callable[[str], Iterable[str]]
) -> list[str]:
    """The observations of data set ``name``: per key (``keys_of`` each theme of an event) and
    year, the canonical events and their items."""
    ds = DATASETS[name]
    events: dict[tuple[str, str], set[int]] = defaultdict(set)
    items: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e, item, theme, year in _themed(table, facts, table.canonical_mask()):
        for key in keys_of(theme):
            events[(key, year)].add(e)
            items[(key, year)].add(item)
    lines = []
    for (key, year), found in sorted(events.items()):
        values = [iri(key), period(year), integer(len(found)), integer(len(items[(key, year)]))]
        lines += ds.observation([_last(key), year], values)
    return lines


def months(table: EventTable, facts: ItemFacts) -> list[str]:
    """Per month (per year for an event known to the year only): the dated events that started
    in it (``events_per_month``)."""
    ds = DATASETS["months"]
    counted = table.canonical_mask() & table.is_event() & (table.item_ids() >= 0)
    year_only = table.is_year_only()
    found: dict[str, int] = defaultdict(int)
    for e in np.flatnonzero(counted).tolist():
        day = table.date(e)
        if day is not None:
            found[day[:4] if year_only[e] else day[:7]] += 1
    lines = []
    for key, n in sorted(found.items()):
        lines += ds.observation([key], [period(key), integer(n)])
    return lines


def organizations(table: EventTable, facts: ItemFacts) -> list[str]:
    """Per organisation that organised, attended or funded dated events: how many, with how many
    partner countries, the first and last date (``events_per_organization``)."""
    ds = DATASETS["organizations"]
    counted = table.canonical_mask()
    countries_of = _members(table, _COUNTRY, counted)
    dated = table.item_ids() >= 0
    events: dict[int, list[int]] = defaultdict(list)
    for e, orgs in _members(table, _ORGANIZATION, counted).items():
        for o in orgs:
            events[o].append(e)
    lines = []
    for o, found in sorted(events.items()):
        days = [table.date(e) for e in found if dated[e]]
        if not days:
            continue
        partners = {c for e in found for c in countries_of.get(e, ())}
        first, last = _span([d for d in days if d is not None])
        values = [iri(table.actors[o]), integer(len(days)), integer(len(partners)), date(first), date(last)]
        lines += ds.observation([_last(table.actors[o])], values)
    return lines


def organization_countries(table: EventTable, facts: ItemFacts) -> list[str]:
    """Per organisation, country and link: ``event`` with the joint events, ``member`` and
    ``based-in`` with none; every row of ``organization_country_links``, positioned in its order."""
    ds = DATASETS["organization-countries"]
    counted = table.canonical_mask() & table.is_event()
    countries_of = _members(table, _COUNTRY, counted)
    found: dict[tuple[int, int], int] = defaultdict(int)
    for e, orgs in _members(table, _ORGANIZATION, counted).items():
        for o in orgs:
            for c in countries_of.get(e, ()):
                found[(o, c)] += 1
    links = {(table.actors[o], table.actors[c], "event"): n for (o, c), n in found.items()}
    links.update({link: 0 for link in facts.linked})
    lines = []
    for position, ((io, ic, link), n) in enumerate(sorted(links.items()), start=1):
        lines += ds.observation([_last(io), _last(ic), link], [iri(io), iri(ic), string(link), integer(n)], position)
    return lines


def people(table: EventTable, facts: ItemFacts) -> list[str]:
    """Per country and event type: the people counted in events (``people_reached``); an event of
    no type counts in an observation without ``sem:eventType``."""
    ds = DATASETS["people"]
    reached = table.people_of()
    counted = table.canonical_mask() & table.is_event() & (reached >= 0)
    types: dict[int, list[str | None]] = defaultdict(list)
    for e, t in table.typed_as.tolist():
        types[e].append(table.types[t])
    total: dict[tuple[int, str | None], list[int]] = defaultdict(lambda: [0, 0])
    for e, actors in _members(table, _COUNTRY, counted).items():
        for a in actors:
            for t in types.get(e) or [None]:
                total[(a, t)][0] += int(reached[e])
                total[(a, t)][1] += 1
    lines = []
    for (a, t), (n, events) in sorted(total.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        keys = [_last(table.actors[a])] + ([_last(t)] if t else [])
        values = [iri(table.actors[a]), iri(t) if t else None, integer(n), integer(events)]
        lines += ds.observation(keys, values)
    return lines


def statistics(table: EventTable, facts: ItemFacts) -> list[str]:
    """Per country and indicator: the statistics quoted, their items, first and last date, and
    the smallest and largest value (``statistics_per_country``)."""
    ds = DATASETS["statistics"]
    lines = []
    for (country, indicator), group in itertools.groupby(facts.statistics, key=lambda s: (s.country, s.indicator)):
        found = list(group)
        days = [s.day for s in found]
        values = sorted({s.value for s in found}, key=Decimal)
        measures = [
            iri(country),
            iri(indicator),
            integer(len({s.iri for s in found})),
            integer(len({s.item for s in found})),
            date(min(days)),
            date(max(days)),
            decimal(values[0]),
            decimal(values[-1]),
        ]
        lines += ds.observation([_last(country), _last(indicator)], measures)
    return lines


#: Data set name -> the function that counts it.
COUNTERS = {
    "countries": countries,
    "country-items": country_items,
    "country-pairs": country_pairs,
    "themes": themes,
    "objectives": objectives,
    "months": months,
    "organizations": organizations,
    "organization-countries": organization_countries,
    "statistics": statistics,
    "people": people,
}
