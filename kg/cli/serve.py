"""``kg serve``: the store over HTTP."""

from __future__ import annotations

import click

from kg.cli.options import (
    store_option,
)
from kg.serve.limits import ServeLimits

# -- serve --


# The options' defaults are ServeLimits' own: one home for them.
_DEFAULT = ServeLimits()


@click.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (default: loopback only).")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free one).")
@click.option(
    "--timeout",
    default=_DEFAULT.timeout,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Stop a query after SECONDS and answer 503.",
)
@click.option(
    "--memory",
    "memory_mb",
    default=_DEFAULT.memory_mb,
    show_default=True,
    type=click.IntRange(min=16),
    metavar="MB",
    help="Memory a query may use; one that needs more is stopped (503).",
)
@click.option(
    "--concurrency",
    default=_DEFAULT.concurrency,
    show_default=True,
    type=click.IntRange(min=1),
    help="Queries run at once, each in a worker process of its own; others wait for one.",
)
@click.option(
    "--max-rows",
    default=_DEFAULT.max_rows,
    show_default=True,
    type=click.IntRange(min=1),
    help="Return at most this many rows (or triples); the X-Migkg-Truncated header says when more were cut.",
)
@click.option(
    "--max-bytes",
    default=_DEFAULT.max_bytes,
    show_default=True,
    type=click.IntRange(min=1024),
    help="Return at most this many bytes of an answer (whole rows; X-Migkg-Truncated says so).",
)
@click.option(
    "--max-query-chars",
    default=_DEFAULT.max_query_chars,
    show_default=True,
    type=click.IntRange(min=16),
    help="Refuse longer queries (413) before parsing them.",
)
@click.option(
    "--max-depth",
    default=_DEFAULT.max_depth,
    show_default=True,
    type=click.IntRange(min=1),
    help="Refuse queries whose brackets nest deeper (400) before parsing them.",
)
@click.option(
    "--allow-service",
    multiple=True,
    metavar="URL",
    help="An endpoint that SERVICE may query (repeatable); by default SERVICE is refused (403).",
)
@click.option(
    "--cors",
    multiple=True,
    metavar="ORIGIN",
    help="A web origin whose pages may read the answers, e.g. https://yasgui.org (repeatable; '*' for any). "
    "None by default.",
)
@click.option(
    "--max-connections",
    default=_DEFAULT.max_connections,
    show_default=True,
    type=click.IntRange(min=4),
    help="Connections open at once.",
)
@click.option(
    "--read-timeout",
    default=_DEFAULT.read_timeout,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Close a connection that has not sent a whole request within SECONDS.",
)
@click.option(
    "--write-timeout",
    default=_DEFAULT.write_timeout,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Drop a client that reads nothing of its answer for SECONDS.",
)
@click.option("-q", "--quiet", is_flag=True, help="No request log.")
def serve(
    store_location: str,
    host: str,
    port: int,
    timeout: float,
    memory_mb: int,
    concurrency: int,
    max_rows: int,
    max_bytes: int,
    max_query_chars: int,
    max_depth: int,
    allow_service: tuple[str, ...],
    cors: tuple[str, ...],
    max_connections: int,
    read_timeout: float,
    write_timeout: float,
    quiet: bool,
) -> None:
    """Serve the store read-only: a SPARQL 1.1 endpoint at /sparql and a page for analysts at /.

    \b
    Also GET /queries (the named queries, JSON), /queries/NAME?param=value (run one) and
    /network/countries (the cooperation network, node-link JSON). `kg build` may run
    meanwhile: the server answers from a snapshot and moves to the new graph when the build
    has finished (docs/serve.md).

    \b
    Safe to expose: each query runs in a worker process that is stopped at --timeout or
    --memory, queries are checked before parsing (--max-query-chars, --max-depth), SERVICE
    sends no requests unless --allow-service names the endpoint, no web page of another
    origin may read answers unless --cors names it, and slow or idle clients are dropped.
    For the public internet, put it behind a reverse proxy (docs/serve.md, "Security").

    \b
    Examples:
      kg serve                        # http://127.0.0.1:7878/
      kg serve --port 8000 --timeout 10 --max-rows 5000
      kg serve --cors https://yasgui.org --allow-service https://query.wikidata.org/sparql
    """
    from kg.serve.server import serve as run_server

    limits = ServeLimits(
        timeout=timeout,
        memory_mb=memory_mb,
        concurrency=concurrency,
        max_query_chars=max_query_chars,
        max_depth=max_depth,
        allow_service=frozenset(allow_service),
        max_rows=max_rows,
        max_bytes=max_bytes,
        max_connections=max_connections,
        read_timeout=read_timeout,
        write_timeout=write_timeout,
    )
    run_server(store_location, host=host, port=port, limits=limits, cors=cors, quiet=quiet)
