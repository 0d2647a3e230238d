"""Summaries built with the graph: aggregates of the events as an RDF Data Cube.

After every build or load, :func:`write_summaries` counts the events of the event table
(:mod:`kg.network.table`) in Python and writes the counts to the summary graph
(``…/graph/summaries``) as ``qb:Observation`` nodes of ``qb:DataSet`` s whose structures
(dimensions, measures) the ontology declares. Named queries read them instead of aggregating
every event. The graph is recomputed whole from the store, so a changed or removed item changes
its counts; it is written only when it changed.

Each observation is counted twice, told apart by the ``mk:counting`` dimension: ``"events"``
counts a canonical event (kg.same) once and not its reports, ``"reports"`` counts every report
and no canonical event (``kg query --reports``).

Data sets:

- ``…/id/summary/country-pairs``: per pair of countries (``mk:country`` < ``mk:partner`` by
  IRI) that took part in or hosted the same events: ``mk:eventCount``, ``mk:firstDate``,
  ``mk:lastDate`` (start dates; an undated event takes its item's date);
- ``…/id/summary/countries``: per country: ``mk:eventCount``, ``mk:partnerCount``.

>>> from kg.store import KgStore
>>> summary_lines(KgStore.memory())[:1]
[]
"""

from __future__ import annotations

import numpy as np

from kg import namespaces as ns
from kg.network.table import ACTOR_ROLES, COUNTRY_ROLES, EventTable, read_event_table
from kg.store import KgStore

__all__ = ["COUNTINGS", "DATASETS", "summary_lines", "write_summaries"]

COUNTINGS = ("events", "reports")
DATASETS = {name: ns.summary(name) for name in ("country-pairs", "countries")}
#: The data structure definition of each data set (declared in ontology/migkg.ttl).
STRUCTURES = {"country-pairs": ns.MK["country-pairs-structure"], "countries": ns.MK["countries-structure"]}
_QB = "http://purl.org/linked-data/cube#"
_INT = f"^^<{ns.XSD['integer']}>"
_DATE = f"^^<{ns.XSD['date']}>"
_COUNTRY_PREDICATES = [i for i, p in enumerate(ACTOR_ROLES) if p in COUNTRY_ROLES]


def write_summaries(store: KgStore) -> bool:
    """Recompute the summary graph from ``store``; whether it changed."""
    return store.write_derived(ns.SUMMARY_GRAPH, summary_lines(store))


def summary_lines(store: KgStore, table: EventTable | None = None) -> list[str]:
    """The summary graph as N-Triples lines without the final dot."""
    table = table if table is not None else read_event_table(store)
    if not table.events:
        return []
    lines: list[str] = []
    for name, iri in DATASETS.items():
        lines += [
            f"<{iri}> <{ns.RDF['type']}> <{_QB}DataSet>",
            f"<{iri}> <{_QB}structure> <{STRUCTURES[name]}>",
        ]
    for counting in COUNTINGS:
        members = _country_members(table, counting == "reports")
        lines += _pairs(table, members, counting)
        lines += _countries(members, table, counting)
    return lines


def _country_members(table: EventTable, reports: bool) -> dict[int, list[int]]:
    """Per counted event, its countries (participant or location), as sorted actor ids."""
    counted = table.canonical_mask(reports)
    links = table.links[np.isin(table.links[:, 2], _COUNTRY_PREDICATES)]
    members: dict[int, set[int]] = {}
    for event, actor in links[:, :2].tolist():
        if counted[event]:
            members.setdefault(event, set()).add(actor)
    return {e: sorted(a) for e, a in members.items()}


def _observation(dataset: str, counting: str, *keys: str) -> str:
    return f"<{DATASETS[dataset]}/{counting}/{'/'.join(keys)}>"


def _head(node: str, dataset: str, counting: str) -> list[str]:
    return [
        f"{node} <{ns.RDF['type']}> <{_QB}Observation>",
        f"{node} <{_QB}dataSet> <{DATASETS[dataset]}>",
        f'{node} <{ns.MK["counting"]}> "{counting}"',
    ]


def _pairs(table: EventTable, members: dict[int, list[int]], counting: str) -> list[str]:
    stats: dict[tuple[int, int], list] = {}
    for event, actors in members.items():
        day = table.date(event)
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
    for (a, b), (events, first, last) in stats.items():
        ia, ib = table.actors[a], table.actors[b]
        node = _observation("country-pairs", counting, ia.rsplit("/", 1)[1], ib.rsplit("/", 1)[1])
        lines += _head(node, "country-pairs", counting)
        lines += [f"{node} <{ns.MK['country']}> <{ia}>", f"{node} <{ns.MK['partner']}> <{ib}>"]
        lines.append(f'{node} <{ns.MK["eventCount"]}> "{events}"{_INT}')
        if first is not None:
            lines += [
                f'{node} <{ns.MK["firstDate"]}> "{first}"{_DATE}',
                f'{node} <{ns.MK["lastDate"]}> "{last}"{_DATE}',
            ]
    return lines


def _countries(members: dict[int, list[int]], table: EventTable, counting: str) -> list[str]:
    events: dict[int, int] = {}
    partners: dict[int, set[int]] = {}
    for actors in members.values():
        for a in actors:
            events[a] = events.get(a, 0) + 1
            partners.setdefault(a, set()).update(actors)
    lines = []
    for a, n in events.items():
        iri = table.actors[a]
        node = _observation("countries", counting, iri.rsplit("/", 1)[1])
        lines += _head(node, "countries", counting)
        lines.append(f"{node} <{ns.MK['country']}> <{iri}>")
        lines.append(f'{node} <{ns.MK["eventCount"]}> "{n}"{_INT}')
        lines.append(f'{node} <{ns.MK["partnerCount"]}> "{len(partners[a]) - 1}"{_INT}')
    return lines
