"""What ``kg serve`` allows a query, an answer and a connection: one record, with its defaults.

The command line builds a :class:`ServeLimits` from its options (``kg serve --help``, whose
defaults are the ones here; docs/serve.md, "Security"), and :func:`kg.serve.app.create_app` and
:func:`kg.serve.server.serve` take it whole.

>>> limits = ServeLimits(timeout=10, max_rows=5000)
>>> limits.query.timeout, limits.query.max_chars, limits.max_rows, limits.max_bytes
(10, 262144, 5000, 33554432)
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.sandbox import Limits

__all__ = ["ServeLimits"]


@dataclass(frozen=True)
class ServeLimits:
    """The limits of ``kg serve``; each field is the option of the same name (``memory_mb`` is
    ``--memory``), except ``answer_budget`` and ``max_body``, which have none."""

    # -- a query, evaluated in a worker process (kg.sandbox) --
    timeout: float = 30.0  # seconds; then its worker is stopped and the request gets 503
    memory_mb: int = 512  # memory a query may add to its worker; past it, 503
    concurrency: int = 2  # worker processes: queries evaluated at once
    max_query_chars: int = 256 * 1024  # longer query texts get 413 before parsing
    max_depth: int = 128  # deeper nesting of {, ( and [ gets 400 before parsing
    allow_service: frozenset[str] = frozenset()  # endpoints SERVICE may query; any other gets 403

    # -- an answer --
    max_rows: int = 100_000  # rows (or triples) per answer; the rest is cut and the answer says so
    max_bytes: int = 32 << 20  # bytes per answer, whole rows
    answer_budget: int = 256 << 20  # bytes of all answers in flight together (at least max_bytes)
    max_body: int = 1 << 20  # a query or form sent in a bigger request body gets 413

    # -- a connection (kg.serve.server.GuardedH11Protocol) --
    max_connections: int = 512  # open at once; beyond it the oldest one still sending a request goes
    read_timeout: float = 10.0  # seconds to send a whole request; then the connection is closed
    write_timeout: float = 30.0  # seconds a client may read nothing of its answer; then it is dropped

    @property
    def query(self) -> Limits:
        """What each query may be and do, as :func:`kg.sandbox.check` and the workers read it."""
        return Limits(
            max_chars=self.max_query_chars,
            max_depth=self.max_depth,
            timeout=self.timeout,
            memory_mb=self.memory_mb,
            allow_service=self.allow_service,
        )
