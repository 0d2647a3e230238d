"""CSV with a header naming the JSON Lines fields (``title``, ``date``, ``summary``, ...)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from kg.sources import MAX_ITEM_CHARS, NewsItem, Reject
from kg.sources.records import from_record

__all__ = ["read"]


def read(text: str, source: str, max_item_chars: int = MAX_ITEM_CHARS) -> Iterator[NewsItem | Reject]:
    # The csv module stops at a cell over its limit (128 KiB by default) and cannot go on after it;
    # no cell is longer than the text, and one too long for an item is a reject of its row.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
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
                yield from_record(dict(zip(header, row, strict=False)), source, line, max_item_chars)
        line = reader.line_num + 1
