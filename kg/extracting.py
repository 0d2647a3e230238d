"""Extraction of items into item graphs, in this process or in worker processes: items go to
the workers in chunks, their graphs come back through spool files (a pipe would copy them twice),
in input order; the gazetteers are compiled before the workers fork, and the collector runs seldom.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.pool
import os
import shutil
import tempfile
from collections import deque
from collections.abc import Iterator
from datetime import date
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from kg import namespaces as ns
from kg.extract import extract
from kg.rdf import item_nquads
from kg.sources import NewsItem
from kg.store import process_alive

if TYPE_CHECKING:
    pass

__all__ = ["SPOOL_PREFIX", "fewer_gc_passes", "graph_and_facts", "graph_of", "item_graphs", "spool_root", "warm_up"]


_CHUNK = 32  # items per task sent to a worker process


def graph_of(item: NewsItem) -> tuple[str, bytes, int]:
    """``(graph IRI, N-Quads as UTF-8, quads)`` of one item.

    Encoded here, where the item is extracted (in a worker, if there are any): the writer joins
    the bytes and hands them to the store as they are, where joining and encoding text took
    ~0.2 ms an item of the one process that writes.
    """
    data = item_nquads(item, extract(item)).encode()
    return ns.item_graph(item.key), data, data.count(b"\n")


def graph_and_facts(item: NewsItem) -> tuple[str, bytes, int, bytes]:
    """:func:`graph_of`, and what grouping needs of the item (:mod:`kg.same.facts`), taken from
    the same N-Quads where the item is extracted (in a worker, if there are any)."""
    from kg.same.facts import packed

    graph, data, count = graph_of(item)
    return graph, data, count, packed(item, data)


#: A worker's chunk: the spool file holding its N-Quads (or, when the spool folder is full, the
#: N-Quads themselves), then ``(graph IRI, bytes, quads, facts)`` per item.
_Spooled = tuple[str | bytes, list[tuple[str, int, int, bytes]]]


def _spool_graphs(items: list[NewsItem], folder: str) -> _Spooled:
    """A worker's chunk: its items' N-Quads written one after the other to a file in ``folder``."""
    graphs = [graph_and_facts(item) for item in items]
    data = b"".join(data for _, data, _, _ in graphs)
    sizes = [(graph, len(data), count, facts) for graph, data, count, facts in graphs]
    try:
        return _write_spool(folder, data), sizes
    except OSError:  # a full /dev/shm (a container's is 64 MB): through the pipe after all
        return data, sizes


def _write_spool(folder: str, data: bytes) -> str:
    """A new file in ``folder`` holding ``data`` (none is left behind when writing fails)."""
    descriptor, name = tempfile.mkstemp(dir=folder, suffix=".nq")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return name


def _unspool(spooled: _Spooled) -> Iterator[tuple[str, bytes, int, bytes]]:
    held, graphs = spooled
    if isinstance(held, bytes):
        data = held
    else:
        path = Path(held)
        data = path.read_bytes()
        path.unlink()
    start = 0
    for graph, size, count, facts in graphs:
        yield graph, data[start : start + size], count, facts
        start += size


def item_graphs(items: Iterator[NewsItem], workers: int) -> Iterator[tuple[str, bytes, int, bytes]]:
    """The graph of each item, in input order, and its facts for grouping.

    With several workers, chunks of items go to a pool of processes and come back in the
    order sent; a bounded number of chunks is in flight, so the input is read as the work
    proceeds. Call :func:`warm_up` first: workers forked after it share the compiled gazetteers.

    A worker writes each chunk's N-Quads (~1 MB) to a file in a spool folder (:func:`_spool_folder`,
    in memory where the system has ``/dev/shm``) and sends back its name: through the pool's pipe
    the same bytes went in 64 KB pieces, each a wake-up of both processes, and the parent spent
    twice the CPU receiving them (0.55 s against 0.28 s for 6,000 items), CPU the two cores'
    workers and the store's writer need.
    """
    if workers == 1:
        for item in items:
            yield graph_and_facts(item)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with _spool_folder() as folder, context.Pool(workers) as pool:
        pending: deque[multiprocessing.pool.AsyncResult[_Spooled]] = deque()
        while chunk := list(islice(items, _CHUNK)):
            pending.append(pool.apply_async(_spool_graphs, (chunk, folder)))
            if len(pending) >= 8 * workers:
                yield from _unspool(pending.popleft().get())
        while pending:
            yield from _unspool(pending.popleft().get())


#: Spool folders are named ``migkg-build-PID-RANDOM`` (PID: the build that made it).
SPOOL_PREFIX = "migkg-build-"


def spool_root() -> Path:
    """``/dev/shm`` (memory) where the system has it, else the temporary folder."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else Path(tempfile.gettempdir())


@contextlib.contextmanager
def _spool_folder() -> Iterator[str]:
    """A folder of this build's own, removed with what is left in it at the end, and the folders
    of builds that were killed before they could remove theirs (their process is gone)."""
    root = spool_root()
    for stale in root.glob(f"{SPOOL_PREFIX}*"):
        pid = stale.name[len(SPOOL_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not process_alive(int(pid)) and stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=f"{SPOOL_PREFIX}{os.getpid()}-", dir=root) as folder:
        yield folder


def warm_up() -> None:
    """Compile the gazetteers and cue automata (once per process; workers forked later share them)."""
    extract(NewsItem("warm-up", date(2019, 1, 1), "IOM", "Staff met in Guatemala.", "", 0))


@contextlib.contextmanager
def fewer_gc_passes() -> Iterator[None]:
    """Cyclic garbage collection seldom, and never again over what is loaded so far.

    Extraction allocates many short-lived objects and few cycles, so with the default threshold
    the collector runs every 700 allocations and keeps rescanning the compiled gazetteers: it
    took 7-10% of extraction time. Frozen objects (gazetteers, reference data) are left alone,
    and forked workers inherit both settings. Restored on exit.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
