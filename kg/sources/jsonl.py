"""JSON Lines: one object per line with ``id``, ``date``, ``title``, ``summary``, ...

Unknown fields are kept in ``NewsItem.extra``, never fatal.

>>> lines = [(1, '{"date": "2019-06-11", "title": "T", "summary": "S"}'), (2, "{oops")]
>>> [type(r).__name__ for r in read_lines(lines, "f")]
['NewsItem', 'Reject']
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from kg.sources.model import MAX_ITEM_CHARS, NewsItem, Reject
from kg.sources.records import from_record

__all__ = ["read_lines"]


def read_lines(
    lines: Iterable[tuple[int, str] | Reject], source: str, max_item_chars: int = MAX_ITEM_CHARS
) -> Iterator[NewsItem | Reject]:
    """The items of numbered lines (see :func:`kg.sources.decode.text_lines`); rejects pass through.

    >>> [str(r) for r in read_lines([(1, "[" * 100_000 + "]" * 100_000)], "f")]
    ['f:1: JSON nested too deeply to read']
    """
    empty = True
    for entry in lines:
        if isinstance(entry, Reject):
            empty = False
            yield entry
            continue
        number, line = entry
        if not line.strip():
            continue
        empty = False
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                yield Reject(source, number, "expected a JSON object with title, date and summary")
                continue
            yield from_record(record, source, number, max_item_chars)
        except json.JSONDecodeError as exc:
            yield Reject(source, number, f"not valid JSON ({exc.msg} at column {exc.colno})")
        except RecursionError:  # json and str() of what it read recurse once per level
            yield Reject(source, number, "JSON nested too deeply to read")
        except ValueError as exc:  # an integer of over 4,300 digits
            yield Reject(source, number, f"not valid JSON ({exc})")
    if empty:
        yield Reject(source, 1, "empty file: no news items to read")
