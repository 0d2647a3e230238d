"""What the page's map and timeline draw: events and news items per country and per month.

An event counts for a country when the country takes part in it or hosts it
(``mk:participantCountry``, ``mk:locationCountry``), as in the country network and the named
query ``events_by_country``; its month is that of its start date, or of its item's publication
date when the text gives none (the undated rule of docs/codebook.md). An event reported by
several items counts once (its canonical event). Its items are the news items it was read from
(``prov:wasDerivedFrom``, and ``mk:reportedIn`` for a canonical event), so "items" counts the
news that reported a country's events, under the same filters.

The filters are those of the networks (:class:`kg.network.EventFilter`: dates, themes, GCM
objectives, event types, regions). ``country`` narrows the months and the totals to one country's
events; the per-country counts ignore it, so that the map keeps every country while one is chosen.

>>> from kg.store import KgStore
>>> event_counts(KgStore.memory())
{'filters': '', 'country': None, 'events': 0, 'items': 0, 'countries': [], 'months': []}
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from kg import namespaces as ns
from kg.errors import UsageError
from kg.network.events import COUNTRY_ROLES, country_attrs, select_events
from kg.network.filters import EventFilter
from kg.store import KgStore

__all__ = ["event_counts", "months_between"]

_ITEMS = f"""SELECT ?e ?item WHERE {{
  {{ ?e <{ns.PROV["wasDerivedFrom"]}> ?item }} UNION {{ ?e <{ns.MK["reportedIn"]}> ?item }}
  ?item a <{ns.MK["NewsItem"]}>
}}"""


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (``YYYY-MM``), so that a timeline shows quiet months.

    >>> months_between("2018-11", "2019-02")
    ['2018-11', '2018-12', '2019-01', '2019-02']
    """
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def event_counts(store: KgStore, filters: EventFilter | None = None, country: str | None = None) -> dict[str, Any]:
    """Events and items per country (ISO3) and per month under ``filters`` (a job for the server's
    :class:`~kg.serve.runner.Runner`); months and totals for ``country`` alone when it is given.

    Countries come sorted by events (most first), then ISO3; months in order, every month from
    the first to the last, with zeros."""
    filters = filters or EventFilter()
    attrs = country_attrs(store)
    chosen = None
    if country:
        chosen = ns.country(country.strip())
        if chosen not in attrs:
            raise UsageError(f"unknown country {country!r}: give an ISO 3166-1 alpha-3 code, e.g. GTM")
    selection = select_events(store, filters, COUNTRY_ROLES)
    table = selection.table
    events_of: dict[str, set[int]] = defaultdict(set)
    for event, actor in selection.members.tolist():
        events_of[table.actors[actor]].add(event)
    items_of: dict[str, set[str]] = defaultdict(set)
    wanted = {table.events[e] for e in selection.event_ids()}
    if wanted:
        for row in store.query(_ITEMS):
            if row[0].value in wanted:
                items_of[row[0].value].add(row[1].value)

    def items(events: set[int]) -> set[str]:
        return {item for e in events for item in items_of[table.events[e]]}

    countries = []
    for iri, events in events_of.items():
        known = attrs.get(iri) or {"label": iri.rsplit("/", 1)[-1], "iso3": iri.rsplit("/", 1)[-1]}
        row = {"iso3": known["iso3"], "label": known["label"], "events": len(events), "items": len(items(events))}
        countries.append(row)
    countries.sort(key=lambda c: (-c["events"], c["iso3"]))

    counted = events_of.get(chosen, set()) if chosen else set(selection.event_ids())
    by_month: dict[str, set[int]] = defaultdict(set)
    for e in counted:
        date = table.date(e)
        if date is not None:
            by_month[date[:7]].add(e)
    months = []
    if by_month:
        for month in months_between(min(by_month), max(by_month)):
            events = by_month.get(month, set())
            months.append({"month": month, "events": len(events), "items": len(items(events))})
    return {
        "filters": filters.describe(),
        "country": attrs[chosen]["iso3"] if chosen else None,
        "events": len(counted),
        "items": len(items(counted)),
        "countries": countries,
        "months": months,
    }
