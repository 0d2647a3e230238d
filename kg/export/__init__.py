"""``kg export``: the graph as Turtle, TriG, N-Quads, N-Triples or compacted JSON-LD.

Dataset formats (TriG, N-Quads, JSON-LD) keep every named graph; graph formats (Turtle,
N-Triples) write one graph (``graph=``) or the union of all graphs, each triple once.

Every export streams from the store: graphs in IRI order, subjects in IRI order inside each
graph (``rdf:type`` first, then predicates and objects in order; N-Triples and N-Quads lines in
the order of their text). A graph is sorted in memory when it is small (item graphs, the
reference graph) and read subject by subject otherwise, as is the union; N-Triples and N-Quads
are sorted as lines, in runs merged from temporary files when a graph is large. Memory depends
on the largest graph (for the union, on the number of subjects), not on the size of the store.
The same store always gives the same bytes. Turtle and TriG
declare only the prefixes of :data:`kg.namespaces.PREFIXES` they use and are laid out like
``ontology/migkg.ttl``: one block per subject, four-space indents.

The framed events view lives in :mod:`kg.export.views` (its table in :mod:`kg.export.events`) and is re-exported here.

>>> from pyoxigraph import Quad, NamedNode as N, Literal
>>> from kg.namespaces import RDFS, country, item_graph
>>> store, g = KgStore.memory(), N(item_graph("k1"))
>>> label = Quad(N(country("GTM")), N(RDFS["label"]), Literal("Guatemala", language="en"), g)
>>> store.replace_graphs({g.value: [label]})
1
>>> out = io.BytesIO()
>>> export(store, ExportFormat.TURTLE, out)
1
>>> print(out.getvalue().decode())
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ctry: <https://w3id.org/migkg/id/country/> .
<BLANKLINE>
ctry:GTM
    rdfs:label "Guatemala"@en .
<BLANKLINE>
"""

from __future__ import annotations

import contextlib
import heapq
import io
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from operator import methodcaller
from pathlib import Path
from typing import BinaryIO, TypeVar, overload

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QuerySolutions,
    RdfFormat,
    Triple,
    Variable,
    serialize,
)

from kg.errors import KgError, UsageError
from kg.export.document import JsonLdWriter
from kg.export.events import EVENT_COLUMNS, event_rows
from kg.export.jsonld import Context, load_context
from kg.export.views import View, export_view
from kg.formats import ExportFormat, ViewFormat
from kg.namespaces import PREFIXES, RDF, XSD, item_graph
from kg.store import KgStore

__all__ = ["EVENT_COLUMNS", "ExportFormat", "View", "ViewFormat", "event_rows", "export", "export_view"]


#: Graphs up to this many quads are sorted in memory; larger ones are read subject by subject.
IN_MEMORY_QUADS = 100_000
#: N-Triples and N-Quads lines sorted in memory at a time (about 40 MB); a larger graph is merged from runs.
RUN_LINES = 200_000
_BATCH = 2_000  # triples per call of the Turtle serializer
_RDF_TYPE = RDF["type"]
_PLAIN_DATATYPES = {XSD["string"], RDF["langString"]}
_ITEM_GRAPHS = item_graph("")  # one news item's graph: small whatever the store's size

Graph = NamedNode | DefaultGraph
Subject = NamedNode | BlankNode
Order = Callable[[Triple], str] | Callable[[Triple], tuple[bool, str, str]]  # str or _turtle_order
Statement = TypeVar("Statement", Triple, Quad)


def export(
    store: KgStore,
    fmt: ExportFormat,
    output: BinaryIO,
    graph: str | None = None,
    *,
    context: Context | None = None,
    context_url: str | None = None,
) -> int:
    """Write the store (or one graph) to ``output``; returns the number of statements written.

    JSON-LD is compacted with ``context`` (default: ``ontology/context.jsonld``), which is
    embedded unless ``context_url`` names where it is published.
    """
    if graph is not None and not store.store.contains_named_graph(NamedNode(graph)):
        raise UsageError(f"no graph <{graph}> in the store; `kg stats --graphs` lists them")
    if context_url is not None and fmt is not ExportFormat.JSONLD:
        raise UsageError("--context applies to JSON-LD only; add --format jsonld or write to a .jsonld file")
    one = NamedNode(graph) if graph is not None else None
    if fmt is ExportFormat.JSONLD:
        return _write_jsonld(store, output, one, context or load_context(), context_url)
    if fmt in (ExportFormat.TURTLE, ExportFormat.TRIG):
        return _write_turtle(store, output, one, fmt is ExportFormat.TRIG and one is None)
    if fmt is ExportFormat.NQUADS and one is None:
        return sum(_write_sorted_lines(store, output, graph, as_quads=True) for graph in _graphs(store))
    if one is not None:
        return _write_sorted_lines(store, output, one, as_quads=False)
    return _write_lines(output, RdfFormat.N_TRIPLES, (t for b in _blocks(store, None, str) for t in b))


# -- reading the store in a fixed order --


def _graphs(store: KgStore) -> list[Graph]:
    """The default graph (when it holds anything), then the named graphs in IRI order."""
    named: list[Graph] = []
    for name in sorted(store.store.named_graphs(), key=lambda g: g.value):
        if not isinstance(name, NamedNode):  # kg names every graph by IRI; a foreign store may not
            raise KgError(f"the store has a graph named by a blank node ({name}); kg exports graphs named by IRIs")
        named.append(name)
    has_default = next(iter(store.store.quads_for_pattern(None, None, None, DefaultGraph())), None) is not None
    return [DefaultGraph(), *named] if has_default else named


def _subject_key(term: Subject) -> tuple[bool, str]:
    return (isinstance(term, NamedNode), term.value)  # blank nodes first, as SPARQL orders them


def _turtle_order(triple: Triple) -> tuple[bool, str, str]:
    return (triple.predicate.value != _RDF_TYPE, triple.predicate.value, str(triple.object))


def _subjects(store: KgStore, graph: Graph | None) -> list[Subject]:
    """The distinct subjects of ``graph`` (``None``: of all graphs), in order.

    Sorted here rather than with ``ORDER BY``, which pyoxigraph makes slow on large stores
    (a minute for 10**6 quads, against a second): only the subjects are held in memory.
    """
    if graph is None:
        rows = store.store.query("SELECT DISTINCT ?s WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
    elif isinstance(graph, DefaultGraph):
        rows = store.store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")
    else:
        query = "SELECT DISTINCT ?s ?g WHERE { GRAPH ?g { ?s ?p ?o } }"  # ?g bound below
        rows = store.store.query(query, substitutions={Variable("g"): graph})
    assert isinstance(rows, QuerySolutions)
    return sorted((row["s"] for row in rows), key=_subject_key)


@overload
def _blocks(store: KgStore, graph: Graph | None, order: Order) -> Iterator[list[Triple]]: ...
@overload
def _blocks(store: KgStore, graph: Graph | None, order: None) -> Iterator[list[Triple]] | Iterator[list[Quad]]: ...
def _blocks(store: KgStore, graph: Graph | None, order: Order | None) -> Iterator[list[Triple]] | Iterator[list[Quad]]:
    """The triples of ``graph`` (``None``: the union, each triple once), one list per subject.

    Subjects come in IRI order, and each list is sorted by ``order``; without an order the
    lists may hold quads (of ``graph``), in no particular order.
    """
    if graph is not None:
        quads = store.store.quads_for_pattern(None, None, None, graph)
        head = list(islice(quads, IN_MEMORY_QUADS + 1))
        if len(head) <= IN_MEMORY_QUADS:
            by_subject: dict[Subject, list[Quad]] = {}
            for quad in head:
                subject = quad.subject
                assert not isinstance(subject, Triple)  # pyoxigraph 0.5 (RDF 1.2) has triple terms as objects only
                found = by_subject.get(subject)
                if found is None:
                    by_subject[subject] = [quad]
                else:
                    found.append(quad)
            for subject in sorted(by_subject, key=_subject_key):
                block = by_subject[subject]
                yield sorted((q.triple for q in block), key=order) if order else block
            return
        del head
    for subject in _subjects(store, graph):
        triples = {q.triple for q in store.store.quads_for_pattern(subject, None, None, graph)}
        yield sorted(triples, key=order) if order else list(triples)


def _line_order(line: bytes) -> bytes:
    """The sort key of an N-Triples line that orders lines as ``_blocks(…, str)`` orders triples:
    subjects in IRI order (blank nodes first), then the triple's text. An IRI holds no ">" and no
    NUL, so the NUL that replaces the subject's ">" sorts "<…/1>" before "<…/10>", as the IRIs do."""
    return line.replace(b">", b"\x00", 1) if line[:1] == b"<" else b"\x00" + line


# _line_order without a Python call per line, for a graph where no subject is a blank node
_iri_subject_order = methodcaller("replace", b">", b"\x00", 1)


def _write_sorted_lines(store: KgStore, output: BinaryIO, graph: Graph, as_quads: bool) -> int:
    """One graph as sorted N-Triples lines (N-Quads lines naming ``graph`` when ``as_quads``)."""
    end = b" " + str(graph).encode() + b" .\n" if as_quads and isinstance(graph, NamedNode) else None
    count = 0
    for lines in _sorted_lines(store, graph):
        count += len(lines)
        if end is None:
            output.write(b"".join(lines))
        else:  # "<s> <p> <o> .\n" becomes "<s> <p> <o> <g> .\n"
            output.write(b"".join([line[:-3] + end for line in lines]))
    return count


def _sorted_lines(store: KgStore, graph: Graph) -> Iterator[list[bytes]]:
    """The N-Triples lines of ``graph`` in export order, in batches.

    pyoxigraph writes the graph as text and its lines are sorted as bytes: building a Python
    ``Quad`` for every statement and sorting those made the export 0.56x the rate of pyoxigraph's
    own unsorted dump (bench/results.md). A news item's graph is small and sorted in memory; any
    other graph (the reference graph, the events, the summaries, which grow with the store) is
    dumped to a temporary file and sorted in runs of ``RUN_LINES`` lines that are then merged, so
    that memory stays bounded however large the graph.
    """
    if isinstance(graph, NamedNode) and graph.value.startswith(_ITEM_GRAPHS):
        text = store.store.dump(format=RdfFormat.N_TRIPLES, from_graph=graph) or b""
        lines = text.splitlines(keepends=True)
        lines.sort(key=_line_order if text.startswith(b"_:") or b"\n_:" in text else _iri_subject_order)
        yield lines
        return
    with tempfile.TemporaryDirectory(prefix="kg-export-") as folder:
        dumped = Path(folder) / "graph.nt"
        store.store.dump(dumped, format=RdfFormat.N_TRIPLES, from_graph=graph)
        runs: list[Path] = []
        with dumped.open("rb") as stream:
            while run := list(islice(stream, RUN_LINES)):
                run.sort(key=_line_order)
                if not runs and len(run) < RUN_LINES:  # the whole graph in one run
                    yield run
                    return
                runs.append(Path(folder) / f"run-{len(runs)}")
                runs[-1].write_bytes(b"".join(run))
        del run
        with contextlib.ExitStack() as opened:
            merged = heapq.merge(*(opened.enter_context(path.open("rb")) for path in runs), key=_line_order)
            while batch := list(islice(merged, RUN_LINES)):
                yield batch


def _write_lines(output: BinaryIO, fmt: RdfFormat, statements: Iterable[Statement]) -> int:
    count = 0

    def counted() -> Iterator[Statement]:
        nonlocal count
        for statement in statements:
            count += 1
            yield statement

    serialize(counted(), output, format=fmt)
    return count


# -- Turtle and TriG --


class _Prefixes:
    """Which of :data:`PREFIXES` a Turtle serializer given all of them will have used."""

    def __init__(self) -> None:
        self._by_namespace: dict[str, tuple[str, ...]] = {}
        self.used: set[str] = set()

    def see(self, iri: str) -> None:
        namespace = iri[: max(iri.rfind("/"), iri.rfind("#")) + 1]
        names = self._by_namespace.get(namespace)
        if names is None:  # every prefix ends with / or #, so it is a prefix of the namespace part
            names = tuple(name for name, base in PREFIXES.items() if namespace.startswith(base))
            self._by_namespace[namespace] = names
        self.used.update(names)

    def see_triple(self, triple: Triple) -> None:
        if isinstance(triple.subject, NamedNode):
            self.see(triple.subject.value)
        if triple.predicate.value != _RDF_TYPE:  # written as `a`
            self.see(triple.predicate.value)
        obj = triple.object
        if isinstance(obj, NamedNode):
            self.see(obj.value)
        elif isinstance(obj, Literal) and obj.datatype.value not in _PLAIN_DATATYPES:
            self.see(obj.datatype.value)

    def header(self) -> str:
        names = [name for name in PREFIXES if name in self.used]
        width = max((len(name) for name in names), default=0) + 1
        lines = [f"@prefix {name + ':':<{width}} <{PREFIXES[name]}> ." for name in names]
        return "\n".join(lines) + "\n\n" if lines else ""


def _turtle_text(triples: list[Triple], indent: str) -> str:
    """oxttl's Turtle for ``triples`` (whole subjects), laid out like the ontology file."""
    buffer = io.BytesIO()
    serialize(triples, buffer, format=RdfFormat.TURTLE, prefixes=dict(PREFIXES))
    lines: list[str] = []
    for line in buffer.getvalue().decode("utf-8").splitlines():
        if line.startswith("@prefix "):
            continue
        if line.startswith("\t"):  # literals never span lines: oxttl escapes newlines
            lines.append(f"{indent}    {line[1:]}")
        else:
            subject, _, rest = line.partition(" ")
            if lines:
                lines.append("")
            lines += [indent + subject, f"{indent}    {rest}"]
    return "\n".join(lines) + "\n"


def _write_turtle(store: KgStore, output: BinaryIO, graph: NamedNode | None, keep_graphs: bool) -> int:
    """Turtle or TriG: the body goes to a spooled file first, so the header lists only used prefixes."""
    prefixes = _Prefixes()
    count = 0
    with tempfile.SpooledTemporaryFile(max_size=16 << 20) as body:

        def write_blocks(blocks: Iterable[list[Triple]], indent: str) -> None:
            nonlocal count
            batch: list[Triple] = []
            first = True
            for block in blocks:
                for triple in block:
                    prefixes.see_triple(triple)
                batch += block
                if len(batch) >= _BATCH:
                    body.write(("" if first else "\n").encode() + _turtle_text(batch, indent).encode("utf-8"))
                    count, batch, first = count + len(batch), [], False
            if batch:
                body.write(("" if first else "\n").encode() + _turtle_text(batch, indent).encode("utf-8"))
                count += len(batch)

        if keep_graphs:
            for n, name in enumerate(_graphs(store)):
                if isinstance(name, DefaultGraph):
                    write_blocks(_blocks(store, name, _turtle_order), "")
                    continue
                body.write(f"{chr(10) if n else ''}<{name.value}> {{\n".encode())
                write_blocks(_blocks(store, name, _turtle_order), "    ")
                body.write(b"}\n")
        else:
            write_blocks(_blocks(store, graph, _turtle_order), "")
        output.write(prefixes.header().encode())
        body.seek(0)
        shutil.copyfileobj(body, output)
    return count


# -- JSON-LD --


def _write_jsonld(
    store: KgStore, output: BinaryIO, graph: NamedNode | None, context: Context, context_url: str | None
) -> int:
    writer = JsonLdWriter(output, context, context_url)
    count = 0
    writer.start()

    def write_nodes(graph: Graph | None) -> None:
        nonlocal count
        for block in _blocks(store, graph, None):
            subject = block[0].subject
            assert not isinstance(subject, Triple)  # see _blocks
            writer.node(context.node(subject, block))
            count += len(block)

    if graph is not None:
        write_nodes(graph)
    else:
        for name in _graphs(store):
            if isinstance(name, DefaultGraph):
                write_nodes(name)
                continue
            writer.start_graph(name)
            write_nodes(name)
            writer.end_graph()
    writer.end()
    return count
