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
from kg.sources import MAX_ITEM_CHARS
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
      kg update --every 15m        # follow the feeds and pages of sources.toml
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
@click.option("--strict", is_flag=True, help="Read and check every record first; if any is bad, write nothing.")
@click.option(
    "--replace", is_flag=True, help="Rebuild from scratch into a new store, swapped in for the old when complete."
)
@click.option("--batch-size", default=256, show_default=True, help="Items per write transaction.")
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(min=1), help="Processes that extract in parallel."
)
@click.option(
    "--max-item-chars",
    default=MAX_ITEM_CHARS,
    show_default=True,
    type=click.IntRange(min=1),
    help="Reject an item whose title, summary and body together are longer.",
)
@click.option(
    "--remote-timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="With an http(s) --store: wait this long for the server to connect or answer (default 60, or "
    "$MIGKG_SPARQL_TIMEOUT); a failed request is tried 3 more times ($MIGKG_SPARQL_RETRIES).",
)
@fetch_options
@click.option(
    "--scheduler",
    metavar="local|tcp://HOST:8786",
    help="Extract as Dask tasks on this cluster ('local': a LocalCluster of --workers processes), "
    "writing shards to --shards, then load them (docs/scale.md).",
)
@click.option(
    "--shards",
    "shards_dir",
    type=click.Path(file_okay=False),
    help="With --scheduler: the shards folder [default: STORE.shards beside a store folder, else .kg/shards].",
)
@click.option("--no-load", is_flag=True, help="With --scheduler: stop after writing the shards (kg load reads them).")
@click.option(
    "--partition-bytes",
    default=1 << 20,
    show_default=True,
    type=click.IntRange(min=1),
    help="With --scheduler: JSON Lines files larger than this are cut into partitions of about this size.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@handle_errors
def build(
    sources: tuple[str, ...],
    store_location: str,
    input_format: str | None,
    strict: bool,
    replace: bool,
    batch_size: int,
    workers: int,
    max_item_chars: int,
    remote_timeout: float | None,
    scheduler: str | None,
    shards_dir: str | None,
    no_load: bool,
    partition_bytes: int,
    quiet: bool,
    **fetch_settings: Any,
) -> None:
    """Read news SOURCES (files, folders, http(s) URLs, '-' for stdin; default data/news/),
    extract events and entities, and load one named graph per item into the store.

    \b
    Formats by extension: .txt listing, .jsonl JSON Lines, .csv, .rss/.atom/.xml feeds.
    URLs: RSS, Atom, JSON Feed, HTML listing pages (followed to ?page=N) and article pages,
    fetched politely (robots.txt, per-host delay, retries); docs/sources.md.
    Unchanged items are skipped; changed items replace their graph. Bad records are
    reported as FILE:LINE: reason on stderr, everything valid is still loaded, and the
    exit status is 1. A missing path fails the build before anything is written. Items
    with the same key (date and title, or url) but different text, and feeds recovered
    from broken XML, are warned about (FILE:LINE: warning: reason); --strict fails on them.

    \b
    Examples:
      kg build                          # data/news/ into .kg/store
      kg build news.jsonl more/ --replace
      cat feed.xml | kg build - --input-format feed
      kg build https://example.org/news/feed.xml https://example.org/news --max-pages 3
      kg build big/ --scheduler local --workers 4     # extraction on Dask (docs/scale.md)
      kg build big/ --scheduler tcp://10.0.0.5:8786 --shards /shared/shards --no-load
    """
    if scheduler:
        _build_on_cluster(
            sources, store_location, input_format, strict, replace, workers, max_item_chars, remote_timeout,
            scheduler, shards_dir, no_load, partition_bytes, quiet,
        )  # fmt: skip
        return
    if shards_dir or no_load:
        raise UsageError("--shards and --no-load go with --scheduler")
    from kg.build import Progress
    from kg.build import build as run_build
    from kg.sources import InputFormat, source_files
    from kg.sources.fetch import fetcher_beside
    from kg.store import open_for_writing

    fmt = InputFormat(input_format) if input_format else None
    paths = list(sources) or ["data/news/"]
    source_files(paths, fmt)  # a wrong path fails before the store is opened (or created)
    with open_for_writing(store_location) as store:  # waits out a `kg serve` snapshot (docs/serve.md)
        if remote_timeout and hasattr(store, "timeout"):
            store.timeout = remote_timeout
        report = run_build(
            paths,
            store,
            input_format=fmt,
            strict=strict,
            replace=replace,
            batch_size=batch_size,
            workers=workers,
            max_item_chars=max_item_chars,
            on_reject=lambda r: click.echo(str(r), err=True),
            progress=None if quiet else Progress(),
            fetcher=fetcher_beside(store_location, fetch_settings),
            max_pages=fetch_settings.get("max_pages"),
        )
        click.echo(report.summary(store))
    if report.rejected:
        sys.exit(1)


# -- update --


@cli.command()
@click.option(
    "--sources",
    "sources_file",
    default="sources.toml",
    show_default=True,
    metavar="FILE",
    help="The sources file: feeds, pages and files to follow (docs/sources.md).",
)
@store_option
@click.option("--every", metavar="DURATION", help="Keep going: a round every DURATION (15m, 1h, 90s) until stopped.")
@click.option("--rounds", type=click.IntRange(min=1), help="With --every: stop after this many rounds.")
@fetch_options
@handle_errors
def update(
    sources_file: str, store_location: str, every: str | None, rounds: int | None, **fetch_settings: Any
) -> None:
    """Build every source of the sources file into the store: once (for cron or a systemd timer)
    or, with --every, a round every DURATION until stopped (Ctrl-C).

    \b
    Each round prints one line: new, changed, unchanged and failed items per source; an
    unchanged feed or page costs one conditional request (304). A source that fails is
    reported on stderr (URL: reason) and tried again next round; the others still load.
    Fetch options given here override the sources file's. `kg serve` picks up each round's
    graph as it does after a build. Exit status (once): 1 when any source failed.

    \b
    Examples:
      kg update                        # sources.toml, once
      kg update --every 15m            # keep the graph current
      kg update --sources feeds.toml --store .kg/store
    """
    import time
    from datetime import datetime

    from kg.update import load_sources, parse_every, round_line, update_once

    plan = load_sources(sources_file)
    interval = parse_every(every) if every else None
    if rounds and interval is None:
        raise UsageError("--rounds counts the rounds of --every; give --every too")
    number = completed = 0
    try:
        while True:
            number += 1
            started = time.monotonic()
            results = update_once(plan, store_location, fetch_settings, lambda r: click.echo(str(r), err=True))
            when = datetime.now().isoformat(timespec="seconds") if interval is not None else None
            click.echo(round_line(number, results, when))
            completed = number
            if interval is None:
                sys.exit(1 if any(r.failed for r in results) else 0)
            if rounds and number >= rounds:
                return
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
    except KeyboardInterrupt:
        click.echo(f"kg update: stopped after {completed} complete rounds", err=True)


def _default_shards(store_location: str) -> str:
    """``STORE.shards`` beside a store folder; ``.kg/shards`` for a server or memory."""
    if store_location == ":memory:" or store_location.startswith(("http://", "https://")):
        return ".kg/shards"
    return str(Path(store_location).with_name(Path(store_location).name + ".shards"))


def _build_on_cluster(
    sources: tuple[str, ...],
    store_location: str,
    input_format: str | None,
    strict: bool,
    replace: bool,
    workers: int,
    max_item_chars: int,
    remote_timeout: float | None,
    scheduler: str,
    shards_dir: str | None,
    no_load: bool,
    partition_bytes: int,
    quiet: bool,
) -> None:
    """``kg build --scheduler``: shards on the cluster, then (unless --no-load) ``kg load``."""
    from kg.cluster import build_shards
    from kg.sources import InputFormat

    if strict:
        raise UsageError("--strict reads every record before writing; it does not go with --scheduler")
    if not (scheduler == "local" or scheduler.startswith(("tcp://", "tls://"))):
        raise UsageError(f"--scheduler {scheduler}: give 'local' or the scheduler's address, tcp://HOST:8786")
    folder = shards_dir or _default_shards(store_location)

    def progress(done: int, total: int) -> None:
        if not quiet:
            click.echo(f"kg build: {done:,} of {total:,} partitions extracted", err=True)

    def shards(on_partition: Any = None) -> Any:
        report = build_shards(
            list(sources) or ["data/news/"],
            folder,
            scheduler=scheduler,
            workers=workers,
            input_format=InputFormat(input_format) if input_format else None,
            max_item_chars=max_item_chars,
            partition_bytes=partition_bytes,
            on_reject=lambda r: click.echo(str(r), err=True),
            on_progress=progress,
            on_partition=on_partition,
        )
        click.echo(report.summary(folder))
        return report

    report = shards() if no_load else _build_and_load(shards, folder, store_location, replace, remote_timeout)
    if report.rejected:
        sys.exit(1)


def _build_and_load(
    shards: Callable[..., Any], folder: str, store_location: str, replace: bool, remote_timeout: float | None
) -> Any:
    """The shards, then ``kg load`` of them. Into a new or empty store, or with --replace, each
    partition is loaded as soon as it and those before it are extracted, into a side store
    swapped in when the build is complete (see KgStore.replacement)."""
    import time

    from kg.build import BuildReport, group_reports
    from kg.load import ShardLoader, load_shards
    from kg.store import open_for_writing

    with open_for_writing(store_location) as store:
        if remote_timeout and hasattr(store, "timeout"):
            store.timeout = remote_timeout
        if not (store._local and (replace or store.is_empty())):
            # a store with content: everything is extracted first, so that a build stopped
            # half-way (a scheduler gone) leaves the store as it was; then what changed is loaded
            report = shards()
            click.echo()
            loaded = load_shards(folder, store, replace=replace)
            click.echo(loaded.summary(store))
            return report
        started = time.monotonic()
        loaded = BuildReport()
        # a build stopped half-way discards the side store: the store stays as it was
        with store.replacement() as target:
            with ShardLoader(target, Path(folder), loaded) as loader:
                report = shards(loader.add)
                if loader.partitions != report.partitions:  # build_shards hands every partition over
                    raise KgError(f"{folder}: {loader.partitions:,} of {report.partitions:,} partitions were loaded")
                click.echo()
            group_reports(target, loaded)
        loaded.seconds = time.monotonic() - started
        click.echo(loaded.summary(store))
        return report


def _load(folder: str, store_location: str, replace: bool, remote_timeout: float | None) -> None:
    from kg.load import load_shards
    from kg.store import open_for_writing

    with open_for_writing(store_location) as store:
        if remote_timeout and hasattr(store, "timeout"):
            store.timeout = remote_timeout
        report = load_shards(folder, store, replace=replace)
        click.echo(report.summary(store))


@cli.command()
@click.argument("shards", type=click.Path(file_okay=False))
@store_option
@click.option(
    "--replace", is_flag=True, help="Load into a new store, swapped in for the old when complete (as kg build)."
)
@click.option(
    "--remote-timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="With an http(s) --store: wait this long for the server to connect or answer (default 60).",
)
@handle_errors
def load(shards: str, store_location: str, replace: bool, remote_timeout: float | None) -> None:
    """Load the SHARDS folder written by `kg build --scheduler` into the store (a folder, or a
    SPARQL server through the Graph Store Protocol).

    \b
    Incremental: items the store holds in the same version (content hash, extractor) are
    skipped. A folder whose manifest names partitions that are not there is refused, naming
    them. Other stores' bulk loaders read the same files (docs/scale.md).
    Examples:
      kg load .kg/store.shards
      kg load /shared/shards --store http://localhost:7878
    """
    _load(shards, store_location, replace, remote_timeout)


# -- sparql --


_TIMEOUT_HELP = "Stop the query after SECONDS with an error (exit 1)."


def _memory_option(func: F) -> F:
    return click.option(
        "--memory",
        "memory_mb",
        type=click.IntRange(min=16),
        metavar="MB",
        help="Stop the query with an error (exit 1) when it needs more memory than this "
        "[default: half of this machine's memory].",
    )(func)


@cli.command()
@click.argument("query")
@store_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice([f.value for f in __import__("kg.sparql.results", fromlist=["ResultFormat"]).ResultFormat]),
    help="table (default on a terminal) | csv | tsv | json | xml for rows; "
    "turtle | ntriples | jsonld | trig for graphs.",
)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS", help=_TIMEOUT_HELP)
@_memory_option
@handle_errors
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
    from kg.sparql.results import ResultFormat

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

    budget = memory_mb or _half_of_memory()
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


def _half_of_memory() -> int:
    """Half of this machine's physical memory, in MB (4,096 where it cannot be read)."""
    import os

    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2) >> 20
    except (ValueError, OSError, AttributeError):
        return 4096


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


@cli.command("query")
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
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS", help=_TIMEOUT_HELP)
@_memory_option
@click.option(
    "--reports",
    is_flag=True,
    help="Count every report of an event reported by several items, not the event once (docs/same-event.md).",
)
@handle_errors
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
    from kg.queries import load
    from kg.sparql.results import ResultFormat

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


@cli.command("queries")
@click.argument("name", required=False)
@store_option
@handle_errors
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


@cli.command()
@click.argument("term", required=False)
@store_option
@handle_errors
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


# -- export --


@cli.command()
@store_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["turtle", "trig", "nquads", "ntriples", "jsonld", "json", "csv", "parquet"]),
    help="Output format (default: from --out's extension, else trig); json, csv or parquet for --frame.",
)
@click.option("-o", "--out", type=click.Path(dir_okay=False, allow_dash=True), help="Output file (default stdout).")
@click.option("--graph", metavar="IRI", help="Export one named graph only.")
@click.option(
    "--context",
    "context_url",
    metavar="URL",
    help="JSON-LD: refer to the context published at URL instead of embedding ontology/context.jsonld.",
)
@click.option(
    "--frame",
    type=click.Choice(["events"]),
    help="Write a table instead of the graph: one row per event, as .json, .csv or .parquet (docs/codebook.md).",
)
@handle_errors
def export(
    store_location: str, fmt: str | None, out: str | None, graph: str | None, context_url: str | None, frame: str | None
) -> None:
    """Write the whole graph (or one --graph) as Turtle, TriG, N-Quads, N-Triples or JSON-LD,
    or the events table (--frame events) as JSON, CSV or Parquet.

    \b
    TriG, N-Quads and JSON-LD keep every named graph; Turtle and N-Triples write the union.
    JSON-LD is compacted with ontology/context.jsonld. The same store gives the same bytes.
    Examples:
      kg export --out out/kg.trig
      kg export --format turtle --graph https://w3id.org/migkg/graph/reference > ref.ttl
      kg export --out out/kg.jsonld --context https://w3id.org/migkg/context.jsonld
      kg export --frame events --out out/events.csv
      kg export --frame events --out out/events.parquet   # pandas, R, DuckDB
    """
    from kg.export import ExportFormat, View, ViewFormat, export_view
    from kg.export import export as run_export

    to_file = bool(out and out != "-")
    write: Callable[[Any], int]
    if frame:
        if graph or context_url:
            raise UsageError("--frame writes a view of the whole store; drop --graph and --context")
        named = None
        if to_file:  # an extension of another format is refused (an unknown one only without --format)
            suffix = Path(str(out)).suffix.lower()
            if not fmt or suffix in {"." + f.value for f in ViewFormat} or suffix in ExportFormat.suffixes():
                named = ViewFormat.from_path(str(out))
        if fmt in ("json", "jsonld"):
            view_format = ViewFormat.JSON
        elif fmt in ("csv", "parquet"):
            view_format = ViewFormat(fmt)
        elif fmt:
            raise UsageError(f"--frame writes json, csv or parquet, not {fmt}")
        else:
            view_format = named or ViewFormat.JSON
        if named is not None and named is not view_format:
            raise UsageError(f"--format {fmt} does not match {out}; name the file events.{view_format.value}")
        if view_format is ViewFormat.PARQUET and not to_file:
            raise UsageError("Parquet is binary: write it to a file with --out events.parquet")
        unit, label = "rows", f"{frame} view, {view_format.value}"
        write = functools.partial(export_view, view=View(frame), fmt=view_format)
    else:
        if fmt in ("json", "csv", "parquet"):
            raise UsageError(f"--format {fmt} is for --frame events; the graph as JSON is --format jsonld")
        if to_file and Path(str(out)).suffix.lower() in (".csv", ".parquet"):
            raise UsageError(f"{out} is a table: add --frame events, or name a graph file .trig, .ttl, .nq or .jsonld")
        named_format = None
        if to_file and (not fmt or Path(str(out)).suffix.lower() in ExportFormat.suffixes()):
            named_format = ExportFormat.from_path(str(out))
        if fmt:
            chosen = ExportFormat(fmt)
            if named_format is not None and named_format is not chosen and Path(str(out)).suffix.lower() != ".json":
                raise UsageError(
                    f"--format {fmt} does not match {out} ({named_format.value}); change the extension or drop --format"
                )
        else:
            chosen = named_format or ExportFormat.TRIG
        unit, label = "statements", chosen.value
        write = functools.partial(run_export, fmt=chosen, graph=graph, context_url=context_url)
    with open_store(store_location) as store:
        if to_file:
            path = Path(str(out))
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".part")  # readers never see a half-written export
            try:
                with partial.open("wb") as f:
                    n = write(store, output=f)
                partial.replace(path)
            finally:
                partial.unlink(missing_ok=True)
            click.echo(f"wrote {n:,} {unit} to {out} ({label})", err=True)
        else:
            write(store, output=sys.stdout.buffer)


# -- network --


@cli.command()
@store_option
@click.option(
    "--kind",
    type=click.Choice(["countries", "organizations", "bipartite", "event-actor"]),
    default="countries",
    show_default=True,
    help="countries or organizations linked by shared events; bipartite: organisation-country; event-actor.",
)
@click.option("--since", metavar="DATE", help="Only events starting on or after DATE (YYYY, YYYY-MM, YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="Only events starting on or before DATE (a year or month: its end).")
@click.option("--theme", multiple=True, metavar="ID", help="Only events on this theme (repeat: any of them).")
@click.option("--gcm", multiple=True, metavar="N", help="Only events on a theme aligned to GCM objective N.")
@click.option("--event-type", multiple=True, metavar="TYPE", help="Only events of this type (workshop, meeting, ...).")
@click.option("--region", multiple=True, metavar="REGION", help="Only events with a country in REGION (id or name).")
@click.option(
    "--reports", is_flag=True, help="Count every report of an event reported by several items, not the event once."
)
@click.option("--metrics", is_flag=True, help="Print the metrics table, and add the metrics to the files written.")
@click.option("--by-year", is_flag=True, help="Metrics per year, and each node's rank year by year.")
@click.option("--top", default=0, type=click.IntRange(min=0), help="Rows per table (0: all).")
@click.option("--seed", default=42, show_default=True, help="Seed of Louvain and of the picture's layout.")
@click.option(
    "-o",
    "--out",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="File to write, format from the extension: .graphml .gexf .json .csv .nodes.csv .png .svg (repeatable).",
)
@click.option(
    "--shards",
    "shards_dir",
    type=click.Path(file_okay=False),
    help="Read the Parquet event tables of a shards folder (kg build --scheduler) with Dask instead of the "
    "store; every report counts, as with --reports (events are grouped only in a store).",
)
@handle_errors
def network(
    store_location: str,
    kind: str,
    since: str | None,
    until: str | None,
    theme: tuple[str, ...],
    gcm: tuple[str, ...],
    event_type: tuple[str, ...],
    region: tuple[str, ...],
    reports: bool,
    metrics: bool,
    by_year: bool,
    top: int,
    seed: int,
    out: tuple[str, ...],
    shards_dir: str | None,
) -> None:
    """Cooperation networks: countries (or organisations) linked by the events they share.

    \b
    Two countries are linked when they take part in the same event, as participants or
    as its location; the edge weight is the number of such events. Filters combine (and);
    a repeated filter matches any of its values (or). Without --out, prints a summary and
    the metrics table (weighted degree, betweenness, eigenvector, clustering, Louvain).

    The first network after a build reads every event from the store and saves them in
    STORE.events.npz beside it; later networks of the unchanged store read that file
    (100,000 events: seconds the first time, under a second after). Any write to the
    store makes the file stale; deleting it is always safe.

    \b
    Examples:
      kg network --metrics
      kg network --since 2019 --gcm 9 --region "Central America"
      kg network --by-year --top 10
      kg network --metrics -o out/cooperation.graphml -o out/cooperation.gexf -o out/cooperation.png
      kg network --shards .kg/store.shards --since 2019   # from the shards' Parquet, no store
    """
    from kg.network import EventFilter, NetworkFormat, networks_by_year, parse_date_bound, write_network
    from kg.network import network as build_network
    from kg.network.metrics import annotate, metrics_table, node_metrics
    from kg.network.report import by_year_report, metrics_report, summary

    filters = EventFilter(
        since=parse_date_bound(since) if since else None,
        until=parse_date_bound(until, end=True) if until else None,
        themes=theme,
        gcm=gcm,
        event_types=event_type,
        regions=region,
        reports=reports,
    )
    formats = [NetworkFormat.from_path(path) for path in out]
    if by_year and kind not in ("countries", "organizations"):
        raise UsageError("--by-year is for --kind countries or organizations")
    if shards_dir:
        from kg.network.shards import shard_network

        if by_year:
            raise UsageError("--by-year reads the store; drop --shards or --by-year")
        graph, yearly = shard_network(shards_dir, kind, filters), None
    else:
        with open_store(store_location) as store:
            graph = build_network(store, kind, filters)
            yearly = networks_by_year(store, kind, filters) if by_year else None
    values = node_metrics(graph, seed=seed) if metrics or not out else None
    if values is not None and out:
        annotate(graph, values)
    size = f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges"
    for path, fmt in zip(out, formats, strict=True):
        write_network(graph, path, fmt, **({"seed": seed} if fmt.is_picture else {}))
        click.echo(f"wrote {path} ({fmt.value}: {size})", err=True)
    click.echo(summary(graph), nl=False)
    if values is not None:
        click.echo()
        click.echo(metrics_report(graph, top=top, rows=metrics_table(graph, metrics=values)), nl=False)
    if yearly is not None:
        click.echo()
        click.echo(by_year_report(yearly, seed=seed, top=top), nl=False)


# -- serve --


@cli.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (default: loopback only).")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free one).")
@click.option(
    "--timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Stop a query after SECONDS and answer 503.",
)
@click.option(
    "--memory",
    "memory_mb",
    default=512,
    show_default=True,
    type=click.IntRange(min=16),
    metavar="MB",
    help="Memory a query may use; one that needs more is stopped (503).",
)
@click.option(
    "--concurrency",
    default=2,
    show_default=True,
    type=click.IntRange(min=1),
    help="Queries run at once, each in a worker process of its own; others wait for one.",
)
@click.option(
    "--max-rows",
    default=100_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Return at most this many rows (or triples); the X-Migkg-Truncated header says when more were cut.",
)
@click.option(
    "--max-bytes",
    default=32 << 20,
    show_default=True,
    type=click.IntRange(min=1024),
    help="Return at most this many bytes of an answer (whole rows; X-Migkg-Truncated says so).",
)
@click.option(
    "--max-query-chars",
    default=256 * 1024,
    show_default=True,
    type=click.IntRange(min=16),
    help="Refuse longer queries (413) before parsing them.",
)
@click.option(
    "--max-depth",
    default=128,
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
    "--max-connections", default=512, show_default=True, type=click.IntRange(min=4), help="Connections open at once."
)
@click.option(
    "--read-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Close a connection that has not sent a whole request within SECONDS.",
)
@click.option(
    "--write-timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Drop a client that reads nothing of its answer for SECONDS.",
)
@click.option("-q", "--quiet", is_flag=True, help="No request log.")
@handle_errors
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
    from kg.sandbox import Limits
    from kg.serve.server import serve as run_server

    run_server(
        store_location,
        host=host,
        port=port,
        limits=Limits(
            max_chars=max_query_chars,
            max_depth=max_depth,
            timeout=timeout,
            memory_mb=memory_mb,
            allow_service=frozenset(allow_service),
        ),
        max_rows=max_rows,
        max_bytes=max_bytes,
        concurrency=concurrency,
        cors=cors,
        read_timeout=read_timeout,
        write_timeout=write_timeout,
        max_connections=max_connections,
        quiet=quiet,
    )


# -- stats --


@cli.command()
@store_option
@click.option("--graphs", "list_graphs", is_flag=True, help="List every named graph with its quads, by IRI.")
@handle_errors
def stats(store_location: str, list_graphs: bool) -> None:
    """Counts per class, named graphs and triples in the store.

    \b
    Examples:
      kg stats
      kg stats --graphs        # the graphs `kg export --graph IRI` takes
    """
    from kg.sparql.results import term_text

    with open_store(store_location) as store:
        if list_graphs:
            rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
            for row in rows:
                click.echo(f"{int(row['n'].value):>8,}  {row['g'].value}")
            return
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


# -- eval --


@cli.command(name="eval")
@click.argument("gold", type=click.Path(dir_okay=False))
@store_option
@click.option("--gwn", is_flag=True, help="GOLD is GeoWebNews XML (GWN.xml): score countries and places.")
@click.option(
    "--same",
    is_flag=True,
    help="GOLD holds pairs of items (data/gold/same.jsonl): precision and recall of same story and same event.",
)
@click.option("--explain", is_flag=True, help="List each miss and false alarm per item.")
@click.option("--min-f1", type=float, default=None, help="Exit 1 if any field scores below this F1.")
@handle_errors
def eval_command(gold: str, store_location: str, gwn: bool, same: bool, explain: bool, min_f1: float | None) -> None:
    """Score the extractor against GOLD annotations: precision, recall, F1 per field.

    \b
    GOLD is JSON Lines (data/gold/seed.jsonl; format in data/gold/README.md) or, with
    --gwn, the GeoWebNews corpus. The store is not used (--store is accepted for symmetry).
    Examples:
      kg eval data/gold/seed.jsonl --explain
      kg eval ../shared/eval/gwn/GWN.xml --gwn
      kg eval data/gold/same.jsonl --same
    """
    from kg.extract.score import evaluate_gold, evaluate_gwn, format_scores

    if same:
        from kg.same.score import evaluate_same, format_same

        pairs = evaluate_same(gold)
        click.echo(format_same(pairs, explain=explain), nl=False)
        if min_f1 is not None and any(min(s.precision, s.recall) < min_f1 for s in pairs.values()):
            sys.exit(1)
        return
    scores = evaluate_gwn(gold) if gwn else evaluate_gold(gold)
    click.echo(format_scores(scores, explain=explain), nl=False)
    if min_f1 is not None and any(s.f1 < min_f1 for s in scores.values()):
        sys.exit(1)


# -- validate --


@cli.command()
@store_option
@click.option("--max", "limit", default=50, show_default=True, help="Show at most this many problems.")
@handle_errors
def validate(store_location: str, limit: int) -> None:
    """Check the store against the SHACL shapes in ontology/shapes.ttl.

    \b
    Prints one line per problem (severity, node, property, message, shape) and a count;
    exits 1 when there is any violation (warnings alone exit 0).
    Example:
      kg validate --store .kg/store
    """
    from kg.validate import validate as run_validate

    with open_store(store_location) as store:
        problems = run_validate(store)
    for problem in problems[:limit]:
        click.echo(str(problem))
    violations = sum(1 for p in problems if p.severity == "Violation")
    warnings = len(problems) - violations
    if len(problems) > limit:
        click.echo(f"… {len(problems) - limit} more")
    click.echo(f"{violations} violations, {warnings} warnings" if problems else "conforms: no violations")
    if violations:
        sys.exit(1)
