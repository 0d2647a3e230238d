"""Timing, memory and machine facts for the benchmark suite.

Child processes are timed from the outside (wall clock, as a user would see it) and their
peak memory read twice: ``ru_maxrss`` from ``wait4`` (the largest single process of the
tree) and the sum of ``VmRSS`` over the process tree, sampled every 50 ms from ``/proc``
(``--workers`` builds are several processes; pages they share are counted in each).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ChildRun", "machine_facts", "median", "run_child", "timed"]

HOME = Path(__file__).resolve().parent.parent


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def timed(fn: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    """Wall-clock seconds of ``repeats`` calls of ``fn`` and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


@dataclass
class ChildRun:
    seconds: float
    max_rss_mb: float  # largest single process (wait4 ru_maxrss)
    tree_rss_mb: float  # sum over the process tree, sampled
    returncode: int
    stdout: str
    stderr: str
    result: dict[str, Any] = field(default_factory=dict)  # the child's JSON line, when it printed one


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_rss_kb(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _rss_kb(current)
        todo += _children(current)
    return total


def run_child(args: Sequence[str | Path], *, timeout: float | None = None, cwd: Path = HOME) -> ChildRun:
    """Run ``args`` to completion; a timeout kills the child (and its process group)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(a) for a in args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.05):
            peak = max(peak, _tree_rss_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out: list[str] = []
    err: list[str] = []
    readers = [
        threading.Thread(target=lambda: out.append(process.stdout.read()), daemon=True),  # type: ignore[union-attr]
        threading.Thread(target=lambda: err.append(process.stderr.read()), daemon=True),  # type: ignore[union-attr]
    ]
    for reader in readers:
        reader.start()
    killer = None
    if timeout:
        killer = threading.Timer(timeout, lambda: os.killpg(process.pid, 9))
        killer.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if killer:
        killer.cancel()
    done.set()
    sampler.join()
    for reader in readers:
        reader.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    stdout = "".join(out)
    result: dict[str, Any] = {}
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            result = json.loads(line)
            break
    return ChildRun(seconds, usage.ru_maxrss / 1024, peak / 1024, process.returncode, stdout, "".join(err), result)


def _first(path: str, key: str) -> str:
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def _version(module: str) -> str:
    try:
        from importlib.metadata import version

        return version(module)
    except Exception:
        return "?"


def machine_facts() -> dict[str, str]:
    """What the figures were measured on."""
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=HOME, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = "?"
    memory_kb = _first("/proc/meminfo", "MemTotal").split()[0]
    return {
        "cpu": _first("/proc/cpuinfo", "model name"),
        "cores": f"{len(os.sched_getaffinity(0))} usable ({os.cpu_count()} online)",
        "memory": f"{int(memory_kb) / 1024 / 1024:.1f} GiB" if memory_kb.isdigit() else "?",
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "pyoxigraph": _version("pyoxigraph"),
        "rdflib": _version("rdflib"),
        "networkx": _version("networkx"),
        "migkg": f"{_version('migkg')} ({commit or 'no git'})",
    }
