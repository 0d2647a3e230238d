"""`kg validate` over a real build: the sample conforms; a broken fact is reported readably."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad

from kg.store import KgStore

from .conftest import SAMPLE, invoke

EVENT = "https://w3id.org/migkg/id/event/2019-06-07-north-and-central-american-countries-928fb9-e1"
GRAPH = "https://w3id.org/migkg/graph/item/2019-06-07-north-and-central-american-countries-928fb9"
MK = "https://w3id.org/migkg/ont#"


def test_sample_build_conforms(runner, sample_store):
    result = invoke(runner, "validate", "--store", sample_store)
    assert result.exit_code == 0, result.output
    assert "conforms: no violations" in result.output


def test_unknown_country_and_literal_country_are_violations(tmp_path, runner):
    copy = tmp_path / "store"
    assert invoke(runner, "build", SAMPLE, "--store", copy, "-q").exit_code == 0
    with KgStore.open(copy, write=True) as store:
        g = NamedNode(GRAPH)
        store.store.add(
            Quad(
                NamedNode(EVENT),
                NamedNode(MK + "participantCountry"),
                NamedNode("https://w3id.org/migkg/id/country/XXX"),
                g,
            )
        )
        store.store.add(Quad(NamedNode(EVENT), NamedNode(MK + "participantCountry"), Literal("Guatemala"), g))
    result = invoke(runner, "validate", "--store", copy, "--max", "1000")  # one validation: pyshacl takes ~15 s here
    assert result.exit_code == 1
    lines = result.output.splitlines()
    violations = [line for line in lines if line.startswith("Violation: <")]
    assert {line.split("<", 1)[1].split(">", 1)[0] for line in violations} == {EVENT}
    assert len([line for line in lines if "> (" + MK + "participantCountry): " in line]) >= 2
    assert "Violation: <" + EVENT + "> (" + MK + "participantCountry)" in result.output
    assert lines[-1].endswith("warnings") and not any(line.startswith("… ") for line in lines)
