"""What grouping needs to know of each item: its text's shingles and signature, its reports.

:func:`item_facts` takes them from an item and the N-Quads of its graph, where ``kg build``
extracts it (in a worker process, when there are any), so that grouping after a build reads
nothing back from the store for the items the build wrote: reading them back cost more than
half of grouping. :func:`read_facts` reads the same from the store, for the items a build did
not write (loaded from shards, or written by an earlier build), and gives the same answer.

>>> from datetime import date
>>> from kg.extracting import graph_of
>>> from kg.sources import NewsItem
>>> item = NewsItem("k1", date(2019, 6, 11), "A title", "IOM held a workshop in Guatemala City on 4 June 2019.", "f", 1)
>>> facts = item_facts(item, graph_of(item)[1])
>>> [(r.iri.rsplit("/", 1)[1], sorted(r.types), r.start) for r in facts.reports]
[('k1-e1', ['workshop'], datetime.date(2019, 6, 4))]
"""

from __future__ import annotations

import functools
import json
import pickle
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from kg import namespaces as ns
from kg.namespaces import DCTERMS, MK, PROV, RDF, SCHEMA, SEM
from kg.same.events import Report
from kg.same.story import MIN_SHINGLES, shingles, signatures
from kg.sources import NewsItem
from kg.store import KgStore

__all__ = ["ItemFacts", "item_facts", "packed", "read_facts", "unpacked"]

#: What grouping needs, read for every event.
EVENT_PREDICATES = {
    SEM["eventType"]: "types",
    SCHEMA["startDate"]: "start",
    SCHEMA["endDate"]: "end",
    MK["datePrecision"]: "precision",
    MK["locationCountry"]: "locations",
    MK["participantCountry"]: "participants",
    SCHEMA["location"]: "places",
    SCHEMA["organizer"]: "organizations",
    SCHEMA["attendee"]: "organizations",
    SCHEMA["funder"]: "organizations",
}
#: What merging needs besides, for the reports of canonical events only.
MERGE_PREDICATES = {
    SCHEMA["organizer"]: "organizer",
    SCHEMA["attendee"]: "attendee",
    SCHEMA["funder"]: "funder",
    DCTERMS["subject"]: "themes",  # of an event, or of the item (for its events without themes)
    MK["participation"]: "participations",
    **{MK[name]: name for name in ("role", "agent", "participantGroup", "count", "subsetOf")},  # of a participation
}
_CANONICAL_PREFIX = ns.canonical_event("")
_EVENTS = f"SELECT ?e ?item WHERE {{ ?e a <{MK['Event']}> ; <{PROV['wasDerivedFrom']}> ?item }}"
_PROPERTIES = "SELECT ?e ?p ?o WHERE {{ VALUES ?p {{ {} }} ?e ?p ?o }}".format(
    " ".join(f"<{p}>" for p in EVENT_PREDICATES)
)
_TEXTS = f"""SELECT ?item ?published ?title ?summary ?body WHERE {{
  ?item a <{MK["NewsItem"]}> ; <{DCTERMS["date"]}> ?published ; <{DCTERMS["title"]}> ?title .
  OPTIONAL {{ ?item <{DCTERMS["abstract"]}> ?summary }}
  OPTIONAL {{ ?item <{SCHEMA["articleBody"]}> ?body }}
}}"""


@dataclass(frozen=True)
class ItemFacts:
    """One item as grouping sees it, in the form it travels from a worker and is kept in
    (:mod:`kg.same.kept`): text and bytes, decoded where they are used."""

    item: str  # the item's IRI
    published: date
    signature: bytes | None  # its MinHash (:data:`PERMUTATIONS` little-endian uint32); None: too short a text to judge
    shingles: bytes  # of its text (summary and body, the title when it has neither): sorted little-endian uint32
    reported: str  # its events, JSON (:func:`_encoded_reports`)
    #: subject (an event, a participation, the item) -> what merging needs (:data:`MERGE_PREDICATES`
    #: by name), JSON: only the reports of canonical events need it; None when not taken (read
    #: from the store when needed)
    merged: str | None = None

    @functools.cached_property
    def reports(self) -> tuple[Report, ...]:
        """Its events, sorted by IRI."""
        return tuple(_decoded_report(row, self.item, self.published) for row in json.loads(self.reported))

    def shingle_array(self) -> NDArray[np.uint32]:
        return np.frombuffer(self.shingles, dtype=_UINT32)

    def merging(self) -> Mapping[str, Mapping[str, frozenset[str]]] | None:
        """:attr:`merged`, decoded."""
        if self.merged is None:
            return None
        return {
            s: defaultdict(frozenset, {k: frozenset(map(sys.intern, v)) for k, v in held.items()})
            for s, held in json.loads(self.merged).items()
        }


_UINT32 = np.dtype("<u4")  # little-endian whatever the machine: the bytes are kept in a file


def _text(title: str, summary: str | None, body: str | None) -> str:
    # the title left out: a re-post or a syndicated copy often gets a new one
    return "\n".join(part for part in (summary, body) if part) or title


def _facts(
    item: str,
    published: date,
    text: str,
    events: Mapping[str, Mapping[str, set[str]]],
    merged: str | None = None,
) -> ItemFacts:
    held = shingles(text)
    signature = signatures([held])[0].astype(_UINT32).tobytes() if len(held) >= MIN_SHINGLES else None
    return ItemFacts(item, published, signature, held.astype(_UINT32).tobytes(), _encoded_reports(events), merged)


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _encoded_reports(events: Mapping[str, Mapping[str, set[str]]]) -> str:
    """Each event's values (:data:`EVENT_PREDICATES` by name) as one JSON list, sorted by IRI:
    ``[iri, types, start, end, precision, locations, participants, places, organizations]``."""
    rows = []
    for e in sorted(events):
        v = events[e]
        rows.append(
            [
                e,
                sorted(v.get("types", ())),
                min(v.get("start", ()), default=None),
                max(v.get("end", ()), default=None),
                min(v.get("precision", ()), default=None),
                *(sorted(v.get(name, ())) for name in ("locations", "participants", "places", "organizations")),
            ]
        )
    return json.dumps(rows, separators=(",", ":"))


def _decoded_report(row: list, item: str, day: date) -> Report:
    e, types, start, end, precision, locations, participants, places, organizations = row
    i = sys.intern  # the same countries, places and types recur in thousands of reports
    types = frozenset(map(i, types))
    located, taking_part = frozenset(map(i, locations)), frozenset(map(i, participants))
    return Report(
        e,
        item,
        day,
        frozenset(i(_local(t)) for t in types),
        date.fromisoformat(start[:10]) if start else None,
        date.fromisoformat(end[:10]) if end else None,
        _local(precision) if precision else None,
        located,
        located | taking_part,
        frozenset(map(i, places)),
        frozenset(map(i, organizations)),
        extra={"types": types, "participants": taking_part},
    )


_TYPE, _DERIVED, _EVENT = f"<{RDF['type']}>", f"<{PROV['wasDerivedFrom']}>", f"<{MK['Event']}>"
_GROUPING = {f"<{p}>": name for p, name in EVENT_PREDICATES.items()}
_MERGING = {f"<{p}>": name for p, name in MERGE_PREDICATES.items()}


def item_facts(item: NewsItem, nquads: bytes | str) -> ItemFacts:
    """The facts of ``item`` from the N-Quads of its graph (:func:`kg.rdf.item_nquads`)."""
    text = nquads.decode() if isinstance(nquads, bytes) else nquads
    node = f"<{ns.item(item.key)}>"
    events: set[str] = set()
    derived: set[str] = set()
    values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    merging: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for line in text.splitlines():
        s, p, rest = line.split(" ", 2)
        if p in _GROUPING or p in _MERGING:
            o = rest.rsplit(" ", 2)[0]  # the object, without the graph and the final dot
            value = o[1:-1] if o[0] == "<" else o[1 : o.index('"', 1)]  # an IRI, a date, a count
            if p in _GROUPING:
                values[s[1:-1]][_GROUPING[p]].add(value)
            if p in _MERGING:
                merging[s[1:-1]][_MERGING[p]].add(value)
        elif p == _TYPE and rest.startswith(_EVENT + " "):
            events.add(s)
        elif p == _DERIVED and rest.startswith(node + " "):
            derived.add(s)
    reports = {e[1:-1]: values[e[1:-1]] for e in events & derived}
    merged = json.dumps(
        {s: {k: sorted(v) for k, v in sorted(held.items())} for s, held in sorted(merging.items())},
        separators=(",", ":"),
    )
    return _facts(node[1:-1], item.published, _text(item.title, item.summary, item.body), reports, merged)


def packed(item: NewsItem, nquads: bytes) -> bytes:
    """:func:`item_facts`, pickled for the way from a worker to ``kg build``, which keeps them so
    until it groups."""
    facts = item_facts(item, nquads)
    return pickle.dumps(
        (facts.item, facts.published, facts.signature, facts.shingles, facts.reported, facts.merged),
        pickle.HIGHEST_PROTOCOL,
    )


def unpacked(blobs: Iterable[bytes]) -> dict[str, ItemFacts]:
    """``item IRI -> facts`` of :func:`packed` facts (of an item given twice, the later)."""
    return {facts.item: facts for facts in (ItemFacts(*pickle.loads(blob)) for blob in blobs)}


def read_facts(store: KgStore, items: set[str] | None = None) -> dict[str, ItemFacts]:
    """``item IRI -> facts`` of every item in ``store`` (or of ``items`` only), read from it."""
    texts: dict[str, tuple[date, str]] = {}
    for row in store.query(_TEXTS):
        item = row["item"].value
        if item in texts or (items is not None and item not in items):
            continue
        body = row["body"].value if row["body"] is not None else None
        summary = row["summary"].value if row["summary"] is not None else None
        texts[item] = (date.fromisoformat(row["published"].value[:10]), _text(row["title"].value, summary, body))
    of: dict[str, str] = {}
    for row in store.query(_EVENTS):
        e, item = row["e"].value, row["item"].value
        if not e.startswith(_CANONICAL_PREFIX) and e not in of and item in texts:
            of[e] = item
    values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in store.query(_PROPERTIES):
        e = row["e"].value
        if e in of:
            values[e][EVENT_PREDICATES[row["p"].value]].add(row["o"].value)
    reports: dict[str, dict[str, Mapping[str, set[str]]]] = defaultdict(dict)
    for e, item in of.items():
        reports[item][e] = values[e]
    return {item: _facts(item, day, text, reports[item]) for item, (day, text) in texts.items()}
