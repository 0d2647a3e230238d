"""Whole tables read from a store: several SELECTs, two at a time on disk.

pyoxigraph evaluates a query without holding the GIL, so two threads use both cores: the 15
SELECTs of the event table took 21.3–22.6 s so against 31.9–33.8 s one after the other on the
100k-item bench store (two runs each). A SPARQL server gets them one by one, on the one connection.

>>> from pyoxigraph import NamedNode, Quad
>>> from kg.store import KgStore
>>> store = KgStore.memory()
>>> store.store.add(Quad(NamedNode("http://e/a"), NamedNode("http://e/p"), NamedNode("http://e/b")))
>>> select_rows(store, ["SELECT ?s ?o WHERE { ?s ?p ?o }", "SELECT ?s ?x WHERE { ?s ?p ?o }"])
[[('http://e/a', 'http://e/b')], [('http://e/a', None)]]
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kg.store.local import KgStore

__all__ = ["select_rows"]


def select_rows(store: KgStore, queries: Sequence[str]) -> list[list[tuple[Any, ...]]]:
    """The solutions of each SELECT of ``queries``, a row as the values of its variables in the
    query's order (str, or None where unbound)."""

    def read(query: str) -> list[tuple[Any, ...]]:
        return [tuple(None if term is None else term.value for term in row) for row in store.query(query)]

    if not store._local or len(queries) < 2:
        return [read(query) for query in queries]
    with ThreadPoolExecutor(2, thread_name_prefix="kg-read") as pool:
        return list(pool.map(read, queries))
