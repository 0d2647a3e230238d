"""``python -m bench.summaries``: the summary graph and the named queries that read it (issue 21).

Builds the bench corpus (``bench/corpus.py``, seed 2019) once with ``kg build --workers 2`` (or
takes ``--store``) and reports, from that one store:

- the summary graph's quads per data set and per item;
- the summaries counted afresh, by phase (read the event table and the item facts, count,
  compare with the stored graph, write it into a store without one);
- the first ask of every named query, each in a fresh process and never from kept results: the
  query as it is now (reading the summaries) against its raw-event form (``queries/raw/NAME.rq``,
  the query before it read them), alternated, medians of ``--repeats``, with the first ask of the
  one join every dated aggregate over the raw events needs (each event with its item's date, as
  ``python -m bench`` measures it) as the baseline of the same run (the machine is shared:
  compare the ratios).

Run from the repository root: ``.venv/bin/python -m bench.summaries --size 10000``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections import Counter
from pathlib import Path

from bench.__main__ import DATED_EVENTS, PARAM_VALUES
from bench.lean import build, write_corpus
from bench.measure import HOME, median, run_child

PY = sys.executable


def child(*args: object) -> dict[str, float]:
    run = run_child([PY, "-m", "bench.child", *map(str, args)])
    if run.returncode != 0:
        raise RuntimeError(f"bench.child {args[0]} failed: {run.stderr[-2000:]}")
    return run.result


def quads_by_data_set(store: Path) -> tuple[Counter[str], int]:
    """The summary graph's quads by data set (the data sets' own descriptions apart), and the items."""
    from pyoxigraph import NamedNode, Store

    from kg import namespaces as ns

    opened = Store.read_only(str(store))
    counts: Counter[str] = Counter()
    prefix = ns.summary("")
    for quad in opened.quads_for_pattern(None, None, None, NamedNode(ns.SUMMARY_GRAPH)):
        name, _, rest = quad.subject.value.removeprefix(prefix).partition("/")
        counts[name if rest else "(data set descriptions)"] += 1
    items = sum(1 for g in opened.named_graphs() if g.value.startswith(f"{ns.GRAPH}item/"))
    return counts, items


def first_asks(store: Path, repeats: int) -> list[dict[str, object]]:
    """Per named query: the medians of its first asks now and in its raw-event form, and of the baseline."""
    from kg.queries import catalogue

    rows = []
    for named in catalogue():
        params = json.dumps({p.name: PARAM_VALUES[p.type.name] for p in named.params if p.required})
        forms = ("raw", "summary") if named.raw else ("summary",)
        times: dict[str, list[float]] = {form: [] for form in forms}
        base: list[float] = []
        found = 0
        for rep in range(repeats):
            base.append(child("sparql", store, DATED_EVENTS, 0)["cold"])
            for form in forms if rep % 2 == 0 else forms[::-1]:  # alternate which goes first
                result = child("first_ask", store, named.name, params, form)
                times[form].append(result["seconds"])
                found = int(result["rows"])
        rows.append(
            {
                "name": named.name,
                "params": params,
                "rows": found,
                "baseline": median(base),
                **{form: median(values) for form, values in times.items()},
            }
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.summaries", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, default=HOME / "bench" / "work")
    parser.add_argument("--store", type=Path, help="an existing store of the bench corpus (not deleted)")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    store = args.store
    if store is None:
        folder = write_corpus(args.work / f"corpus-{args.size}", args.size, args.seed)
        store = args.work / f"summaries-store-{args.size}"
        print(f"kg build --workers 2, {args.size:,} items: {build(folder, store):.1f} s")
    counts, items = quads_by_data_set(store)
    total = sum(counts.values())
    print(f"\nsummary graph: {total:,} quads, {total / items:.2f} per item ({items:,} items)")
    for name, n in counts.most_common():
        print(f"  {name:<28} {n:>9,}  {n / items:6.2f} per item")
    phases = child("summaries", store)
    print(
        "\nsummaries counted afresh: event table {table:.2f} s, item facts {facts:.2f} s, counting {count:.2f} s, "
        "compare with the stored graph {compare:.2f} s, write into a store without one {write:.2f} s".format(**phases)
    )
    print(f"\nfirst ask of each named query, fresh process, median of {args.repeats}:")
    print("| query | rows | raw events (before) | summaries (now) | now / before | event-date join (baseline) |")
    print("|---|---|---|---|---|---|")
    for row in first_asks(store, args.repeats):
        name = f"`{row['name']}`" + (f" {row['params']}" if row["params"] != "{}" else "")
        base = f"{row['baseline']:.3f} s"
        if "raw" in row:
            before, now, floor = row["raw"], row["summary"], row["baseline"]
            base += f" (before {before / floor:.1f}x, now {now / floor:.2f}x)"
            print(f"| {name} | {row['rows']:,} | {before:.3f} s | {now:.3f} s | {now / before:.3f}x | {base} |")
        else:
            print(f"| {name} | {row['rows']:,} | {row['summary']:.3f} s | (the same query) | | {base} |")
    if args.store is None:
        shutil.rmtree(store, ignore_errors=True)


if __name__ == "__main__":
    main()
