"""News items of HTML pages, read with lxml's HTML parser (libxml2: tolerant of broken markup).

In this order, the first that finds anything wins:

1. the page's own structured data: schema.org ``NewsArticle`` (also ``Article``, ``BlogPosting``,
   ``ReportageNewsArticle``) in JSON-LD, alone, in ``@graph`` or in an ``ItemList``;
2. an article page's OpenGraph meta: ``og:title``, ``og:description``, ``article:published_time``
   (or a ``<time datetime>``), ``og:url`` or the canonical link;
3. the listing markup of IOM's regional sites (Drupal views: one ``.views-row`` per item with a
   linked title, a date such as "11 June, 2019" or "Date Publish: 06/11/2019", and a summary);
4. a generic listing: repeated ``<article>`` or ``<li>`` blocks, each with a linked heading and a
   date (``<time datetime>`` or a date line of :mod:`kg.sources.dates`).

Each item keeps its URL (made absolute against the page's); its line is where its block starts
in the page.

>>> page = '''<html><head><meta property="og:type" content="article">
... <meta property="og:title" content="IOM opens a centre"><meta property="og:url" content="https://x.org/n/1">
... <meta property="article:published_time" content="2019-06-11T09:00:00-06:00">
... <meta property="og:description" content="IOM opened a centre in Tapachula."></head><body></body></html>'''
>>> [(r["title"], r["date"], r["url"]) for r in records(page, "https://x.org/n/1")]
[('IOM opens a centre', '2019-06-11T09:00:00-06:00', 'https://x.org/n/1')]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from kg.sources.dates import parse_date, parse_iso_or_text

__all__ = ["charset_of", "next_page", "records"]

_ARTICLE_TYPES = {"NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)

Record = dict[str, Any]


def charset_of(head: bytes) -> str | None:
    """The charset a page's ``<meta>`` declares in its first 4 KB.

    >>> charset_of(b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">')
    'iso-8859-1'
    """
    m = _META_CHARSET.search(head[:4096])
    return m.group(1).decode("ascii").lower() if m else None


def parse(text: str) -> Any | None:
    """The page's element tree, or ``None`` for a page with nothing in it."""
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def records(text: str, url: str) -> list[Record]:
    """The items of a page as records with the JSON Lines fields plus ``line``; ``[]`` when the
    page has none that migkg recognises."""
    root = parse(text)
    if root is None:
        return []
    for reader in (_json_ld, _open_graph, _iom_listing, _generic_listing):
        found = [r for r in reader(root, url) if r.get("title")]
        if found:
            return found
    return []


def next_page(text: str, url: str) -> str | None:
    """The page's own link to the next page of a listing (``rel="next"``, a pager's next item)."""
    root = parse(text)
    if root is None:
        return None
    for href in root.xpath(
        "//a[@rel='next']/@href | //link[@rel='next']/@href"
        " | //li[contains(concat(' ', @class, ' '), ' pager-next ') or contains(@class, 'pager__item--next')]//a/@href"
    ):
        return urljoin(url, str(href).strip())
    return None


# -- 1. JSON-LD --


def _json_ld(root: Any, url: str) -> Iterator[Record]:
    for script in root.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        for node in _nodes(data, 0):
            kind = node.get("@type")
            kinds = set(kind) if isinstance(kind, list) else {kind}
            if not kinds & _ARTICLE_TYPES:
                continue
            author_page = node.get("mainEntityOfPage")
            page = author_page.get("@id") if isinstance(author_page, dict) else author_page
            link = node.get("url") or page or url
            yield {
                "title": _text(node.get("headline") or node.get("name")),
                "date": _text(node.get("datePublished") or node.get("dateCreated") or node.get("dateModified")),
                "summary": _text(node.get("description") or node.get("abstract")),
                "body": _text(node.get("articleBody")) or None,
                "url": urljoin(url, _text(link)),
                "language": _text(node.get("inLanguage")) or None,
                "line": script.sourceline or 1,
            }


def _nodes(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    """Every object of a JSON-LD document that may be an article (``@graph``, ``ItemList`` items)."""
    if depth > 8:
        return
    if isinstance(data, list):
        for element in data:
            yield from _nodes(element, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "itemListElement", "item"):
            if key in data:
                yield from _nodes(data[key], depth + 1)


# -- 2. OpenGraph --


def _meta(root: Any, *names: str) -> str:
    for name in names:
        for value in root.xpath(f"//meta[@property='{name}' or @name='{name}']/@content"):
            if str(value).strip():
                return _text(value)
    return ""


def _open_graph(root: Any, url: str) -> Iterator[Record]:
    published = _meta(root, "article:published_time", "og:published_time", "date", "DC.date.issued")
    if not published:
        times = root.xpath("//article//time/@datetime | //time[@itemprop='datePublished']/@datetime")
        published = _text(times[0]) if times else ""
    if not published or (_meta(root, "og:type") not in ("article", "") and not root.xpath("//article")):
        return
    title = _meta(root, "og:title", "twitter:title") or _text(" ".join(root.xpath("//h1//text()")))
    canonical = root.xpath("//link[@rel='canonical']/@href")
    paragraphs = [_text(" ".join(p.itertext())) for p in root.xpath("//article//p")]
    yield {
        "title": title,
        "date": published,
        "summary": _meta(root, "og:description", "description") or next((p for p in paragraphs if p), ""),
        "body": " ".join(p for p in paragraphs if p) or None,
        "url": urljoin(url, _meta(root, "og:url") or (str(canonical[0]) if canonical else url)),
        "language": (root.get("lang") or "")[:2] or None,
        "line": 1,
    }


# -- 3. IOM's regional sites --


def _iom_listing(root: Any, url: str) -> Iterator[Record]:
    for row in root.xpath("//div[contains(concat(' ', normalize-space(@class), ' '), ' views-row ')]"):
        links = row.xpath(".//h2//a[@href] | .//h3//a[@href] | .//*[contains(@class, 'title')]//a[@href]")
        date = _date_in(row)
        if not links or not date:
            continue
        summary = row.xpath(
            ".//*[contains(@class, 'summary') or contains(@class, 'body') or contains(@class, 'teaser')]"
        )
        yield _listing_record(row, links[0], date, summary[0] if summary else None, url)


# -- 4. any listing of dated, linked headlines --


def _generic_listing(root: Any, url: str) -> Iterator[Record]:
    for block in root.xpath("//article | //li | //div[contains(@class, 'item') or contains(@class, 'news')]"):
        links = block.xpath(".//h1//a[@href] | .//h2//a[@href] | .//h3//a[@href] | .//h4//a[@href]")
        date = _date_in(block)
        if len(links) != 1 or not date or block.xpath(".//article"):
            continue  # a block holding several headlines is a container, not an item
        yield _listing_record(block, links[0], date, None, url)


def _date_in(block: Any) -> str | None:
    for value in block.xpath(".//time/@datetime"):
        if parse_iso_or_text(str(value)):
            return str(value).strip()
    for text in block.xpath(".//text()"):
        line = _text(text)
        if 6 <= len(line) <= 40 and parse_date(line):
            return line
    return None


def _listing_record(block: Any, link: Any, date: str, summary_element: Any, url: str) -> Record:
    title = _text(" ".join(link.itertext()))
    if summary_element is None:
        paragraphs = [_text(" ".join(p.itertext())) for p in block.xpath(".//p")]
        summary = " ".join(p for p in paragraphs if p and p != title and not parse_date(p))
    else:
        summary = _text(" ".join(summary_element.itertext()))
    return {
        "title": title,
        "date": date,
        "summary": summary,
        "url": urljoin(url, str(link.get("href")).strip()),
        "line": block.sourceline or 1,
    }


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())
