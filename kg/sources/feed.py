"""RSS 2.0 and Atom feeds, parsed by feedparser."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import feedparser

from kg.sources.decode import decode
from kg.sources.model import MAX_ITEM_CHARS, NewsItem, Notice, Reject
from kg.sources.records import from_record

__all__ = ["read"]

_TAG = re.compile(r"<[^>]+>")
_ENTRY_START = re.compile(rb"<(?:\w+:)?(?:item|entry)[\s>]")


def _plain(value: str | None) -> str:
    return html.unescape(_TAG.sub(" ", value or ""))


def read(
    data: bytes, source: str, max_item_chars: int = MAX_ITEM_CHARS, *, content_type: str | None = None
) -> Iterator[NewsItem | Reject | Notice]:
    """The items of a feed; ``content_type`` is the HTTP header of a fetched one (its charset counts)."""
    headers = {"content-type": content_type} if content_type else None
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False, response_headers=headers)
    entries: list[Any] = parsed.get("entries", [])
    exc = parsed.get("bozo_exception")
    if isinstance(exc, feedparser.CharacterEncodingOverride):  # a wrong charset, nothing broken
        yield Notice(source, 0, f"the feed is not in the charset it declares; read as {parsed.get('encoding')}")
    elif parsed.get("bozo"):
        line = getattr(exc, "getLineNumber", lambda: 1)() or 1
        what = " ".join(str(getattr(exc, "getMessage", lambda: str(exc))()).split())
        if entries:  # feedparser read on past the error: what it recovered may lack a part
            yield Notice(source, line, f"broken XML, read as far as it could be recovered ({what})")
        else:
            _, reject = decode(data, source)
            yield reject or Reject(source, line, f"not an RSS or Atom feed: XML error ({what})")
            return
    if not parsed.get("version") and not entries:
        yield Reject(source, 1, "not an RSS or Atom feed: no <rss> or <feed> element")
        return
    lines = [data.count(b"\n", 0, m.start()) + 1 for m in _ENTRY_START.finditer(data)]
    for n, entry in enumerate(entries):
        line = lines[n] if n < len(lines) else 1
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        content = entry.get("content") or []
        record = {
            "id": entry.get("id"),
            "date": date(*when[:3]).isoformat() if when else entry.get("published", ""),
            "title": _plain(entry.get("title")),
            "summary": _plain(entry.get("summary")),
            "body": _plain(content[0].get("value")) if content else None,
            "url": entry.get("link"),
            "language": (entry.get("language") or parsed.feed.get("language") or "en")[:2],
        }
        if record["body"] and record["body"] == record["summary"]:
            record["body"] = None
        yield from_record(record, source, line, max_item_chars)
