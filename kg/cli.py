"""The ``kg`` command line: a thin layer over the library.

Exit codes: 0 success; 1 some input was rejected or a check failed; 2 usage error.
Errors are one line on stderr, never a traceback (``--debug`` shows it).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kg import __version__
from kg.errors import KgError, UsageError
from kg.store import DEFAULT_STORE, open_store

__all__ = ["cli", "main"]

F = TypeVar("F", bound=Callable[..., Any])


def store_option(func: F) -> F:
    """``--store PATH`` on every command (default ``.kg/store``, or ``$MIGKG_STORE``)."""
    return click.option(
        "--store",
        "store_location",
        default=DEFAULT_STORE,
        show_default=True,
        metavar="PATH",
        help="Store folder (':memory:' for a throw-away store).",
    )(func)


def handle_errors(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KgError as exc:
            click.echo(f"kg: error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="kg")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """migkg: a knowledge graph of actors, places and events built from migration news.

    \b
    Start with:
      kg build data/news/          # read news, extract, load into .kg/store
      kg stats                     # what the store holds
      kg sparql 'SELECT ...'       # ask anything in SPARQL
      kg export --out out/kg.trig  # publish
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


# -- build --


@cli.command()
@click.argument("sources", nargs=-1, type=click.Path(allow_dash=True))
@store_option
@click.option(
    "--input-format",
    type=click.Choice(["listing", "jsonl", "csv", "feed"]),
    help="Format of standard input ('-') or of files whose extension does not say it.",
)
@click.option("--strict", is_flag=True, help="Stop at the first bad record; write nothing.")
@click.option("--replace", is_flag=True, help="Empty the store first and rebuild from scratch.")
@click.option("--batch-size", default=256, show_default=True, help="Items per write transaction.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@handle_errors
def build(
    sources: tuple[str, ...],
    store_location: str,
    input_format: str | None,
    strict: bool,
    replace: bool,
    batch_size: int,
    quiet: bool,
) -> None:
    """Read news SOURCES (files, folders, '-' for stdin; default data/news/), extract
    events and entities, and load one named graph per item into the store.

    \b
    Formats by extension: .txt listing, .jsonl JSON Lines, .csv, .rss/.atom/.xml feeds.
    Unchanged items are skipped; changed items replace their graph. Bad records are
    reported as FILE:LINE: reason on stderr, everything valid is still loaded, and the
    exit status is 1.

    \b
    Examples:
      kg build                          # data/news/ into .kg/store
      kg build news.jsonl more/ --replace
      cat feed.xml | kg build - --input-format feed
    """
    from kg.build import Progress
    from kg.build import build as run_build
    from kg.sources import InputFormat

    fmt = InputFormat(input_format) if input_format else None
    with open_store(store_location, write=True) as store:
        report = run_build(
            list(sources) or ["data/news/"],
            store,
            input_format=fmt,
            strict=strict,
            replace=replace,
            batch_size=batch_size,
            on_reject=lambda r: click.echo(str(r), err=True),
            progress=None if quiet else Progress(),
        )
        click.echo(report.summary(store))
    if report.rejected:
        sys.exit(1)


# -- sparql --


@cli.command()
@click.argument("query")
@store_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice([f.value for f in __import__("kg.sparql", fromlist=["ResultFormat"]).ResultFormat]),
    help="table (default on a terminal) | csv | tsv | json | xml for rows; "
    "turtle | ntriples | jsonld | trig for graphs.",
)
@handle_errors
def sparql(query: str, store_location: str, fmt: str | None) -> None:
    """Run a SPARQL QUERY (text, @file.rq, or '-' for stdin) over the union of all graphs.

    \b
    Examples:
      kg sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?i a mk:NewsItem }'
      kg sparql @queries/events_by_country.rq --format csv > events.csv
      echo 'ASK { ?s ?p ?o }' | kg sparql -

    The project prefixes (mk:, schema:, dcterms:, ctry:, evt:, theme:, gcm:, ...) are predeclared.
    """
    from kg.sparql import ResultFormat, render, run

    text = _query_text(query)
    text = _with_prefixes(text)
    chosen = ResultFormat(fmt) if fmt else (ResultFormat.TABLE if sys.stdout.isatty() else None)
    with open_store(store_location) as store:
        result = run(store, text)
        if chosen is None:
            from pyoxigraph import QueryTriples

            chosen = ResultFormat.TURTLE if isinstance(result, QueryTriples) else ResultFormat.CSV
        click.echo(render(result, chosen), nl=False)


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


def _with_prefixes(text: str) -> str:
    """Prepend PREFIX lines for the project prefixes the query uses but does not declare."""
    import re

    from kg.namespaces import PREFIXES

    declared = {m.lower() for m in re.findall(r"PREFIX\s+([\w-]*):", text, re.I)}
    used = set(re.findall(r"(?<![\w<#/])([a-z][\w-]*):", text))
    lines = [f"PREFIX {p}: <{PREFIXES[p]}>" for p in sorted(used) if p in PREFIXES and p not in declared]
    return "\n".join([*lines, text]) if lines else text


# -- export --


@cli.command()
@store_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["turtle", "trig", "nquads", "ntriples", "jsonld"]),
    help="Output format (default: from --out's extension, else trig).",
)
@click.option("-o", "--out", type=click.Path(dir_okay=False, allow_dash=True), help="Output file (default stdout).")
@click.option("--graph", metavar="IRI", help="Export one named graph only.")
@handle_errors
def export(store_location: str, fmt: str | None, out: str | None, graph: str | None) -> None:
    """Write the whole graph (or one --graph) as Turtle, TriG, N-Quads, N-Triples or JSON-LD.

    \b
    TriG and N-Quads keep every named graph; Turtle and N-Triples write the union.
    Examples:
      kg export --out out/kg.trig
      kg export --format turtle --graph https://w3id.org/migkg/graph/reference > ref.ttl
    """
    from kg.export import ExportFormat
    from kg.export import export as run_export

    if fmt:
        chosen = ExportFormat(fmt)
    elif out and out != "-":
        chosen = ExportFormat.from_path(out)
    else:
        chosen = ExportFormat.TRIG
    with open_store(store_location) as store:
        if out and out != "-":
            Path(out).parent.mkdir(parents=True, exist_ok=True)
            with open(out, "wb") as f:
                n = run_export(store, chosen, f, graph)
            click.echo(f"wrote {n:,} statements to {out} ({chosen.value})", err=True)
        else:
            run_export(store, chosen, sys.stdout.buffer, graph)


# -- stats --


@cli.command()
@store_option
@handle_errors
def stats(store_location: str) -> None:
    """Counts per class, named graphs and triples in the store."""
    from kg.sparql import term_text

    with open_store(store_location) as store:
        click.echo(f"store      {store_location}")
        click.echo(f"graphs     {store.graph_count():,}")
        click.echo(f"quads      {store.triple_count():,}")
        rows = store.query(
            "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) ?class"
        )
        click.echo("\ninstances per class")
        for row in rows:
            click.echo(f"  {term_text(row['class']):<28}{int(row['n'].value):>8,}")


def main() -> None:
    debug = "--debug" in sys.argv
    try:
        cli(standalone_mode=True)
    except KgError as exc:  # raised outside a command body
        click.echo(f"kg: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:
        if debug:
            raise
        click.echo(f"kg: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        sys.exit(1)
