"""What the commands share: the ``--store`` option, the fetch options and the query limits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from kg.store import DEFAULT_STORE

__all__ = [
    "TIMEOUT_HELP",
    "fetch_options",
    "half_of_memory",
    "memory_option",
    "store_option",
    "timeout_option",
]

F = TypeVar("F", bound=Callable[..., Any])


def store_option(func: F) -> F:
    """``--store PATH`` on every command (default ``.kg/store``, or ``$MIGKG_STORE``)."""
    return click.option(
        "--store",
        "store_location",
        default=DEFAULT_STORE,
        show_default=True,
        metavar="PATH|URL",
        help="Store folder, http(s) URL of a SPARQL 1.1 server (see docs/analysts.md), or ':memory:'.",
    )(func)


def fetch_options(func: F) -> F:
    """How http(s) sources are fetched (``kg build URL``, ``kg update``); see docs/sources.md."""
    from kg.sources.fetch import DEFAULT_DELAY, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, RETRIES
    from kg.sources.web import DEFAULT_MAX_PAGES

    options = [
        click.option(
            "--max-pages",
            type=click.IntRange(min=1),
            help=f"Pages of an HTML listing to read (?page=1, ?page=2 …)  [default: {DEFAULT_MAX_PAGES}]",
        ),
        click.option(
            "--max-bytes",
            type=click.IntRange(min=1),
            help=f"Stop reading an answer (decompressed) longer than this  [default: {DEFAULT_MAX_BYTES:,}]",
        ),
        click.option(
            "--fetch-timeout",
            type=click.FloatRange(min=0, min_open=True),
            metavar="SECONDS",
            help=f"Wait this long for a server to connect and answer whole  [default: {DEFAULT_TIMEOUT:g}]",
        ),
        click.option(
            "--delay",
            type=click.FloatRange(min=0),
            metavar="SECONDS",
            help=f"At least this long between two requests to one host  [default: {DEFAULT_DELAY:g}]",
        ),
        click.option(
            "--retries",
            type=click.IntRange(min=0),
            help=f"Tries after a timeout, 429 or 5xx (backing off, honouring Retry-After)  [default: {RETRIES}]",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


TIMEOUT_HELP = "Stop the query after SECONDS with an error (exit 1)."


def timeout_option(func: F) -> F:
    """``--timeout SECONDS`` of the commands that run a query (``kg sparql``, ``kg query``)."""
    return click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS", help=TIMEOUT_HELP)(
        func
    )


def memory_option(func: F) -> F:
    return click.option(
        "--memory",
        "memory_mb",
        type=click.IntRange(min=16),
        metavar="MB",
        help="Stop the query with an error (exit 1) when it needs more memory than this "
        "[default: half of this machine's memory].",
    )(func)


def half_of_memory() -> int:
    """Half of this machine's physical memory, in MB (4,096 where it cannot be read)."""
    import os

    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2) >> 20
    except (ValueError, OSError, AttributeError):
        return 4096
