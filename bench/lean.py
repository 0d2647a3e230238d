"""``python -m bench.lean``: the size of item graphs and the N-Quads export rate (issue 21).

Builds the bench corpus (``bench/corpus.py``, seed 2019) once with ``kg build --workers 2``
and reports, from that one store:

- quads per item: all quads, the quads in item graphs, and the item graphs' quads by kind
  (item, mention evidence, events, participations, statistics, provenance, other);
- ``kg export --format nquads`` against pyoxigraph's own unsorted ``Store.dump``, both in
  fresh processes on the same on-disk store, as a ratio (the machine is shared);
- with ``--alternatives``, the evidence representations considered for mentions, each as
  quads per item and as the bulk-load time of the same corpus's N-Quads.

Run from the repository root: ``.venv/bin/python -m bench.lean --size 10000``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections import Counter
from pathlib import Path

from bench import corpus
from bench.measure import HOME, median, run_child

PY = sys.executable
SHARD = 10_000

#: Subject IRI path segments after ``…/id/`` and what they count as.
_KINDS = {
    "item": "item",
    "mention": "mentions",
    "event": "events",
    "statistic": "statistics",
    "run": "provenance",
    "software": "provenance",
}


def write_corpus(folder: Path, size: int, seed: int) -> Path:
    marker = folder / ".complete"
    if marker.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for shard, first in enumerate(range(0, size, SHARD)):
        with (folder / f"news-{shard:04d}.jsonl").open("w", encoding="utf-8") as out:
            for record in corpus.items(min(SHARD, size - first), seed=seed, start=first):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    marker.touch()
    return folder


def quads_by_kind(store: Path) -> dict[str, int]:
    """Quads in item graphs by the kind of their subject, plus the totals."""
    from pyoxigraph import NamedNode, Store

    from kg import namespaces as ns

    opened = Store.read_only(str(store))
    counts: Counter[str] = Counter()
    item_prefix = f"{ns.BASE}graph/item/"
    items = 0
    for graph in opened.named_graphs():
        assert isinstance(graph, NamedNode)
        in_item = graph.value.startswith(item_prefix)
        items += in_item
        for quad in opened.quads_for_pattern(None, None, None, graph):
            counts["all"] += 1
            if not in_item:
                counts[f"graph {graph.value[len(ns.BASE) :]}"] += 1
                continue
            counts["item graphs"] += 1
            s = quad.subject.value
            if s == graph.value:
                counts["item graph node"] += 1
            elif s.startswith(ns.ID):
                segment = s[len(ns.ID) :].split("/", 1)[0]
                kind = _KINDS.get(segment, "entities")
                if kind == "events" and s.rsplit("-", 1)[-1].startswith("p"):
                    kind = "participations"
                counts[kind] += 1
            else:
                counts["other"] += 1
    counts["items"] = items
    return dict(counts)


def build(folder: Path, store: Path, workers: int = 2) -> float:
    shutil.rmtree(store, ignore_errors=True)
    run = run_child([PY, "-m", "kg", "build", folder, "--store", store, "--workers", workers, "-q"])
    if run.returncode != 0:
        raise RuntimeError(f"kg build failed: {run.stderr[-2000:]}")
    return run.seconds


def child(*args: object) -> dict[str, float]:
    run = run_child([PY, "-m", "bench.child", *map(str, args)])
    if run.returncode != 0:
        raise RuntimeError(f"bench.child {args[0]} failed: {run.stderr[-2000:]}")
    return run.result


def export_ratio(store: Path, work: Path, repeats: int) -> dict[str, float]:
    """N-Quads export and unsorted dump, alternated ``repeats`` times; medians of each."""
    dumps, exports, quads = [], [], 0
    for _ in range(repeats):
        base = child("dump", store, work / "dump.nq")
        (work / "dump.nq").unlink()
        ours = child("export", store, "nquads", work / "export.nq")
        (work / "export.nq").unlink()
        quads = base["quads"]
        dumps.append(base["quads"] / base["seconds"])
        exports.append(ours["statements"] / ours["seconds"])
    return {"quads": quads, "dump": median(dumps), "export": median(exports), "ratio": median(exports) / median(dumps)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.lean", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, default=HOME / "bench" / "work")
    parser.add_argument("--alternatives", action="store_true", help="also measure the evidence representations")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    folder = write_corpus(args.work / f"corpus-{args.size}", args.size, args.seed)
    store = args.work / f"lean-store-{args.size}"
    seconds = build(folder, store)
    print(f"kg build --workers 2, {args.size:,} items: {seconds:.1f} s")
    counts = quads_by_kind(store)
    items = counts.pop("items")
    for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<28} {n:>12,}  {n / items:8.1f} per item")
    rates = export_ratio(store, args.work, args.repeats)
    print(
        f"export N-Quads {rates['export']:,.0f} quads/s, dump {rates['dump']:,.0f} quads/s: "
        f"{rates['ratio']:.2f}x (median of {args.repeats}, {rates['quads']:,.0f} quads)"
    )
    if args.alternatives:
        from bench.evidence import compare

        compare(folder / "news-0000.jsonl", args.work, min(args.size, 2_000))
    shutil.rmtree(store, ignore_errors=True)


if __name__ == "__main__":
    main()
