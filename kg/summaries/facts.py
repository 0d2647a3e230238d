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

from kg import namespaces as ns
from kg.network.table import EventTable
from kg.store import KgStore

__all__ = ["ItemFacts", "read_item_facts"]

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
#: Organisation-country links other than joint events, as ``organization_country_links`` lists them.
_LINKED = f"""SELECT DISTINCT ?org ?country ?link WHERE {{
  {{ ?org <{ns.ORG["hasMember"]}> ?country . ?country a <{ns.MK["Country"]}> . BIND("member" AS ?link) }}
  UNION {{ ?org <{ns.MK["basedIn"]}> ?country . BIND("based-in" AS ?link) }}
}}"""


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


def read_item_facts(store: KgStore, table: EventTable) -> ItemFacts:
    earliest: dict[str, str] = {}
    for row in store.query(_DATES):
        item, day = row[0].value, row[1].value[:10]
        earliest[item] = min(day, earliest.get(item, day))
    items = sorted(earliest)
    item_id = {item: i for i, item in enumerate(items)}
    event_id = {e: i for i, e in enumerate(table.events)}
    about: dict[int, list[int]] = defaultdict(list)
    for row in store.query(_ABOUT):
        i, e = item_id.get(row[0].value), event_id.get(row[1].value)
        if i is not None and e is not None:
            about[e].append(i)
    themes: dict[int, set[str]] = defaultdict(set)
    for row in store.query(_THEMES):
        if (i := item_id.get(row[0].value)) is not None:
            themes[i].add(row[1].value)
    country = ns.country("")
    countries: dict[str, set[int]] = defaultdict(set)
    for row in store.query(_NAMED):
        if row[1].value.startswith(country) and (i := item_id.get(row[0].value)) is not None:
            countries[row[1].value].add(i)
    objectives: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_OBJECTIVES):
        objectives[row[0].value].add(row[1].value)
    linked = frozenset((row[0].value, row[1].value, row[2].value) for row in store.query(_LINKED))
    return ItemFacts(
        items, [earliest[item] for item in items], dict(about), dict(themes), dict(countries), dict(objectives), linked
    )
