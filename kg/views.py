"""Framed views: one flat JSON object (or CSV row) per resource, for direct consumption.

The ``events`` view is what a web developer or a data journalist loads without knowing RDF:
per event its types, dates, places, location and participant countries (ISO3 codes and
English labels), organisers, themes and the GCM objectives the themes map to, and the source
item with its named graph. It is plain JSON (every ``id`` is the IRI in the graph), or CSV
with lists joined by ``|``; rows are sorted by start date (undated last), then by IRI.

>>> ViewFormat.from_path("out/events.csv")
<ViewFormat.CSV: 'csv'>
"""

from __future__ import annotations

import csv
import enum
import io
import json
import os
from pathlib import Path
from typing import Any, BinaryIO

from pyoxigraph import Literal

from kg.namespaces import DCTERMS, MK, PREFIXES, RDFS, SCHEMA, SEM, SKOS
from kg.store import KgStore

__all__ = ["EVENT_COLUMNS", "View", "ViewFormat", "event_rows", "export_view"]


class View(enum.Enum):
    """Framed views: one flat JSON object (or CSV row) per resource, for direct consumption."""

    EVENTS = "events"


class ViewFormat(enum.Enum):
    JSON = "json"
    CSV = "csv"

    @classmethod
    def from_path(cls, path: str | os.PathLike[str]) -> ViewFormat:
        """``.csv`` gives CSV, anything else JSON.

        >>> ViewFormat.from_path("out/events.csv")
        <ViewFormat.CSV: 'csv'>
        """
        return cls.CSV if Path(path).suffix.lower() == ".csv" else cls.JSON


EVENT_COLUMNS = (
    "id",
    "types",
    "startDate",
    "endDate",
    "datePrecision",
    "places",
    "locationCountries",
    "locationCountryNames",
    "participantCountries",
    "participantCountryNames",
    "organizers",
    "themes",
    "gcmObjectives",
    "gcmObjectiveTitles",
    "sourceTitle",
    "sourceDate",
    "sourceUrl",
    "sourceItem",
    "sourceGraph",
)

_LINKS = {  # predicate -> key of the event object
    SEM["eventType"]: "types",
    SCHEMA["location"]: "places",
    MK["locationCountry"]: "locationCountries",
    MK["participantCountry"]: "participantCountries",
    SCHEMA["organizer"]: "organizers",
    DCTERMS["subject"]: "themes",
}
_PREFIX_LINES = "\n".join(f"PREFIX {p}: <{PREFIXES[p]}>" for p in ("mk", "schema", "sem", "dcterms", "prov", "skos"))
_EVENTS_QUERY = f"""{_PREFIX_LINES}
SELECT ?e ?g ?start ?end ?prec ?item ?title ?date ?url WHERE {{
  GRAPH ?g {{ ?e a mk:Event }}
  OPTIONAL {{ ?e schema:startDate ?start }}
  OPTIONAL {{ ?e schema:endDate ?end }}
  OPTIONAL {{ ?e mk:datePrecision ?prec }}
  OPTIONAL {{
    ?e prov:wasDerivedFrom ?item . ?item a mk:NewsItem .
    OPTIONAL {{ ?item dcterms:title ?title }}
    OPTIONAL {{ ?item dcterms:date ?date }}
    OPTIONAL {{ ?item schema:url ?url }}
  }}
}}"""
_LINKS_QUERY = f"""{_PREFIX_LINES}
SELECT ?e ?p ?x ?lp ?label ?code WHERE {{
  ?e a mk:Event ; ?p ?x .
  VALUES ?p {{ {" ".join(f"<{p}>" for p in _LINKS)} }}
  OPTIONAL {{ VALUES ?lp {{ skos:prefLabel <{RDFS["label"]}> }} ?x ?lp ?label }}
  OPTIONAL {{ ?x mk:iso3166Alpha3 ?code }}
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


def _local_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def event_rows(store: KgStore) -> list[dict[str, Any]]:
    """One object per event, sorted by start date (undated last) then IRI.

    Keys: ``id``, ``types``, ``startDate``, ``endDate``, ``datePrecision``, ``places``,
    ``locationCountries``, ``participantCountries``, ``organizers``, ``themes``,
    ``gcmObjectives`` (through the themes' ``skos:exactMatch``/``closeMatch``/``broadMatch``) and ``source``.
    Lists hold ``{"id", "label"}`` objects (countries add ``iso3``; objectives are
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
    rows = []
    for iri, event in events.items():
        out: dict[str, Any] = {"id": iri, "types": []}
        for key in ("startDate", "endDate", "datePrecision"):
            out[key] = event[key]
        for key in _LINKS.values():
            out[key] = sorted(links.get((iri, key), {}).values(), key=lambda x: x["id"])
            for entry in out[key]:
                entry["label"] = labels.get(entry["id"])
        out["gcmObjectives"] = sorted(objectives.get(iri, {}).values(), key=_objective_order)
        for entry in out["gcmObjectives"]:
            entry["title"] = labels.get(entry["id"], fallback=None)
        out["source"] = event["source"]
        rows.append(out)
    rows.sort(key=lambda r: (r["startDate"] is None, r["startDate"] or "", r["id"]))
    return rows


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


def _csv_row(event: dict[str, Any]) -> list[str]:
    def join(key: str, field: str = "label") -> str:
        return "|".join(str(x[field] or "") for x in event[key])

    source = event["source"]
    return [
        event["id"],
        join("types"),
        event["startDate"] or "",
        event["endDate"] or "",
        event["datePrecision"] or "",
        join("places"),
        join("locationCountries", "iso3"),
        join("locationCountries"),
        join("participantCountries", "iso3"),
        join("participantCountries"),
        join("organizers"),
        join("themes"),
        join("gcmObjectives", "number"),
        join("gcmObjectives", "title"),
        source["title"] or "",
        source["date"] or "",
        source["url"] or "",
        source["id"] or "",
        source["graph"],
    ]


def export_view(store: KgStore, view: View, output: BinaryIO, fmt: ViewFormat = ViewFormat.JSON) -> int:
    """Write a framed view (JSON array or CSV with lists joined by ``|``); returns the rows written."""
    rows = event_rows(store)
    if fmt is ViewFormat.JSON:
        objects = []
        for row in rows:  # one key per line, values inline: readable, and diffs well
            lines = [f"    {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}" for key, value in row.items()]
            objects.append("  {\n" + ",\n".join(lines) + "\n  }")
        output.write(("[\n" + ",\n".join(objects) + "\n]\n" if objects else "[]\n").encode("utf-8"))
        return len(rows)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(EVENT_COLUMNS)
    writer.writerows(_csv_row(row) for row in rows)
    output.write(text.getvalue().encode("utf-8"))
    return len(rows)
