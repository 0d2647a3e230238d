"""Writing item graphs in a thread of its own while the next batch is extracted."""

from __future__ import annotations

import queue
import threading
from typing import TYPE_CHECKING, Any

from pyoxigraph import Literal, Quad

from kg.store import KgStore

if TYPE_CHECKING:
    pass

__all__ = ["Writer", "graph_hash"]


class Writer:
    """Writes batches to the store in a thread of its own, in order, one batch queued at most.

    pyoxigraph releases the GIL while it loads, so parsing and indexing one batch overlaps
    with extracting the next. An error in the writer is raised in the caller.
    """

    def __init__(self, store: KgStore, report: Any) -> None:
        """``report`` counts the items written (its ``items_written``), as a build's report does."""
        self.store = store
        self.report = report
        self.queue: queue.Queue[dict[str, bytes] | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.written = 0  # quads, as the store counted them
        self.thread = threading.Thread(target=self._run, name="kg-build-writer", daemon=True)

    def __enter__(self) -> Writer:
        self.thread.start()
        return self

    def _run(self) -> None:
        while (batch := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.written += self.store.load_graphs(batch)
                    self.report.items_written += len(batch)
                except BaseException as exc:  # handed to the caller
                    self.error = exc

    def put(self, batch: dict[str, bytes]) -> None:
        self._check()
        self.queue.put(batch)

    def _check(self) -> None:
        if self.error is not None:
            raise self.error

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.queue.put(None)  # batches already queued are still written, each whole
        self.thread.join()
        if exc_type is None:
            self._check()


def graph_hash(quads: list[Quad]) -> str:
    """The content hash a shared graph carries (its last quad, by construction)."""
    last = quads[-1].object if quads else None
    return last.value if isinstance(last, Literal) else ""
