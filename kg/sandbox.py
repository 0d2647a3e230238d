"""Running SPARQL where no query can hurt the program that asked for it.

A query is text from someone else, and the engine has no brakes: pyoxigraph cannot cancel a
query, its parser recurses (3,000 nested groups overflow an 8 MB stack and kill the process),
``SERVICE <url>`` makes it send requests to any host, and a few nested ``CONCAT`` doublings
allocate gigabytes. So ``kg serve``, ``kg sparql`` and ``kg query`` run queries in two steps:

1. :func:`check` reads the text before the engine parses it: its length, how deeply its
   brackets nest, and every ``SERVICE`` it names (refused unless its endpoint is allowed).
   A refusal is a :class:`QueryRefused` (a usage error, with the HTTP status to answer).
2. A :class:`Worker` process evaluates it, on a thread with a 256 MB stack (deep but legal
   queries parse), under an address-space budget for its data (``RLIMIT_DATA``: a query
   that needs more fails in the worker alone), and is killed at the deadline. The caller gets
   :class:`QueryTimeout`, :class:`QueryOutOfMemory` or :class:`QueryCrashed`, one sentence each,
   and the next query gets a fresh worker. :class:`WorkerPool` keeps several for the server.

Work sent to a worker is a module-level function ``job(store, *args)`` (pickled by name) and the
location of a store folder, which the worker opens read-only (and keeps open while the next jobs
name the same folder). What it returns comes back pickled.

>>> check("SELECT * WHERE { ?s ?p ?o }", Limits())
>>> check("ASK { SERVICE <http://127.0.0.1:9999/x> { ?s ?p ?o } }", Limits())
Traceback (most recent call last):
...
kg.sandbox.QueryRefused: SERVICE <http://127.0.0.1:9999/x> is not allowed: this endpoint sends no requests to other \
hosts (kg serve --allow-service URL allows one)
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import resource
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import ForkContext, ForkServerContext
from typing import Any

from kg.errors import KgError, UsageError

__all__ = [
    "Limits",
    "QueryCrashed",
    "QueryOutOfMemory",
    "QueryRefused",
    "QueryTimeout",
    "Worker",
    "WorkerPool",
    "check",
    "services",
]

#: A query's worker process takes one of these (``kg serve`` a forkserver, ``kg sparql`` a fork).
Context = ForkContext | ForkServerContext

#: The stack of the thread that parses and evaluates: pyoxigraph's parser and evaluator recurse
#: once per nested group or operator. On an 8 MiB main thread the parser overflows at ~2,200
#: nested groups (the issue-16 crash); on this stack it survives ~70,000 (``python -m
#: bench.serve_load``, bench/results.md), far past any ``Limits.max_depth`` a user would set.
#: Only the pages used are ever touched.
STACK_BYTES = 256 << 20

#: A worker serves this many jobs, then is replaced (memory fragments over many queries).
JOBS_PER_WORKER = 1000


@dataclass(frozen=True)
class Limits:
    """What a query may be and do.

    ``max_chars``: length of the query text; ``max_depth``: nesting of ``{``, ``(`` and ``[``;
    ``timeout``: seconds of evaluation (None: no limit); ``memory_mb``: data memory a worker may
    add to what it holds when idle (None: no limit); ``allow_service``: endpoint IRIs that
    ``SERVICE`` may name (by default none).
    """

    max_chars: int = 256 * 1024
    max_depth: int = 128
    timeout: float | None = 30.0
    memory_mb: int | None = 1024
    allow_service: frozenset[str] = frozenset()


class QueryRefused(UsageError):
    """A query refused before it runs; ``status`` is the HTTP status that says why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.status))


class QueryTimeout(KgError):
    """A query that did not finish in time."""


class QueryOutOfMemory(KgError):
    """A query that needed more memory than its budget."""


class QueryCrashed(KgError):
    """The engine died on a query (the worker is replaced; the program that asked is fine)."""


# -- before parsing --


def services(query: str) -> Iterator[str]:
    """The endpoint of each ``SERVICE`` in ``query``, as the engine would read it.

    IRIs come with their escapes decoded, prefixed names expanded with the query's own PREFIX
    declarations and the project's prefixes; an endpoint given by a variable, or by a name
    whose prefix is not declared, comes as it is written (and is allowed by no list).

    >>> list(services('PREFIX e: <http://h/> SELECT * { SERVICE SILENT e:x {} SERVICE ?v {} } # SERVICE <x>'))
    ['http://h/x', '?v']
    """
    from kg.namespaces import PREFIXES
    from kg.sparql.text import declared_prefixes, significant, unescape_iri

    found = significant(query)
    known = {**PREFIXES, **declared_prefixes(query)}
    for i, token in enumerate(found):
        if not token.is_keyword("SERVICE"):
            continue
        rest = found[i + 1 : i + 3]
        if rest and rest[0].is_keyword("SILENT"):
            rest = rest[1:]
        if not rest:
            yield ""
            continue
        target = rest[0]
        if target.kind == "iri":
            yield unescape_iri(target.text)
        elif target.kind == "name":
            prefix, _, local = target.text.partition(":")
            yield known[prefix] + _unescape_local(local) if prefix in known else target.text
        else:
            yield target.text


_LOCAL_PARTS = re.compile(r"\\.|[^\\]+")


def _unescape_local(local: str) -> str:
    return "".join(part[1:] if part.startswith("\\") else part for part in _LOCAL_PARTS.findall(local))


def check(query: str, limits: Limits) -> None:
    """Refuse ``query`` (:class:`QueryRefused`) when it is too long, nests too deeply or names a
    ``SERVICE`` that ``limits`` do not allow; otherwise return None."""
    from kg.sparql.text import depth

    if len(query) > limits.max_chars:
        raise QueryRefused(f"the query has {len(query):,} characters; the limit is {limits.max_chars:,}", 413)
    deepest = depth(query)
    if deepest > limits.max_depth:
        raise QueryRefused(f"the query nests brackets {deepest:,} levels deep; the limit is {limits.max_depth}")
    for endpoint in services(query):
        if endpoint not in limits.allow_service:
            shown = f"<{endpoint}>" if "://" in endpoint else endpoint or "without an endpoint"
            raise QueryRefused(
                f"SERVICE {shown} is not allowed: this endpoint sends no requests to other hosts "
                "(kg serve --allow-service URL allows one)",
                403,
            )


# -- in a worker process --


def _data_bytes() -> int:
    """The data segment of this process (``VmData``: what ``RLIMIT_DATA`` counts), in bytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def _serve(connection: Connection, memory_mb: int | None) -> None:
    """A worker's life: jobs in, results out, until the connection closes."""
    with open(os.devnull, "wb") as devnull:  # the engine's panics and abort messages are not the user's
        os.dup2(devnull.fileno(), 2)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops us
    threading.stack_size(STACK_BYTES)
    executor = ThreadPoolExecutor(1, thread_name_prefix="kg-query")
    executor.submit(int).result()  # the thread and its stack exist before the budget is set
    threading.stack_size(0)
    if memory_mb is not None and os.path.exists("/proc/self/status"):
        limit = _data_bytes() + (memory_mb << 20)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_DATA, (limit, resource.getrlimit(resource.RLIMIT_DATA)[1]))
    opened: tuple[str, Any] | None = None
    while True:
        try:
            job, location, args = connection.recv()
        except (EOFError, OSError):
            return
        try:
            if opened is None or opened[0] != location:
                opened = None  # the last snapshot's handle is dropped before the next one opens
                opened = (location, _open(location))
            store = opened[1]
            outcome: tuple[str, Any] = ("ok", executor.submit(job, store, *args).result())
        except MemoryError:
            outcome = ("memory", None)
        except BaseException as exc:  # handed to the caller
            outcome = ("error", _portable(exc))
        try:
            connection.send(outcome)
        except MemoryError:
            connection.send(("memory", None))
        except Exception as exc:  # a result that cannot be pickled
            connection.send(("error", KgError(f"the answer could not be sent back: {exc}")))
        if outcome[0] == "memory":
            return  # a fresh worker is cheaper than trusting this one's heap


def _open(location: str | None) -> Any:
    from pyoxigraph import Store

    from kg.store import KgStore

    if location is None:
        return KgStore.memory()
    return KgStore(Store.read_only(location), location)


def _portable(error: BaseException) -> BaseException:
    """``error`` as something that survives pickling: as it is if it can, else as a KgError."""
    import pickle

    error.__traceback__ = None
    error.__context__ = error.__cause__ = None
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return KgError(f"query failed: {type(error).__name__}: {error}")
    return error


# -- the side that asks --


class Worker:
    """One worker process, started at once; :meth:`call` runs a job in it."""

    def __init__(self, context: Context, memory_mb: int | None) -> None:
        self.memory_mb = memory_mb
        self.jobs = 0
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, memory_mb), name="kg-query-worker", daemon=True)
        self.process.start()
        theirs.close()

    def call(self, job: Callable[..., Any], location: str | None, args: tuple[Any, ...], deadline: float | None) -> Any:
        """``job(store, *args)`` in the worker, ``store`` being the folder at ``location`` opened
        read-only. Raises what the job raised, or :class:`QueryTimeout` (the worker is then
        killed), :class:`QueryOutOfMemory` or :class:`QueryCrashed` (the worker is gone)."""
        self.jobs += 1
        try:
            self.connection.send((job, location, args))
            wait = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            if not self.connection.poll(wait):
                self.kill()
                raise QueryTimeout("the query ran out of time")
            kind, value = self.connection.recv()
        except (EOFError, OSError, BrokenPipeError):
            raise self._died() from None
        if kind == "memory":
            self.kill()
            raise self._out_of_memory()
        if kind == "error":
            raise value
        return value

    def _out_of_memory(self) -> QueryOutOfMemory:
        return QueryOutOfMemory(f"the query needed more than {self.memory_mb:,} MB of memory and was stopped")

    def _died(self) -> KgError:
        self.process.join(1)
        code = self.process.exitcode
        if code == -signal.SIGABRT and self.memory_mb is not None:  # an allocation over the budget
            return self._out_of_memory()
        how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        return QueryCrashed(f"the query engine crashed on this query ({how}); nothing else was affected")

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()

    def close(self) -> None:
        """Stop the worker: it ends when its connection closes (killed if it does not)."""
        self.connection.close()
        self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


class WorkerPool:
    """``size`` workers for many callers (threads); a worker that died or was killed is replaced.

    :meth:`call` waits for a free worker until the deadline (then :class:`QueryTimeout`).
    """

    def __init__(self, size: int, memory_mb: int | None, context: Context) -> None:
        self.size = size
        self.memory_mb = memory_mb
        self.context = context
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.replaced = 0
        self._closed = False
        for _ in range(size):
            self.idle.put(Worker(context, memory_mb))

    def call(self, job: Callable[..., Any], location: str | None, args: tuple[Any, ...], deadline: float | None) -> Any:
        try:
            wait = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            worker = self.idle.get(timeout=wait)
        except queue.Empty:
            raise QueryTimeout("every query worker stayed busy") from None
        try:
            return worker.call(job, location, args, deadline)
        finally:
            if self._closed:
                worker.close()
            elif not worker.alive or worker.jobs >= JOBS_PER_WORKER:
                worker.kill()
                self.replaced += 1
                self.idle.put(Worker(self.context, self.memory_mb))
            else:
                self.idle.put(worker)

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self.idle.get_nowait().close()
            except queue.Empty:
                return
