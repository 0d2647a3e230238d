"""CSV with a header naming the JSON Lines fields (``title``, ``date``, ``summary``, ...)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from kg.sources import NewsItem, Reject
from kg.sources.records import from_record

__all__ = ["read"]


def read(text: str, source: str) -> Iterator[NewsItem | Reject]:
    stream = io.StringIO(text, newline="")
    dialect: type[csv.Dialect]
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(stream, dialect)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except (StopIteration, csv.Error):
        yield Reject(source, 1, "no CSV header; the first line must name title, date, summary")
        return
    for required in ("title", "date"):
        if required not in header:
            yield Reject(
                source,
                1,
                f"no {required!r} column in the header ({', '.join(header)}); "
                "name the columns id, date, title, summary, body, url, language",
            )
            return
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Reject(source, line, f"malformed CSV row ({exc})")
            return
        if any(cell.strip() for cell in row):
            if len(row) > len(header):
                yield Reject(source, line, f"{len(row)} fields but the header names {len(header)}")
            else:
                yield from_record(dict(zip(header, row, strict=False)), source, line)
        line = reader.line_num + 1
