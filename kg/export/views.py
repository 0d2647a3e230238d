"""Framed views: one flat JSON object (or CSV or Parquet row) per resource, for direct consumption.

The ``events`` view is the table an analyst loads without knowing RDF (the ACLED habit: one
row per event): per event its types, dates and their precision, the place with its coordinates,
location and participant countries (ISO3 codes and English labels), organisers, attendees and
funders, the people counted, themes and the GCM objectives the themes map to, the source item,
and the extractor's evidence (the supporting quote and the rule that fired). It is plain JSON
(every ``id`` is the IRI in the graph), CSV with lists joined by ``|``, or Parquet with typed
columns (lists as lists). Its columns, :data:`EVENT_COLUMNS`, only ever grow, at the end; each
is documented in :data:`EVENT_COLUMN_DOCS` and in docs/codebook.md. Rows are sorted by start
date, then by IRI. An undated event is dated by its item's publication date, with the precision
``publication`` (:data:`UNDATED_RULE`, the rule of every view, query and network).

>>> ViewFormat.from_path("out/events.csv")
<ViewFormat.CSV: 'csv'>
"""

from __future__ import annotations

import csv
import enum
import io
import json
from typing import Any, BinaryIO

from kg.export.events import EVENT_COLUMNS, event_rows, table_row
from kg.formats import ViewFormat
from kg.store import KgStore

__all__ = ["View", "export_view"]


class View(enum.Enum):
    """Framed views: one flat JSON object (or CSV or Parquet row) per resource, for direct consumption."""

    EVENTS = "events"


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return str(value)


def export_view(store: KgStore, view: View, output: BinaryIO, fmt: ViewFormat = ViewFormat.JSON) -> int:
    """Write a framed view (JSON array, CSV with lists joined by ``|``, or Parquet); returns the rows written."""
    rows = event_rows(store)
    if fmt is ViewFormat.JSON:
        objects = []
        for row in rows:  # one key per line, values inline: readable, and diffs well
            lines = [f"    {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}" for key, value in row.items()]
            objects.append("  {\n" + ",\n".join(lines) + "\n  }")
        output.write(("[\n" + ",\n".join(objects) + "\n]\n" if objects else "[]\n").encode("utf-8"))
        return len(rows)
    table = [table_row(row) for row in rows]
    if fmt is ViewFormat.PARQUET:
        _write_parquet(table, output)
        return len(rows)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(EVENT_COLUMNS)
    writer.writerows([_csv_cell(row[column]) for column in EVENT_COLUMNS] for row in table)
    output.write(text.getvalue().encode("utf-8"))
    return len(rows)


def _write_parquet(table: list[dict[str, Any]], output: BinaryIO) -> None:
    """Typed columns: dates as date32, counts as int64, coordinates as float64, lists as lists."""
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    strings = pa.list_(pa.string())
    types = {column: pa.string() for column in EVENT_COLUMNS}
    for column in ("types", "places", "locationCountries", "locationCountryNames", "participantCountries"):
        types[column] = strings
    for column in ("participantCountryNames", "organizers", "themes", "gcmObjectiveTitles", "attendees", "funders"):
        types[column] = strings
    types.update(
        startDate=pa.date32(),
        endDate=pa.date32(),
        sourceDate=pa.date32(),
        gcmObjectives=pa.list_(pa.int64()),
        peopleCounted=pa.int64(),
        latitude=pa.float64(),
        longitude=pa.float64(),
    )
    columns = {}
    for column in EVENT_COLUMNS:
        values = [row[column] for row in table]
        if types[column] == pa.date32():
            values = [dt.date.fromisoformat(v) if v else None for v in values]
        elif column == "gcmObjectives":  # a notation that is not a number has no place in an integer list
            values = [[n for n in v if isinstance(n, int)] for v in values]
        columns[column] = pa.array(values, type=types[column])
    pq.write_table(pa.table(columns), output, compression="zstd")
