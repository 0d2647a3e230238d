"""What the tests share: the stores and runners every module uses, the import graph of ``kg``, one
harness for the programs a test starts (``kg`` commands, ``kg serve``, ``oxigraph serve``, Dask's
scheduler and workers: :class:`Process`, :func:`wait_until`), the named queries' shared cases, a
local web site, and the ``slow`` marker of the end-to-end modules. Test modules import from here,
never from each other.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import io
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner
from pyoxigraph import RdfFormat

from kg.cli import cli
from kg.queries import catalogue
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


# -- the modules of kg and their imports, read from the source --


def kg_modules(root: Path = ROOT) -> dict[str, Path]:
    """Module name -> file, for every module of ``root/kg``."""
    found = {}
    for path in sorted((root / "kg").rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The ``kg`` modules that ``name`` imports, wherever the import stands (a function-level
    import is a dependency too); imports under ``if TYPE_CHECKING:`` are only for type checkers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            wanted = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            # "from kg import namespaces" imports the module kg.namespaces, not the package's code
            wanted = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        for target in wanted:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target.startswith("kg") and target != name:
                targets.add(target)
    return targets


def import_graph(root: Path = ROOT) -> nx.DiGraph:
    """The modules of ``root/kg``, an edge from each to every ``kg`` module it imports."""
    modules = kg_modules(root)
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        graph.add_edges_from((name, target) for target in _imports(name, path, modules))
    return graph


# -- processes: one harness for every program a test starts --


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for servers that cannot be told port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def kg_command(*args: str | Path) -> list[str]:
    """``python -m kg ARGS``: the command line as a user runs it."""
    return [sys.executable, "-m", "kg", *map(str, args)]


def run_kg(
    *args: str | Path, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``kg ARGS`` run to its end in a process of its own (a hang fails the test at ``timeout``)."""
    return subprocess.run(kg_command(*args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def kg_process(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``kg ARGS`` started, not awaited (a build to kill, or to run beside a server): its stdout and
    stderr kept apart, for ``communicate()``."""
    return subprocess.Popen(
        kg_command(*args), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_until(
    ready: Callable[[], Any], *, timeout: float, what: str, alive: subprocess.Popen[Any] | None = None
) -> Any:
    """What ``ready()`` returns once it is true, asked every 0.05 s (an ``OSError``, such as a refused
    connection, counts as not yet); fails saying ``what`` was awaited when ``timeout`` seconds pass
    or the process ``alive`` ends first."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError):
            if found := ready():
                return found
        if alive is not None and alive.poll() is not None:
            raise AssertionError(f"{what}: the process ended (status {alive.returncode})")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


def answers(url: str) -> bool:
    """Whether ``GET url`` answers 200."""
    with urllib.request.urlopen(url, timeout=5) as response:
        return bool(response.status == 200)


class Process(subprocess.Popen[str]):
    """A program started from the repository's root, its output (stdout and stderr) collected in
    :meth:`output`; :meth:`wait_until` waits for it to be ready, :meth:`end` stops it."""

    def __init__(self, command: Sequence[str | Path], env: dict[str, str] | None = None) -> None:
        super().__init__(
            [str(c) for c in command], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.stdout is not None
        for line in self.stdout:
            self.lines.append(line)

    def output(self) -> str:
        return "".join(self.lines)

    def wait_until(self, ready: Callable[[], Any], *, timeout: float, what: str) -> Any:
        """:func:`wait_until` this process is ready; a failure shows what it wrote."""
        try:
            return wait_until(ready, timeout=timeout, what=what, alive=self)
        except AssertionError as exc:
            self.kill()
            raise AssertionError(f"{exc}\n{self.output()}") from None

    def end(self, sig: int = signal.SIGTERM, timeout: float = 10) -> int | None:
        """Send ``sig`` and wait for the exit status; ``None`` if it had to be killed after ``timeout`` s."""
        if self.poll() is None:
            self.send_signal(sig)
        try:
            return self.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.wait()
            return None


class Server(Process):
    """``kg serve`` in a subprocess, ready once it answers ``/stats``; ``url`` is its base URL."""

    def __init__(self, store: str | Path, *args: str) -> None:
        super().__init__(kg_command("serve", "--store", store, "--port", "0", "-q", *args))
        found = self.wait_until(
            lambda: re.search(r"(http://127\.0\.0\.1:\d+)/ \(page\)", self.output()), timeout=20, what="kg serve"
        )
        self.url = found[1]
        self.wait_until(lambda: answers(self.url + "/stats"), timeout=20, what="kg serve answering /stats")

    def stop(self) -> int:
        status = self.end(signal.SIGINT, timeout=15)
        if status is None:
            raise AssertionError("kg serve did not stop on Ctrl-C")
        return status


@contextlib.contextmanager
def running_server(store: str | Path, *args: str) -> Iterator[Server]:
    server = Server(store, *args)
    try:
        yield server
    finally:
        status = server.stop()
        assert status == 0, server.output()
        assert not [p for p in Path(store).parent.iterdir() if SERVING in p.name], "snapshots are removed"


OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))


@pytest.fixture(scope="module")
def start_oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    """``start_oxigraph(union=True)`` -> the URL of a fresh ``oxigraph serve`` (the ``oxigraph`` dev
    dependency) on a free loopback port; all stopped at the end of the module."""
    if not Path(OXIGRAPH).exists():
        pytest.fail("the oxigraph server (dev dependency `oxigraph`) is not installed: pip install -e '.[dev]'")
    running: list[Process] = []

    def start(union: bool = True) -> str:
        port = free_port()
        data = tmp_path_factory.mktemp("oxigraph") / "data"
        command = [OXIGRAPH, "serve", "--location", data, "--bind", f"127.0.0.1:{port}"]
        server = Process([*command, *(["--union-default-graph"] if union else [])])
        running.append(server)
        url = f"http://127.0.0.1:{port}"
        server.wait_until(lambda: answers(f"{url}/query?query=ASK%7B%7D"), timeout=30, what="oxigraph serve")
        return url

    yield start
    for server in running:
        server.end()


# -- the named queries' shared cases --

ANALYST = FIXTURES / "analyst.trig"

# The parameters each golden file of tests/golden was computed with (queries without parameters: none).
GOLDEN_PARAMS: dict[str, dict[str, str]] = {
    "events_by_country": {"country": "GTM", "since": "2019-01-01", "until": "2019-06-19"},
    "events_by_theme": {"theme": "smuggling"},
    "events_by_objective": {"objective": "9"},
    "organization_partners": {"org": "iom"},
    "items_mentioning": {"entity": "GTM"},
    "timeline": {"entity": "GTM"},
    "region_activity": {"region": "m49-013"},
    "provenance": {"entity": "HND"},
    "statistics_by_country": {"country": "BLZ"},
}
NAMES = [q.name for q in catalogue()]
# A value for every required parameter, for running each named query on the sample build.
SAMPLE_PARAMS = {
    "country": "GTM",
    "theme": "smuggling",
    "objective": "9",
    "org": "iom",
    "entity": "GTM",
    "region": "013",
}


def csv_rows(data: bytes | str) -> list[list[str]]:
    text = data.decode() if isinstance(data, bytes) else data
    return list(csv.reader(io.StringIO(text)))


def order_keys(text: str) -> list[tuple[str, bool]]:
    """``(variable, descending)`` for each ORDER BY key; only ?v, ASC(?v), DESC(?v) are allowed."""
    clause = re.search(r"\bORDER\s+BY\s+(.*?)\s*(?:LIMIT|OFFSET|$)", text, re.S | re.I)
    assert clause, "no ORDER BY"
    keys = []
    for token in re.findall(r"\S+\(\S+?\)|\S+", clause[1]):
        match = re.fullmatch(r"(?:(ASC|DESC)\()?\?(\w+)\)?", token, re.I)
        assert match, f"ORDER BY key {token!r} is not ?var, ASC(?var) or DESC(?var)"
        keys.append((match[2], (match[1] or "").upper() == "DESC"))
    return keys


def export_nquads(runner: CliRunner, store: str) -> bytes:
    """The whole store as ``kg export --format nquads`` writes it."""
    result = runner.invoke(cli, ["export", "--store", store, "--format", "nquads"])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


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
