"""Running a query: :func:`execute`, the one function through which the command line, the
library (:func:`kg.query`, named queries) and ``kg serve`` ask a store anything.

The project prefixes (``mk:``, ``schema:``, ``ctry:``, ... :data:`kg.namespaces.PREFIXES`) are
predeclared; the default graph is the union of all graphs unless the query names its dataset
(``FROM``) or the caller does (the SPARQL protocol's ``default-graph-uri``); a syntax error is one
line with its position; results of slow named queries can be kept beside the store.

>>> from kg.store import KgStore
>>> [s["n"].value for s in execute(KgStore.memory(), "SELECT (COUNT(*) AS ?n) WHERE { ?i a mk:NewsItem }")]
['0']
>>> try:
...     execute(KgStore.memory(), "SELECT * WHERE { ?s a x:Y }")
... except QuerySyntaxError as error:
...     print(error.line, error.column, str(error)[42:83])
1 26 undeclared prefix 'x:' (add a PREFIX line
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pyoxigraph import QueryResultsFormat, QuerySolutions, parse_query_results

from kg.errors import KgError, QuerySyntaxError
from kg.sparql.text import syntax_message
from kg.store import write_whole

__all__ = ["KEEP_AFTER", "execute", "within"]

T = TypeVar("T")


def execute(
    store: Any,
    text: str,
    *,
    keep: bool = False,
    substitutions: Mapping[Any, Any] | None = None,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
) -> Any:
    """The results of the SPARQL query ``text`` over ``store`` (embedded or remote), as pyoxigraph
    gives them (evaluated lazily, as they are read). With ``keep``, the rows of a query that took
    :data:`KEEP_AFTER` or longer are kept beside an on-disk store for the next ask (a named
    query's aggregates; see :func:`_kept_or_evaluated`)."""
    if keep and not substitutions and not default_graphs and not named_graphs:
        return _kept_or_evaluated(store, text)
    return _run(store, text, substitutions, default_graphs, named_graphs)


def _run(
    store: Any,
    text: str,
    substitutions: Mapping[Any, Any] | None = None,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
) -> Any:
    try:
        return store.query(text, substitutions, default_graphs=default_graphs, named_graphs=named_graphs)
    except SyntaxError as exc:
        raise QuerySyntaxError(*syntax_message(exc, text)) from None
    except OSError as exc:
        raise KgError(f"query failed: {exc}") from None


#: Results of a named query that took at least this long are kept beside the store (see :func:`execute`).
KEEP_AFTER = 0.2  # seconds


def _kept_or_evaluated(store: Any, text: str) -> Any:
    """The results of the query ``text`` (a named query with its parameters bound), kept.

    Over the whole graph, a named aggregate reads every event: 4-17 s at 100,000 items, where
    pyoxigraph's GROUP BY and COUNT(DISTINCT) cost ~1 µs a row and even one join of each event to
    its item's date takes 1.3 s. So SELECT results that took :data:`KEEP_AFTER` or longer are
    kept beside an on-disk store, in ``STORE.results/`` (SPARQL TSV results, whose cells are
    N-Triples terms: nothing is lost, and they parse 3.5x faster than JSON results), one file
    per query text, keyed on :meth:`KgStore.version`, which changes with every write to the store
    by any program: asking again reads the file (milliseconds), and after a build the next run
    evaluates afresh and replaces the old files. Deleting the folder is always safe. A store in
    memory, behind a SPARQL server or in a folder we may not write to is queried each time.
    """
    version = store.version()  # None in memory and behind a SPARQL server
    if version is None:
        return _run(store, text)
    folder = Path(store.location).with_name(Path(store.location).name + ".results")
    path = folder / f"{version}-{hashlib.sha256(text.encode()).hexdigest()[:32]}.tsv"
    with contextlib.suppress(OSError, SyntaxError, ValueError):  # missing or unreadable: evaluate afresh
        kept = path.read_bytes()
        checked = parse_query_results(kept, format=QueryResultsFormat.TSV)
        if isinstance(checked, QuerySolutions):  # only rows are kept
            for _ in checked:  # parsed as it is read: check it all before answering from it
                pass
            return parse_query_results(kept, format=QueryResultsFormat.TSV)
    started = time.perf_counter()
    result = _run(store, text)
    if not isinstance(result, QuerySolutions):
        return result
    data = result.serialize(format=QueryResultsFormat.TSV) or b""  # evaluation is lazy: this runs it
    if time.perf_counter() - started >= KEEP_AFTER and store.version() == version:
        _keep(path, data)
    return parse_query_results(data, format=QueryResultsFormat.TSV)


def _keep(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all, and remove the results of earlier versions of the store."""
    version = path.name.split("-", 1)[0]
    try:
        path.parent.mkdir(exist_ok=True)
        for old in path.parent.glob("*.tsv"):
            if not old.name.startswith(version + "-"):
                old.unlink(missing_ok=True)
    except OSError:  # a store folder we may not write to just goes uncached
        return
    write_whole(path, lambda handle: handle.write(data))


def within(seconds: float | None, work: Callable[[], T]) -> T:
    """``work()``, or a KgError if it has not finished after ``seconds``.

    pyoxigraph cannot cancel a running query, so the work runs in a daemon thread (query
    evaluation releases the GIL) and is abandoned on timeout: the caller gets control back,
    the thread runs on until the query ends or the process exits (the CLI exits at once).
    """
    if not seconds:
        return work()
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="kg-query", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise KgError(f"the query did not finish within {seconds:g} s (--timeout); narrow it or raise the limit")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
