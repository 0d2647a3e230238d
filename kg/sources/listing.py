"""The listing text format of news pages: a date line, a title line, a summary paragraph.

Blank lines vary; an item runs until the next date line.

>>> items = list(read("11 June, 2019\\n\\n\\nTitle one\\n\\nFirst.\\nStill first.\\n\\n"
...                   "7 June, 2019\\nTitle two\\nSecond.\\n", "x.txt"))
>>> [(i.title, i.summary, i.line) for i in items]
[('Title one', 'First. Still first.', 1), ('Title two', 'Second.', 9)]
"""

from __future__ import annotations

from collections.abc import Iterator

from kg.sources import MAX_ITEM_CHARS, NewsItem, Reject, item_key
from kg.sources.dates import looks_like_date, parse_date
from kg.sources.records import check

__all__ = ["read"]


def read(text: str, source: str, max_item_chars: int = MAX_ITEM_CHARS) -> Iterator[NewsItem | Reject]:
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if looks_like_date(line.strip())]
    if not starts:
        first = next((i for i, line in enumerate(lines) if line.strip()), 0)
        yield Reject(
            source,
            first + 1,
            "no date line found; each item starts with a date such as '11 June, 2019'",
        )
        return
    leading = next((i for i in range(starts[0]) if lines[i].strip()), None)
    if leading is not None:
        yield Reject(
            source,
            leading + 1,
            "text before the first date line; start the file with a date such as '11 June, 2019'",
        )
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        item = _item(lines, start, end, source)
        yield check(item, max_item_chars) if isinstance(item, NewsItem) else item


def _item(lines: list[str], start: int, end: int, source: str) -> NewsItem | Reject:
    date_text = lines[start].strip()
    published = parse_date(date_text)
    if published is None:
        return Reject(source, start + 1, f"{date_text!r} is not a valid date")
    body = [(i, lines[i].strip()) for i in range(start + 1, end) if lines[i].strip()]
    if not body:
        return Reject(source, start + 1, f"date line {date_text!r} has no title after it")
    title_line, title = body[0]
    if len(body) == 1:
        return Reject(source, title_line + 1, f"title {title!r} has no summary after it")
    summary = " ".join(" ".join(text.split()) for _, text in body[1:])
    return NewsItem(
        key=item_key(published, title),
        published=published,
        title=" ".join(title.split()),
        summary=summary,
        source_file=source,
        line=start + 1,
    )
