"""The events table: one row per event, with what an analyst needs beside it (ACLED's habit),
read from the store with a few SPARQL queries and put together in Python (:func:`event_rows`).

Its columns, :data:`EVENT_COLUMNS`, only ever grow, at the end; each is documented in
:data:`EVENT_COLUMN_DOCS` and in docs/codebook.md. Rows are sorted by start date, then by IRI. An
undated event is dated by its item's publication date, with the precision ``publication``
(:data:`UNDATED_RULE`, the rule of every view, query and network).
"""

from __future__ import annotations

import json
from typing import Any

from pyoxigraph import Literal

from kg.namespaces import DCTERMS, MK, PREFIXES, RDFS, SCHEMA, SEM, SKOS
from kg.store import KgStore

__all__ = [
    "EVENT_COLUMNS",
    "EVENT_COLUMN_DOCS",
    "EVENT_TABLE_DOC",
    "PUBLICATION",
    "UNDATED_RULE",
    "event_rows",
    "table_row",
]

#: The date precision of an event the text gives no date for: it is dated by its item's publication date.
PUBLICATION = "publication"

UNDATED_RULE = """An event whose text gives no date (no `schema:startDate` in its item graph) is dated
by its news item's publication date (`dcterms:date`), and its date precision is marked
`publication` (`prec:publication`). This one rule holds everywhere an event is placed in time:
the named queries (`BIND(COALESCE(?start, ?published) AS ?date)`), `kg network --since/--until`
and `--by-year`, the events table (`kg export --frame events`: `startDate` and `endDate` are the
publication date, `datePrecision` is `publication`) and the pages of `kg serve`. The item graphs
themselves are left as extracted: the graph says only what the text says, so raw SPARQL sees no
`schema:startDate` on such an event; write the same `COALESCE` to follow the rule:

```sparql
SELECT ?event ?date WHERE {
  ?event a mk:Event ; prov:wasDerivedFrom ?item . ?item dcterms:date ?published .
  OPTIONAL { ?event schema:startDate ?start }
  BIND(COALESCE(?start, ?published) AS ?date)
}
```"""


#: Column -> what it holds. The order is the column order; new columns are only ever added at the end.
EVENT_COLUMN_DOCS: dict[str, str] = {
    "id": "IRI of the event (`ev:…`)",
    "types": "event types, labels (`evt:` concepts; JSON: `{id, label}`)",
    "startDate": "first day, YYYY-MM-DD (`schema:startDate`; an undated event: its item's publication date)",
    "endDate": "last day, YYYY-MM-DD (`schema:endDate`; an undated event: its item's publication date)",
    "datePrecision": "day, month, year, or publication (undated in the text, dated by its item)",
    "places": "the venues (`schema:location`), labels",
    "locationCountries": "where it took place (`mk:locationCountry`), ISO 3166-1 alpha-3 codes",
    "locationCountryNames": "the same countries, English names",
    "participantCountries": "countries that took part (`mk:participantCountry`), ISO3 codes",
    "participantCountryNames": "the same countries, English names",
    "organizers": "organisations in the role of organiser (`schema:organizer`), names",
    "themes": "themes (`dcterms:subject`, `theme:` concepts), labels",
    "gcmObjectives": "numbers of the GCM objectives the themes map to (skos:exactMatch/closeMatch/broadMatch)",
    "gcmObjectiveTitles": "the same objectives, titles",
    "sourceTitle": "title of the news item the event comes from",
    "sourceDate": "publication date of the news item, YYYY-MM-DD",
    "sourceUrl": "URL of the news item, when it has one",
    "sourceItem": "IRI of the news item (`item:…`)",
    "sourceGraph": "IRI of the item's named graph",
    "attendees": "organisations in the role of attendee (`schema:attendee`), names",
    "funders": "organisations in the role of funder (`schema:funder`), names",
    "peopleCounted": "people counted as taking part: the sum of `mk:count` over the event's participations "
    "that are not a subset (`mk:subsetOf`) of another; empty when the text gives no count",
    "latitude": "latitude of the first venue (by IRI), WGS 84 degrees (`schema:latitude`, else GeoNames)",
    "longitude": "longitude of the same venue",
    "quote": "the sentence of the item that supports the event (`prov:value`)",
    "rule": "the extraction rule that found the event (`mk:extractionRule`): its date rule, or event-cue when undated",
}
EVENT_COLUMNS = tuple(EVENT_COLUMN_DOCS)

EVENT_TABLE_DOC = (
    "`kg export --frame events --out events.csv` (or `.json`, `.parquet`) writes one row per event:"
    " the table to load into a spreadsheet, pandas, R or DuckDB. CSV joins lists with `|`; JSON keeps"
    " them as arrays of `{id, label}` objects (countries add `iso3`, places `latitude` and"
    " `longitude`, objectives are `{id, number, title}`) and nests the item under `source`; Parquet"
    " has one typed column per CSV column (lists as lists, dates as dates). Columns are only ever"
    " added at the end, never renamed or removed.\n\n| column | holds |\n|---|---|\n"
    + "\n".join(f"| `{name}` | {doc} |" for name, doc in EVENT_COLUMN_DOCS.items())
)

_LINKS = {  # predicate -> key of the event object
    SEM["eventType"]: "types",
    SCHEMA["location"]: "places",
    MK["locationCountry"]: "locationCountries",
    MK["participantCountry"]: "participantCountries",
    SCHEMA["organizer"]: "organizers",
    SCHEMA["attendee"]: "attendees",
    SCHEMA["funder"]: "funders",
    DCTERMS["subject"]: "themes",
}
_PREFIX_LINES = "\n".join(f"PREFIX {p}: <{PREFIXES[p]}>" for p in ("mk", "schema", "sem", "dcterms", "prov", "skos"))
_EVENTS_QUERY = f"""{_PREFIX_LINES}
SELECT ?e ?g ?start ?end ?prec ?item ?title ?date ?url ?quote ?rule WHERE {{
  GRAPH ?g {{ ?e a mk:Event }}
  OPTIONAL {{ ?e schema:startDate ?start }}
  OPTIONAL {{ ?e schema:endDate ?end }}
  OPTIONAL {{ ?e mk:datePrecision ?prec }}
  OPTIONAL {{ ?e prov:value ?quote }}
  OPTIONAL {{ ?e mk:extractionRule ?rule }}
  OPTIONAL {{
    ?e prov:wasDerivedFrom ?item . ?item a mk:NewsItem .
    OPTIONAL {{ ?item dcterms:title ?title }}
    OPTIONAL {{ ?item dcterms:date ?date }}
    OPTIONAL {{ ?item schema:url ?url }}
  }}
}}"""
_LINKS_QUERY = f"""{_PREFIX_LINES}
SELECT ?e ?p ?x ?lp ?label ?code ?lat ?long WHERE {{
  ?e a mk:Event ; ?p ?x .
  VALUES ?p {{ {" ".join(f"<{p}>" for p in _LINKS)} }}
  OPTIONAL {{ VALUES ?lp {{ skos:prefLabel <{RDFS["label"]}> }} ?x ?lp ?label }}
  OPTIONAL {{ ?x mk:iso3166Alpha3 ?code }}
  OPTIONAL {{ ?x schema:latitude ?lat ; schema:longitude ?long }}
}}"""
_GCM_QUERY = f"""{_PREFIX_LINES}
PREFIX gcm: <{PREFIXES["gcm"]}>
SELECT ?e ?o ?number ?title WHERE {{
  ?e a mk:Event ; dcterms:subject ?theme .
  ?theme (skos:exactMatch|skos:closeMatch|skos:broadMatch)? ?o .
  ?o skos:notation ?number .
  FILTER(STRSTARTS(STR(?o), STR(gcm:)))
  OPTIONAL {{ ?o skos:prefLabel ?title }}
}}"""
# A participation that breaks another one down (mk:subsetOf) is already counted in it.
_COUNTS_QUERY = f"""{_PREFIX_LINES}
SELECT DISTINCT ?e ?p ?n WHERE {{
  ?e a mk:Event ; mk:participation ?p . ?p mk:count ?n .
  FILTER NOT EXISTS {{ ?p mk:subsetOf ?whole }}
}}"""


def _local_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def event_rows(store: KgStore) -> list[dict[str, Any]]:
    """One object per event, sorted by start date then IRI (undated events by their item's date).

    Keys: :data:`EVENT_COLUMNS` as JSON writes them: ``id``, ``types``, ``startDate``,
    ``endDate``, ``datePrecision``, ``places``, ``locationCountries``, ``participantCountries``,
    ``organizers``, ``themes``, ``gcmObjectives`` (through the themes'
    ``skos:exactMatch``/``closeMatch``/``broadMatch``), ``source``, then ``attendees``,
    ``funders``, ``peopleCounted``, ``quote`` and ``rule``. Lists hold ``{"id", "label"}``
    objects (countries add ``iso3``, places ``latitude`` and ``longitude``; objectives are
    ``{"id", "number", "title"}``), sorted by id (objectives by number). Labels are English
    where there is a choice.
    """
    events: dict[str, dict[str, Any]] = {}
    for row in store.query(_EVENTS_QUERY):
        event = {
            "id": row["e"].value,
            "startDate": _value(row["start"]),
            "endDate": _value(row["end"]),
            "datePrecision": _local_name(row["prec"].value) if row["prec"] else None,
            "source": {
                "id": _value(row["item"]),
                "title": _value(row["title"]),
                "date": _value(row["date"]),
                "url": _value(row["url"]),
                "graph": row["g"].value,
            },
            "quote": _value(row["quote"]),
            "rule": _value(row["rule"]),
        }
        # several titles, dates or graphs: keep the smallest, so that the view is deterministic
        previous = events.get(event["id"])
        if previous is None or json.dumps(event, sort_keys=True) < json.dumps(previous, sort_keys=True):
            events[event["id"]] = event
    links: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    labels = _Labels()
    for row in store.query(_LINKS_QUERY):
        event, key, target = row["e"].value, _LINKS[row["p"].value], row["x"].value
        entries = links.setdefault((event, key), {})
        if target not in entries:
            entries[target] = {"id": target, "label": None}
            if key.endswith("Countries"):
                entries[target] = {"id": target, "iso3": _value(row["code"]) or _local_name(target), "label": None}
            if key == "places":
                entries[target].update(latitude=_number(row["lat"]), longitude=_number(row["long"]))
        elif key.endswith("Countries") and row["code"]:
            entries[target]["iso3"] = min(entries[target]["iso3"], row["code"].value)
        labels.offer(target, row["lp"], row["label"])
    objectives: dict[str, dict[str, dict[str, Any]]] = {}
    for row in store.query(_GCM_QUERY):
        target, number = row["o"].value, row["number"].value
        objectives.setdefault(row["e"].value, {})[target] = {
            "id": target,
            "number": int(number) if number.isdigit() else number,
            "title": None,
        }
        labels.offer(target, None, row["title"])
    _fill_coordinates(links)
    counted: dict[str, int] = {}
    for row in store.query(_COUNTS_QUERY):
        if row["n"].value.isdigit():
            counted[row["e"].value] = counted.get(row["e"].value, 0) + int(row["n"].value)
    rows = []
    for iri, event in events.items():
        out: dict[str, Any] = {"id": iri, "types": []}
        for key in ("startDate", "endDate", "datePrecision"):
            out[key] = event[key]
        if out["startDate"] is None and event["source"]["date"]:  # UNDATED_RULE
            out.update(startDate=event["source"]["date"], endDate=event["source"]["date"], datePrecision=PUBLICATION)
        for key in _LINKS.values():
            out[key] = sorted(links.get((iri, key), {}).values(), key=lambda x: x["id"])
            for entry in out[key]:
                entry["label"] = labels.get(entry["id"])
        out["gcmObjectives"] = sorted(objectives.get(iri, {}).values(), key=_objective_order)
        for entry in out["gcmObjectives"]:
            entry["title"] = labels.get(entry["id"], fallback=None)
        out["source"] = event["source"]
        for key in ("attendees", "funders"):  # after source: the keys of earlier versions keep their places
            out[key] = out.pop(key)
        out["peopleCounted"] = counted.get(iri)
        out["quote"], out["rule"] = event["quote"], event["rule"]
        rows.append(out)
    rows.sort(key=lambda r: (r["startDate"] is None, r["startDate"] or "", r["id"]))
    return rows


def _fill_coordinates(links: dict[tuple[str, str], dict[str, dict[str, Any]]]) -> None:
    """Coordinates of venues the graph gives none for, from GeoNames (:mod:`kg.geonames`, offline)
    by the GeoNames id that is the last segment of the place's IRI (``place:3513090``)."""
    missing = [
        entry
        for (_, key), entries in links.items()
        if key == "places"
        for entry in entries.values()
        if entry["latitude"] is None and _local_name(entry["id"]).isdigit()
    ]
    if not missing:
        return
    from kg.geonames import places

    known = places()
    for entry in missing:
        place = known.get(_local_name(entry["id"]))
        if place is not None:
            entry.update(latitude=place.latitude, longitude=place.longitude)


def _number(term: Any) -> float | None:
    try:
        return float(term.value) if term is not None else None
    except ValueError:
        return None


def _value(term: Any) -> str | None:
    return term.value if term is not None else None


def _objective_order(objective: dict[str, Any]) -> tuple[int, str, str]:
    number = objective["number"]
    return (number, "", objective["id"]) if isinstance(number, int) else (1 << 30, number, objective["id"])


class _Labels:
    """The best label of each resource: English first, then untagged, then any; prefLabel first."""

    def __init__(self) -> None:
        self._best: dict[str, tuple[tuple[int, int, str], str]] = {}

    def offer(self, iri: str, predicate: Any, label: Any) -> None:
        if not isinstance(label, Literal):
            return
        language = label.language or ""
        preferred = predicate is None or predicate.value == SKOS["prefLabel"]
        rank = ({"en": 0, "": 1}.get(language, 2), 0 if preferred else 1, label.value)
        if iri not in self._best or rank < self._best[iri][0]:
            self._best[iri] = (rank, label.value)

    def get(self, iri: str, fallback: str | None = "") -> str | None:
        """The label, else the IRI's last segment (or ``fallback`` when it is not ``""``)."""
        if iri in self._best:
            return self._best[iri][1]
        return _local_name(iri) if fallback == "" else fallback


def table_row(event: dict[str, Any]) -> dict[str, Any]:
    """The event as one flat row of :data:`EVENT_COLUMNS`: lists stay lists, absent values are None."""

    def values(key: str, field: str = "label") -> list[Any]:
        return [x[field] for x in event[key] if x[field] is not None]

    source = event["source"]
    place = event["places"][0] if event["places"] else {}
    row = {
        "id": event["id"],
        "types": values("types"),
        "startDate": event["startDate"],
        "endDate": event["endDate"],
        "datePrecision": event["datePrecision"],
        "places": values("places"),
        "locationCountries": values("locationCountries", "iso3"),
        "locationCountryNames": values("locationCountries"),
        "participantCountries": values("participantCountries", "iso3"),
        "participantCountryNames": values("participantCountries"),
        "organizers": values("organizers"),
        "themes": values("themes"),
        "gcmObjectives": values("gcmObjectives", "number"),
        "gcmObjectiveTitles": values("gcmObjectives", "title"),
        "sourceTitle": source["title"],
        "sourceDate": source["date"],
        "sourceUrl": source["url"],
        "sourceItem": source["id"],
        "sourceGraph": source["graph"],
        "attendees": values("attendees"),
        "funders": values("funders"),
        "peopleCounted": event["peopleCounted"],
        "latitude": place.get("latitude"),
        "longitude": place.get("longitude"),
        "quote": event["quote"],
        "rule": event["rule"],
    }
    assert tuple(row) == EVENT_COLUMNS
    return row
