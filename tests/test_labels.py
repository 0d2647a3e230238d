"""Labels in English and Spanish (issue 20): one label per resource and language, so that a query
that chooses the language (as the codebook says and every example does) gets one row per resource,
while a naive label query gets one per language."""

from __future__ import annotations

import re

import pytest

from kg.reference import LABEL_RULE

from .conftest import ROOT

PREFIXES = "PREFIX mk: <https://w3id.org/migkg/ont#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"


def rule_query() -> str:
    return re.search(r"```sparql\n(.*?)```", LABEL_RULE, re.S)[1]


@pytest.mark.parametrize("predicate", ["rdfs:label", "skos:prefLabel"])
def test_no_resource_has_two_labels_in_one_language(embedded, predicate):
    twice = f"""SELECT ?s ?lang WHERE {{ ?s {predicate} ?l BIND(LANG(?l) AS ?lang) }}
      GROUP BY ?s ?lang HAVING (COUNT(DISTINCT ?l) > 1)"""
    assert list(embedded.query(PREFIXES + twice)) == []


def test_the_codebook_query_gives_one_row_per_country_and_the_naive_one_two(embedded):
    countries = len(list(embedded.query(PREFIXES + "SELECT ?c WHERE { ?c a mk:Country }")))
    chosen = list(embedded.query(PREFIXES + rule_query()))
    assert len(chosen) == len({row[0] for row in chosen}) == countries == 249
    naive = list(embedded.query(PREFIXES + "SELECT ?c ?l WHERE { ?c a mk:Country ; rdfs:label ?l }"))
    assert len(naive) > 1.9 * countries  # why the rule is needed: Spanish names double the rows
    assert "## Labels and languages" in (ROOT / "docs" / "codebook.md").read_text()


def sparql_texts() -> list[tuple[str, str]]:
    """Every named query, and every code block of the README and docs/ (the codebook aside)."""
    texts = [(p.name, p.read_text()) for p in sorted((ROOT / "queries").glob("*.rq"))]
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        if doc.name != "codebook.md":
            texts += [(doc.name, block) for block in re.findall(r"```\w*\n(.*?)```", doc.read_text(), re.S)]
    return texts


def test_every_example_that_reads_a_label_chooses_its_language():
    found = 0
    for name, text in sparql_texts():
        for variable in re.findall(r"rdfs:label\s+\?(\w+)", text):
            found += 1
            assert re.search(rf"LANG(?:MATCHES)?\s*\(\s*(?:LANG\s*\(\s*)?\?{variable}\b", text, re.I), (name, variable)
    assert found >= 6
