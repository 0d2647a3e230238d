"""What the server reads: a private snapshot of the store, renewed when ``kg build`` has written.

The locking model (docs/serve.md tells it for users). ``STORE.lock`` is an advisory ``flock``:
``kg build`` holds it exclusively while it writes, ``kg sparql`` and the other readers hold it
shared while they read, and pyoxigraph must not open a store that another process is writing.
A server that kept the store open would therefore lock ``kg build`` out for as long as it runs.
So ``kg serve`` never keeps the live store open:

1. It takes a **snapshot**: under the exclusive lock (so no build is half-way through, and the
   write-ahead log of a killed build is recovered), it opens the store, writes a RocksDB
   checkpoint into ``STORE.serve-PID/snapshot-N`` (hard links to the immutable table files: a
   few milliseconds and almost no disk), closes the store and releases the lock.
2. It answers every query from the newest snapshot, opened read-only. Nobody else writes
   there, so reading it is well defined, however long a query runs.
3. Before a request (at most every ``interval`` seconds) it looks at the store folder; when
   its files changed and no writer holds the lock, it takes a new snapshot. Requests already
   running finish on the old one, which is deleted when the last of them ends. While a build
   holds the lock, the server keeps answering from the last snapshot.

A reader therefore sees each item graph as it was before a build or after it, never half of
it; counts only grow (or shrink after ``kg build --replace``) from one snapshot to the next. A
``kg build`` that starts in the few milliseconds a snapshot holds the lock waits for it
(:func:`kg.store.open_for_writing`) instead of failing.

>>> source = FixedSource(KgStore.memory())
>>> with source.use() as lease:
...     lease.store.triple_count()
0
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from pyoxigraph import Store

from kg.errors import KgError
from kg.store import KgStore, files_signature
from kg.store.files import SERVING, StoreLock, remove_stale

__all__ = ["FixedSource", "Lease", "SnapshotSource", "Source"]


class Lease:
    """A store lent for one request: the folder a worker process may open read-only
    (``location``; None when there is none), or the store opened in this process (``store``,
    opened when first asked for)."""

    def __init__(self, location: str | None, opener: Callable[[], KgStore]) -> None:
        self.location = location
        self._opener = opener

    @property
    def store(self) -> KgStore:
        return self._opener()


class Source(Protocol):
    """Where queries run: :meth:`use` lends a store for one request."""

    def use(self) -> contextlib.AbstractContextManager[Lease]: ...

    def describe(self) -> dict[str, object]: ...

    def close(self) -> None: ...


class FixedSource:
    """One store opened by the caller (in memory in tests): requests use it in this process."""

    def __init__(self, store: KgStore) -> None:
        self.store = store

    @contextlib.contextmanager
    def use(self) -> Iterator[Lease]:
        yield Lease(None, lambda: self.store)

    def describe(self) -> dict[str, object]:
        return {}

    def close(self) -> None:
        pass


@dataclass
class _Snapshot:
    directory: Path
    generation: int
    taken: datetime
    signature: tuple[tuple[str, int, int], ...]
    store: KgStore | None = None
    users: int = 0
    retired: bool = False
    _opening: threading.Lock = field(default_factory=threading.Lock)

    def opened(self) -> KgStore:
        """The snapshot opened read-only in this process (only where jobs run in threads)."""
        with self._opening:
            if self.store is None:
                self.store = KgStore(Store.read_only(str(self.directory)), str(self.directory))
            return self.store

    def drop(self) -> None:
        self.store = None
        gc.collect()  # pyoxigraph closes RocksDB when the handle is freed; then the files may go
        shutil.rmtree(self.directory, ignore_errors=True)
        for beside in self.directory.parent.glob(f"{self.directory.name}.*"):  # its event table, kept results
            if beside.is_dir():
                shutil.rmtree(beside, ignore_errors=True)
            else:
                beside.unlink(missing_ok=True)


class SnapshotSource:
    """Queries run on a private, read-only snapshot of the store folder at ``path``.

    ``interval`` is how often (seconds) a request may look for a newer store. ``on_wait`` is
    told once when the first snapshot has to wait for a writer.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        interval: float = 0.5,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.interval = interval
        self.on_wait = on_wait
        self.root = self.path.with_name(f"{self.path.name}{SERVING}{os.getpid()}")  # made unique by start()
        self._current: _Snapshot | None = None
        self._generation = 0
        self._checked = 0.0
        self._closed = False
        self._state = threading.Lock()  # guards _current and the users counts
        self._refreshing = threading.Lock()  # one snapshot at a time

    # -- life cycle --

    def start(self, *, patience: float | None = None) -> SnapshotSource:
        """Take the first snapshot, waiting up to ``patience`` seconds (None: as long as it takes)
        for a build that holds the store to finish."""
        if not self.path.is_dir():
            raise KgError(f"no store at {self.path}; run `kg build` first or pass --store")
        remove_stale(self.path, SERVING)  # snapshot folders of servers that were killed
        self.root = Path(tempfile.mkdtemp(prefix=f"{self.path.name}{SERVING}{os.getpid()}-", dir=self.path.parent))
        deadline = None if patience is None else time.monotonic() + patience
        told = False
        while not self.refresh():
            if deadline is not None and time.monotonic() >= deadline:
                self.close()
                raise KgError(f"store {self.path} stayed locked by another process; try again when it has finished")
            if not told and self.on_wait:
                self.on_wait(f"waiting for {self.path} to be free (a build or a reader has it open)")
                told = True
            time.sleep(0.2)
        return self

    def __enter__(self) -> SnapshotSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Forget the current snapshot and remove the snapshot folder (queries still running keep theirs)."""
        with self._state:
            self._closed = True
            old, self._current = self._current, None
            if old is not None:
                old.retired = True
            idle = old is None or old.users == 0
        if idle:
            if old is not None:
                old.drop()
            shutil.rmtree(self.root, ignore_errors=True)

    # -- reading --

    @contextlib.contextmanager
    def use(self) -> Iterator[Lease]:
        """The newest snapshot, for one request (look for a newer store first, at most every ``interval``)."""
        self.maybe_refresh()
        with self._state:
            snapshot = self._current
            if snapshot is None:
                raise KgError("the server is shutting down")
            snapshot.users += 1
        try:
            yield Lease(str(snapshot.directory), snapshot.opened)
        finally:
            with self._state:
                snapshot.users -= 1
                done = snapshot.retired and snapshot.users == 0
            if done:
                snapshot.drop()
                if self._closed:
                    shutil.rmtree(self.root, ignore_errors=True)

    def describe(self) -> dict[str, object]:
        """Which snapshot requests use now (its number and when it was taken)."""
        self.maybe_refresh()
        snapshot = self._current
        if snapshot is None:
            return {}
        return {"snapshot": snapshot.generation, "taken": snapshot.taken.isoformat(timespec="seconds")}

    # -- renewing --

    def maybe_refresh(self) -> None:
        now = time.monotonic()
        if self._closed or now - self._checked < self.interval:
            return
        self._checked = now
        current = self._current
        if current is not None and files_signature(self.path) == current.signature:
            return
        self.refresh()

    def refresh(self) -> bool:
        """Take a new snapshot now if no other process holds the store; False if one does."""
        if not self._refreshing.acquire(blocking=False):
            return self._current is not None  # another request is taking one
        try:
            if not self.path.is_dir():  # removed (to rebuild it?): opening it would make an empty store
                return False
            lock = StoreLock(self.path, exclusive=True)
            try:
                lock.acquire()
            except KgError:
                return False  # a build (or a reader) holds it: keep serving the last snapshot
            try:
                if self._current is not None and files_signature(self.path) == self._current.signature:
                    return True  # a writer came and went without changing anything
                self._generation += 1
                target = self.root / f"snapshot-{self._generation:06d}"
                try:
                    _checkpoint(self.path, target)
                except (OSError, RuntimeError) as exc:
                    shutil.rmtree(target, ignore_errors=True)
                    raise KgError(f"cannot snapshot store {self.path}: {exc}") from None
                fresh = _Snapshot(target, self._generation, datetime.now(UTC), files_signature(self.path))
            finally:
                lock.release()
            old: _Snapshot | None
            with self._state:
                if self._closed:
                    old, fresh.retired = fresh, True
                else:
                    old, self._current = self._current, fresh
                    if old is not None:
                        old.retired = True
                idle = old is not None and old.users == 0
            if old is not None and idle:
                old.drop()
            return True
        finally:
            self._refreshing.release()


def _checkpoint(store: Path, target: Path) -> None:
    """A RocksDB checkpoint of ``store`` in ``target`` (hard links to its table files)."""
    live = Store(str(store))
    try:
        live.backup(str(target))
    finally:
        del live
        gc.collect()  # RocksDB is closed when the handle is freed: before the caller releases the lock
