"""Fetching http(s) sources as a good citizen: one :class:`Fetcher` per build or update round.

- a User-Agent naming migkg and its version (:data:`USER_AGENT`);
- robots.txt read once per host (:mod:`urllib.robotparser`) and obeyed, its ``Crawl-delay`` too;
- at least ``delay`` seconds between two requests to one host;
- a timeout for connecting and for the whole answer, and at most ``max_bytes`` bytes read
  (decompressed: a gzip bomb stops there too);
- on a timeout, a dropped connection, 429 or 5xx, ``retries`` more tries after 1, 2, 4 … s or the
  ``Retry-After`` the server asked for (up to ``max_wait``);
- redirects followed (urllib's handler: at most 10, loops refused);
- conditional requests: the ``ETag`` and ``Last-Modified`` of each answer read whole are kept in a
  :class:`FetchCache` beside the store and sent back, so an unchanged source costs one ``304``.

Nothing here raises on what a server does: every failure is a :class:`FetchError` whose text is
one line naming the URL and the reason.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import json
import socket
import time
import urllib.error
import urllib.request
import urllib.robotparser
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kg import __version__
from kg.errors import KgError

__all__ = [
    "DEFAULT_DELAY",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "RETRIES",
    "USER_AGENT",
    "FetchCache",
    "FetchError",
    "Fetcher",
    "Response",
    "is_url",
]

USER_AGENT = f"migkg/{__version__} (+https://w3id.org/migkg/)"
#: Defaults of ``--fetch-timeout``, ``--delay``, ``--max-bytes`` and ``--retries``.
DEFAULT_TIMEOUT = 30.0
DEFAULT_DELAY = 1.0
DEFAULT_MAX_BYTES = 20_000_000
RETRIES = 3
#: The longest ``Retry-After`` waited for; a server asking for more is tried again next time.
MAX_WAIT = 120.0

_TRANSIENT = {429, 500, 502, 503, 504}


def is_url(source: object) -> bool:
    """Whether a source names an http(s) URL rather than a path.

    >>> is_url("https://example.org/news"), is_url("data/news/")
    (True, False)
    """
    return str(source).startswith(("http://", "https://"))


class FetchError(KgError):
    """A URL that could not be fetched; ``str()`` is ``URL: reason``."""


class _Transient(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


@dataclass(frozen=True)
class Response:
    """An answer read whole: ``status`` 200, or 304 when the cached version is still current."""

    url: str  # after redirects
    status: int
    content_type: str = ""
    charset: str | None = None
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class FetchCache:
    """``ETag``/``Last-Modified`` per URL, with the keys of the items read from it, in a JSON file.

    Validators are staged as sources are read and written by :meth:`commit` once their items are
    in the store: a build that fails leaves the file as it was, and the next one fetches again.

    >>> cache = FetchCache(None)
    >>> cache.stage("http://h/feed", Response("http://h/feed", 200, etag='"v1"'), ["k1", "k2"])
    >>> cache.entry("http://h/feed") is None, cache.commit(), cache.entry("http://h/feed")["keys"]
    (True, False, ['k1', 'k2'])
    """

    path: Path | None
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    staged: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def beside(cls, store_location: str | None) -> FetchCache:
        """The cache of a store folder: ``STORE.fetch.json`` beside it (none for ``:memory:`` or a
        server, whose sources are fetched whole every time)."""
        if not store_location or store_location == ":memory:" or is_url(store_location):
            return cls(None)
        path = Path(f"{str(store_location).rstrip('/')}.fetch.json")
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            entries = {}
        return cls(path, entries if isinstance(entries, dict) else {})

    def entry(self, url: str) -> dict[str, Any] | None:
        found = self.entries.get(url)
        return found if isinstance(found, dict) else None

    def stage(self, url: str, response: Response, keys: Iterable[str]) -> None:
        if response.etag or response.last_modified:
            self.staged[url] = {"etag": response.etag, "last_modified": response.last_modified, "keys": list(keys)}
        else:
            self.staged[url] = {}  # forget validators the source no longer sends

    def commit(self) -> bool:
        """Keep what was staged; writes the file (whole) when it changed. True when written."""
        changed = False
        for url, entry in self.staged.items():
            if self.entries.get(url, {}) != entry:
                changed = True
                if entry:
                    self.entries[url] = entry
                else:
                    self.entries.pop(url, None)
        self.staged.clear()
        if not changed or self.path is None:
            return False
        from kg.store import write_whole

        data = json.dumps(self.entries, indent=1, sort_keys=True).encode() + b"\n"
        return write_whole(self.path, lambda handle: handle.write(data))


class Fetcher:
    """GETs http(s) URLs politely (see the module docstring); ``sleep`` is replaceable for tests."""

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        delay: float = DEFAULT_DELAY,
        max_bytes: int = DEFAULT_MAX_BYTES,
        retries: int = RETRIES,
        backoff: float = 1.0,
        max_wait: float = MAX_WAIT,
        cache: FetchCache | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.timeout = timeout
        self.delay = delay
        self.max_bytes = max_bytes
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.cache = cache or FetchCache(None)
        self.sleep = sleep
        #: Whether the store holds the item graphs of these keys; a cached source whose items are
        #: gone from the store (a new store, ``--replace``) is fetched whole. Set by the build.
        self.holds: Callable[[list[str]], bool] = lambda keys: False
        self.requests: list[tuple[str, int]] = []  # (url, status) of every answer, for the curious
        self._robots: dict[str, urllib.robotparser.RobotFileParser | str] = {}
        self._last: dict[str, float] = {}
        self._opener = urllib.request.build_opener()

    # -- the public call --

    def get(self, url: str, *, conditional: bool = True) -> Response:
        """The answer to ``GET url`` read whole, or a 304 when ``conditional`` and the cached
        validators still hold; a :class:`FetchError` otherwise."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"{url}: not an http(s) URL")
        self._check_robots(url)
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
        entry = self.cache.entry(url) if conditional else None
        if entry and self.holds(list(entry.get("keys") or [])):
            if entry.get("etag"):
                headers["If-None-Match"] = entry["etag"]
            if entry.get("last_modified"):
                headers["If-Modified-Since"] = entry["last_modified"]
        for attempt in range(self.retries + 1):
            try:
                return self._once(url, headers)
            except _Transient as exc:
                wait = exc.wait if exc.wait is not None else self.backoff * 2**attempt
                if attempt == self.retries:
                    tries = f" (tried {self.retries + 1} times)" if self.retries else ""
                    raise FetchError(f"{url}: {exc}{tries}") from None
                if wait > self.max_wait:
                    raise FetchError(
                        f"{url}: {exc}; the server asked to wait {wait:,.0f} s, over {self.max_wait:g} s"
                    ) from None
                self.sleep(wait)
        raise AssertionError("unreachable")

    # -- one request --

    def _pause(self, host: str, delay: float) -> None:
        last = self._last.get(host)
        if last is not None:
            wait = last + delay - time.monotonic()
            if wait > 0:
                self.sleep(wait)
        self._last[host] = time.monotonic()

    def _once(self, url: str, headers: dict[str, str]) -> Response:
        host = urlsplit(url).netloc.lower()
        self._pause(host, self._delay_of(url))
        request = urllib.request.Request(url, headers=headers)
        started = time.monotonic()
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                body = self._read(answer, url, started)
                self.requests.append((url, answer.status))
                return Response(
                    url=answer.url,
                    status=answer.status,
                    content_type=answer.headers.get_content_type(),
                    charset=answer.headers.get_content_charset(),
                    body=body,
                    etag=answer.headers.get("ETag"),
                    last_modified=answer.headers.get("Last-Modified"),
                )
        except urllib.error.HTTPError as exc:
            self.requests.append((url, exc.code))
            if exc.code == 304:
                return Response(url=url, status=304)
            reason = f"HTTP {exc.code} {exc.reason}"
            if exc.code in _TRANSIENT:
                raise _Transient(reason, _retry_after(exc.headers.get("Retry-After"))) from None
            if exc.code in (301, 302, 303, 307, 308):
                reason = f"too many redirects or a redirect loop ({reason})"
            raise FetchError(f"{url}: {reason}") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise _Transient(f"no answer within {self.timeout:g} s (--fetch-timeout)") from None
            if isinstance(exc.reason, ConnectionRefusedError):
                raise _Transient("connection refused") from None
            raise FetchError(f"{url}: cannot reach the server ({exc.reason})") from None
        except TimeoutError:
            raise _Transient(f"no answer within {self.timeout:g} s (--fetch-timeout)") from None
        except (http.client.HTTPException, ConnectionError) as exc:
            raise _Transient(f"the server closed the connection ({type(exc).__name__})") from None

    def _read(self, answer: Any, url: str, started: float) -> bytes:
        """The body, decompressed, at most ``max_bytes`` of it, within ``timeout`` in all."""
        gzipped = (answer.headers.get("Content-Encoding") or "").strip().lower() in ("gzip", "x-gzip")
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzipped else None
        parts: list[bytes] = []
        size = 0
        while chunk := answer.read(65536):
            if inflater is not None:
                chunk = inflater.decompress(chunk, self.max_bytes + 1 - size)
                if inflater.unconsumed_tail:
                    size = self.max_bytes + 1
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"{url}: the answer is over {self.max_bytes:,} bytes (--max-bytes); not read")
            parts.append(chunk)
            if time.monotonic() - started > self.timeout:
                raise _Transient(f"the answer did not arrive whole within {self.timeout:g} s (--fetch-timeout)")
        if inflater is not None:
            with contextlib.suppress(zlib.error):
                parts.append(inflater.flush())
        return b"".join(parts)

    # -- robots.txt --

    def _robots_of(self, url: str) -> urllib.robotparser.RobotFileParser | str:
        """The robots.txt rules of the URL's host, or a reason not to fetch from it at all."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            rules = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
            try:
                answer = self._once(origin + "/robots.txt", {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"})
                rules.parse(answer.body.decode("utf-8", "replace").splitlines())
                self._robots[origin] = rules
            except FetchError as exc:
                if " HTTP 4" in str(exc):  # none there: everything is allowed (RFC 9309)
                    rules.parse([])  # no rules: everything allowed
                    self._robots[origin] = rules
                else:
                    self._robots[origin] = f"its robots.txt could not be read ({str(exc).split(': ', 1)[-1]})"
            except _Transient as exc:  # unreachable: RFC 9309 asks crawlers to assume complete disallow
                self._robots[origin] = f"its robots.txt could not be read ({exc}), so nothing is fetched from it"
        return self._robots[origin]

    def _check_robots(self, url: str) -> None:
        rules = self._robots_of(url)
        if isinstance(rules, str):
            raise FetchError(f"{url}: not fetched: {rules}")
        if not rules.can_fetch(USER_AGENT, url):
            raise FetchError(f"{url}: not fetched: the site's robots.txt disallows it for migkg")

    def _delay_of(self, url: str) -> float:
        parts = urlsplit(url)
        rules = self._robots.get(f"{parts.scheme}://{parts.netloc}")
        crawl_delay = rules.crawl_delay(USER_AGENT) if isinstance(rules, urllib.robotparser.RobotFileParser) else None
        return max(self.delay, float(crawl_delay or 0))


def _retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number or an HTTP date), or ``None``.

    >>> _retry_after("3"), _retry_after(None), _retry_after("soon")
    (3.0, None, None)
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def fetcher_beside(store_location: str, settings: dict[str, Any]) -> Fetcher:
    """A :class:`Fetcher` with the fetch options of ``settings`` that are given (``max_bytes``,
    ``fetch_timeout``, ``delay``, ``retries``; the others default), its conditional-request cache
    beside the store (``kg build`` and ``kg update`` share it)."""
    names = {"max_bytes": "max_bytes", "fetch_timeout": "timeout", "delay": "delay", "retries": "retries"}
    given = {names[k]: v for k, v in settings.items() if k in names and v is not None}
    return Fetcher(cache=FetchCache.beside(store_location), **given)
