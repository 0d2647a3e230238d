"""The store: pyoxigraph on disk (or in memory), one named graph per item.

Writers take an exclusive lock on ``STORE.lock`` beside the store folder, readers a shared
one, so a second writer gets a clear message instead of a RocksDB error, and a reader never
opens the files while a writer changes them. Each batch of new item graphs is written in one
transaction; a changed item's graph is replaced by one SPARQL update (drop + insert), which
pyoxigraph applies atomically. A killed build leaves every item graph whole or absent.

>>> store = KgStore.memory()
>>> from pyoxigraph import Quad, NamedNode, Literal
>>> g = "https://w3id.org/migkg/graph/item/x"
>>> store.replace_graphs({g: [Quad(NamedNode("http://e/s"), NamedNode("http://e/p"), Literal("1"), NamedNode(g))]})
1
>>> store.triple_count()
1
"""

from __future__ import annotations

import fcntl
import gc
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from pyoxigraph import NamedNode, Quad, Store

from kg.errors import KgError
from kg.namespaces import MK, PROV

__all__ = ["DEFAULT_STORE", "KgStore", "open_store"]

DEFAULT_STORE = os.environ.get("MIGKG_STORE", ".kg/store")


class StoreLock:
    """An advisory ``flock`` on ``STORE.lock``: exclusive for writers, shared for readers."""

    def __init__(self, store_path: Path, exclusive: bool) -> None:
        self.path = store_path.with_name(store_path.name + ".lock")
        self.exclusive = exclusive
        self.handle: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, (fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            store = self.path.with_suffix("")
            if self.exclusive:
                raise KgError(
                    f"store {store} is in use by another process ({holder}); "
                    "wait for it to finish or pass another --store"
                ) from None
            raise KgError(
                f"store {store} is being written by another process ({holder}); try again when it has finished"
            ) from None
        if self.exclusive:
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}")
            handle.flush()
        self.handle = handle

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


class KgStore:
    """A pyoxigraph store with migkg's conventions (union default graph, graph replacement)."""

    def __init__(self, store: Store, location: str | None, lock: StoreLock | None = None) -> None:
        self.store = store
        self.location = location
        self._lock = lock

    # -- opening --

    @classmethod
    def memory(cls) -> KgStore:
        return cls(Store(), None)

    @classmethod
    def open(cls, location: str | os.PathLike[str], *, write: bool) -> KgStore:
        path = Path(location)
        if not write and not path.exists():
            raise KgError(f"no store at {path}; run `kg build` first or pass --store")
        lock = StoreLock(path, exclusive=write)
        lock.acquire()
        try:
            if write:
                path.parent.mkdir(parents=True, exist_ok=True)
                store = Store(str(path))
            else:
                store = Store.read_only(str(path))
        except OSError as exc:
            lock.release()
            raise KgError(f"cannot open store {path}: {exc}") from None
        return cls(store, str(path), lock)

    def close(self) -> None:
        """Flush, drop the RocksDB handle (pyoxigraph closes it when freed), release the lock."""
        if self._lock is not None:
            if self._lock.exclusive:
                self.store.flush()
            del self.store  # the handle must be gone before another open of the same folder
            gc.collect()
            self._lock.release()
            self._lock = None

    def __enter__(self) -> KgStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading --

    def query(self, query: str, substitutions: Mapping[Any, Any] | None = None) -> Any:
        """Run SPARQL with the union of all graphs as the default graph."""
        return self.store.query(query, use_default_graph_as_union=True, substitutions=dict(substitutions or {}))

    def fingerprints(self) -> dict[str, tuple[str, str]]:
        """``graph IRI -> (content hash, run IRI)`` for every graph that records them."""
        rows = self.store.query(
            f"SELECT ?g ?h ?run WHERE {{ GRAPH ?g {{ ?g <{MK['contentHash']}> ?h "
            f"OPTIONAL {{ ?g <{PROV['wasGeneratedBy']}> ?run }} }} }}"
        )
        return {row["g"].value: (row["h"].value, row["run"].value if row["run"] else "") for row in rows}

    def graph_count(self) -> int:
        return sum(1 for _ in self.store.named_graphs())

    def triple_count(self) -> int:
        return len(self.store)

    def quads(self, graph: str | None = None) -> Iterator[Quad]:
        return self.store.quads_for_pattern(None, None, None, NamedNode(graph) if graph else None)

    # -- writing --

    def replace_graphs(self, graphs: Mapping[str, Iterable[Quad]]) -> int:
        """Write each graph whole, replacing what the store had under its name.

        New graphs are added in one transaction; existing ones are replaced by a single
        SPARQL update each (drop + insert, applied atomically). Returns the quads written.
        """
        fresh: list[Quad] = []
        written = 0
        for name, quads in graphs.items():
            quad_list = list(quads)
            written += len(quad_list)
            node = NamedNode(name)
            if self.store.contains_named_graph(node):
                body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quad_list)
                self.store.update(f"DROP SILENT GRAPH {node} ;\nINSERT DATA {{ GRAPH {node} {{\n{body}\n}} }}")
            else:
                fresh.extend(quad_list)
        if fresh:
            self.store.extend(fresh)
        return written

    def clear(self) -> None:
        self.store.clear()


def open_store(location: str | None, *, write: bool = False) -> KgStore:
    """Open ``location``: a folder, ``:memory:`` for a throw-away store, or the
    ``http(s)://`` URL of a SPARQL 1.1 server (:class:`kg.remote.RemoteStore`)."""
    if location in (None, ":memory:"):
        return KgStore.memory()
    if str(location).startswith(("http://", "https://")):
        from kg.remote import RemoteStore

        return RemoteStore(str(location))
    return KgStore.open(location, write=write)
