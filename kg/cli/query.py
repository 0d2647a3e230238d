"""``kg sparql``, ``kg query``, ``kg queries`` and ``kg vocab``: asking the store."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from kg.cli.options import (
    half_of_memory,
    memory_option,
    store_option,
    timeout_option,
)
from kg.errors import KgError, UsageError
from kg.store import open_store

# -- sparql --


@click.command()
@click.argument("query")
@store_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice([f.value for f in __import__("kg.formats", fromlist=["ResultFormat"]).ResultFormat]),
    help="table (default on a terminal) | csv | tsv | json | xml for rows; "
    "turtle | ntriples | jsonld | trig for graphs.",
)
@timeout_option
@memory_option
def sparql(query: str, store_location: str, fmt: str | None, timeout: float | None, memory_mb: int | None) -> None:
    """Run a SPARQL QUERY (text, @file.rq, or '-' for stdin) over the union of all graphs.

    \b
    Examples:
      kg sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?i a mk:NewsItem }'
      kg sparql @queries/events_by_country.rq --format csv > events.csv
      echo 'ASK { ?s ?p ?o }' | kg sparql -

    The project prefixes (mk:, schema:, dcterms:, ctry:, evt:, theme:, gcm:, ...) are predeclared.
    The query runs in a process of its own, so that no query, however written, can crash kg
    or use up the machine's memory (--memory).
    """
    from kg.formats import ResultFormat

    text = _query_text(query)
    chosen = ResultFormat(fmt) if fmt else (ResultFormat.TABLE if sys.stdout.isatty() else None)
    result = _answer(store_location, text, chosen, timeout, memory_mb, keep=False)
    click.echo(result, nl=not result.endswith("\n"))  # ASK answers "true" without a newline


def _answer(
    store_location: str, text: str, fmt: Any, timeout: float | None, memory_mb: int | None, *, keep: bool
) -> str:
    """The rendered answer to ``text``: from a worker process for a store folder (checked first,
    stopped at ``timeout`` or ``memory_mb``), from the server for a URL."""
    import time

    from kg.sandbox import Limits, QueryTimeout, Worker, check
    from kg.sparql.execute import within
    from kg.sparql.results import answer

    check(text, Limits(max_chars=64 << 20, allow_service=frozenset(_services(text))))
    if store_location == ":memory:" or str(store_location).startswith(("http://", "https://")):
        with open_store(store_location) as store:
            if timeout and hasattr(store, "timeout"):
                store.timeout = timeout  # a remote store also closes its HTTP request
            return within(timeout, lambda: answer(store, text, fmt, keep))
    import multiprocessing

    budget = memory_mb or half_of_memory()
    worker = Worker(multiprocessing.get_context("fork"), budget)  # forked before the store opens
    try:
        with open_store(store_location) as store:  # the shared lock: no build writes meanwhile
            deadline = None if not timeout else time.monotonic() + timeout
            return str(worker.call(answer, store.location, (text, fmt, keep), deadline))
    except QueryTimeout:
        raise KgError(
            f"the query did not finish within {timeout:g} s (--timeout); narrow it or raise the limit"
        ) from None
    except KeyboardInterrupt:
        worker.kill()
        raise
    finally:
        worker.close()


def _services(text: str) -> list[str]:
    """Every SERVICE endpoint of ``text``: on the command line, the person asking chose them."""
    from kg.sandbox import services

    return list(services(text))


def _query_text(query: str) -> str:
    if query == "-":
        return sys.stdin.read()
    if query.startswith("@"):
        path = Path(query[1:])
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{path}: cannot read query file ({exc.strerror})") from None
    return query


# -- named queries --


@click.command("query")
@click.argument("name")
@click.option(
    "-p",
    "--param",
    "params",
    type=(str, str),
    multiple=True,
    metavar="NAME VALUE",
    help="A parameter of the query (repeatable); `kg queries NAME` lists them.",
)
@store_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "xml"]),
    help="table (default on a terminal) | csv (default otherwise) | tsv | json | xml.",
)
@timeout_option
@memory_option
@click.option(
    "--reports",
    is_flag=True,
    help="Count every report of an event reported by several items, not the event once (docs/same-event.md).",
)
def query_command(
    name: str,
    params: tuple[tuple[str, str], ...],
    store_location: str,
    fmt: str | None,
    timeout: float | None,
    memory_mb: int | None,
    reports: bool,
) -> None:
    """Run the named query NAME from queries/ with its parameters bound as RDF terms.

    \b
    Examples:
      kg query events_by_country -p country GTM -p since 2019-01-01
      kg query timeline -p entity IOM --format csv > iom.csv
      kg query country_pairs -p min_events 2 --store http://localhost:7878
      kg query events_by_country -p country MEX --reports   # every report of each event
    """
    from kg.formats import ResultFormat
    from kg.queries import load

    values: dict[str, str] = {}
    for key, value in params:
        if key in values:
            raise UsageError(f"parameter '{key}' is given twice")
        values[key] = value
    named = load(name)
    if reports and not named.counts_events:
        raise UsageError(f"query {name} does not count events; --reports is for the queries that do")
    text = named.text_for(values, reports=reports)
    chosen = ResultFormat(fmt) if fmt else (ResultFormat.TABLE if sys.stdout.isatty() else ResultFormat.CSV)
    click.echo(_answer(store_location, text, chosen, timeout, memory_mb, keep=True), nl=False)


@click.command("queries")
@click.argument("name", required=False)
@store_option
def queries_command(name: str | None, store_location: str) -> None:
    """List the named queries with their parameters, or describe the query NAME.

    \b
    Examples:
      kg queries                     # name, title, parameters of each
      kg queries events_by_country   # what it answers, parameters, columns
    (--store is accepted for symmetry; listing reads only queries/.)
    """
    import textwrap

    from kg.queries import catalogue, load

    if name is None:
        entries = catalogue()
        width = max((len(q.name) for q in entries), default=0)
        for q in entries:
            click.echo(f"{q.name:<{width}}  {q.title}")
            if q.params:
                click.echo(f"{'':<{width}}    {q.usage()}")
        return
    q = load(name)
    click.echo(f"{q.name}: {q.title}\n")
    click.echo(textwrap.fill(q.description, width=96, initial_indent="  ", subsequent_indent="  ") + "\n")
    if q.params:
        click.echo("parameters:")
        for p in q.params:
            need = "required" if p.required else f"default {p.default}"
            click.echo(f"  {p.name:<12} {p.type.name:<13} {need:<20} {p.doc}")
    click.echo(f"columns: {', '.join(q.columns)}")
    example = " ".join(f"-p {p.name} VALUE" for p in q.params if p.required)
    click.echo(f"\nrun: kg query {q.name} {example}".rstrip())


# -- vocab --


@click.command()
@click.argument("term", required=False)
@store_option
def vocab(term: str | None, store_location: str) -> None:
    """Print the codebook (docs/codebook.md), or the entries of TERM: a class, property,
    concept or prefix, with its definition, an example triple and the named queries using it.

    \b
    Examples:
      kg vocab                      # the whole codebook
      kg vocab mk:participation     # one term, by its prefixed name
      kg vocab smuggling            # by local name or label: theme:smuggling
    (--store is accepted for symmetry; the codebook describes the sample.)
    """
    from kg.codebook import CODEBOOK, codebook, find_entries

    text = CODEBOOK.read_text(encoding="utf-8") if CODEBOOK.exists() else codebook()
    if term is None:
        click.echo(text, nl=False)
        return
    click.echo("\n".join(entry.block for entry in find_entries(text, term)), nl=False)
