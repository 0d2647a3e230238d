"""The ASGI application behind ``kg serve`` (Starlette).

Routes:

- ``GET|POST /sparql``: the SPARQL 1.1 Protocol (queries only); without a query, the service
  description. ``/query`` is the same endpoint where Oxigraph has it, so that ``kg sparql
  --store http://127.0.0.1:7878`` works; ``/update`` and ``/store`` answer 403;
- ``GET /queries``: the named queries of ``queries/`` as JSON; ``GET /queries/NAME?param=value``
  runs one with its parameters bound, and with ``reports=1`` counts every report of an event
  reported by several items instead of the event once (``kg query --reports``);
- ``GET /network/countries`` (or ``organizations``): the cooperation network as node-link JSON
  (``reports=1``: edges weighted by reports);
- ``GET /counts``: events and items per country and per month, and ``GET /map/world``: the
  country outlines, for the page's map and timeline (:mod:`kg.serve.mapview`);
- ``GET /stats``: what the server serves; ``GET /``: the page for analysts, from ``static/``.

:func:`kg.serve.server.serve` runs it with uvicorn.

>>> from starlette.testclient import TestClient
>>> from kg.store import KgStore
>>> client = TestClient(create_app(FixedSource(KgStore.memory())))
>>> client.get("/sparql", params={"query": "ASK {}"}).json()
{'head': {}, 'boolean': True}
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

from pyoxigraph import serialize
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kg.errors import KgError, UsageError
from kg.formats import WireFormat
from kg.namespaces import PREFIXES
from kg.queries import catalogue, load
from kg.sandbox import QueryCrashed, QueryOutOfMemory, QueryRefused, QueryTimeout, WorkerPool, check
from kg.serve.answers import AnswerBudget, PerSnapshot, answered
from kg.serve.jobs import SparqlJob, network_json, run_sparql, store_counts
from kg.serve.limits import ServeLimits
from kg.serve.mapview import map_routes, request_filters, switch
from kg.serve.negotiation import GRAPH_TYPES, ROW_TYPES, format_named, negotiate
from kg.serve.protocol import READ_ONLY, ProtocolError, graph_store_query, parse_request, service_description
from kg.serve.runner import Runner
from kg.serve.snapshot import FixedSource, SnapshotSource, Source

__all__ = ["FixedSource", "create_app"]

log = logging.getLogger("kg.serve")

STATIC = Path(__file__).with_name("static")
EXPOSED = [
    "X-Migkg-Rows",
    "X-Migkg-Truncated",
    "X-Migkg-Row-Limit",
    "X-Migkg-Byte-Limit",
    "X-Migkg-Error-Line",
    "X-Migkg-Error-Column",
]


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


def _error(exc: Exception) -> Response:
    """The one-sentence answer to a request that failed, with its status.

    What the client caused is said as it is; what went wrong inside the server is logged there
    and answered without details (they may name the server's files).
    """
    if isinstance(exc, ProtocolError):
        return _text(exc.status, exc.message, exc.headers)
    if isinstance(exc, QueryRefused):
        return _text(exc.status, str(exc))
    if isinstance(exc, QueryTimeout | QueryOutOfMemory):
        return _text(503, str(exc), {"Retry-After": "5"})
    if isinstance(exc, QueryCrashed):
        return _text(500, str(exc))
    if isinstance(exc, UsageError):
        return _text(400, str(exc))
    if isinstance(exc, KgError):
        log.error("kg serve: %s", exc)
        return _text(500, "the server could not answer this request; its log says why")
    raise exc


def _chooser(accept: str | None, explicit: str | None) -> Callable[[bool], WireFormat | None]:
    """Picks the format once the kind of result is known: ``format=`` if given, else ``Accept``."""

    def choose(for_rows: bool) -> WireFormat | None:
        offers = ROW_TYPES if for_rows else GRAPH_TYPES
        return format_named(explicit, offers) if explicit else negotiate(accept, offers)

    return choose


def _acceptable(choose: Callable[[bool], WireFormat | None]) -> None:
    """406 before any work when the client takes neither kind of result."""
    if choose(True) is None and choose(False) is None:
        offered = ", ".join(f.value for f in WireFormat)
        raise ProtocolError(406, f"none of the accepted types is one this endpoint writes ({offered})")


#: Networks kept per snapshot (each a few KB on the sample, a few MB on a large store).
NETWORKS_KEPT = 32


def create_app(
    source: Source,
    *,
    limits: ServeLimits | None = None,
    cors: Sequence[str] = (),
    isolate: bool | None = None,
) -> Starlette:
    """The application serving ``source`` (a :class:`SnapshotSource` or a :class:`FixedSource`).

    ``limits`` bound each query, answer and request body (:class:`ServeLimits`; its defaults
    without). ``isolate`` (the default for a :class:`SnapshotSource`) runs queries in
    ``limits.concurrency`` worker processes. ``cors`` lists the web origins whose pages may read
    the answers (none by default; ``"*"`` for any).
    """
    limits = limits or ServeLimits()
    query_limits = limits.query
    if isolate is None:
        isolate = isinstance(source, SnapshotSource)
    pool = None
    if isolate:
        pool = WorkerPool(limits.concurrency, limits.memory_mb, _worker_context())
    runner = Runner(source, timeout=limits.timeout, concurrency=limits.concurrency, pool=pool)
    budget = AnswerBudget(max(limits.answer_budget, limits.max_bytes))
    counted: dict[object, tuple[int, int]] = {}  # graphs and quads of each snapshot
    # Networks of the snapshot served, by kind and filters: a network costs a layout (~30 ms on
    # the sample, seconds on a large store) and the page asks for it on every visit.
    networks = PerSnapshot(NETWORKS_KEPT)

    async def run_query(
        choose: Callable[[bool], WireFormat | None],
        text: str,
        *,
        default_graphs: tuple[str, ...] = (),
        named_graphs: tuple[str, ...] = (),
        keep: bool = False,
    ) -> Response:
        try:
            _acceptable(choose)
            check(text, query_limits)
            deadline = runner.deadline()
            job = SparqlJob(
                text,
                rows_format=choose(True),
                graphs_format=choose(False),
                default_graphs=default_graphs,
                named_graphs=named_graphs,
                max_rows=limits.max_rows,
                max_bytes=limits.max_bytes,
                deadline=deadline,
                keep=keep,
            )
            answer = await runner.run(run_sparql, job, deadline=deadline)
        except (KgError, ProtocolError) as exc:
            return _error(exc)
        return answered(answer, limits.max_rows, limits.max_bytes, budget)

    async def sparql(request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"})
        body = await request.body() if request.method == "POST" else b""
        try:
            parsed = parse_request(
                request.method, request.headers.get("content-type"), request.query_params.multi_items(), body
            )
        except ProtocolError as exc:
            return _error(exc)
        accept = request.headers.get("accept")
        if parsed is None:
            fmt = negotiate(accept, GRAPH_TYPES)
            if fmt is None:
                return _text(406, "the service description comes as " + ", ".join(GRAPH_TYPES))
            endpoint = str(request.url.replace(query=""))
            prefixes = {"sd": "http://www.w3.org/ns/sparql-service-description#", "dcterms": PREFIXES["dcterms"]}
            description = serialize(
                service_description(endpoint),
                format=fmt.rdf_format,
                prefixes=prefixes if fmt in (WireFormat.TURTLE, WireFormat.RDFXML) else None,
            )
            return Response(description, media_type=fmt.content_type, headers={"Vary": "Accept"})
        return await run_query(
            _chooser(accept, parsed.format),
            parsed.query,
            default_graphs=parsed.default_graphs,
            named_graphs=parsed.named_graphs,
        )

    async def queries(request: Request) -> Response:
        return JSONResponse([q.describe() for q in catalogue()])

    async def named_query(request: Request) -> Response:
        name = request.path_params["name"]
        try:
            named = load(name)
        except UsageError:
            return _text(404, f"no named query {name!r}; GET /queries lists them")
        values: dict[str, str] = {}
        explicit = None
        reports = False
        for key, value in request.query_params.multi_items():
            if key in ("format", "output"):
                explicit = value
            elif key == "reports":
                try:
                    reports = switch(key, value, named.counts_events, name)
                except UsageError as exc:
                    return _text(400, str(exc))
            elif key in values:
                return _text(400, f"parameter '{key}' is given twice")
            else:
                values[key] = value
        try:
            text = named.text_for(values, reports=reports)
        except UsageError as exc:
            message = re.sub(r"pass -p (\w+) VALUE", r"add \1=VALUE to the URL", str(exc))
            return _text(400, message)
        if explicit and format_named(explicit, ROW_TYPES) is None:
            return _text(400, f"unknown format {explicit!r} for rows; use json, xml, csv or tsv")
        return await run_query(_chooser(request.headers.get("accept"), explicit), text, keep=True)

    async def network_view(request: Request) -> Response:
        kind = request.path_params["kind"]
        if kind not in ("countries", "organizations"):
            return _text(404, f"no network {kind!r}; GET /network/countries or /network/organizations")
        snapshot = source.describe().get("snapshot")
        key = (snapshot, kind, *sorted(request.query_params.multi_items()))
        body = networks.get(key)
        if body is None:
            try:
                filters = request_filters(request.query_params.multi_items())
                data = await runner.run(network_json, kind, filters)
            except (KgError, ProtocolError) as exc:
                return _error(exc)
            body = json.dumps(data, ensure_ascii=False).encode()
            networks.put(key, body)
        return Response(body, media_type="application/json")

    async def stats(request: Request) -> Response:
        described = source.describe()
        key = described.get("snapshot")
        try:
            if key is None or key not in counted:
                counts = await runner.run(store_counts)
                if key is not None:
                    counted.clear()
                    counted[key] = counts
            else:
                counts = counted[key]
        except KgError as exc:
            return _error(exc)
        return JSONResponse(
            {
                "graphs": counts[0],
                "quads": counts[1],
                **described,
                "prefixes": dict(PREFIXES),
                "limits": {
                    "timeout": limits.timeout,
                    "max_rows": limits.max_rows,
                    "max_bytes": limits.max_bytes,
                    "max_query_chars": limits.max_query_chars,
                    "max_depth": limits.max_depth,
                    "memory_mb": limits.memory_mb,
                    "concurrency": runner.concurrency,
                },
                "timeout": limits.timeout,
                "max_rows": limits.max_rows,
                "running": runner.running,
                "answered": runner.answered,
                "timed_out": runner.timed_out,
                "workers_replaced": pool.replaced if pool is not None else 0,
            }
        )

    async def read_only(request: Request) -> Response:
        return _text(403, READ_ONLY)

    async def graph_store(request: Request) -> Response:
        """Graph Store Protocol reads: GET /store?graph=IRI (one named graph) or ?default (the
        default graph, which is the union of all graphs here, as for /sparql); writes are 403."""
        if request.method not in ("GET", "HEAD"):
            return _text(403, READ_ONLY)
        try:
            text = graph_store_query(request.query_params.multi_items())
        except ProtocolError as exc:
            return _error(exc)
        accept = request.headers.get("accept")
        response = await run_query(lambda for_rows: None if for_rows else negotiate(accept, GRAPH_TYPES), text)
        if (
            response.status_code == 200
            and response.headers.get("X-Migkg-Rows") == "0"
            and "graph" in request.query_params
        ):
            return _text(404, f"no graph <{request.query_params['graph']}> in the store; GET /stats counts the graphs")
        return response

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            runner.close()
            source.close()

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/sparql", sparql, methods=["GET", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"]),
        # Oxigraph's layout, so that `kg sparql --store http://127.0.0.1:7878` reads from this server
        Route("/query", sparql, methods=["GET", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"]),
        Route("/update", read_only, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        Route("/store", graph_store, methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]),
        Route("/queries", queries, methods=["GET"]),
        Route("/queries/{name}", named_query, methods=["GET"]),
        Route("/network/{kind}", network_view, methods=["GET"]),
        Route("/stats", stats, methods=["GET"]),
        *map_routes(source, runner, _error),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = []
    if cors:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(cors),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Accept", "Content-Type"],
                expose_headers=EXPOSED,
                allow_private_network=True,  # the origins named may query this server from a page on the web
                max_age=3600,
            )
        )
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan, max_body_size=limits.max_body)
    app.state.runner = runner
    app.state.source = source
    app.state.budget = budget
    return app


def _worker_context() -> Any:
    """Worker processes are forked from a small server process that has loaded what jobs need,
    never from this one, whose threads (the event loop's, the snapshots') a fork would copy
    half-way through what they were doing."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["kg.serve.jobs", "kg.network", "networkx"])
    return context
