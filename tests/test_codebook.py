"""The codebook (issue 20): docs/codebook.md is generated, complete and in sync; `kg vocab` prints it."""

from __future__ import annotations

import re

import pytest
from pyoxigraph import NamedNode, RdfFormat, parse

from kg.codebook import CODEBOOK, codebook, compact
from kg.export.events import EVENT_COLUMNS
from kg.namespaces import PREFIXES, RDF, RDFS, SKOS
from kg.reference import ONTOLOGY_DIR
from kg.store import KgStore
from tests.conftest import invoke


@pytest.fixture(scope="module")
def generated(embedded: KgStore) -> str:
    return codebook(embedded)


def _terms(text: str) -> set[str]:
    return set(re.findall(r"^### `([^`]+)`", text, re.M))


def test_the_codebook_file_is_what_the_generator_writes(generated):
    assert CODEBOOK.read_text(encoding="utf-8") == generated, (
        "docs/codebook.md is out of date with the ontology, schemes or named queries: run `make codebook`"
    )


def test_every_class_property_and_concept_has_an_entry(generated):
    terms = _terms(generated)
    onto = list(parse(path=str(ONTOLOGY_DIR / "migkg.ttl"), format=RdfFormat.TURTLE))
    for kind in (RDFS["Class"], RDF["Property"]):
        declared = {t.subject.value for t in onto if t.predicate.value == RDF["type"] and t.object == NamedNode(kind)}
        assert declared and {compact(iri) for iri in declared} <= terms
    for scheme in ("event-type", "role", "theme", "gcm"):
        concepts = {
            t.subject.value
            for t in parse(path=str(ONTOLOGY_DIR / "vocab" / f"{scheme}.ttl"), format=RdfFormat.TURTLE)
            if t.predicate.value == SKOS["inScheme"]
        }
        assert concepts and {compact(iri) for iri in concepts} <= terms, scheme
    for used in ("prov:wasDerivedFrom", "mk:participation", "dcterms:date", "schema:startDate", "rdf:type"):
        assert used in terms
    assert len([t for t in terms if t.startswith("gcm:objective-")]) == 23


def test_entries_carry_a_definition_an_example_and_the_queries_that_use_them(generated):
    block = generated.split("### `mk:participation`")[1].split("\n### ")[0]
    assert "Links an event to an mk:Participation node" in block
    assert re.search(r"- example: `ev:\S+ mk:participation ev:\S+-p1`", block)
    assert "`people_reached`" in block
    smuggling = generated.split("### `theme:smuggling`")[1].split("\n### ")[0]
    assert "`gcm:objective-9` (exactMatch)" in smuggling
    assert "dcterms:subject theme:smuggling" in smuggling


def test_every_prefix_of_the_cli_and_of_the_context_is_listed(generated):
    rows = set(re.findall(r"^\| `([\w-]+):` \| `([^`]+)` \|", generated, re.M))
    assert set(PREFIXES.items()) <= rows
    assert ("stat", PREFIXES["stat"]) in rows  # in the JSON-LD context, and now in the CLI's prefixes


def test_every_events_table_column_is_documented(generated):
    documented = re.findall(r"^\| `(\w+)` \| ", generated.split("## The events table")[1].split("\n## ")[0], re.M)
    assert tuple(documented) == EVENT_COLUMNS


def test_a_new_concept_appears_without_touching_the_generator(embedded, tmp_path, monkeypatch):
    """Other work adds terms (an event type `return`, say): the codebook picks them up by itself."""
    import shutil

    import kg.codebook as cb

    onto = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY_DIR, onto)
    with (onto / "vocab" / "event-type.ttl").open("a") as f:
        f.write(
            '\nevt:return a skos:Concept ; skos:inScheme evt:scheme ; skos:prefLabel "Return"@en ;\n'
            '    skos:definition "Assisted return of migrants to their country of origin."@en .\n'
        )
    monkeypatch.setattr(cb, "ONTOLOGY_DIR", onto)
    text = cb.codebook(embedded)
    assert "### `evt:return`" in text and "Assisted return of migrants" in text
    assert "`?x sem:eventType evt:return` (not in the sample)" in text


def test_kg_vocab_prints_the_codebook_or_one_term(runner):
    whole = invoke(runner, "vocab")
    assert whole.exit_code == 0 and whole.output == CODEBOOK.read_text(encoding="utf-8")
    one = invoke(runner, "vocab", "smuggling")
    assert one.exit_code == 0 and one.output.startswith("### `theme:smuggling`")
    assert "### " not in one.output[4:]
    assert invoke(runner, "vocab", "mk:participation").output.startswith("### `mk:participation`")
    assert invoke(runner, "vocab", "stat:").output.strip() == (
        f"stat: <{PREFIXES['stat']}>: instances of `mk:Statistic`"
    )


def test_kg_vocab_suggests_the_nearest_terms(runner):
    result = runner.invoke(__import__("kg.cli", fromlist=["cli"]).cli, ["vocab", "smugling"])
    assert result.exit_code == 2
    assert result.output.strip() == "kg: error: no term 'smugling' in the codebook; did you mean theme:smuggling?"
