"""One measurement in a process of its own: ``python -m bench.child COMMAND ARGS…``.

Each command prints one JSON line with what it timed (seconds measured inside the process,
without interpreter start-up); the parent adds wall time and peak memory (bench.measure).
Commands that compare with an alternative prepare their input first and time only the stage
being compared.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

from bench.measure import timed

__all__ = ["main"]


def _items(corpus: str, n: int) -> list[Any]:
    from kg.sources import NewsItem, read_sources

    return [r for r in islice(read_sources([corpus]), n) if isinstance(r, NewsItem)]


def _extracted(corpus: str, n: int) -> list[tuple[Any, Any]]:
    from kg.extract import extract

    return [(item, extract(item)) for item in _items(corpus, n)]


# -- the floor and pyoxigraph's own dump --


def bulk_load(store: str, nquads: str) -> dict[str, Any]:
    from pyoxigraph import RdfFormat, Store

    start = time.perf_counter()
    target = Store(store)
    target.bulk_load(path=nquads, format=RdfFormat.N_QUADS)
    target.flush()
    del target
    return {"seconds": time.perf_counter() - start}


def dump(store: str, out: str) -> dict[str, Any]:
    from pyoxigraph import RdfFormat, Store

    start = time.perf_counter()
    Store.read_only(store).dump(out, format=RdfFormat.N_QUADS)
    seconds = time.perf_counter() - start
    with open(out, "rb") as f:
        quads = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b""))
    return {"seconds": seconds, "quads": quads}


# -- kg's own stages --


def export(store: str, fmt: str, out: str) -> dict[str, Any]:
    from kg.export import ExportFormat, export
    from kg.store import KgStore

    with KgStore.open(store, write=False) as opened, open(out, "wb") as f:
        start = time.perf_counter()
        statements = export(opened, ExportFormat(fmt), f)
        return {"seconds": time.perf_counter() - start, "statements": statements}


def query(store: str, name: str, params: str, repeats: str) -> dict[str, Any]:
    """A named query evaluated (one cold run, then warm ones), then asked again once its results
    are kept beside the store (``STORE.results/``, for results that took kg.sparql.execute.KEEP_AFTER)."""
    from kg import queries
    from kg.sparql import execute
    from kg.store import KgStore

    shutil.rmtree(store + ".results", ignore_errors=True)
    keep_after = execute.KEEP_AFTER
    with KgStore.open(store, write=False) as opened:

        def ask() -> int:
            return len(list(queries.run(opened, name, json.loads(params))))

        execute.KEEP_AFTER = float("inf")  # evaluated every time
        times, rows = timed(ask, 1 + int(repeats))
        execute.KEEP_AFTER = keep_after
        ask()  # evaluated once more, and kept if it took KEEP_AFTER or longer
        again, _ = timed(ask, int(repeats))
    kept = any(Path(store + ".results").glob("*.tsv"))
    return {"cold": times[0], "warm": times[1:], "rows": rows, "again": again, "kept": kept}


def sparql(store: str, text: str, repeats: str) -> dict[str, Any]:
    from kg.store import KgStore

    with KgStore.open(store, write=False) as opened:
        times, rows = timed(lambda: len(list(opened.query(text))), 1 + int(repeats))
    return {"cold": times[0], "warm": times[1:], "rows": rows}


def network(store: str, repeats: str) -> dict[str, Any]:
    from bench.network_pairs import python_pairs, sparql_pairs
    from kg.network import country_network
    from kg.store import KgStore

    n = int(repeats)
    with KgStore.open(store, write=False) as opened:
        python_pairs(opened)  # warm the store's caches, as network_pairs.py does
        Path(store + ".events.npz").unlink(missing_ok=True)  # as after a build: the event table is read
        cold, _ = timed(lambda: country_network(opened), 1)  # from the store, then saved beside it
        lib, G = timed(lambda: country_network(opened), n)
        pairs, py = timed(lambda: python_pairs(opened), n)
        join, sq = timed(lambda: sparql_pairs(opened), n)
    weights = {tuple(sorted((a, b))): w for a, b, w in G.edges(data="weight")}
    return {
        "library": lib,
        "library_cold": cold[0],
        "python_pairs": pairs,
        "sparql_self_join": join,
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "agree": py == sq == weights,
    }


def extract_rate(corpus: str, n: str, repeats: str, chars: str = "") -> dict[str, Any]:
    """Extraction alone (one core), and the gazetteer scan alone as the baseline: the first ``n``
    items, or with ``chars`` ("550-650") the first ``n`` whose text has that many characters."""
    from kg.extract import extract
    from kg.extracting import fewer_gc_passes, warm_up
    from kg.sources import NewsItem, read_sources

    if chars:
        low, high = (int(x) for x in chars.split("-"))
        records = (r for r in read_sources([corpus]) if isinstance(r, NewsItem) and low <= len(r.text) <= high)
        items = list(islice(records, int(n)))
    else:
        items = _items(corpus, int(n))
    warm_up()  # compile the gazetteers outside the timing, as kg build does
    with fewer_gc_passes():  # and collect garbage as kg build does (results are dropped, as there)
        times, _ = timed(lambda: sum(1 for item in items if extract(item)), int(repeats))
        try:
            from kg.extract.gazetteer import default_gazetteer

            gazetteer = default_gazetteer()
            texts = [item.text for item in items]
            scan, _ = timed(lambda: [list(gazetteer.scan(text)) for text in texts], int(repeats))
        except (ImportError, AttributeError, TypeError):  # the extractor is being reworked: no baseline
            scan = []
    chars_total = sum(len(item.text) for item in items)
    return {"items": len(items), "chars": chars_total, "extract": times, "gazetteer_scan": scan}


def extract_long(chars: str, repeats: str) -> dict[str, Any]:
    """Extraction of one item whose summary has ``chars`` characters: the corpus's summaries, one
    after the other (each sentence as it comes, so the text has the corpus's density of names)."""
    from datetime import date

    from bench import corpus
    from kg.extract import extract
    from kg.extracting import fewer_gc_passes, warm_up
    from kg.sources import NewsItem

    size, parts, filled, i = int(chars), [], 0, 0
    while filled < size:
        parts.append(corpus.item(i)["summary"])
        filled += len(parts[-1]) + 1
        i += 1
    item = NewsItem("long", date(2019, 6, 11), "IOM workshop in Guatemala", " ".join(parts)[:size], "long.jsonl", 1)
    warm_up()
    with fewer_gc_passes():
        times, _ = timed(lambda: extract(item), int(repeats))
    return {"chars": size, "extract": times}


def workers_rate(corpus: str, n: str, workers: str, repeats: str) -> dict[str, Any]:
    """The extraction stage of ``kg build --workers N`` (items to N-Quads text), no store."""
    from kg.extracting import fewer_gc_passes, item_graphs, warm_up

    items = _items(corpus, int(n))
    warm_up()  # as kg build does, before the workers are forked
    with fewer_gc_passes():
        times, _ = timed(lambda: sum(1 for _ in item_graphs(iter(items), int(workers))), int(repeats))
    return {"items": len(items), "seconds": times}


# -- against rdflib --


def _plain(quads: list[Any]) -> list[tuple[str, str, str, str, str | None, str | None, str]]:
    """Quads as plain strings, so that the rdflib side builds its own terms."""
    from pyoxigraph import NamedNode

    rows = []
    for q in quads:
        o = q.object
        if isinstance(o, NamedNode):
            rows.append((q.subject.value, q.predicate.value, "iri", o.value, None, None, q.graph_name.value))
        else:
            rows.append(
                (q.subject.value, q.predicate.value, "lit", o.value, o.datatype.value, o.language, q.graph_name.value)
            )
    return rows


def rdflib_write(corpus: str, n: str, out: str, repeats: str) -> dict[str, Any]:
    """The alternative write stage: rdflib terms, ``Graph.add`` per triple, N-Quads serialised."""
    from rdflib import Dataset, Graph, Literal, URIRef

    from kg.namespaces import XSD
    from kg.rdf import item_quads

    graphs = [_plain(item_quads(item, ex)) for item, ex in _extracted(corpus, int(n))]
    string = XSD["string"]

    def run() -> int:
        ds = Dataset()
        count = 0
        for rows in graphs:
            g = Graph(store=ds.store, identifier=URIRef(rows[0][6]))
            for s, p, kind, value, datatype, language, _ in rows:
                if kind == "iri":
                    o: Any = URIRef(value)
                elif language:
                    o = Literal(value, lang=language)
                else:
                    o = Literal(value, datatype=None if datatype == string else URIRef(datatype))
                g.add((URIRef(s), URIRef(p), o))
                count += 1
        ds.serialize(destination=out, format="nquads")
        return count

    times, count = timed(run, int(repeats))
    return {"items": len(graphs), "triples": count, "seconds": times}


def ours_write(corpus: str, n: str, store: str, repeats: str) -> dict[str, Any]:
    """kg's write stage on the same items: N-Quads text, bulk loaded in batches of 256 items."""
    from kg.namespaces import item_graph
    from kg.rdf import item_nquads
    from kg.store import KgStore

    extracted = _extracted(corpus, int(n))

    def run() -> int:
        shutil.rmtree(store, ignore_errors=True)
        written = 0
        with KgStore.open(store, write=True) as target:
            for start in range(0, len(extracted), 256):
                batch = {
                    item_graph(item.key): item_nquads(item, ex).encode() for item, ex in extracted[start : start + 256]
                }
                written += target.load_graphs(batch)
        return written

    times, count = timed(run, int(repeats))
    return {"items": len(extracted), "triples": count, "seconds": times}


def _sample_store(corpus: str, n: int) -> Any:
    from kg.namespaces import item_graph
    from kg.rdf import item_nquads
    from kg.store import KgStore

    store = KgStore.memory()
    store.load_graphs({item_graph(item.key): item_nquads(item, ex).encode() for item, ex in _extracted(corpus, n)})
    return store


def jsonld_ours(corpus: str, n: str, repeats: str) -> dict[str, Any]:
    from kg.export import ExportFormat, export

    store = _sample_store(corpus, int(n))
    times, count = timed(lambda: export(store, ExportFormat.JSONLD, io.BytesIO()), int(repeats))
    return {"triples": count, "seconds": times}


def jsonld_rdflib(corpus: str, n: str, repeats: str) -> dict[str, Any]:
    """rdflib's JSON-LD compaction of the same graphs with the same published context."""
    from pyoxigraph import RdfFormat, serialize
    from rdflib import Dataset

    from kg.reference import ONTOLOGY_DIR

    store = _sample_store(corpus, int(n))
    data = serialize(store.quads(), format=RdfFormat.N_QUADS)
    ds = Dataset()
    ds.parse(data=data, format="nquads")
    context = json.loads((ONTOLOGY_DIR / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    count = len(ds)
    times, _ = timed(lambda: ds.serialize(format="json-ld", context=context, encoding="utf-8"), int(repeats))
    return {"triples": sum(1 for _ in ds.quads()) or count, "seconds": times}


def _cpu() -> float:
    """User and system CPU seconds of this process and of its children that have ended."""
    import resource

    mine, theirs = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + theirs.ru_utime + theirs.ru_stime


def build_grouped(corpus: str, store: str, workers: str, group: str) -> dict[str, Any]:
    """``kg build CORPUS --store STORE --workers N`` in this process, grouping same stories and
    same events afterwards (``group`` 1) or not (0): the cost of grouping on one corpus."""
    from kg.build import build
    from kg.store import open_store

    shutil.rmtree(store, ignore_errors=True)
    Path(f"{store}.same.sqlite").unlink(missing_ok=True)  # what an earlier build kept beside it
    started, cpu = time.perf_counter(), _cpu()
    with open_store(store, write=True) as target:
        report = build([corpus], target, workers=int(workers), group=group == "1")
    return {
        "seconds": time.perf_counter() - started,
        "cpu": _cpu() - cpu,  # this process and its workers: what other work on the machine moves least
        "grouping": report.link_seconds,
        "items": report.loaded,
        "canonical_events": report.canonical_events,
        "same_stories": report.same_stories,
    }


def first_ask(store: str, name: str, params: str, form: str) -> dict[str, Any]:
    """The first ask of a named query in a fresh process, as ``kg query`` runs it but never from
    kept results: ``form`` ``summary`` (what it reads now) or ``raw`` (its raw-event form)."""
    from kg import queries
    from kg.sparql import execute
    from kg.store import KgStore

    execute.KEEP_AFTER = float("inf")  # evaluated, never kept nor read from STORE.results/
    with KgStore.open(store, write=False) as opened:
        start = time.perf_counter()
        rows = len(list(queries.run(opened, name, json.loads(params), raw=form == "raw")))
        return {"seconds": time.perf_counter() - start, "rows": rows}


def summaries(store: str) -> dict[str, Any]:
    """The summaries of a store counted afresh, by phase: reading the event table and the item
    facts, counting, and writing the graph where the store has none (it is removed first)."""
    from pyoxigraph import NamedNode

    from kg import namespaces as ns
    from kg.network.table import read_event_table
    from kg.store import KgStore
    from kg.summaries import summary_lines
    from kg.summaries.facts import read_item_facts

    with KgStore.open(store, write=True) as opened:
        start = time.perf_counter()
        table = read_event_table(opened)
        read = time.perf_counter()
        read_item_facts(opened, table)
        facts = time.perf_counter()
        lines = summary_lines(opened, table)  # reads the item facts again: counted apart below
        counted = time.perf_counter()
        unchanged = opened.write_derived(ns.SUMMARY_GRAPH, lines)
        compared = time.perf_counter()
        opened.store.remove_graph(NamedNode(ns.SUMMARY_GRAPH))
        removed = time.perf_counter()
        opened.write_derived(ns.SUMMARY_GRAPH, lines)
        written = time.perf_counter()
    return {
        "table": read - start,
        "facts": facts - read,
        "count": (counted - facts) - (facts - read),
        "compare": compared - counted,
        "changed": unchanged,
        "write": written - removed,
        "lines": len(lines),
    }


def build_more(corpus: str, store: str, workers: str) -> dict[str, Any]:
    """``kg build CORPUS --store STORE --workers N`` into a store that holds items already."""
    from kg.build import build
    from kg.store import open_store

    started, cpu = time.perf_counter(), _cpu()
    with open_store(store, write=True) as target:
        report = build([corpus], target, workers=int(workers))
    return {
        "seconds": time.perf_counter() - started,
        "cpu": _cpu() - cpu,
        "grouping": report.link_seconds,
        "items": report.loaded,
        "canonical_events": report.canonical_events,
    }


COMMANDS: dict[str, Callable[..., dict[str, Any]]] = {
    fn.__name__: fn
    for fn in (
        bulk_load,
        dump,
        export,
        query,
        sparql,
        network,
        extract_rate,
        workers_rate,
        rdflib_write,
        ours_write,
        extract_long,
        jsonld_ours,
        jsonld_rdflib,
        build_grouped,
        first_ask,
        summaries,
        build_more,
    )
}


def main(argv: list[str]) -> None:
    command, *args = argv
    result = COMMANDS[command](*args)
    print(json.dumps(result))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main(sys.argv[1:])
