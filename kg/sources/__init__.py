"""Readers for news sources: listing text, JSON Lines, CSV, RSS/Atom.

Every reader yields :class:`NewsItem` records and :class:`Reject` records in input order
(and a :class:`Notice` about what it read with a doubt); a reader never raises on bad input:
what it cannot read becomes a ``Reject`` naming the file and line. :func:`read_sources` walks files and folders.
The records are defined in :mod:`kg.sources.model` and re-exported here, the package's API; each
format's reader is a module of its own (listing, jsonl, csvfile, feed, web) that imports the records,
never this package.

>>> import io
>>> text = "11 June, 2019\\n\\nA title\\n\\nA summary.\\n"
>>> [r.title for r in read_stream(io.BytesIO(text.encode()), "news.txt", InputFormat.LISTING)]
['A title']
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from kg.errors import UsageError
from kg.formats import InputFormat
from kg.sources.decode import decode, text_lines
from kg.sources.model import MAX_ITEM_CHARS, NewsItem, Notice, NotModified, Reject, item_key

if TYPE_CHECKING:
    from kg.sources.fetch import Fetcher

__all__ = [
    "MAX_ITEM_CHARS",
    "InputFormat",
    "NewsItem",
    "NotModified",
    "Notice",
    "Reject",
    "item_key",
    "read_file",
    "read_sources",
    "read_stream",
    "sniff",
    "source_files",
    "stdin_format",
]


def read_stream(
    stream: BinaryIO, source: str, fmt: InputFormat, *, max_item_chars: int = MAX_ITEM_CHARS
) -> Iterator[NewsItem | Reject | Notice]:
    """Read one source of the given format; ``source`` names it in records and rejects.

    Every record is checked where it is read (:func:`kg.sources.records.check`): an item over
    ``max_item_chars``, a URL that is not an IRI, a language that is not a language tag or text
    RDF cannot hold is a reject of its own record.

    JSON Lines are read a line at a time; the other formats (a listing's records span lines,
    a CSV's quoted cells may too, a feed is one XML document) whole.
    """
    from kg.sources import csvfile, feed, jsonl, listing

    if fmt is InputFormat.JSONL:
        yield from jsonl.read_lines(text_lines(stream, source), source, max_item_chars)
        return
    data = stream.read()
    if not data.strip():
        yield Reject(source, 1, "empty file: no news items to read")
        return
    if fmt is InputFormat.FEED:
        yield from feed.read(data, source, max_item_chars)
        return
    text, reject = decode(data, source)
    if reject is not None or text is None:
        yield reject if reject is not None else Reject(source, 1, "unreadable")
        return
    reader = listing.read if fmt is InputFormat.LISTING else csvfile.read
    yield from reader(text, source, max_item_chars)


def read_file(
    path: str | Path, fmt: InputFormat | None = None, *, max_item_chars: int = MAX_ITEM_CHARS
) -> Iterator[NewsItem | Reject | Notice]:
    """Read one file, its format from ``fmt`` or its extension."""
    path = Path(path)
    fmt = _format_of(path, fmt)
    source = display_path(path)
    try:
        with path.open("rb") as stream:
            yield from read_stream(stream, source, fmt, max_item_chars=max_item_chars)
    except OSError as exc:
        yield Reject(source, 1, f"cannot read file: {exc.strerror or exc}")


def display_path(path: Path) -> str:
    """The path relative to the working directory when it lies inside it, else absolute.

    Sources are named the same way however they were given (``data/news/x.txt`` or
    ``/home/me/migkg/data/news/x.txt``), so the same input gives the same provenance.
    """
    absolute = path.resolve()
    try:
        return str(absolute.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(absolute)


def _format_of(path: Path, fmt: InputFormat | None) -> InputFormat:
    fmt = fmt or InputFormat.from_extension(path)
    if fmt is None:
        raise UsageError(
            f"{path}: unknown file type {path.suffix or '(no extension)'!r}; "
            "name it .txt, .jsonl, .csv, .rss/.atom/.xml or pass --input-format"
        )
    return fmt


def source_files(sources: Iterable[str | Path], input_format: InputFormat | None = None) -> list[Path | str | None]:
    """Files named or found under folders (recursively, sorted, known extensions only), every
    one checked before any is read: a missing path or a file of unknown type is a
    :class:`UsageError`, so that a build fails as a whole before it writes anything.

    ``-`` is listed as ``None`` (standard input), an http(s) URL as itself.
    """
    files: list[Path | str | None] = []
    for source in sources:
        if str(source).startswith(("http://", "https://")):
            files.append(str(source))
            continue
        if str(source) == "-":
            stdin_format(input_format)  # an input of unknown shape fails before anything is written
            files.append(None)
            continue
        path = Path(source)
        if path.is_dir():
            files += [
                child
                for child in sorted(path.rglob("*"))
                if child.is_file()
                and not any(part.startswith(".") for part in child.relative_to(path).parts)
                and InputFormat.from_extension(child) is not None
            ]
        elif path.exists():
            _format_of(path, input_format)
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return files


class _Stdin(io.RawIOBase):
    """Standard input with its first bytes read ahead (to tell its format) and handed out again."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.head = b""

    def peek(self, size: int) -> bytes:
        while len(self.head) < size:
            chunk = self.raw.read1(size - len(self.head)) if hasattr(self.raw, "read1") else self.raw.read(size)
            if not chunk:
                break
            self.head += chunk
            if chunk.lstrip(b"\xef\xbb\xbf \t\r\n"):
                break  # enough to see the first character that is not white space
        return self.head

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.raw.read1(len(buffer)) if hasattr(self.raw, "read1") else self.raw.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


_STDIN: dict[int, _Stdin] = {}


def _stdin() -> _Stdin:
    """The one reader of this process's standard input (sniffed once, read once)."""
    raw = sys.stdin.buffer
    if id(raw) not in _STDIN:
        _STDIN.clear()
        _STDIN[id(raw)] = _Stdin(raw)
    return _STDIN[id(raw)]


def sniff(head: bytes) -> InputFormat | None:
    """The format the start of a stream shows, or ``None``.

    >>> sniff(b'  {"title": "T"}'), sniff(b"<?xml version='1.0'?><rss>"), sniff(b"11 June, 2019\\nT")
    (<InputFormat.JSONL: 'jsonl'>, <InputFormat.FEED: 'feed'>, <InputFormat.LISTING: 'listing'>)
    >>> sniff(b"id,date,title,summary\\n"), sniff(b"Some prose.") is None
    (<InputFormat.CSV: 'csv'>, True)
    """
    from kg.sources.dates import looks_like_date

    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if not text or text.startswith("{"):
        return InputFormat.JSONL if text else InputFormat.LISTING  # empty: any reader says so
    if text.startswith("<"):
        return InputFormat.FEED
    first = text.split("\n", 1)[0].strip()
    if looks_like_date(first):
        return InputFormat.LISTING
    cells = {cell.strip().strip('"').lower() for cell in first.replace(";", ",").replace("\t", ",").split(",")}
    if {"title", "date"} <= cells:
        return InputFormat.CSV
    return None


def stdin_format(input_format: InputFormat | None) -> InputFormat:
    """The format of standard input: ``input_format``, else what its first line shows (a ``{``
    starts JSON Lines, a ``<`` a feed, a date line a listing, a header naming title and date a
    CSV); a :class:`UsageError` naming ``--input-format`` when it shows none."""
    if input_format is not None:
        return input_format
    head = _stdin().peek(8192)
    found = sniff(head)
    if found is None:
        start = head.decode("utf-8", "replace").strip().split("\n", 1)[0][:40]
        raise UsageError(
            f"<stdin>: cannot tell the format of standard input from its start ({start!r}); "
            "pass --input-format listing, jsonl, csv or feed"
        )
    return found


def read_sources(
    sources: Iterable[str | Path],
    input_format: InputFormat | None = None,
    *,
    max_item_chars: int = MAX_ITEM_CHARS,
    fetcher: Fetcher | None = None,
    max_pages: int | None = None,
) -> Iterator[NewsItem | Reject | Notice]:
    """Items and rejects from files, folders, http(s) URLs (:mod:`kg.sources.web`, fetched with
    ``fetcher``) and ``-`` (standard input), in order.

    Every path is checked here, when called (:func:`source_files`); the files are read and the
    URLs fetched as the records are asked for.
    """
    files = source_files(sources, input_format)

    def records() -> Iterator[NewsItem | Reject | Notice]:
        nonlocal fetcher
        for path in files:
            if isinstance(path, str):
                from kg.sources.fetch import Fetcher
                from kg.sources.web import DEFAULT_MAX_PAGES, read_url

                fetcher = fetcher or Fetcher()
                pages = DEFAULT_MAX_PAGES if max_pages is None else max_pages
                yield from read_url(path, fetcher, max_pages=pages, max_item_chars=max_item_chars)
            elif path is None:
                stream = cast(BinaryIO, io.BufferedReader(_stdin()))
                fmt = stdin_format(input_format)
                yield from read_stream(stream, "<stdin>", fmt, max_item_chars=max_item_chars)
            else:
                yield from read_file(path, input_format, max_item_chars=max_item_chars)

    return records()
