"""``kg serve`` under a 12-client mix, and how deep a query may nest before the parser overflows.

Usage: .venv/bin/python -m bench.serve_load [--clients 12] [--requests 200] [--json]

Builds the sample (``data/news/``) into a scratch store and serves it twice, on 127.0.0.1:

- **baseline**: queries evaluated in threads of the server process (``isolate=False``, the design
  before issue 16, which a runaway query could crash or starve);
- **workers**: the default, each query in a worker process with a deadline and a memory budget.

Each of ``--clients`` threads keeps one connection open and sends ``--requests`` requests of a
fixed mix (a COUNT, an ASK, a named query with a parameter, a CONSTRUCT, ``/stats``,
``/network/countries``), one after the other. The figures are the latency of every request
(p50, p99, max), the errors (any status but 200), and requests/s; the workers' figures are read
against the baseline's of the same run.

The depth probe parses ``SELECT * WHERE { { … } }`` nested N deep in a fresh process, once on the
main thread (8 MiB stack, as ``kg sparql`` had it) and once on a thread with ``kg.sandbox``'s
stack: the deepest N each survives is why ``kg.sandbox.STACK_BYTES`` and ``Limits.max_depth`` are
what they are. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

HOME = Path(__file__).resolve().parent.parent

MIX = [
    "/sparql?" + urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}),
    "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?i a mk:NewsItem }"}),
    "/queries/events_by_country?country=GTM",
    "/sparql?" + urllib.parse.urlencode({"query": "CONSTRUCT WHERE { ?e a mk:Event ; schema:startDate ?d } LIMIT 50"}),
    "/stats",
    "/network/countries",
]

SERVER = """
import sys
from kg.serve.server import serve
serve(sys.argv[1], port=0, quiet=True, isolate=sys.argv[2] == "workers")
"""

DEPTH = """
import sys, threading
import pyoxigraph
depth, stack = int(sys.argv[1]), int(sys.argv[2])
query = "SELECT * WHERE " + "{ " * depth + "?s ?p ?o" + " }" * depth
def parse():
    try:
        pyoxigraph.Store().query(query)
    except SyntaxError:
        pass
if stack:
    threading.stack_size(stack)
    t = threading.Thread(target=parse)
    t.start()
    t.join()
else:
    parse()
print("ok")
"""


def start(store: Path, mode: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(store), mode], stderr=subprocess.PIPE, text=True, cwd=HOME
    )
    assert process.stderr is not None
    for line in process.stderr:
        found = re.search(r"(http://127\.0\.0\.1:\d+)/ \(page\)", line)
        if found:
            return process, found.group(1)
    raise RuntimeError(f"the {mode} server did not start")


def client(base: str, requests: int, offset: int, out: list[tuple[float, int, str]]) -> None:
    netloc = urllib.parse.urlsplit(base).netloc
    connection = http.client.HTTPConnection(netloc, timeout=60)
    for i in range(requests):
        path = MIX[(offset + i) % len(MIX)]
        began = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Accept": "application/sparql-results+json, text/turtle, */*"})
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = 0
            connection.close()
            connection = http.client.HTTPConnection(netloc, timeout=60)
        out.append((time.perf_counter() - began, status, path))
    connection.close()


def load(base: str, clients: int, requests: int) -> dict[str, Any]:
    for path in MIX:  # warm up: snapshot, worker start-up, the network cache
        client(base, 1, MIX.index(path), [])
    results: list[list[tuple[float, int, str]]] = [[] for _ in range(clients)]
    threads = [threading.Thread(target=client, args=(base, requests, i, results[i])) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    latencies = sorted(seconds for done in results for seconds, _, _ in done)
    errors = sum(1 for done in results for _, status, _ in done if status != 200)
    by_path: dict[str, list[float]] = {}
    for done in results:
        for seconds, _, path in done:
            by_path.setdefault(path.split("?")[0] + ("?" + path.split("?")[1][:40] if "?" in path else ""), []).append(
                seconds
            )

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "errors": errors,
        "per_s": len(latencies) / wall,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] * 1000,
        "p50_ms_by_request": {path: sorted(s)[len(s) // 2] * 1000 for path, s in sorted(by_path.items())},
    }


def deepest(stack: int, limit: int = 200_000) -> int:
    """The deepest nesting (doubling, then bisecting) that parses in a fresh process."""

    def survives(depth: int) -> bool:
        run = subprocess.run(
            [sys.executable, "-c", DEPTH, str(depth), str(stack)], capture_output=True, text=True, timeout=300
        )
        return run.returncode == 0

    good, bad = 0, None
    depth = 1000
    while depth <= limit and survives(depth):
        good, depth = depth, depth * 2
    bad = depth if depth <= limit else None
    if bad is None:
        return good
    while bad - good > max(good // 20, 100):
        middle = (good + bad) // 2
        good, bad = (middle, bad) if survives(middle) else (good, middle)
    return good


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.serve_load", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--requests", type=int, default=200, help="per client")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--no-depth", action="store_true", help="skip the depth probe")
    args = parser.parse_args(argv)
    figures: dict[str, Any] = {"clients": args.clients, "requests_per_client": args.requests}
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as work:
        store = Path(work) / "store"
        subprocess.run(
            [sys.executable, "-m", "kg", "build", str(HOME / "data" / "news"), "--store", str(store), "-q"],
            check=True,
            cwd=HOME,
            capture_output=True,
        )
        for mode in ("threads", "workers"):
            process, base = start(store, mode)
            try:
                figures[mode] = load(base, args.clients, args.requests)
            finally:
                process.terminate()
                process.wait(timeout=30)
    if not args.no_depth:
        from kg.sandbox import STACK_BYTES

        figures["depth_main_thread"] = deepest(0)
        figures["depth_worker_thread"] = deepest(STACK_BYTES)
        figures["worker_stack_mib"] = STACK_BYTES >> 20
    if args.json:
        print(json.dumps(figures))
        return
    print(f"{args.clients} clients x {args.requests} requests, the sample store, 127.0.0.1")
    for mode in ("threads", "workers"):
        f = figures[mode]
        print(
            f"  {mode:8}  {f['per_s']:7.0f} req/s  p50 {f['p50_ms']:6.1f} ms  p99 {f['p99_ms']:6.1f} ms  "
            f"max {f['max_ms']:7.1f} ms  errors {f['errors']}"
        )
    if "depth_main_thread" in figures:
        print(f"  deepest nesting parsed: main thread {figures['depth_main_thread']:,}, ", end="")
        print(f"a {figures['worker_stack_mib']} MiB thread {figures['depth_worker_thread']:,}")


if __name__ == "__main__":
    main()
