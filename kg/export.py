"""``kg export``: the graph as Turtle, TriG, N-Quads, N-Triples or JSON-LD.

Dataset formats (TriG, N-Quads) keep every named graph and stream straight from the store;
graph formats (Turtle, N-Triples) write one graph (``graph=``) or the union of all graphs.
Output is sorted so that the same store gives the same bytes.
"""

from __future__ import annotations

import enum
import os
from pathlib import Path
from typing import BinaryIO

from pyoxigraph import NamedNode, Quad, RdfFormat, serialize

from kg.errors import UsageError
from kg.namespaces import PREFIXES
from kg.store import KgStore

__all__ = ["ExportFormat", "export"]


class ExportFormat(enum.Enum):
    TURTLE = "turtle"
    TRIG = "trig"
    NQUADS = "nquads"
    NTRIPLES = "ntriples"
    JSONLD = "jsonld"

    @classmethod
    def from_path(cls, path: str | os.PathLike[str]) -> ExportFormat:
        """The format a file name implies.

        >>> ExportFormat.from_path("out/kg.trig")
        <ExportFormat.TRIG: 'trig'>
        """
        suffix = Path(path).suffix.lower()
        try:
            return _SUFFIXES[suffix]
        except KeyError:
            raise UsageError(
                f"cannot tell the format of {path!s} from {suffix or 'no extension'!r}; "
                "pass --format turtle|trig|nquads|ntriples|jsonld"
            ) from None

    @property
    def rdf_format(self) -> RdfFormat:
        return _RDF[self]

    @property
    def keeps_graphs(self) -> bool:
        return self in (ExportFormat.TRIG, ExportFormat.NQUADS, ExportFormat.JSONLD)


_SUFFIXES = {
    ".ttl": ExportFormat.TURTLE,
    ".trig": ExportFormat.TRIG,
    ".nq": ExportFormat.NQUADS,
    ".nquads": ExportFormat.NQUADS,
    ".nt": ExportFormat.NTRIPLES,
    ".ntriples": ExportFormat.NTRIPLES,
    ".jsonld": ExportFormat.JSONLD,
    ".json": ExportFormat.JSONLD,
}
_RDF = {
    ExportFormat.TURTLE: RdfFormat.TURTLE,
    ExportFormat.TRIG: RdfFormat.TRIG,
    ExportFormat.NQUADS: RdfFormat.N_QUADS,
    ExportFormat.NTRIPLES: RdfFormat.N_TRIPLES,
    ExportFormat.JSONLD: RdfFormat.JSON_LD,
}


def _sorted_quads(store: KgStore, graph: str | None) -> list[Quad]:
    return sorted(
        store.quads(graph), key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))
    )


def export(store: KgStore, fmt: ExportFormat, output: BinaryIO, graph: str | None = None) -> int:
    """Write the store (or one graph) to ``output``; returns the number of statements written."""
    if graph is not None and not store.store.contains_named_graph(NamedNode(graph)):
        raise UsageError(f"no graph <{graph}> in the store; `kg stats` lists the graphs")
    quads = _sorted_quads(store, graph)
    prefixes = dict(PREFIXES)
    if fmt.keeps_graphs and graph is None:
        serialize(quads, output, format=fmt.rdf_format, prefixes=prefixes if fmt is ExportFormat.TRIG else None)
        return len(quads)
    triples = sorted({q.triple for q in quads}, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    serialize(triples, output, format=fmt.rdf_format, prefixes=prefixes if fmt is ExportFormat.TURTLE else None)
    return len(triples)
