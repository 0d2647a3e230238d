"""The store: pyoxigraph on disk (or in memory), one named graph per item.

Writers take an exclusive lock on ``STORE.lock`` beside the store folder, readers a shared
one, so a second writer gets a clear message instead of a RocksDB error, and a reader never
opens the files while a writer changes them.

Writes are atomic per item graph, so a killed build leaves every item graph whole or absent:

- :meth:`KgStore.replace_graphs` (pyoxigraph quads) adds new graphs in one transaction;
- :meth:`KgStore.load_graphs` (N-Quads in UTF-8, what ``kg build`` writes) adds them with
  ``Store.bulk_load``, three to four times faster than a transaction. A bulk load sorts what it
  is given into one set of RocksDB table files per index and ingests them with a single
  multi-column-family ``IngestExternalFiles`` call, which RocksDB applies atomically (recorded
  in one manifest write, all or nothing after a crash), as long as the call holds fewer quads
  than oxigraph's bulk batch (1,000,000 quads; see :data:`BULK_QUADS`), so each call holds at
  most :data:`BULK_QUADS` quads of whole graphs. A kill before the ingestion can leave unused
  ``*.sst`` files in the store folder, never a partial graph;
- a changed item's graph is replaced by one SPARQL update (drop + insert), which pyoxigraph
  applies atomically.

>>> store = KgStore.memory()
>>> from pyoxigraph import Quad, NamedNode, Literal
>>> g = "https://w3id.org/migkg/graph/item/x"
>>> store.replace_graphs({g: [Quad(NamedNode("http://e/s"), NamedNode("http://e/p"), Literal("1"), NamedNode(g))]})
1
>>> store.triple_count()
1
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, Quad, QuerySolutions, RdfFormat, Store, parse

from kg.errors import KgError
from kg.namespaces import MK, PREFIXES, PROV
from kg.sparql.text import declares_dataset
from kg.store.files import REPLACING, StoreLock, carry_over, exchange, files_signature, kept_beside, remove_stale

__all__ = ["BULK_QUADS", "DEFAULT_STORE", "KgStore"]

DEFAULT_STORE = os.environ.get("MIGKG_STORE", ".kg/store")

#: Quads per ``bulk_load`` call: below oxigraph's bulk batch (10**6), so that a call is one
#: atomic ingestion (see the module docstring).
BULK_QUADS = 500_000


class KgStore:
    """A pyoxigraph store with migkg's conventions (union default graph, graph replacement)."""

    _writes = 0  # writes through this object, for :meth:`at_close`
    _at_close: tuple[tuple[int, Callable[[], object]], ...] = ()

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
        """Flush, drop the RocksDB handle (pyoxigraph closes it when freed), run what :meth:`at_close`
        was given, release the lock."""
        if self._lock is not None:
            if self._lock.exclusive:
                self.store.flush()
            del self.store  # the handle must be gone before another open of the same folder
            gc.collect()
            try:
                for writes, action in self._at_close:
                    if writes == self._writes:
                        action()
            finally:
                self._at_close = ()
                self._lock.release()
                self._lock = None

    def at_close(self, action: Callable[[], object]) -> None:
        """Run ``action`` when this writer closes the store, unless it writes again before: the
        store's files are then final (closing changes them, so :meth:`version` too) and no other
        program can have written, as the lock is still held. For a file kept beside the store,
        keyed on its version, of something this writer has just read (the event table)."""
        if self._lock is not None and self._lock.exclusive:
            self._at_close = (*self._at_close, (self._writes, action))

    def __enter__(self) -> KgStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading --

    def query(
        self,
        query: str,
        substitutions: Mapping[Any, Any] | None = None,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> Any:
        """Run SPARQL (use :func:`kg.sparql.execute.execute`), the project prefixes predeclared,
        over ``default_graphs`` and ``named_graphs`` when given, else over the query's own
        ``FROM`` clauses, else with the union of all graphs as the default graph."""
        options: dict[str, Any] = {"prefixes": dict(PREFIXES), "substitutions": dict(substitutions or {})}
        if default_graphs:
            options["default_graph"] = [NamedNode(g) for g in default_graphs]
        elif not declares_dataset(query):
            options["use_default_graph_as_union"] = True
        if named_graphs:
            options["named_graphs"] = [NamedNode(g) for g in named_graphs]
        return self.store.query(query, **options)

    def version(self) -> str | None:
        """An identifier of the store's content, for caches of data derived from it; ``None`` in memory.

        A hash of :func:`files_signature`: every write changes it, whatever program makes it
        (RocksDB appends each change to a log and later to new, never reused, table files).
        Opening the store for writing changes it too, reading never does, so a cache keyed on
        it is never used for content it was not made from.
        """
        if self.location is None or not self._local:
            return None
        return hashlib.sha256(repr(files_signature(Path(self.location))).encode()).hexdigest()[:32]

    def beside(self, suffix: str) -> Path | None:
        """``STORE{suffix}``, a file kept beside an on-disk store (None in memory or on a server).
        The files beside a replacement (:meth:`replacement`) follow it when it takes the store's place.

        >>> KgStore.memory().beside(".same.sqlite") is None
        True
        """
        if self.location is None or not self._local:
            return None
        path = Path(self.location)
        return path.with_name(path.name + suffix)

    def fingerprints(self) -> dict[str, tuple[str, str]]:
        """``graph IRI -> (content hash, run IRI)`` for every graph that records them."""
        rows = self.store.query(
            f"SELECT ?g ?h ?run WHERE {{ GRAPH ?g {{ ?g <{MK['contentHash']}> ?h "
            f"OPTIONAL {{ ?g <{PROV['wasGeneratedBy']}> ?run }} }} }}"
        )
        assert isinstance(rows, QuerySolutions)
        return {row["g"].value: (row["h"].value, row["run"].value if row["run"] else "") for row in rows}

    def is_empty(self) -> bool:
        """Whether the store holds no quad at all (without counting them)."""
        return next(iter(self.store.quads_for_pattern(None, None, None, None)), None) is None

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
        self._writes += 1
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

    def load_graphs(self, graphs: Mapping[str, bytes]) -> int:
        """Like :meth:`replace_graphs`, each graph given as N-Quads in UTF-8 (every line in that graph).

        New graphs are bulk loaded, at most :data:`BULK_QUADS` quads per atomic call; existing
        ones are replaced by a SPARQL update each. Returns the quads written.
        """
        if not self._local:
            return self.replace_graphs({name: parse(data, format=RdfFormat.N_QUADS) for name, data in graphs.items()})
        self._writes += 1
        fresh: list[bytes] = []
        fresh_quads = written = 0
        for name, data in graphs.items():
            count = data.count(b"\n")
            written += count
            node = NamedNode(name)
            if self.store.contains_named_graph(node):
                body = data.decode().replace(f" {node} .\n", " .\n")
                self.store.update(f"DROP SILENT GRAPH {node} ;\nINSERT DATA {{ GRAPH {node} {{\n{body}\n}} }}")
                continue
            if fresh and fresh_quads + count > BULK_QUADS:
                self.store.bulk_load(b"".join(fresh), format=RdfFormat.N_QUADS)
                fresh, fresh_quads = [], 0
            fresh.append(data)
            fresh_quads += count
        if fresh:
            self.store.bulk_load(b"".join(fresh), format=RdfFormat.N_QUADS)
        return written

    def write_derived(self, graph: str, lines: list[str]) -> bool:
        """Write the derived ``graph`` (same stories, canonical events, summaries) as ``lines``
        (triples without the final dot), or remove it when there are none; whether anything was
        written: nothing is when the store already holds exactly that, and only the triples that
        differ are when it holds another version (a server's graph is replaced each time).

        >>> store, g = KgStore.memory(), "http://example.org/derived"
        >>> lines = ["<http://example.org/a> <http://example.org/p> <http://example.org/b>"]
        >>> store.write_derived(g, lines), store.write_derived(g, lines), store.graph_count()
        (True, False, 1)
        >>> store.write_derived(g, lines + ["<http://example.org/a> <http://example.org/p> <http://example.org/c>"])
        True
        >>> len(list(store.quads(g)))
        2
        >>> store.write_derived(g, []), store.write_derived(g, []), store.graph_count()
        (True, False, 0)
        """
        if not self._local:
            self.load_graphs({graph: _nquads(graph, sorted(set(lines))).encode()})
            return True
        node = NamedNode(graph)
        if not self.store.contains_named_graph(node):
            if not lines:
                return False
            self._load_triples(node, lines)
            return True
        if not lines:
            self._writes += 1
            self.store.remove_graph(node)
            return True
        held = [f"{q.subject} {q.predicate} {q.object}" for q in self.quads(graph)]
        return self.change_derived(graph, held, lines)

    def add_derived(self, graph: str, lines: list[str]) -> bool:
        """Add ``lines`` (as :meth:`write_derived` takes them) to a derived ``graph`` that holds
        none of them, by bulk load: a new graph written in parts, each loaded while the next is
        made; whether anything was added.

        >>> store, g = KgStore.memory(), "http://example.org/derived"
        >>> store.add_derived(g, ['<http://example.org/a> <http://example.org/p> "1"']), store.triple_count()
        (True, 1)
        """
        if not lines:
            return False
        if not self._local:
            held = [f"{q.subject} {q.predicate} {q.object}" for q in self.quads(graph)]
            return self.write_derived(graph, held + lines)
        self._load_triples(NamedNode(graph), lines)
        return True

    def _load_triples(self, graph: NamedNode, lines: Iterable[str]) -> None:
        """Bulk load ``lines`` (triples without the final dot) into ``graph``, as N-Triples text
        (making a Quad of each line took seconds) written to a file first, :data:`BULK_QUADS`
        lines a call: one bulk load of the 1.4M triples of 100,000 items' canonical events took a
        gigabyte more, and its text and bytes half a gigabyte."""
        held = iter(lines)
        self._writes += 1
        with tempfile.TemporaryDirectory(prefix="migkg-derived-") as folder:
            path = Path(folder) / "triples.nt"
            while part := list(itertools.islice(held, BULK_QUADS)):
                with path.open("w", encoding="utf-8") as out:
                    out.writelines(f"{line} .\n" for line in part)
                self.store.bulk_load(path=str(path), format=RdfFormat.N_TRIPLES, to_graph=graph)

    def change_derived(self, graph: str, removed: list[str], added: list[str]) -> bool:
        """Remove the triples ``removed`` from the derived ``graph`` and add ``added`` (lines as
        :meth:`write_derived` takes them), in one transaction; whether the graph changed. For a
        few canonical events among many: the rest of the graph is neither read nor written.

        >>> store, g = KgStore.memory(), "http://example.org/derived"
        >>> a = "<http://example.org/a> <http://example.org/p> <http://example.org/b>"
        >>> b = "<http://example.org/a> <http://example.org/p> 1"
        >>> store.change_derived(g, [], [a]), store.change_derived(g, [a], [b]), store.change_derived(g, [b], [b])
        (True, True, False)
        >>> [str(q.object) for q in store.quads(g)]
        ['"1"^^<http://www.w3.org/2001/XMLSchema#integer>']
        """
        gone, new = set(removed), set(added)
        if gone == new:
            return False
        parts = []
        for verb, lines in (("DELETE", gone - new), ("INSERT", new - gone)):
            if lines:
                triples = "".join(f"{line} .\n" for line in sorted(lines))
                parts.append(f"{verb} DATA {{ GRAPH <{graph}> {{\n{triples}}} }}")
        self._writes += 1
        self.store.update(" ;\n".join(parts))  # one update: applied whole or not at all
        return True

    def optimize(self) -> None:
        """Compact the store's files: many bulk loads leave many small RocksDB tables, which slow
        every read (a full export of a freshly built 1.7M-quad store: 68 s, 15 s compacted)."""
        if self._local:
            self.store.optimize()

    @property
    def _local(self) -> bool:
        """Whether this is pyoxigraph's own store (a subclass such as ``RemoteStore`` writes elsewhere)."""
        return type(self).replace_graphs is KgStore.replace_graphs

    def clear(self) -> None:
        self._writes += 1
        self.store.clear()

    @contextlib.contextmanager
    def replacement(self) -> Iterator[KgStore]:
        """A new, empty store to build into, swapped in for this one's content when the block ends
        without an error (``kg build --replace``); an error or a kill before then leaves this store
        as it was.

        On disk the new store is a folder beside this one (``STORE.replacing-PID``), exchanged with
        it by one rename when complete; the folders of replacements that were killed are removed by
        the next one. The lock on ``STORE.lock`` is held throughout.
        """
        self._writes += 1
        if self.location is None:
            fresh = KgStore.memory()
            yield fresh
            self.store = fresh.store
            return
        path = Path(self.location)
        remove_stale(path, REPLACING)
        side = path.with_name(f"{path.name}{REPLACING}{os.getpid()}")
        shutil.rmtree(side, ignore_errors=True)
        for left in kept_beside(side):  # of an earlier process that had this one's PID
            left.unlink(missing_ok=True)
        fresh = KgStore(Store(str(side)), str(side))
        try:
            yield fresh
            fresh.store.flush()
        except BaseException:
            del fresh.store  # RocksDB's handle must be gone before its folder is removed
            gc.collect()
            shutil.rmtree(side, ignore_errors=True)
            for left in kept_beside(side):
                left.unlink(missing_ok=True)
            raise
        del fresh.store, self.store  # ... and before a folder moves
        gc.collect()
        try:
            exchange(side, path)
        finally:
            self.store = Store(str(path))
        carry_over(side, path)  # what was kept beside the replacement describes the store now
        shutil.rmtree(side, ignore_errors=True)  # the old store, now in the side folder


def _nquads(graph: str, lines: Iterable[str]) -> str:
    return "".join(f"{line} <{graph}> .\n" for line in lines)
