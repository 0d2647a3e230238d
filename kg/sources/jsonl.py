"""JSON Lines: one object per line with ``id``, ``date``, ``title``, ``summary``, ...

Unknown fields are kept in ``NewsItem.extra``, never fatal.

>>> [type(r).__name__ for r in read('{"date": "2019-06-11", "title": "T", "summary": "S"}\\n{oops\\n', "f")]
['NewsItem', 'Reject']
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from kg.sources import NewsItem, Reject
from kg.sources.records import from_record

__all__ = ["read"]


def read(text: str, source: str) -> Iterator[NewsItem | Reject]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Reject(source, number, f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(record, dict):
            yield Reject(source, number, "expected a JSON object with title, date and summary")
            continue
        yield from_record(record, source, number)
