"""Sources named by an http(s) URL: RSS 2.0, Atom and JSON Feed documents, and HTML news pages
(listings, followed to ``?page=N`` up to ``max_pages``, and article pages).

What a URL holds is told by the answer's media type, then by its first bytes; a source may say
it with ``kind`` (``feed``, ``page``). Records are named by the URL given (redirects do not change
how a source is named, so the same source gives the same provenance); a failure is one
:class:`Reject` of that URL with the reason, and every other source is still read.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from kg.sources.fetch import Fetcher, FetchError, Response
from kg.sources.model import MAX_ITEM_CHARS, NewsItem, Notice, NotModified, Reject
from kg.sources.records import from_record

__all__ = ["DEFAULT_MAX_PAGES", "Kind", "read_url"]

#: The default of ``--max-pages``: how many pages of a listing are read.
DEFAULT_MAX_PAGES = 10


class Kind(enum.Enum):
    FEED = "feed"
    JSON_FEED = "jsonfeed"
    PAGE = "page"


_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml"}
_JSON_TYPES = {"application/feed+json", "application/json"}


def kind_of(response: Response) -> Kind | None:
    """What an answer holds, by its media type or else its first bytes."""
    if response.content_type in _FEED_TYPES:
        return Kind.FEED
    if response.content_type in _JSON_TYPES:
        return Kind.JSON_FEED
    if response.content_type in ("text/html", "application/xhtml+xml"):
        return Kind.PAGE
    start = response.body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"{"):
        return Kind.JSON_FEED
    if start.startswith((b"<!doctype html", b"<html")):
        return Kind.PAGE
    if start.startswith(b"<"):
        return Kind.FEED
    return None


def read_url(
    url: str,
    fetcher: Fetcher,
    *,
    kind: Kind | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_item_chars: int = MAX_ITEM_CHARS,
) -> Iterator[NewsItem | Reject | Notice | NotModified]:
    """The records of one URL source (every page of a listing); never raises on what a server does."""
    try:
        response = fetcher.get(url)
    except FetchError as exc:
        yield Reject(url, 0, str(exc).removeprefix(f"{url}: "))
        return
    if response.status == 304:
        entry = fetcher.cache.entry(url) or {}
        yield NotModified(url, 0, "not modified (304)", len(entry.get("keys") or []))
        return
    records = list(_read_response(response, url, kind, max_item_chars, first=True))
    found = kind or kind_of(response)
    if found is Kind.PAGE and max_pages > 1 and any(isinstance(r, NewsItem) for r in records):
        records += _later_pages(url, response, fetcher, max_pages, max_item_chars)
    yield from records
    if not any(isinstance(r, Reject) for r in records):  # read whole: next time, ask if it changed
        fetcher.cache.stage(url, response, [r.key for r in records if isinstance(r, NewsItem)])


def _later_pages(
    url: str, first: Response, fetcher: Fetcher, max_pages: int, max_item_chars: int
) -> list[NewsItem | Reject | Notice]:
    """Pages 2 … ``max_pages`` of a listing: ``?page=1``, ``?page=2`` … (Drupal counts from 0, as
    IOM's sites do), until a page is missing (404), has no items or only items already read."""
    seen: set[str] = set()
    records: list[NewsItem | Reject | Notice] = []
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    start = int(query["page"]) + 1 if query.get("page", "").isdigit() else 1
    for number in range(start, start + max_pages - 1):
        page_url = urlunsplit(parts._replace(query=urlencode({**query, "page": str(number)})))
        try:
            response = fetcher.get(page_url, conditional=False)  # the first page said it changed
        except FetchError as exc:
            if " HTTP 404 " in f" {exc} ":
                break
            records.append(Reject(page_url, 0, str(exc).removeprefix(f"{page_url}: ")))
            continue
        page = list(_read_response(response, page_url, Kind.PAGE, max_item_chars, first=False))
        keys = {r.key for r in page if isinstance(r, NewsItem)}
        if not keys or keys <= seen:
            break
        seen |= keys
        records += page
    return records


def _read_response(
    response: Response, url: str, kind: Kind | None, max_item_chars: int, *, first: bool
) -> Iterator[NewsItem | Reject | Notice]:
    from kg.sources import feed
    from kg.sources.html import charset_of, records

    kind = kind or kind_of(response)
    if not response.body.strip():
        yield Reject(url, 0, f"the server sent an empty answer (HTTP {response.status})")
        return
    if kind is Kind.FEED:
        yield from feed.read(response.body, url, max_item_chars, content_type=_content_type(response))
        return
    if kind is Kind.JSON_FEED:
        yield from _json_feed(response.body, url, max_item_chars)
        return
    if kind is None:
        yield Reject(url, 0, f"a {response.content_type or 'document'} is neither a feed nor an HTML page")
        return
    text, notice = _decode(response, charset_of(response.body))
    if notice:
        yield Notice(url, 0, notice)
    found = records(text, response.url)
    if not found and first:
        yield Reject(
            url,
            0,
            "no news items found on the page (no NewsArticle JSON-LD, no article:published_time, no listing of "
            "dated headlines); if the site changed its markup, see docs/sources.md",
        )
    seen = set()
    for record in found:
        if record["url"] in seen:
            continue
        seen.add(record["url"])
        yield from_record(record, url, int(record.pop("line")), max_item_chars)


def _content_type(response: Response) -> str:
    return response.content_type + (f"; charset={response.charset}" if response.charset else "")


def _decode(response: Response, meta: str | None) -> tuple[str, str | None]:
    """The page as text, in the charset the headers declare, else its ``<meta>``, else UTF-8; when
    the declared one is wrong, the next that fits, and a note saying so."""
    tried = []
    for charset in dict.fromkeys(c for c in (response.charset, meta, "utf-8") if c):
        try:
            text = response.body.decode(charset)
        except (UnicodeDecodeError, LookupError):
            tried.append(charset)
            continue
        if tried:
            return text, f"the page is not {' or '.join(tried)} as declared; read as {charset}"
        return text, None
    return (
        response.body.decode("windows-1252", "replace"),
        f"the page is not {' or '.join(tried)} as declared; read as windows-1252",
    )


def _json_feed(data: bytes, url: str, max_item_chars: int) -> Iterator[NewsItem | Reject]:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1): ``items`` with ``title``,
    ``date_published``, ``summary``, ``content_text`` or ``content_html``, ``url``, ``id``."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        yield Reject(url, 1, f"not a JSON Feed: not valid JSON ({str(exc)[:120]})")
        return
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        yield Reject(url, 1, "not a JSON Feed: no 'items' list")
        return
    from kg.sources.html import parse

    language = str(document.get("language") or "en")[:2]
    for n, entry in enumerate(items, 1):
        if not isinstance(entry, dict):
            yield Reject(url, n, f"item {n} of the JSON Feed is not an object")
            continue
        body = entry.get("content_text")
        if not body and entry.get("content_html"):
            root = parse(str(entry["content_html"]))
            body = " ".join(root.itertext()) if root is not None else None
        record = {
            "id": entry.get("id"),
            "date": entry.get("date_published") or entry.get("date_modified"),
            "title": entry.get("title"),
            "summary": entry.get("summary") or "",
            "body": body,
            "url": entry.get("url") or entry.get("external_url"),
            "language": str(entry.get("language") or language)[:2],
        }
        yield from_record(record, url, n, max_item_chars)  # the line of a JSON Feed item is its number
