"""The records every reader yields: :class:`NewsItem`, and the :class:`Diagnostic` of a place in a
source, a :class:`Reject` or a :class:`Notice` (and :class:`NotModified`); and the item key."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

from kg.namespaces import slugify

__all__ = ["MAX_ITEM_CHARS", "Diagnostic", "NewsItem", "NotModified", "Notice", "Reject", "item_key"]

#: The default of ``kg build --max-item-chars``: the characters of an item's title, summary and
#: body together above which it is rejected (news articles run to some 50,000).
MAX_ITEM_CHARS = 1_000_000


@dataclass(frozen=True, slots=True)
class NewsItem:
    """One news item as read from a source, before extraction."""

    key: str
    published: date
    title: str
    summary: str
    source_file: str
    line: int
    body: str | None = None
    url: str | None = None
    identifier: str | None = None
    language: str = "en"
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def text(self) -> str:
        """Title, summary and body joined by blank lines: what extractors read.

        Mention offsets are character offsets into this string.
        """
        parts = [self.title, self.summary]
        if self.body:
            parts.append(self.body)
        return "\n\n".join(p for p in parts if p)

    def content_hash(self) -> str:
        """A hash of everything that goes into the item graph except the source location."""
        h = hashlib.sha256()
        for part in (
            self.key,
            self.published.isoformat(),
            self.title,
            self.summary,
            self.body or "",
            self.url or "",
            self.identifier or "",
            self.language,
        ):
            h.update(part.encode())
            h.update(b"\x1f")
        return "sha256:" + h.hexdigest()


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """What a reader says of a place in a source: ``str()`` gives ``FILE:LINE: reason`` (the URL
    alone for what is about a whole answer, line 0), after the ``kind`` of its class.

    >>> print(Reject("news.jsonl", 3, "record lacks date"), Notice("https://x.org/feed", 0, "broken XML"), sep="\\n")
    news.jsonl:3: record lacks date
    https://x.org/feed: warning: broken XML
    """

    kind: ClassVar[str] = ""

    source_file: str
    line: int
    reason: str

    def __str__(self) -> str:
        where = f"{self.source_file}:{self.line}" if self.line else self.source_file
        return f"{where}: {self.kind}{self.reason}"


@dataclass(frozen=True, slots=True)
class Reject(Diagnostic):
    """A record that could not be read."""


@dataclass(frozen=True, slots=True)
class Notice(Diagnostic):
    """Something about a source the user should know, though its items were read (a feed recovered
    from broken XML)."""

    kind: ClassVar[str] = "warning: "


@dataclass(frozen=True, slots=True)
class NotModified(Notice):
    """A URL that answered ``304 Not Modified``: its ``items`` items are in the store as they were."""

    items: int = 0


def item_key(published: date, title: str, url: str | None = None) -> str:
    """A stable key: from the URL when there is one, else from the date and title.

    >>> item_key(date(2019, 6, 11), "Caribbean countries and IOM address climate change")
    '2019-06-11-caribbean-countries-and-iom-address-b917df'
    >>> item_key(date(2019, 6, 11), "x", "https://example.org/news/climate-talks?id=3")
    'climate-talks-id-3-6484e7'
    """
    if url:
        tail = url.rstrip("/").rsplit("/", 1)[-1]
        digest = hashlib.sha1(url.strip().encode()).hexdigest()[:6]
        return f"{slugify(tail, 48)}-{digest}"
    normalized = " ".join(title.split()).lower()
    digest = hashlib.sha1(f"{published.isoformat()} {normalized}".encode()).hexdigest()[:6]
    return f"{published.isoformat()}-{slugify(normalized, 40)}-{digest}"
