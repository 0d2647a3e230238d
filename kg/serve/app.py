"""The ASGI application behind ``kg serve`` (Starlette).

Routes:

- ``GET|POST /sparql``: the SPARQL 1.1 Protocol (queries only); without a query, the service
  description. ``/query`` is the same endpoint where Oxigraph has it, so that ``kg sparql
  --store http://127.0.0.1:7878`` works; ``/update`` and ``/store`` answer 403;
- ``GET /queries``: the named queries of ``queries/`` as JSON; ``GET /queries/NAME?param=value``
  runs one with its parameters bound;
- ``GET /network/countries`` (or ``organizations``): the cooperation network as node-link JSON;
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
import math
import re
from collections.abc import AsyncIterator, Callable
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
from kg.namespaces import PREFIXES
from kg.queries import NamedQuery, catalogue, load
from kg.serve.protocol import (
    GRAPH_TYPES,
    READ_ONLY,
    ROW_TYPES,
    ProtocolError,
    WireFormat,
    format_named,
    negotiate,
    parse_request,
    service_description,
)
from kg.serve.runner import Answer, QueryTimeout, Runner, execute
from kg.serve.snapshot import FixedSource, Source

__all__ = ["FixedSource", "create_app"]

STATIC = Path(__file__).with_name("static")
MAX_BODY = 1 << 20  # a query or form bigger than 1 MiB is refused (413)
EXPOSED = ["X-Migkg-Rows", "X-Migkg-Truncated", "X-Migkg-Row-Limit", "X-Migkg-Error-Line", "X-Migkg-Error-Column"]

# A value that runs each kind of parameter, for the page's one-click examples
# (a query's own "e.g. VALUE" in its parameter doc wins).
EXAMPLES = {
    "country": "GTM",
    "gcm": "9",
    "theme": "smuggling",
    "organization": "iom",
    "region": "m49-013",
    "entity": "GTM",
}


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


def _error(exc: Exception) -> Response:
    """The one-sentence answer to a request that failed, with its status."""
    if isinstance(exc, ProtocolError):
        return _text(exc.status, exc.message, exc.headers)
    if isinstance(exc, QueryTimeout):
        return _text(503, str(exc), {"Retry-After": "5"})
    if isinstance(exc, UsageError):
        return _text(400, str(exc))
    if isinstance(exc, KgError):
        return _text(500, str(exc))
    raise exc


def _answer(answer: Answer, max_rows: int) -> Response:
    headers = {"Vary": "Accept", "Server-Timing": f"query;dur={answer.seconds * 1000:.1f}"}
    if answer.rows is not None:
        headers["X-Migkg-Rows"] = str(answer.rows)
        headers["X-Migkg-Truncated"] = "true" if answer.truncated else "false"
        headers["X-Migkg-Row-Limit"] = str(max_rows)
    return Response(answer.body, media_type=answer.format.content_type, headers=headers)


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


def _example(param: Any) -> str | None:
    match = re.search(r"e\.g\.\s+([^\s,;()]+)", param.doc)
    return match[1] if match else param.default or EXAMPLES.get(param.type.name)


def describe_query(q: NamedQuery) -> dict[str, Any]:
    """A named query as the page and other clients see it."""
    return {
        "name": q.name,
        "title": q.title,
        "description": q.description,
        "params": [
            {
                "name": p.name,
                "type": p.type.name,
                "type_help": p.type.help,
                "required": p.required,
                "default": p.default,
                "doc": p.doc,
                "example": _example(p),
            }
            for p in q.params
        ],
        "columns": list(q.columns),
        "url": f"/queries/{q.name}",
        "sparql": q.text,
    }


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity; such metrics go out as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_finite(v) for v in (sorted(value) if isinstance(value, set | frozenset) else value)]
    return value


def network_json(store: Any, kind: str, filters: Any = None) -> dict[str, Any]:
    """A cooperation network with its node metrics, as node-link JSON (``nodes``, ``links``)."""
    import networkx as nx

    from kg.network import network
    from kg.network.draw import _layout  # the layout of `kg network -o net.png`, for the same picture
    from kg.network.metrics import annotate, node_metrics

    graph = network(store, kind, filters)
    if graph.number_of_nodes():
        annotate(graph, node_metrics(graph))
        positions = _layout(graph, seed=42)
        xs, ys = [p[0] for p in positions.values()], [p[1] for p in positions.values()]
        span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
        for node, (x, y) in positions.items():  # into a box of about the view's size, y downwards
            graph.nodes[node]["x"] = round(float((x - min(xs)) / span * 600), 1)
            graph.nodes[node]["y"] = round(float((max(ys) - y) / span * 600), 1)
    data = nx.node_link_data(graph, edges="links")
    return _finite(data)


def _network_filters(request: Request) -> Any:
    from kg.network import EventFilter, parse_date_bound

    params = request.query_params
    known = {"since", "until", "theme", "gcm", "event_type", "region"}
    for name in params:
        if name not in known:
            raise UsageError(f"unknown filter {name!r}; use {', '.join(sorted(known))}")
    since, until = params.get("since"), params.get("until")
    return EventFilter(
        since=parse_date_bound(since) if since else None,
        until=parse_date_bound(until, end=True) if until else None,
        themes=tuple(params.getlist("theme")),
        gcm=tuple(params.getlist("gcm")),
        event_types=tuple(params.getlist("event_type")),
        regions=tuple(params.getlist("region")),
    )


def create_app(
    source: Source,
    *,
    timeout: float = 30.0,
    max_rows: int = 100_000,
    concurrency: int = 4,
) -> Starlette:
    """The application serving ``source`` (a :class:`SnapshotSource` or a :class:`FixedSource`)."""
    runner = Runner(source, timeout=timeout, max_rows=max_rows, concurrency=concurrency)

    async def run_query(choose: Callable[[bool], WireFormat | None], text: str, **options: Any) -> Response:
        try:
            _acceptable(choose)
            answer = await runner.run(
                lambda store, deadline: execute(
                    store, text, choose=choose, max_rows=max_rows, deadline=deadline, **options
                )
            )
        except (KgError, ProtocolError) as exc:
            return _error(exc)
        return _answer(answer, max_rows)

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
        return JSONResponse([describe_query(q) for q in catalogue()])

    async def named_query(request: Request) -> Response:
        name = request.path_params["name"]
        try:
            named = load(name)
        except UsageError:
            return _text(404, f"no named query {name!r}; GET /queries lists them")
        values: dict[str, str] = {}
        explicit = None
        for key, value in request.query_params.multi_items():
            if key in ("format", "output"):
                explicit = value
            elif key in values:
                return _text(400, f"parameter '{key}' is given twice")
            else:
                values[key] = value
        try:
            text = named.text_for(values)
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
        try:
            filters = _network_filters(request)
            data = await runner.run(lambda store, deadline: network_json(store, kind, filters))
        except (KgError, ProtocolError) as exc:
            return _error(exc)
        return Response(json.dumps(data, ensure_ascii=False), media_type="application/json")

    async def stats(request: Request) -> Response:
        try:
            described = await runner.run(lambda store, deadline: source.describe())
        except KgError as exc:
            return _error(exc)
        return JSONResponse(
            {
                **described,
                "prefixes": dict(PREFIXES),
                "timeout": timeout,
                "max_rows": max_rows,
                "running": runner.running,
                "answered": runner.answered,
                "timed_out": runner.timed_out,
            }
        )

    async def read_only(request: Request) -> Response:
        return _text(403, READ_ONLY)

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            source.close()

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/sparql", sparql, methods=["GET", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"]),
        # Oxigraph's layout, so that `kg sparql --store http://127.0.0.1:7878` reads from this server
        Route("/query", sparql, methods=["GET", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"]),
        Route("/update", read_only, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        Route("/store", read_only, methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]),
        Route("/queries", queries, methods=["GET"]),
        Route("/queries/{name}", named_query, methods=["GET"]),
        Route("/network/{kind}", network_view, methods=["GET"]),
        Route("/stats", stats, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Accept", "Content-Type"],
            expose_headers=EXPOSED,
            allow_private_network=True,  # a YASGUI page on the web may query this loopback server
            max_age=3600,
        )
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan, max_body_size=MAX_BODY)
    app.state.runner = runner
    app.state.source = source
    return app
