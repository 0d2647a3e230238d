"""Turning one record with named fields (a JSON object, a CSV row) into a NewsItem."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kg.sources import NewsItem, Reject, item_key
from kg.sources.dates import parse_iso_or_text

__all__ = ["FIELDS", "from_record"]

FIELDS = ("id", "date", "title", "summary", "body", "url", "language")


def _text(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def from_record(record: Mapping[str, Any], source: str, line: int) -> NewsItem | Reject:
    title = _text(record.get("title"))
    date_text = _text(record.get("date"))
    missing = [name for name, value in (("title", title), ("date", date_text)) if not value]
    if missing:
        return Reject(source, line, f"record lacks {' and '.join(missing)}; every item needs both")
    published = parse_iso_or_text(date_text)
    if published is None:
        return Reject(source, line, f"date {date_text!r} is not a valid date (use YYYY-MM-DD)")
    summary = _text(record.get("summary"))
    body = _text(record.get("body")) or None
    if not summary and not body:
        return Reject(source, line, f"item {title!r} has no summary or body")
    url = _text(record.get("url")) or None
    identifier = _text(record.get("id")) or None
    extra = {k: _text(v) for k, v in record.items() if k not in FIELDS and v not in (None, "")}
    return NewsItem(
        key=item_key(published, title, url),
        published=published,
        title=title,
        summary=summary,
        body=body,
        url=url,
        identifier=identifier,
        language=_text(record.get("language")) or "en",
        source_file=source,
        line=line,
        extra=extra,
    )
