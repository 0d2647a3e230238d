"""What the summaries count beyond the event table: news items, their themes and the countries
they name, how themes map to the objectives of the Global Compact for Migration, and which
organisations have a country as member or seat (reference graph and item graphs).

Read from the store with flat SELECTs, joined in Python (:class:`ItemFacts`); the events come
from the event table (:mod:`kg.network.table`).

>>> from kg.store import KgStore
>>> from kg.network.table import read_event_table
>>> store = KgStore.memory()
>>> read_item_facts(store, read_event_table(store)).items
[]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from kg import namespaces as ns
from kg.network.table import EventTable
from kg.store import KgStore
from kg.store.reads import select_rows

__all__ = ["ItemFacts", "Statistic", "read_item_facts"]

_ITEM = f"?item a <{ns.MK['NewsItem']}>"
_DATES = f"SELECT ?item ?d WHERE {{ {_ITEM} ; <{ns.DCTERMS['date']}> ?d }}"
_ABOUT = f"SELECT ?item ?e WHERE {{ {_ITEM} ; <{ns.SCHEMA['about']}> ?e }}"
_THEMES = f"SELECT ?item ?t WHERE {{ {_ITEM} ; <{ns.DCTERMS['subject']}> ?t }}"
_NAMED = f"SELECT ?item ?c WHERE {{ {_ITEM} ; <{ns.SCHEMA['mentions']}>|<{ns.DCTERMS['spatial']}> ?c }}"
#: The themes of each objective: skos:exactMatch, closeMatch or broadMatch (relatedMatch does not count).
_OBJECTIVES = f"""SELECT ?theme ?objective WHERE {{
  ?objective <{ns.SKOS["inScheme"]}> <{ns.SCHEMES["gcm"]}scheme> .
  ?theme <{ns.SKOS["exactMatch"]}>|<{ns.SKOS["closeMatch"]}>|<{ns.SKOS["broadMatch"]}> ?objective
}}"""
#: Every quoted statistic with what the statistics data set counts of it (its graph is its
#: item's, where the item's publication date is; an undated statistic takes that date).
_STATISTICS = f"""SELECT ?statistic ?about ?indicator ?value ?item ?observed WHERE {{
  ?statistic a <{ns.MK["Statistic"]}> ; <{ns.SCHEMA["observationAbout"]}> ?about ;
             <{ns.MK["indicator"]}> ?indicator ; <{ns.SCHEMA["value"]}> ?value ;
             <{ns.PROV["wasDerivedFrom"]}> ?item .
  OPTIONAL {{ ?statistic <{ns.SCHEMA["observationDate"]}> ?observed }}
}}"""
#: The countries of places (a statistic about a place counts for the country it is in).
_CONTAINED = f"SELECT ?place ?container WHERE {{ ?place <{ns.SCHEMA['containedInPlace']}> ?container }}"
_COUNTRIES = f"SELECT ?country WHERE {{ ?country a <{ns.MK['Country']}> }}"
#: Organisation-country links other than joint events, as ``organization_country_links`` lists them.
_LINKED = f"""SELECT DISTINCT ?org ?country ?link WHERE {{
  {{ ?org <{ns.ORG["hasMember"]}> ?country . ?country a <{ns.MK["Country"]}> . BIND("member" AS ?link) }}
  UNION {{ ?org <{ns.MK["basedIn"]}> ?country . BIND("based-in" AS ?link) }}
}}"""

#: What :func:`read_item_facts` reads, in one :func:`kg.store.reads.select_rows` call.
_READS = (_DATES, _ABOUT, _THEMES, _NAMED, _OBJECTIVES, _LINKED, _COUNTRIES, _CONTAINED, _STATISTICS)


@dataclass(frozen=True)
class ItemFacts:
    """The news items of a store (with a publication date), as ids into the sorted ``items``."""

    items: list[str]  # item IRIs, sorted
    published: list[str]  # per item: its publication date, YYYY-MM-DD
    about: dict[int, list[int]]  # event id (in the event table) -> the items about it
    themes: dict[int, set[str]]  # item -> its theme IRIs
    countries: dict[str, set[int]]  # country IRI -> the items that mention it or are about it
    objectives: dict[str, set[str]]  # theme IRI -> the GCM objectives it maps to
    linked: frozenset[tuple[str, str, str]] = frozenset()  # organisation, country IRIs, "member" or "based-in"
    #: every statistic of a dated item, once per country it is about; sorted by country, indicator, IRI
    statistics: tuple[Statistic, ...] = ()


@dataclass(frozen=True)
class Statistic:
    """A quoted statistic as the statistics data set counts it, once per country it is about."""

    iri: str
    country: str
    indicator: str
    value: str  # the xsd:decimal's lexical form
    item: int  # in ItemFacts.items
    day: str  # YYYY-MM-DD: its observation date, else its item's publication date


def read_item_facts(store: KgStore, table: EventTable) -> ItemFacts:
    read = dict(zip(_READS, select_rows(store, _READS), strict=True))  # every SELECT first: two at a time
    earliest: dict[str, str] = {}
    for row in read[_DATES]:
        item, day = row[0], row[1][:10]
        earliest[item] = min(day, earliest.get(item, day))
    items = sorted(earliest)
    item_id = {item: i for i, item in enumerate(items)}
    event_id = {e: i for i, e in enumerate(table.events)}
    about: dict[int, list[int]] = defaultdict(list)
    for row in read[_ABOUT]:
        i, e = item_id.get(row[0]), event_id.get(row[1])
        if i is not None and e is not None:
            about[e].append(i)
    themes: dict[int, set[str]] = defaultdict(set)
    for row in read[_THEMES]:
        if (i := item_id.get(row[0])) is not None:
            themes[i].add(row[1])
    country = ns.country("")
    countries: dict[str, set[int]] = defaultdict(set)
    for row in read[_NAMED]:
        if row[1].startswith(country) and (i := item_id.get(row[0])) is not None:
            countries[row[1]].add(i)
    objectives: dict[str, set[str]] = defaultdict(set)
    for row in read[_OBJECTIVES]:
        objectives[row[0]].add(row[1])
    linked = frozenset((row[0], row[1], row[2]) for row in read[_LINKED])
    published = [earliest[item] for item in items]
    statistics = _statistics(read, item_id, published)
    return ItemFacts(
        items, published, dict(about), dict(themes), dict(countries), dict(objectives), linked, statistics
    )


def _statistics(
    read: dict[str, list[tuple[Any, ...]]], item_id: dict[str, int], published: list[str]
) -> tuple[Statistic, ...]:
    """As ``statistics_by_country`` lists them: about a country, or about a place in one (a
    place in several things counts for those that are countries)."""
    countries = {row[0] for row in read[_COUNTRIES]}
    containers: dict[str, list[str]] = defaultdict(list)
    for row in read[_CONTAINED]:
        containers[row[0]].append(row[1])
    found = set()
    for row in read[_STATISTICS]:
        if (i := item_id.get(row[4])) is None:
            continue
        about = row[1]
        day = row[5][:10] if row[5] is not None else published[i]
        for country in containers.get(about) or [about]:
            if country in countries:
                found.add(Statistic(row[0], country, row[2], row[3], i, day))
    return tuple(sorted(found, key=lambda s: (s.country, s.indicator, s.iri)))
