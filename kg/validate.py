"""``kg validate``: SHACL validation of the store against ``ontology/shapes.ttl`` (pySHACL).

The data graph is the union of every graph in the store (items with the reference,
vocabulary and ontology graphs they point into), so shapes can check that a country IRI
names a real ``mk:Country`` of the reference graph.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import RdfFormat, serialize

from kg.namespaces import RDF, SH
from kg.reference import ONTOLOGY_DIR
from kg.store import KgStore

__all__ = ["Problem", "validate"]


@dataclass(frozen=True, order=True)
class Problem:
    severity: str  # Violation | Warning | Info
    focus: str
    path: str
    message: str
    shape: str

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{self.severity}: <{self.focus}>{where}: {self.message} [{self.shape}]"


def validate(store: KgStore) -> list[Problem]:
    """Every SHACL result for the union of the store's graphs, sorted."""
    import pyshacl
    from rdflib import Graph, URIRef

    data = Graph()
    triples = {q.triple for q in store.quads()}
    ntriples = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
    data.parse(data=ntriples.decode(), format="nt")
    shapes = Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    problems = []
    reports = report.subjects(URIRef(RDF["type"]), URIRef(SH["ValidationReport"]))
    top_level = [r for node in reports for r in report.objects(node, URIRef(SH["result"]))]
    for result in top_level:  # pySHACL's nested sh:detail results would repeat them
        severity = str(report.value(result, URIRef(SH["resultSeverity"]))).rsplit("#", 1)[-1]
        problems.append(
            Problem(
                severity=severity,
                focus=str(report.value(result, URIRef(SH["focusNode"])) or ""),
                path=str(report.value(result, URIRef(SH["resultPath"])) or ""),
                message=str(report.value(result, URIRef(SH["resultMessage"])) or ""),
                shape=str(report.value(result, URIRef(SH["sourceShape"])) or ""),
            )
        )
    return sorted(problems)
