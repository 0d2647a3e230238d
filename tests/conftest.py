from __future__ import annotations

import contextlib
import json
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pyoxigraph import RdfFormat

from kg.cli import cli
from kg.store import KgStore
from kg.store.files import SERVING

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "news" / "news-listing-2019.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def store_path(tmp_path: Path) -> str:
    return str(tmp_path / "store")


def invoke(runner: CliRunner, *args: str, input: str | bytes | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


# The script that wrote tests/golden/before/ ran once at 9261299 and must never run again (it would
# rewrite the goldens from today's code): not a module for --doctest-modules to import.
collect_ignore = ["golden/before/snapshot.py"]


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The sample listing built once per session into an on-disk store (read it, never write)."""
    path = tmp_path_factory.mktemp("sample") / "store"
    result = CliRunner().invoke(cli, ["build", str(SAMPLE), "--store", str(path), "-q"])
    assert result.exit_code == 0, result.output
    return str(path)


@pytest.fixture(scope="module")
def embedded(sample_store: str) -> KgStore:
    """The sample in memory: a reader that kept the store open would hold its lock, and a server
    cannot take a snapshot while someone reads (docs/serve.md)."""
    copy = KgStore.memory()
    with KgStore.open(sample_store, write=False) as store:
        copy.store.extend(store.quads())
    return copy


def write_corpus(path: Path, prefix: str, start: int, n: int) -> Path:
    """``n`` small JSON Lines items numbered from ``start`` (ids ``{prefix}-00000`` …), each an event."""
    with path.open("w") as f:
        for i in range(start, start + n):
            record = {
                "id": f"{prefix}-{i:05d}",
                "date": f"2019-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "title": f"{prefix.capitalize()} test item {i}",
                "summary": f"IOM and Guatemala held workshop number {i} in Mexico City.",
            }
            f.write(json.dumps(record) + "\n")
    return path


def memory_store(trig: Path) -> KgStore:
    """A throw-away store holding a hand-written TriG fixture, summarised as a build would."""
    from kg.summaries import write_summaries

    store = KgStore.memory()
    store.store.load(path=str(trig), format=RdfFormat.TRIG)
    write_summaries(store)
    return store


def disk_store(tmp_path_factory: pytest.TempPathFactory, name: str, trig: Path) -> str:
    """The same fixture in an on-disk store (closed again), for the command line."""
    path = tmp_path_factory.mktemp(name) / "store"
    from kg.summaries import write_summaries

    with KgStore.open(path, write=True) as store:
        store.store.load(path=str(trig), format=RdfFormat.TRIG)
        write_summaries(store)
    return str(path)


# -- kg serve in a subprocess --


class Server:
    """``kg serve`` in a subprocess; ``url`` is its base URL."""

    def __init__(self, store: str | Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", "0", "-q", *args],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stderr is not None
        first = self.process.stderr.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)/ \(page\)", first)
        if not match:
            self.process.kill()
            raise AssertionError(f"kg serve did not start: {first}{self.process.stderr.read()}")
        self.url = match[1]
        self.log: list[str] = [first]
        threading.Thread(target=self._drain, daemon=True).start()
        deadline = time.monotonic() + 20
        while True:  # uvicorn is listening once /stats answers
            try:
                with urllib.request.urlopen(self.url + "/stats", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError("kg serve did not stop on Ctrl-C") from None


@contextlib.contextmanager
def running_server(store: str | Path, *args: str) -> Iterator[Server]:
    server = Server(store, *args)
    try:
        yield server
    finally:
        status = server.stop()
        assert status == 0, "".join(server.log)
        assert not [p for p in Path(store).parent.iterdir() if SERVING in p.name], "snapshots are removed"


# -- a local web site for the http(s) sources (issue 19); no test touches the internet --


@dataclass
class Page:
    """One answer of :class:`Site`: served as given, or ``304`` when the request's
    ``If-None-Match`` is ``etag``; ``delay`` seconds pass before the headers go out."""

    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    delay: float = 0.0


class Site:
    """An HTTP server on 127.0.0.1 in a thread: ``site.serve(path, *pages)`` answers ``path`` with
    each page in turn (the last one repeats); ``site.requests`` lists ``(path, headers)`` of every
    request. ``/robots.txt`` is a 404 unless served."""

    def __init__(self, port: int = 0) -> None:
        self.routes: dict[str, list[Page]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.requests.append((self.path, dict(self.headers.items())))
                pages = site.routes.get(self.path)
                page = (pages.pop(0) if len(pages) > 1 else pages[0]) if pages else Page("not found", status=404)
                if page.delay:
                    time.sleep(page.delay)
                body = page.body.encode() if isinstance(page.body, str) else page.body
                status = page.status
                if page.etag and self.headers.get("If-None-Match") == page.etag:
                    status, body = 304, b""
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", page.content_type)
                    self.send_header("Content-Length", str(len(body)))
                    if page.etag:
                        self.send_header("ETag", page.etag)
                    for name, value in page.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def serve(self, path: str, *pages: Page | str | bytes) -> str:
        self.routes[path] = [p if isinstance(p, Page) else Page(p) for p in pages]
        return self.url + path

    def fixture(self, path: str, name: str, content_type: str = "text/html; charset=utf-8", **options: Any) -> str:
        """Serve ``tests/fixtures/web/NAME`` at ``path``, with ``{site}`` in it replaced by the site's URL."""
        body = (FIXTURES / "web" / name).read_text(encoding="utf-8").replace("{site}", self.url)
        return self.serve(path, Page(body, content_type, **options))

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site()
    yield served
    served.close()


#: Fetch options that keep the tests quick: no per-host delay, short backoff by few retries.
FAST = ("--delay", "0", "--retries", "1")


# `make test-fast` (-m "not slow") is the loop while editing: the unit tests and doctests, in under a
# minute. These modules drive whole builds, stores, servers and the command line end to end; each
# takes 5 to 45 s (pytest --durations), so they run in `make test` only.
END_TO_END = frozenset(
    (
        "test_build",
        "test_cli",
        "test_errors_that_teach",
        "test_export",
        "test_geonames",
        "test_network_table",
        "test_queries",
        "test_remote",
        "test_same",
        "test_serve",
        "test_shapes",
        "test_store_safety",
        "test_transcripts",
        "test_update",
        "test_validate",
        "test_web",
        "test_workers",
    )
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.stem in END_TO_END:
            item.add_marker(pytest.mark.slow)
