"""Run ontology/shapes.ttl over every case in tests/shapes/*.ttl.

Each case file is Turtle data whose header comments state the expected outcome (see
tests/shapes/README.md). The data is validated together with the ontology, the SKOS
vocabularies and tests/shapes/support/reference.ttl, as `kg validate` validates item graphs
together with the ontology, vocab and reference graphs.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "tests" / "shapes"
CASES = sorted(CASES_DIR.glob("*.ttl"))
SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"

SH = Namespace("http://www.w3.org/ns/shacl#")
MKS = Namespace("https://w3id.org/migkg/shapes#")
SEVERITIES = {"violation": SH.Violation, "warning": SH.Warning, "info": SH.Info}
EXPECT = re.compile(r"^#\s*expect:\s*(?P<what>\S+)(?:\s+mks:(?P<shape>\S+))?\s*$")


@cache
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE)


@cache
def background() -> Graph:
    """Ontology + vocabularies + the test reference snippet, parsed once."""
    g = Graph()
    for path in [
        ROOT / "ontology" / "migkg.ttl",
        *sorted((ROOT / "ontology" / "vocab").glob("*.ttl")),
        CASES_DIR / "support" / "reference.ttl",
    ]:
        g.parse(path)
    return g


def expectations(path: Path) -> set[tuple[URIRef, URIRef]] | None:
    """The expected (severity, source shape) pairs, or None for `# expect: conforms`."""
    expected: set[tuple[URIRef, URIRef]] = set()
    conforms = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        m = EXPECT.match(line)
        if not m:
            continue
        if m["what"] == "conforms" and not m["shape"]:
            conforms = True
        elif m["what"] in SEVERITIES and m["shape"]:
            expected.add((SEVERITIES[m["what"]], MKS[m["shape"]]))
        else:
            raise ValueError(f"{path.name}: cannot read expectation {line!r}")
    if conforms == bool(expected):
        raise ValueError(f"{path.name}: say either '# expect: conforms' or which shapes fail")
    return None if conforms else expected


def validate(path: Path) -> Graph:
    data = Graph()
    data += background()
    data.parse(path)
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes(), inference="none", allow_warnings=True)
    return report


def top_level_results(report: Graph) -> list:
    """Results of the report itself, not the nested sh:detail results of sh:node checks."""
    return [r for rep in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(rep, SH.result)]


def declared_messages(shape: URIRef) -> list[re.Pattern[str]]:
    """The messages a shape may report: its own and those of its SPARQL constraints,
    with {?var} placeholders matching anything."""
    g = shapes()
    nodes = [shape, *g.objects(shape, SH.sparql)]
    return [
        re.compile(".*".join(re.escape(part) for part in re.split(r"\{[?$]\w+\}", str(msg))))
        for node in nodes
        for msg in g.objects(node, SH.message)
    ]


@pytest.mark.parametrize("case", CASES, ids=[p.stem for p in CASES])
def test_shape_case(case: Path) -> None:
    expected = expectations(case)
    report = validate(case)
    results = top_level_results(report)
    got = {(report.value(r, SH.resultSeverity), report.value(r, SH.sourceShape)) for r in results}

    assert got == (expected or set()), _describe(report, results)

    for r in results:
        shape = report.value(r, SH.sourceShape)
        message = report.value(r, SH.resultMessage)
        assert isinstance(message, Literal), f"{shape} reported no message"
        assert any(p.fullmatch(str(message)) for p in declared_messages(shape)), (
            f"{shape} reported {message!r}, not one of its own sh:message texts"
        )


def _describe(report: Graph, results: list) -> str:
    lines = ["validation results:"]
    for r in results:
        lines.append(
            f"  {report.value(r, SH.resultSeverity).split('#')[-1]} "
            f"{report.value(r, SH.sourceShape)} focus={report.value(r, SH.focusNode)} "
            f"value={report.value(r, SH.value)}: {report.value(r, SH.resultMessage)}"
        )
    return "\n".join(lines)


def test_every_targeted_shape_has_a_failing_and_a_passing_case() -> None:
    """Each node shape with a target is broken by some case and satisfied by some other."""
    g = shapes()
    failing: set[URIRef] = set()
    passing_types: set[URIRef] = set()
    for case in CASES:
        expected = expectations(case)
        if expected is None:
            passing_types |= set(Graph().parse(case).objects(None, RDF.type))
        else:
            failing |= {shape for _, shape in expected}

    targeted = set(g.subjects(SH.targetClass, None))
    assert targeted, "no targeted shapes found"
    for shape in sorted(targeted):
        broken = {shape, *g.objects(shape, SH.property)}
        assert broken & failing, f"no case breaks {shape}"
        assert set(g.objects(shape, SH.targetClass)) & passing_types, f"no conforming case has a focus node for {shape}"
