"""Running the server's jobs: in worker processes with a deadline and a memory budget.

Every request that touches the store (a SPARQL query, a named query, the network, the counts of
``/stats``) is a job of :mod:`kg.serve.jobs`. With a
:class:`~kg.serve.snapshot.SnapshotSource` (what ``kg serve`` uses), jobs run in a
:class:`~kg.sandbox.WorkerPool`: a query that runs past its deadline is killed with its worker,
one that needs more memory than its budget fails alone, one that crashes the engine takes only
its worker down, and a fresh worker takes its place. At most ``concurrency`` jobs run at once;
a request waits for a free worker until its deadline, then gets 503.

With a :class:`~kg.serve.snapshot.FixedSource` (a store in memory, in tests), jobs run in
threads of this process instead, with none of that protection: pyoxigraph cannot cancel a
query, so a job past its deadline is abandoned and keeps its slot until it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from kg.sandbox import QueryTimeout, WorkerPool
from kg.serve.snapshot import Source

__all__ = ["Runner"]

T = TypeVar("T")

# How long past a job's deadline its worker may take to say so itself before it is killed.
_GRACE = 0.25


def _detached(error: BaseException) -> BaseException:
    """``error`` without tracebacks: their frames hold pyoxigraph results, which must be freed by
    the thread that made them (pyoxigraph refuses to drop them on another one)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return error


class Runner:
    """Runs jobs on the source's store, within ``timeout`` seconds each: in ``pool``'s worker
    processes when the store is a folder, else in threads."""

    def __init__(
        self,
        source: Source,
        *,
        timeout: float = 30.0,
        concurrency: int = 4,
        pool: WorkerPool | None = None,
    ) -> None:
        self.source = source
        self.timeout = timeout
        self.concurrency = pool.size if pool is not None else concurrency
        self.pool = pool
        self._slots = asyncio.Semaphore(self.concurrency)
        self._count = threading.Lock()
        self.running = 0  # jobs under way (in threads: abandoned ones included)
        self.answered = 0
        self.timed_out = 0

    def deadline(self) -> float:
        return time.monotonic() + self.timeout

    async def run(self, job: Callable[..., T], *args: Any, deadline: float | None = None) -> T:
        """``job(store, *args)``; :class:`QueryTimeout` after ``timeout`` (or at ``deadline``)."""
        loop = asyncio.get_running_loop()
        deadline = deadline or self.deadline()
        try:
            async with asyncio.timeout(max(deadline - time.monotonic(), 0.001)):
                await self._slots.acquire()
        except TimeoutError:
            self.timed_out += 1
            raise QueryTimeout(
                f"the server is busy: its {self.concurrency} query slots (kg serve --concurrency) stayed taken "
                f"for {self.timeout:g} s; try again shortly"
            ) from None
        future: asyncio.Future[T] = loop.create_future()

        def finish(value: Any, error: BaseException | None) -> None:
            self._slots.release()
            if future.done():
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(value)

        def target() -> None:
            value: Any = None
            error: BaseException | None = None
            try:
                with self.source.use() as lease:
                    if self.pool is not None and lease.location is not None:
                        value = self.pool.call(job, lease.location, args, deadline + _GRACE)
                    else:
                        value = job(lease.store, *args)
            except BaseException as exc:  # handed to the request below
                error = _detached(exc)
            with self._count:
                self.running -= 1
            with contextlib.suppress(RuntimeError):  # the event loop is gone: the server stopped meanwhile
                loop.call_soon_threadsafe(finish, value, error)

        with self._count:
            self.running += 1
        threading.Thread(target=target, name="kg-serve-job", daemon=True).start()
        try:
            async with asyncio.timeout(max(deadline + 2 * _GRACE - time.monotonic(), 0.001)):
                value = await asyncio.shield(future)
        except (TimeoutError, QueryTimeout):  # QueryTimeout: the job saw the deadline first
            self.timed_out += 1
            raise QueryTimeout(
                f"the query did not finish within {self.timeout:g} s (kg serve --timeout); narrow it, "
                "add a LIMIT, or run it with kg sparql"
            ) from None
        self.answered += 1
        return value

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
