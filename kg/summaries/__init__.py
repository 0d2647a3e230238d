"""Summaries built with the graph: the aggregates analysts ask first, as an RDF Data Cube.

After every build or load that wrote something, :func:`write_summaries` counts the events of
the event table (:mod:`kg.network.table`) and the item facts (:mod:`kg.summaries.facts`) in
Python (:mod:`kg.summaries.counts`) and writes the counts to the summary graph
(``…/graph/summaries``): one ``qb:DataSet`` per aggregate, whose structure the ontology
declares, and one observation per row (:mod:`kg.summaries.cube`). Named queries read them
instead of aggregating every event. The graph is recomputed whole from the store, so a changed
or removed item changes its counts; it is written only when it changed.

An event reported by several items counts once, as its canonical event (kg.same); the data
sets say so (``mk:counting "events"``). ``kg query --reports``, which counts every report,
reads the raw events instead (``queries/raw/*.rq``).

Data sets (``…/id/summary/NAME``; dimensions, then measures, then ``mk:position`` where the
observations carry their place in the order of their dimensions, for the queries that list the
whole data set):

- ``countries``: country; events, partner countries, first and last date;
- ``country-items``: country; news items that mention it or are about it;
- ``country-pairs``: country, partner (after it by IRI); joint events, first and last date,
  position;
- ``themes``: theme, year; events (their own themes, else their item's) and their items;
- ``objectives``: GCM objective, year; events and their items;
- ``months``: month (the year for an event known to the year only); events;
- ``organizations``: organisation; events, partner countries, first and last date;
- ``organization-countries``: organisation, country, link (``event``, ``member``,
  ``based-in``); joint events (0 for the other links), position;
- ``people``: country, event type (none for an event of no type); people reached, events;
- ``statistics``: country, indicator; statistics quoted (every quote: statistics are not
  events), their items, first and last date, smallest and largest value.

>>> from kg.store import KgStore
>>> summary_lines(KgStore.memory())
[]
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from kg import namespaces as ns
from kg.network.table import EventTable, keep_event_table, read_event_table
from kg.store import KgStore
from kg.summaries.counts import COUNTERS
from kg.summaries.cube import DATASETS, FORMAT, QB
from kg.summaries.facts import read_item_facts

__all__ = ["DATASETS", "is_current", "summary_lines", "write_summaries"]


def write_summaries(store: KgStore) -> bool:
    """Recompute the summary graph from ``store``; whether it changed. The event table read for
    it is kept beside an on-disk store (:func:`~kg.network.table.keep_event_table`): the summary
    graph holds nothing the table reads, so the first network after a build need not read it again."""
    table = read_event_table(store)
    written = store.write_derived(ns.SUMMARY_GRAPH, summary_lines(store, table))
    keep_event_table(store, table)
    return written


def summary_lines(store: KgStore, table: EventTable | None = None) -> list[str]:
    """The summary graph as N-Triples lines without the final dot; none for a store without events
    or statistics."""
    table = table if table is not None else read_event_table(store)
    facts = read_item_facts(store, table)
    if not table.events and not facts.statistics:
        return []
    lines: list[str] = []
    for name, ds in DATASETS.items():
        lines += ds.header()
        lines += COUNTERS[name](table, facts)
    return lines


def is_current(store: KgStore) -> bool:
    """Whether the summary graph of ``store`` describes every data set this version writes, in
    this version's layout (a store summarised by an older version lacks some data set, or says
    another ``owl:versionInfo``, and is summarised again by the next build)."""
    graph = NamedNode(ns.SUMMARY_GRAPH)
    said = [(NamedNode(QB["structure"]), None), (NamedNode(ns.OWL["versionInfo"]), Literal(FORMAT))]
    return all(
        any(store.store.quads_for_pattern(NamedNode(ds.iri), p, o or NamedNode(ds.structure), graph))
        for ds in DATASETS.values()
        for p, o in said
    )
