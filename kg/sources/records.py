"""Turning one record with named fields (a JSON object, a CSV row) into a NewsItem, and the checks
every item passes where it is read, whatever its format.

>>> from datetime import date
>>> item = NewsItem("k", date(2019, 6, 11), "T", "S", "f.jsonl", 3, url="http://exa mple.org/x")
>>> print(check(item, 1_000))
f.jsonl:3: url 'http://exa mple.org/x' is not an absolute IRI (Invalid IRI code point ' ')
>>> print(check(NewsItem("k", date(2019, 6, 11), "T", "S", "f.csv", 2, language="en us!"), 1_000))
f.csv:2: language 'en us!' is not a language tag such as en, es or pt-BR
>>> print(check(NewsItem("k", date(2019, 6, 11), "T", "S" * 2_000, "f.txt", 1), 1_000))
f.txt:1: item of 2,001 characters (title, summary and body) is over the limit of 1,000 (--max-item-chars)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pyoxigraph import Literal, NamedNode

from kg.sources.dates import parse_iso_or_text
from kg.sources.model import MAX_ITEM_CHARS, NewsItem, Reject, item_key

__all__ = ["FIELDS", "check", "from_record"]

FIELDS = ("id", "date", "title", "summary", "body", "url", "language")


def _text(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def from_record(
    record: Mapping[str, Any], source: str, line: int, max_item_chars: int = MAX_ITEM_CHARS
) -> NewsItem | Reject:
    title = _text(record.get("title"))
    date_text = _text(record.get("date"))
    missing = [name for name, value in (("title", title), ("date", date_text)) if not value]
    if missing:
        return Reject(source, line, f"record lacks {' and '.join(missing)}; every item needs both")
    published = parse_iso_or_text(date_text)
    if published is None:
        return Reject(source, line, f"date {_quoted(date_text)} is not a valid date (use YYYY-MM-DD)")
    summary = _text(record.get("summary"))
    body = _text(record.get("body")) or None
    if not summary and not body:
        return Reject(source, line, f"item {_quoted(title)} has no summary or body")
    url = _text(record.get("url")) or None
    identifier = _text(record.get("id")) or None
    extra = {k: _text(v) for k, v in record.items() if k not in FIELDS and v not in (None, "")}
    item = NewsItem(
        key="",  # computed once the text is known to be Unicode
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
    checked = check(item, max_item_chars)
    return replace(checked, key=item_key(published, title, url)) if isinstance(checked, NewsItem) else checked


def check(item: NewsItem, max_item_chars: int = MAX_ITEM_CHARS) -> NewsItem | Reject:
    """``item`` when the store can hold it, else a reject saying why: the item is over
    ``max_item_chars`` (title, summary and body), its URL is not an absolute IRI or its language not
    a language tag (checked as pyoxigraph checks them), or a field holds a lone surrogate (JSON's
    ``"\\ud800"``), which no RDF string can hold."""
    size = len(item.title) + len(item.summary) + len(item.body or "")
    if size > max_item_chars:
        return _reject(
            item,
            f"item of {size:,} characters (title, summary and body) is over the limit of {max_item_chars:,} "
            "(--max-item-chars)",
        )
    fields = {
        "title": item.title,
        "summary": item.summary,
        "body": item.body or "",
        "url": item.url or "",
        "id": item.identifier or "",
        "language": item.language,
        **item.extra,
    }
    for name, value in fields.items():
        if not _encodable(name):
            return _reject(item, 'a field name holds a lone surrogate (as JSON\'s "\\ud800"), which RDF cannot hold')
        if not _encodable(value):
            at = next(n for n, c in enumerate(value, 1) if 0xD800 <= ord(c) <= 0xDFFF)
            return _reject(
                item, f'{name} holds a lone surrogate at character {at:,} (as JSON\'s "\\ud800"), which RDF cannot hold'
            )
    if item.url:
        try:
            NamedNode(item.url)
        except ValueError as exc:
            return _reject(item, f"url {_quoted(item.url)} is not an absolute IRI ({exc})")
    try:
        Literal("", language=item.language)
    except ValueError:
        return _reject(item, f"language {_quoted(item.language)} is not a language tag such as en, es or pt-BR")
    return item


def _reject(item: NewsItem, reason: str) -> Reject:
    return Reject(item.source_file, item.line, reason)


def _encodable(value: str) -> bool:
    """Whether ``value`` is Unicode text (no lone surrogate)."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _quoted(value: str, limit: int = 80) -> str:
    """``repr`` of the start of ``value``: a reject stays one short line whatever the input."""
    return repr(value if len(value) <= limit else value[:limit] + "…")
