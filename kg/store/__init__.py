"""The store: pyoxigraph on disk (:mod:`kg.store.local`), in memory, or a SPARQL 1.1 server reached
over HTTP (:mod:`kg.store.remote`); the files kept beside a store folder are :mod:`kg.store.files`'.

>>> store = open_store(":memory:")
>>> store.triple_count()
0
"""

from __future__ import annotations

import time

from kg.errors import KgError, UsageError
from kg.store.files import files_signature, process_alive, serving, write_whole
from kg.store.local import BULK_QUADS, DEFAULT_STORE, KgStore

__all__ = [
    "BULK_QUADS",
    "DEFAULT_STORE",
    "KgStore",
    "files_signature",
    "open_for_writing",
    "open_store",
    "process_alive",
    "serving",
    "write_whole",
]


def open_store(location: str | None, *, write: bool = False) -> KgStore:
    """Open ``location``: a folder, ``:memory:`` for a throw-away store, or the
    ``http(s)://`` URL of a SPARQL 1.1 server (:class:`kg.store.remote.RemoteStore`)."""
    if location in (None, ":memory:"):
        return KgStore.memory()
    if str(location).startswith(("http://", "https://")):
        from kg.store.remote import RemoteStore  # imported here: http.client only when asked

        return RemoteStore(str(location))
    return KgStore.open(location, write=write)


def open_for_writing(location: str, *, patience: float = 10.0) -> KgStore:
    """``open_store(location, write=True)``, waiting while a ``kg serve`` of it takes a snapshot.

    A snapshot holds the lock for milliseconds, so a build that starts then waits (up to
    ``patience`` seconds) rather than failing; with no server, this is ``open_store``.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            return open_store(location, write=True)
        except UsageError:
            raise
        except KgError:
            if time.monotonic() >= deadline or location in (None, ":memory:") or not serving(location):
                raise
            time.sleep(0.05)
