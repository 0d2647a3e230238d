"""``kg build``, ``kg update`` and ``kg load``: what writes a store."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kg.cli.options import (
    fetch_options,
    store_option,
)
from kg.errors import KgError, UsageError
from kg.sources import MAX_ITEM_CHARS

# -- build --


@click.command()
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
    metavar="DIR|URL",
    help="With --scheduler: the shards folder, a path or an fsspec URL the workers reach (s3://… with s3fs "
    "installed) [default: STORE.shards beside a store folder, else .kg/shards].",
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


@click.command()
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
    from kg.shardfs import open_folder
    from kg.sources import InputFormat

    if strict:
        raise UsageError("--strict reads every record before writing; it does not go with --scheduler")
    if not (scheduler == "local" or scheduler.startswith(("tcp://", "tls://"))):
        raise UsageError(f"--scheduler {scheduler}: give 'local' or the scheduler's address, tcp://HOST:8786")
    folder = shards_dir or _default_shards(store_location)
    # a filesystem not installed or a folder that cannot be made: one line, before the cluster
    # starts and before the store is opened
    open_folder(folder).make()

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

    if no_load:
        report = shards()
    else:
        overlap = scheduler != "local"
        report = _build_and_load(shards, folder, store_location, replace, remote_timeout, overlap=overlap, quiet=quiet)
    if report.rejected:
        sys.exit(1)


def _build_and_load(
    shards: Callable[..., Any],
    folder: str,
    store_location: str,
    replace: bool,
    remote_timeout: float | None,
    *,
    overlap: bool,
    quiet: bool = False,
) -> Any:
    """The shards, then ``kg load`` of them. Into a new or empty store, or with --replace, into a
    side store swapped in when the build is complete (see KgStore.replacement); with ``overlap``
    (a cluster of other machines), each partition is loaded as soon as it and those before it are
    extracted. A local cluster's workers take this machine's cores: loading meanwhile made the
    build of 30,000 items on two cores 98 s against 78 s for the two one after the other."""
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
            with ShardLoader(target, folder, loaded) as loader:
                extracted: list[dict[str, Any]] = []
                report = shards(loader.add if overlap else extracted.append)
                if extracted and not quiet:
                    click.echo("kg build: loading the shards into the store", err=True)
                for meta in extracted:
                    loader.add(meta)
                if loader.partitions != report.partitions:  # build_shards hands every partition over
                    raise KgError(f"{folder}: {loader.partitions:,} of {report.partitions:,} partitions were loaded")
                click.echo()
            group_reports(target, loaded, facts=loader.facts)
        loaded.seconds = time.monotonic() - started
        click.echo(loaded.summary(store))
        return report


def _load(folder: str, store_location: str, replace: bool, remote_timeout: float | None) -> None:
    from kg.load import load_shards
    from kg.shardfs import open_folder
    from kg.shards import read_manifest
    from kg.store import open_for_writing

    # shards that cannot be read (a filesystem not installed, a folder unreachable or incomplete)
    # are refused before the store is opened
    shards = open_folder(folder)
    manifest = read_manifest(shards)
    with open_for_writing(store_location) as store:
        if remote_timeout and hasattr(store, "timeout"):
            store.timeout = remote_timeout
        report = load_shards(shards, store, replace=replace, manifest=manifest)
        click.echo(report.summary(store))


@click.command()
@click.argument("shards", metavar="SHARDS")
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
def load(shards: str, store_location: str, replace: bool, remote_timeout: float | None) -> None:
    """Load the SHARDS folder written by `kg build --scheduler` (a path, or an fsspec URL:
    s3://… with s3fs installed) into the store (a folder, or a SPARQL server through the Graph
    Store Protocol).

    \b
    Incremental: items the store holds in the same version (content hash, extractor) are
    skipped. A folder whose manifest names partitions that are not there is refused, naming
    them. Other stores' bulk loaders read the same files (docs/scale.md).
    Examples:
      kg load .kg/store.shards
      kg load /shared/shards --store http://localhost:7878
      kg load s3://bucket/shards
    """
    _load(shards, store_location, replace, remote_timeout)
