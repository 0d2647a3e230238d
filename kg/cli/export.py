"""``kg export``, ``kg stats`` and ``kg eval``: what the store holds, and how well it was extracted."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kg.cli.options import (
    store_option,
)
from kg.errors import UsageError
from kg.store import open_store

# -- export --


@click.command()
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


# -- stats --


@click.command()
@store_option
@click.option("--graphs", "list_graphs", is_flag=True, help="List every named graph with its quads, by IRI.")
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


# -- eval --


@click.command(name="eval")
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


@click.command()
@store_option
@click.option("--max", "limit", default=50, show_default=True, help="Show at most this many problems.")
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
