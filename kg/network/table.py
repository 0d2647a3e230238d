"""The event table: every event with an actor, its actors and roles, start date and themes, as arrays.

Every network is built from this table. Reading it from the store takes three flat SELECTs
(event–actor links, start dates, themes), about 8 s for 100,000 events: the store hands out a
row in ~3 µs. So the table is kept on disk beside the store, in ``STORE.events.npz`` (numpy
arrays, no pickles), keyed on :meth:`KgStore.version`, which changes with every write to the
store by any program. A later network of the same store reads the table in a few tens of
milliseconds; once the store changes the file is stale, ignored and rewritten on the next
read. Deleting it is always safe. Stores in memory or behind a SPARQL server are read each time.

Ids are positions in sorted lists, so sorting ids sorts IRIs (and ISO dates).

>>> from kg.store import KgStore
>>> event_table(KgStore.memory()).events
[]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kg import namespaces as ns
from kg.store import KgStore, write_whole

__all__ = [
    "ACTOR_ROLES",
    "COUNTRY_ROLES",
    "ORGANIZATION_ROLES",
    "EventTable",
    "event_table",
    "read_event_table",
    "run_starts",
]

COUNTRY_ROLES = {ns.MK["participantCountry"]: "participant", ns.MK["locationCountry"]: "location"}
ORGANIZATION_ROLES = {
    ns.SCHEMA["organizer"]: "organizer",
    ns.SCHEMA["attendee"]: "attendee",
    ns.SCHEMA["funder"]: "funder",
}
#: Predicate -> role; a link's predicate id is the predicate's position here.
ACTOR_ROLES = {**COUNTRY_ROLES, **ORGANIZATION_ROLES}

_ACTORS = "SELECT ?e ?a ?p WHERE {{ VALUES ?p {{ {} }} ?e ?p ?a }}".format(" ".join(f"<{p}>" for p in ACTOR_ROLES))
# An undated event takes its item's publication date (kg.export.events.UNDATED_RULE, as in the named queries).
_DATES = f"""SELECT ?e ?d WHERE {{
  {{ ?e <{ns.SCHEMA["startDate"]}> ?d }}
  UNION
  {{ ?e <{ns.PROV["wasDerivedFrom"]}> ?item ; a <{ns.MK["Event"]}> .
     ?item <{ns.DCTERMS["date"]}> ?d .
     FILTER NOT EXISTS {{ ?e <{ns.SCHEMA["startDate"]}> ?start }} }}
}}"""
# Events first: items carry dcterms:subject too; at 100k items the events' themes are 337k of
# 550k subject rows, read in 3.1 s instead of 3.9 s.
_THEMES = f"SELECT ?e ?t WHERE {{ ?e a <{ns.MK['Event']}> . ?e <{ns.DCTERMS['subject']}> ?t }}"

_REPORTS = f"SELECT ?c ?e WHERE {{ ?c <{ns.MK['hasReport']}> ?e }}"

_FORMAT = 4  # bump when the arrays change meaning (3: undated events take their item's date; 4: reports)
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class EventTable:
    """Every event that has an actor (a participant or location country, an organiser, attendee
    or funder), as integer ids into sorted lists of IRIs."""

    events: list[str]  # event IRIs, sorted
    actors: list[str]  # actor IRIs, sorted
    links: Ints  # (n, 3): event, actor, predicate (position in ACTOR_ROLES); sorted, distinct
    dates: list[str]  # distinct start dates (YYYY-MM-DD; an undated event's is its item's date), sorted
    date_of: Ints  # per event: its earliest start date's position in ``dates``, or -1 (no date, no item)
    themes: list[str]  # theme IRIs, sorted
    tagged: Ints  # (m, 2): event, theme; sorted, distinct
    report_of: Ints = field(
        default_factory=lambda: np.zeros(0, dtype=np.int64)
    )  # per event: its canonical event, or -1

    def canonical_mask(self, reports: bool = False) -> NDArray[np.bool_]:
        """Per event: whether a count takes it. A canonical event (kg.same) counts once and its
        reports not at all; with ``reports``, every report counts and no canonical event."""
        report_of = self.report_of if len(self.report_of) == len(self.events) else np.full(len(self.events), -1)
        if not reports:
            return report_of < 0
        canonical = np.zeros(len(self.events), dtype=bool)
        canonical[report_of[report_of >= 0]] = True
        return ~canonical

    def date(self, event: int) -> str | None:
        rank = int(self.date_of[event])
        return self.dates[rank] if rank >= 0 else None


def read_event_table(store: KgStore) -> EventTable:
    """The event table, read from the store with three flat SELECTs and joined in Python.

    An event is whatever has one of the actor predicates (the ontology gives them the domain
    ``mk:Event``); typing each row with ``?e a mk:Event`` would make the store join 400,000
    rows for nothing at 100,000 events. Themes are read for typed events only.
    """
    predicate_ids = {str(p): i for i, p in enumerate(ACTOR_ROLES)}
    rows = [(row[0].value, row[1].value, predicate_ids[row[2].value]) for row in store.query(_ACTORS)]
    events = sorted({e for e, _, _ in rows})
    actors = sorted({a for _, a, _ in rows})
    event_id = {e: i for i, e in enumerate(events)}
    actor_id = {a: i for i, a in enumerate(actors)}
    links = _distinct_rows([(event_id[e], actor_id[a], p) for e, a, p in rows], 3)

    earliest: dict[int, str] = {}
    for row in store.query(_DATES):
        i = event_id.get(row[0].value)
        if i is not None:
            d = row[1].value[:10]
            if i not in earliest or d < earliest[i]:  # several start dates: the earliest
                earliest[i] = d
    dates = sorted(set(earliest.values()))
    rank = {d: r for r, d in enumerate(dates)}
    date_of = np.full(len(events), -1, dtype=np.int64)
    for i, d in earliest.items():
        date_of[i] = rank[d]

    found = [(i, row[1].value) for row in store.query(_THEMES) if (i := event_id.get(row[0].value)) is not None]
    themes = sorted({t for _, t in found})
    theme_id = {t: i for i, t in enumerate(themes)}
    tagged = _distinct_rows([(i, theme_id[t]) for i, t in found], 2)
    report_of = np.full(len(events), -1, dtype=np.int64)
    for row in store.query(_REPORTS):
        c, e = event_id.get(row[0].value), event_id.get(row[1].value)
        if c is not None and e is not None:
            report_of[e] = c
    return EventTable(events, actors, links, dates, date_of, themes, tagged, report_of)


def run_starts(values: Ints) -> Ints:
    """Where each run of equal values (or rows) of a sorted array starts."""
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    differs = values[1:] != values[:-1]
    return np.flatnonzero(np.r_[True, differs.any(axis=1) if differs.ndim > 1 else differs])


def _distinct_rows(rows: list[tuple[int, ...]], width: int) -> Ints:
    """``rows`` as an ``(n, width)`` array, sorted and without repeats."""
    return np.unique(np.array(rows, dtype=np.int64).reshape(-1, width), axis=0)


def event_table(store: KgStore) -> EventTable:
    """The event table of ``store``: from ``STORE.events.npz`` (beside an on-disk store, where
    ``STORE.lock`` is) when it was made from the store as it is now, else read from the store
    and saved there for next time."""
    version = store.version()
    if version is None or store.location is None:
        return read_event_table(store)
    path = Path(store.location).with_name(Path(store.location).name + ".events.npz")
    cached = _load(path, version)
    if cached is not None:
        return cached
    table = read_event_table(store)
    if store.version() == version:  # nothing wrote to the store while we read it
        _save(path, version, table)
    return table


def _load(path: Path, version: str) -> EventTable | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            if int(data["format"]) != _FORMAT or str(data["version"]) != version:
                return None
            return EventTable(
                events=_strings(data["events"]),
                actors=_strings(data["actors"]),
                links=data["links"].astype(np.int64).reshape(-1, 3),
                dates=_strings(data["dates"]),
                date_of=data["date_of"].astype(np.int64),
                themes=_strings(data["themes"]),
                tagged=data["tagged"].astype(np.int64).reshape(-1, 2),
                report_of=data["report_of"].astype(np.int64),
            )
    except (OSError, ValueError, KeyError):  # missing, unreadable or from another version of migkg
        return None


def _save(path: Path, version: str, table: EventTable) -> None:
    """Write the file whole or not at all; a store folder we may not write to just goes uncached."""
    write_whole(
        path,
        lambda handle: np.savez(
            handle,
            format=np.int64(_FORMAT),
            version=np.str_(version),
            events=_bytes(table.events),
            actors=_bytes(table.actors),
            links=table.links,
            dates=_bytes(table.dates),
            date_of=table.date_of,
            themes=_bytes(table.themes),
            tagged=table.tagged,
            report_of=table.report_of,
        ),
    )


def _bytes(strings: list[str]) -> NDArray[np.uint8]:
    """Strings as one UTF-8 buffer, one per line (IRIs and dates hold no line breaks): a quarter
    of the size of numpy's fixed-width UTF-32 strings."""
    return np.frombuffer("".join(f"{s}\n" for s in strings).encode("utf-8"), dtype=np.uint8)


def _strings(buffer: NDArray[np.uint8]) -> list[str]:
    return buffer.tobytes().decode("utf-8").split("\n")[:-1]
