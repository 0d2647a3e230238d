"""The event table: every event, its actors and roles, start date, themes, types, item and people
counted, as arrays.

Every network and every summary (:mod:`kg.summaries`) is counted from this table. Reading it
from the store takes a few flat SELECTs (event–actor links, events and their items, start dates,
themes, types, date precision, counted people, canonical events), several seconds for 100,000
events: the store hands out a row in ~3 µs. So the table is kept on disk beside the store, in
``STORE.events.npz`` (numpy arrays, no pickles), keyed on :meth:`KgStore.version`, which changes with every write to the
store by any program. A later network of the same store reads the table in a few tens of
milliseconds; once the store changes the file is stale, ignored and rewritten on the next
read. A build saves the table its summaries were counted from (:func:`keep_event_table`), so
the first network after a build reads the file too. Deleting it is always safe. Stores in memory
or behind a SPARQL server are read each time.

Ids are positions in sorted lists, so sorting ids sorts IRIs (and ISO dates).

>>> from kg.store import KgStore
>>> event_table(KgStore.memory()).events
[]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kg import namespaces as ns
from kg.store import KgStore, write_whole
from kg.store.reads import select_rows

__all__ = [
    "ACTOR_ROLES",
    "COUNTRY_ROLES",
    "ORGANIZATION_ROLES",
    "EventTable",
    "event_table",
    "keep_event_table",
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

# One SELECT per role: the largest read, split so that two threads share it (kg.store.reads).
_ACTORS = tuple(f"SELECT ?e ?a WHERE {{ ?e <{p}> ?a }}" for p in ACTOR_ROLES)
# Start dates; an undated event takes its item's publication date (kg.export.events.UNDATED_RULE,
# as in the named queries), from _ITEMS. One SELECT with the two as a UNION and a FILTER NOT EXISTS
# took 11.0 s at 100k items, the flat read 1.2 s.
_STARTS = f"SELECT ?e ?d WHERE {{ ?e <{ns.SCHEMA['startDate']}> ?d }}"
# Events first: items carry dcterms:subject too; at 100k items the events' themes are 337k of
# 550k subject rows, read in 3.1 s instead of 3.9 s.
_THEMES = f"SELECT ?e ?t WHERE {{ ?e a <{ns.MK['Event']}> . ?e <{ns.DCTERMS['subject']}> ?t }}"

_REPORTS = f"SELECT ?c ?e WHERE {{ ?c <{ns.MK['hasReport']}> ?e }}"
# Every mk:Event, and the item it was derived from when that item has a publication date.
_TYPED = f"SELECT ?e WHERE {{ ?e a <{ns.MK['Event']}> }}"
_ITEMS = f"""SELECT ?e ?item ?published WHERE {{
  ?e a <{ns.MK["Event"]}> ; <{ns.PROV["wasDerivedFrom"]}> ?item . ?item <{ns.DCTERMS["date"]}> ?published
}}"""
_TYPES = f"SELECT ?e ?t WHERE {{ ?e <{ns.SEM['eventType']}> ?t }}"
_YEAR_ONLY = f"SELECT ?e WHERE {{ ?e <{ns.MK['datePrecision']}> <{ns.concept('date-precision', 'year')}> }}"
#: The people an event reached: its counted participations that are not a subset of another
#: (45 of the 80 officials), not a target (a plan) and not a count of states or organisations.
#: Read flat and joined in Python: one SELECT with three FILTER NOT EXISTS took 9.2 s at 100k
#: items, these 3.5 s.
_PARTICIPATIONS = f"SELECT ?e ?p WHERE {{ ?e <{ns.MK['participation']}> ?p }}"
_COUNTS = f"SELECT ?p ?n WHERE {{ ?p <{ns.MK['count']}> ?n }}"
_NOT_PEOPLE = f"""SELECT ?p WHERE {{
  {{ ?p <{ns.MK["subsetOf"]}> ?whole }}
  UNION {{ ?p <{ns.MK["role"]}> <{ns.concept("role", "target")}> }}
  UNION {{
    VALUES ?group {{ <{ns.concept("group", "states-and-territories")}>
                     <{ns.concept("group", "international-organizations")}> }}
    ?p <{ns.MK["participantGroup"]}> ?group
  }}
}}"""

#: What :func:`read_event_table` reads, in one :func:`kg.store.reads.select_rows` call.
_READS = (
    *_ACTORS, _TYPED, _ITEMS, _STARTS, _THEMES, _REPORTS, _TYPES, _YEAR_ONLY, _COUNTS, _NOT_PEOPLE, _PARTICIPATIONS,
)  # fmt: skip

# bump when the arrays change meaning (3: undated events take their item's date; 4: reports;
# 5: every mk:Event, its item, types, precision and people)
_FORMAT = 5
Ints = NDArray[np.int64]


def _none() -> Ints:
    return np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class EventTable:
    """Every ``mk:Event`` and everything that has an actor (a participant or location country, an
    organiser, attendee or funder), as integer ids into sorted lists of IRIs.

    The arrays after ``tagged`` may be empty (a table made by hand): the methods below then read
    them as "every event typed, no item, no type, day precision, no people counted"."""

    events: list[str]  # event IRIs, sorted
    actors: list[str]  # actor IRIs, sorted
    links: Ints  # (n, 3): event, actor, predicate (position in ACTOR_ROLES); sorted, distinct
    dates: list[str]  # distinct start dates (YYYY-MM-DD; an undated event's is its item's date), sorted
    date_of: Ints  # per event: its earliest start date's position in ``dates``, or -1 (no date, no item)
    themes: list[str]  # theme IRIs, sorted
    tagged: Ints  # (m, 2): event, theme; sorted, distinct
    report_of: Ints = field(default_factory=_none)  # per event: its canonical event, or -1
    typed: Ints = field(default_factory=_none)  # per event: 1 when it is a mk:Event
    items: list[str] = field(default_factory=list)  # item IRIs, sorted: those events were derived from
    item_of: Ints = field(default_factory=_none)  # per event: its item (one with a date), or -1
    types: list[str] = field(default_factory=list)  # event type IRIs, sorted
    typed_as: Ints = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))  # (k, 2): event, type
    year_only: Ints = field(default_factory=_none)  # per event: 1 when its date is known to the year only
    people: Ints = field(default_factory=_none)  # per event: the people its participations count, or -1

    def canonical_mask(self, reports: bool = False) -> NDArray[np.bool_]:
        """Per event: whether a count takes it. A canonical event (kg.same) counts once and its
        reports not at all; with ``reports``, every report counts and no canonical event."""
        report_of = self._per_event(self.report_of, -1)
        if not reports:
            return report_of < 0
        canonical = np.zeros(len(self.events), dtype=bool)
        canonical[report_of[report_of >= 0]] = True
        return ~canonical

    def date(self, event: int) -> str | None:
        rank = int(self.date_of[event])
        return self.dates[rank] if rank >= 0 else None

    def is_event(self) -> NDArray[np.bool_]:
        """Per event: whether it is typed ``mk:Event`` (what the named queries count)."""
        return self._per_event(self.typed, 1).astype(bool)

    def item_ids(self) -> Ints:
        """Per event: its item's id in ``items`` (an item with a publication date), or -1."""
        return self._per_event(self.item_of, -1)

    def is_year_only(self) -> NDArray[np.bool_]:
        """Per event: whether its date is known to the year only (``mk:datePrecision`` year)."""
        return self._per_event(self.year_only, 0).astype(bool)

    def people_of(self) -> Ints:
        """Per event: the people its counted participations reached, or -1 when none counts."""
        return self._per_event(self.people, -1)

    def _per_event(self, values: Ints, missing: int) -> Ints:
        return values if len(values) == len(self.events) else np.full(len(self.events), missing, dtype=np.int64)


def read_event_table(store: KgStore) -> EventTable:
    """The event table, read from the store with flat SELECTs and joined in Python.

    An event is whatever is typed ``mk:Event`` or has one of the actor predicates (the ontology
    gives them the domain ``mk:Event``); typing each link row with ``?e a mk:Event`` would make
    the store join 400,000 rows for nothing at 100,000 events, so the types are read apart.
    Themes are read for typed events only.
    """
    read = dict(zip(_READS, select_rows(store, _READS), strict=True))  # every SELECT first: two at a time
    rows = [(row[0], row[1], p) for p, query in enumerate(_ACTORS) for row in read[query]]
    typed = {row[0] for row in read[_TYPED]}
    events = sorted(typed.union(e for e, _, _ in rows))
    actors = sorted({a for _, a, _ in rows})
    event_id = {e: i for i, e in enumerate(events)}
    actor_id = {a: i for i, a in enumerate(actors)}
    links = _distinct_rows([(event_id[e], actor_id[a], p) for e, a, p in rows], 3)

    derived = [
        (i, row[1], row[2][:10])
        for row in read[_ITEMS]
        if (i := event_id.get(row[0])) is not None
    ]
    earliest = _earliest(
        (i, row[1][:10]) for row in read[_STARTS] if (i := event_id.get(row[0])) is not None
    )
    undated = _earliest((i, day) for i, _, day in derived if i not in earliest)
    earliest.update(undated)  # several dates: the earliest start, else the earliest item's
    dates = sorted(set(earliest.values()))
    rank = {d: r for r, d in enumerate(dates)}
    date_of = np.full(len(events), -1, dtype=np.int64)
    for i, d in earliest.items():
        date_of[i] = rank[d]

    found = [(i, row[1]) for row in read[_THEMES] if (i := event_id.get(row[0])) is not None]
    themes = sorted({t for _, t in found})
    theme_id = {t: i for i, t in enumerate(themes)}
    tagged = _distinct_rows([(i, theme_id[t]) for i, t in found], 2)
    report_of = np.full(len(events), -1, dtype=np.int64)
    for row in read[_REPORTS]:
        c, e = event_id.get(row[0]), event_id.get(row[1])
        if c is not None and e is not None:
            report_of[e] = c
    is_typed, items, item_of, types, typed_as, year_only, people = _event_facts(read, event_id, typed, derived)
    return EventTable(
        events, actors, links, dates, date_of, themes, tagged, report_of,
        typed=is_typed, items=items, item_of=item_of, types=types, typed_as=typed_as,
        year_only=year_only, people=people,
    )  # fmt: skip


def _earliest(rows: Iterable[tuple[int, str]]) -> dict[int, str]:
    earliest: dict[int, str] = {}
    for i, day in rows:
        if i not in earliest or day < earliest[i]:
            earliest[i] = day
    return earliest


def _event_facts(
    read: dict[str, list[tuple[Any, ...]]],
    event_id: dict[str, int],
    typed: set[str],
    derived: list[tuple[int, str, str]],
) -> tuple[Ints, list[str], Ints, list[str], Ints, Ints, Ints]:
    """What the summaries count beyond actors, dates and themes: each event's type, item, types,
    date precision and people reached, from the rows ``read`` of :data:`_READS`. ``derived``:
    (event, item, its publication date) of every mk:Event and dated item it was derived from."""
    n = len(event_id)
    is_typed = np.zeros(n, dtype=np.int64)
    is_typed[[event_id[e] for e in typed]] = 1
    found = [(event, item) for event, item, _ in derived]
    items = sorted({item for _, item in found})
    item_id = {item: i for i, item in enumerate(items)}
    item_of = np.full(n, -1, dtype=np.int64)
    for event, item in sorted(found, reverse=True):  # several items: the first by IRI
        item_of[event] = item_id[item]
    found = [(i, row[1]) for row in read[_TYPES] if (i := event_id.get(row[0])) is not None]
    types = sorted({t for _, t in found})
    type_id = {t: i for i, t in enumerate(types)}
    typed_as = _distinct_rows([(i, type_id[t]) for i, t in found], 2)
    year_only = np.zeros(n, dtype=np.int64)
    year_only[[i for row in read[_YEAR_ONLY] if (i := event_id.get(row[0])) is not None]] = 1
    counts: dict[str, set[int]] = {}
    for row in read[_COUNTS]:
        counts.setdefault(row[0], set()).add(int(row[1]))
    left_out = {row[0] for row in read[_NOT_PEOPLE]}
    counted: dict[int, set[tuple[str, int]]] = {}
    for row in read[_PARTICIPATIONS]:
        reaching, part = event_id.get(row[0]), row[1]
        if reaching is not None and part in counts and part not in left_out:
            counted.setdefault(reaching, set()).update((part, count) for count in counts[part])
    people = np.full(n, -1, dtype=np.int64)
    for i, parts in counted.items():
        people[i] = sum(count for _, count in parts)
    return is_typed, items, item_of, types, typed_as, year_only, people


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
    cached = _load(_path(store), version)
    if cached is not None:
        return cached
    table = read_event_table(store)
    if store.version() == version:  # nothing wrote to the store while we read it
        _save(_path(store), version, table)
    return table


def keep_event_table(store: KgStore, table: EventTable) -> None:
    """Save ``table``, just read from ``store``, beside it as its event table once this writer
    closes it, unless it writes again before (:meth:`KgStore.at_close`).

    For a writer that read the table and then wrote only what the table does not read (the
    summaries, at the end of a build): the first network after the build reads the file."""
    if store.location is not None and store._local:
        store.at_close(lambda: _save(_path(store), str(store.version()), table))


def _path(store: KgStore) -> Path:
    return Path(str(store.location)).with_name(Path(str(store.location)).name + ".events.npz")


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
                typed=data["typed"].astype(np.int64),
                items=_strings(data["items"]),
                item_of=data["item_of"].astype(np.int64),
                types=_strings(data["types"]),
                typed_as=data["typed_as"].astype(np.int64).reshape(-1, 2),
                year_only=data["year_only"].astype(np.int64),
                people=data["people"].astype(np.int64),
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
            typed=table.typed,
            items=_bytes(table.items),
            item_of=table.item_of,
            types=_bytes(table.types),
            typed_as=table.typed_as,
            year_only=table.year_only,
            people=table.people,
        ),
    )


def _bytes(strings: list[str]) -> NDArray[np.uint8]:
    """Strings as one UTF-8 buffer, one per line (IRIs and dates hold no line breaks): a quarter
    of the size of numpy's fixed-width UTF-32 strings."""
    return np.frombuffer("".join(f"{s}\n" for s in strings).encode("utf-8"), dtype=np.uint8)


def _strings(buffer: NDArray[np.uint8]) -> list[str]:
    return buffer.tobytes().decode("utf-8").split("\n")[:-1]
