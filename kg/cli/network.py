"""``kg network``: cooperation networks."""

from __future__ import annotations

import click

from kg.cli.options import (
    store_option,
)
from kg.errors import UsageError
from kg.store import open_store

# -- network --


@click.command()
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
    metavar="DIR|URL",
    help="Read the Parquet event tables of a shards folder (kg build --scheduler; a path or an fsspec URL) "
    "with Dask instead of the store; every report counts, as with --reports (events are grouped only in a store).",
)
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
    from kg.network import EventFilter, NetworkFormat, networks_by_year, write_network
    from kg.network import network as build_network
    from kg.network.metrics import annotate, metrics_table, node_metrics
    from kg.network.report import by_year_report, metrics_report, summary

    filters = EventFilter.parse(since, until, theme, gcm, event_type, region, reports)
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
