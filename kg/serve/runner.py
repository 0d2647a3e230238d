"""Running queries for the server: worker threads, a timeout, a cap on rows, bytes out.

pyoxigraph cannot cancel a query, but it releases the GIL while it evaluates, so each query
runs in a thread of its own and the event loop stays free for other requests. A request waits
at most ``timeout`` seconds, for a free slot and for its answer together, then gets 503. Its
thread is abandoned: a query that streams rows notices the deadline at the next rows and
stops; one that computes before it yields (ORDER BY, GROUP BY over a huge join) runs to its
end. At most ``concurrency`` threads run at once, abandoned ones included, so runaway
queries cost at most that many cores and new requests wait for a slot (then 503) instead of
piling up threads.

Rows are capped at ``max_rows`` (SELECT solutions, CONSTRUCT/DESCRIBE triples): the first ones
are kept, evaluation stops there, and :class:`Answer` says the result was truncated.

>>> from kg.store import KgStore
>>> from kg.serve.protocol import WireFormat
>>> answer = execute(KgStore.memory(), "SELECT ?n WHERE { VALUES ?n { 1 2 3 } }",
...                  choose=lambda rows: WireFormat.CSV, max_rows=2)
>>> answer.body, answer.rows, answer.truncated
(b'n\\r\\n1\\r\\n2\\r\\n', 2, True)
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    parse_query_results,
    serialize,
)

from kg.errors import KgError
from kg.namespaces import PREFIXES
from kg.queries import evaluate as kept_or_evaluated
from kg.serve.protocol import ProtocolError, WireFormat
from kg.serve.snapshot import Source
from kg.store import KgStore

__all__ = ["Answer", "QueryTimeout", "Runner", "declares_dataset", "evaluate", "execute", "syntax_message"]

T = TypeVar("T")

# How many rows a worker produces between two looks at the clock.
_CHECK_EVERY = 512


# Strings, IRIs and comments, so that a FROM inside them is not taken for a dataset clause.
_OPAQUE = re.compile(r"'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|<[^<>\s]*>|#[^\n]*", re.S)
_FROM = re.compile(r"\bFROM\s+(?:NAMED\s+)?(?:<|[A-Za-z_][\w.-]*:|:)", re.I)


def declares_dataset(query: str) -> bool:
    """Whether ``query`` has its own FROM or FROM NAMED clause (then it is not given the union).

    >>> declares_dataset("SELECT * FROM <http://g/1> WHERE { ?s ?p ?o }")
    True
    >>> declares_dataset('SELECT * WHERE { ?s ?p "FROM <x>" } # FROM <y>')
    False
    """
    blanked = _OPAQUE.sub(lambda m: "<>" if m[0].startswith("<") else " ", query)
    return bool(_FROM.search(blanked))


_ERROR_AT = re.compile(r"error at (\d+):(\d+): (.*)", re.S)
_EXPECTED = re.compile(r'"(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^,\s][^,]*')


def _expected(items: str) -> str:
    """The parser's alternatives without its character classes (``['A' ..= 'Z' | ...]``)."""
    found = [item.strip() for item in _EXPECTED.findall(items)]
    kept = [item for item in found if not item.startswith("[")]
    if len(kept) < len(found):
        kept.append("a name or number")
    return ", ".join(kept)


def syntax_message(error: SyntaxError) -> tuple[str, int | None, int | None]:
    """pyoxigraph's parse error as one sentence, with its line and column when it gives them.

    >>> syntax_message(SyntaxError("error at 2:7: expected one of HAVING, LIMIT, ['0'..='9']"))
    ('SPARQL syntax error at line 2, column 7: expected one of HAVING, LIMIT, a name or number', 2, 7)
    """
    text = str(error)
    match = _ERROR_AT.fullmatch(text)
    if not match:
        return f"SPARQL syntax error: {text}", None, None
    detail = " ".join(match[3].split())
    if "Prefix not found" in detail:
        detail = "undeclared prefix (add a PREFIX line)"
    elif detail.startswith("expected one of "):
        detail = "expected one of " + _expected(detail.removeprefix("expected one of "))
    return f"SPARQL syntax error at line {match[1]}, column {match[2]}: {detail}", int(match[1]), int(match[2])


class QueryTimeout(KgError):
    """A query that did not finish in time (503)."""


@dataclass(frozen=True)
class Answer:
    """A serialized result: the body, its format, and how many rows (or triples) it holds."""

    body: bytes
    format: WireFormat
    rows: int | None = None
    truncated: bool = False
    seconds: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


def evaluate(
    store: KgStore,
    query: str,
    *,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    substitutions: Mapping[Any, Any] | None = None,
) -> Any:
    """Start ``query`` on ``store``: the protocol dataset if given, else the query's own FROM
    clauses, else the union of all graphs as the default graph. The project prefixes (mk:,
    schema:, ctry:, ...) are predeclared, as in ``kg sparql``.

    A syntax error becomes a 400 :class:`ProtocolError` naming line and column.
    """
    options: dict[str, Any] = {"prefixes": dict(PREFIXES), "substitutions": dict(substitutions or {})}
    if default_graphs:
        options["default_graph"] = [NamedNode(g) for g in default_graphs]
    elif not declares_dataset(query):
        options["use_default_graph_as_union"] = True
    if named_graphs:
        options["named_graphs"] = [NamedNode(g) for g in named_graphs]
    try:
        return store.store.query(query, **options)
    except SyntaxError as exc:
        message, line, column = syntax_message(exc)
        where = {"X-Migkg-Error-Line": str(line), "X-Migkg-Error-Column": str(column)} if line else {}
        raise ProtocolError(400, message, where) from None
    except OSError as exc:
        raise KgError(f"query failed: {exc}") from None


def _collect(items: Any, max_rows: int, deadline: float | None) -> tuple[list[Any], bool]:
    kept: list[Any] = []
    for item in items:
        if len(kept) >= max_rows:
            return kept, True
        if deadline is not None and len(kept) % _CHECK_EVERY == 0 and time.monotonic() > deadline:
            raise QueryTimeout("the query ran out of time")
        kept.append(item)
    return kept, False


def _tsv_term(term: Any) -> str:
    return "" if term is None else str(term)


def _serialize_rows(variables: list[str], rows: list[Any], fmt: WireFormat) -> bytes:
    """Solutions in ``fmt``, written by pyoxigraph: the kept rows go through its TSV reader,
    whose cells are N-Triples terms (``str(term)``), so nothing is lost on the way."""
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join(_tsv_term(row[i]) for i in range(len(variables))) for row in rows]
    solutions = parse_query_results("\n".join(lines) + "\n", QueryResultsFormat.TSV)
    assert isinstance(solutions, QuerySolutions)
    return _written(solutions.serialize(format=fmt.results_format))


def _written(data: bytes | None) -> bytes:
    """What a pyoxigraph serializer returned when given no output file (always bytes)."""
    assert data is not None
    return data


def execute(
    store: KgStore,
    query: str,
    *,
    choose: Callable[[bool], WireFormat | None],
    max_rows: int,
    deadline: float | None = None,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    substitutions: Mapping[Any, Any] | None = None,
    keep: bool = False,
) -> Answer:
    """Evaluate and serialize ``query``; ``choose(for_rows)`` picks the format (None: 406).

    With ``keep`` (a named query: no protocol dataset, no substitutions), slow results are kept
    beside the store and read from there next time, as by ``kg query`` (:func:`kg.queries.evaluate`).
    """
    started = time.monotonic()
    if keep and not (default_graphs or named_graphs or substitutions):
        result = kept_or_evaluated(store, query)
    else:
        result = evaluate(
            store, query, default_graphs=default_graphs, named_graphs=named_graphs, substitutions=substitutions
        )
    for_rows = not isinstance(result, QueryTriples)
    fmt = choose(for_rows)
    if fmt is None:
        what = "SELECT and ASK results" if for_rows else "CONSTRUCT and DESCRIBE graphs"
        offered = ", ".join(f.value for f in WireFormat if f.for_rows == for_rows)
        raise ProtocolError(406, f"none of the accepted types fits; {what} come as {offered}")
    if isinstance(result, QueryBoolean):
        body = _written(result.serialize(format=fmt.results_format))
        return Answer(body, fmt, seconds=time.monotonic() - started)
    if isinstance(result, QuerySolutions):
        variables = [v.value for v in result.variables]
        rows, truncated = _collect(result, max_rows, deadline)
        body = _serialize_rows(variables, rows, fmt)
        return Answer(body, fmt, len(rows), truncated, time.monotonic() - started)
    triples, truncated = _collect(result, max_rows, deadline)
    prefixes = dict(PREFIXES) if fmt in (WireFormat.TURTLE, WireFormat.RDFXML) else None
    body = _written(serialize(triples, format=fmt.rdf_format, prefixes=prefixes))
    return Answer(body, fmt, len(triples), truncated, time.monotonic() - started)


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
    """Runs work on the source's store in worker threads, within ``timeout`` seconds each."""

    def __init__(self, source: Source, *, timeout: float = 30.0, max_rows: int = 100_000, concurrency: int = 4) -> None:
        self.source = source
        self.timeout = timeout
        self.max_rows = max_rows
        self.concurrency = concurrency
        self._slots = asyncio.Semaphore(concurrency)
        self._count = threading.Lock()
        self.running = 0  # worker threads alive, abandoned ones included
        self.answered = 0
        self.timed_out = 0

    async def run(self, work: Callable[[KgStore, float], T]) -> T:
        """``work(store, deadline)`` in a worker thread; :class:`QueryTimeout` after ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + self.timeout
        try:
            async with asyncio.timeout(self.timeout):  # unlike wait_for, never loses a slot it got
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
                with self.source.use() as store:
                    value = work(store, deadline)
            except BaseException as exc:  # handed to the request below
                error = _detached(exc)
            with self._count:
                self.running -= 1
            with contextlib.suppress(RuntimeError):  # the event loop is gone: the server stopped meanwhile
                loop.call_soon_threadsafe(finish, value, error)

        with self._count:
            self.running += 1
        threading.Thread(target=target, name="kg-serve-query", daemon=True).start()
        try:
            async with asyncio.timeout(max(deadline - time.monotonic(), 0.001)):
                value = await asyncio.shield(future)
        except (TimeoutError, QueryTimeout):  # QueryTimeout: the worker saw the deadline first
            self.timed_out += 1
            raise QueryTimeout(
                f"the query did not finish within {self.timeout:g} s (kg serve --timeout); narrow it, "
                "add a LIMIT, or run it with kg sparql"
            ) from None
        self.answered += 1
        return value
