"""CSV with a header naming the JSON Lines fields (``title``, ``date``, ``summary``, ...).

A quoted cell may hold line breaks; a quote that is never closed would swallow the records after
it into one cell. A record whose cell holds whole records (lines with a field per column and a
date where the header has one) is rejected naming the line where its quote opened and how many
records it swallowed, and the lines after that one are read again as records of their own:

>>> text = 'title,date,summary\\nA,2019-06-11,"oops\\nB,2019-06-12,fine\\n'
>>> for r in read(text, "f.csv"):
...     print(r if isinstance(r, Reject) else r.title)
f.csv:2: a quote opened on this line in the 'summary' cell is not closed before the end of the file, \
so it swallowed 1 record (lines 3-3); close it (a quote inside a cell is written twice: "")
B
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from kg.sources.dates import parse_iso_or_text
from kg.sources.model import MAX_ITEM_CHARS, NewsItem, Reject
from kg.sources.records import from_record

__all__ = ["read"]


def read(text: str, source: str, max_item_chars: int = MAX_ITEM_CHARS) -> Iterator[NewsItem | Reject]:
    # The csv module stops at a cell over its limit (128 KiB by default) and cannot go on after it;
    # no cell is longer than the text, and one too long for an item is a reject of its row.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    dialect: type[csv.Dialect]
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(lines, dialect)
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
    yield from _rows(lines, reader.line_num, header, dialect, source, max_item_chars)


def _rows(
    lines: list[str],
    start: int,
    header: list[str],
    dialect: type[csv.Dialect],
    source: str,
    max_item_chars: int,
) -> Iterator[NewsItem | Reject]:
    """The records of ``lines[start:]`` (``start`` lines already read), numbered from ``start + 1``."""
    while start < len(lines):
        reader = csv.reader(lines[start:], dialect)
        line = start + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Reject(source, line, f"malformed CSV row ({exc})")
                return
            end = start + reader.line_num  # the last line of this row
            if end > line and (swallowed := _swallowed(lines, line, end, header, dialect)):
                yield _unclosed(row, header, line, end, len(lines), swallowed, source)
                start = line  # read again from the line after the one where the quote opened
                break
            if any(cell.strip() for cell in row):
                if len(row) > len(header):
                    yield Reject(source, line, f"{len(row)} fields but the header names {len(header)}")
                else:
                    yield from_record(dict(zip(header, row, strict=False)), source, line, max_item_chars)
            line = end + 1
        else:
            return


def _swallowed(lines: list[str], first: int, last: int, header: list[str], dialect: type[csv.Dialect]) -> int:
    """How many of lines ``first + 1`` to ``last`` (numbered from 1) are records of their own:
    a field per column and a date in the date column."""
    column = header.index("date")
    count = 0
    for text in lines[first:last]:
        try:
            [row] = list(csv.reader([text], dialect)) or [[]]
        except (csv.Error, ValueError):
            continue
        if len(row) == len(header) and parse_iso_or_text(row[column]) is not None:
            count += 1
    return count


def _unclosed(
    row: list[str], header: list[str], line: int, end: int, total: int, swallowed: int, source: str
) -> Reject:
    cell = next((n for n, value in enumerate(row) if "\n" in value), len(row) - 1)
    name = header[cell] if cell < len(header) else f"{cell + 1}th"
    closed = "before the end of the file" if end >= total and not _closes(row) else f"until line {end}"
    records = "record" if swallowed == 1 else "records"
    where = "not closed " + closed if closed.startswith("before") else f"closed on line {end}"
    return Reject(
        source,
        line,
        f"a quote opened on this line in the {name!r} cell is {where}, so it swallowed {swallowed:,} {records} "
        f'(lines {line + 1}-{end}); close it (a quote inside a cell is written twice: "")',
    )


def _closes(row: list[str]) -> bool:
    """Whether the row's last cell ended at a closing quote rather than at the end of the text."""
    return not row[-1].endswith("\n")
