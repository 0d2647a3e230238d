"""Errors that teach (issue 20): a typo is refused with the nearest valid values, a SPARQL
syntax error is one line with its position and a hint, ASK ends its line, graphs are listed."""

from __future__ import annotations

import pytest

from kg.namespaces import PREFIXES
from tests.conftest import invoke


@pytest.mark.parametrize(
    ("query", "param", "value", "message"),
    [
        ("events_by_theme", "theme", "smugling", "'smugling' is not a theme id; did you mean smuggling?"),
        ("events_by_country", "country", "Guatamala", "did you mean GTM (Guatemala)?"),
        ("timeline", "entity", "Guatemla", "did you mean GTM (Guatemala) or"),
        ("timeline", "entity", "iomx", "did you mean iom?"),
        ("region_activity", "region", "Central Amerca", "did you mean Central America (m49-013)"),
    ],
)
def test_a_typo_in_a_parameter_is_refused_with_the_nearest_values(runner, sample_store, query, param, value, message):
    result = invoke(runner, "query", query, "-p", param, value, "--store", sample_store)
    assert result.exit_code == 2
    assert result.output.startswith(f"kg: error: parameter '{param}': ")
    assert message in result.output and len(result.output.splitlines()) == 1


def test_a_country_name_is_the_country(runner, sample_store):
    by_name = invoke(runner, "query", "timeline", "-p", "entity", "Guatemala", "--store", sample_store)
    by_code = invoke(runner, "query", "timeline", "-p", "entity", "GTM", "--store", sample_store)
    assert by_name.exit_code == 0 and by_name.output == by_code.output
    assert len(by_name.output.splitlines()) > 5  # rows, not the empty answer of an unknown slug


def test_an_organisation_outside_the_registry_is_still_taken_as_a_slug(runner, sample_store):
    # the extractor mints slugs for organisations it meets in the text; org:SLUG always takes one
    assert invoke(runner, "query", "timeline", "-p", "entity", "org:iomx", "--store", sample_store).exit_code == 0
    assert (
        invoke(runner, "query", "timeline", "-p", "entity", "galen-university", "--store", sample_store).exit_code == 0
    )


def test_an_undeclared_prefix_is_one_line_with_its_position_and_a_hint(runner, sample_store):
    result = invoke(runner, "sparql", "SELECT * WHERE { ?s foo:bar ?o }", "--store", sample_store)
    assert result.exit_code == 2
    assert result.output == (
        "kg: error: SPARQL syntax error at line 1, column 28: undeclared prefix 'foo:' "
        "(add a PREFIX line; `kg vocab` lists kg's prefixes)\n"
    )


def test_a_syntax_error_counts_lines_as_the_user_wrote_them(runner, sample_store):
    # mk: is predeclared: the PREFIX lines kg adds do not shift the line number
    result = invoke(runner, "sparql", "SELECT * WHERE {\n  ?s mk:count ?o\n", "--store", sample_store)
    assert result.exit_code == 2
    assert result.output.startswith("kg: error: SPARQL syntax error at line 3, column 1: expected one of ")
    assert len(result.output.splitlines()) == 1 and "\\u{" not in result.output


def test_ask_ends_its_line(runner, sample_store):
    assert invoke(runner, "sparql", "ASK { ?s a mk:Event }", "--store", sample_store).output == "true\n"


def test_stat_prefix_as_in_the_json_ld_context(runner, sample_store):
    assert PREFIXES["stat"] == "https://w3id.org/migkg/id/statistic/"
    result = invoke(
        runner, "sparql", "ASK { ?s a mk:Statistic FILTER(STRSTARTS(STR(?s), STR(stat:))) }", "--store", sample_store
    )
    assert result.output == "true\n"


def test_stats_lists_the_graphs_that_export_takes(runner, sample_store):
    result = invoke(runner, "stats", "--graphs", "--store", sample_store)
    lines = result.output.splitlines()
    assert len(lines) == 15  # with the provenance and summary graphs (issue 21)
    assert lines[-1].split() == ["2,486", "https://w3id.org/migkg/graph/vocab"] or lines[-1].endswith("graph/vocab")
    unknown = invoke(runner, "export", "--graph", "https://example.org/nope", "--store", sample_store)
    assert unknown.exit_code == 2
    assert (
        unknown.output
        == "kg: error: no graph <https://example.org/nope> in the store; `kg stats --graphs` lists them\n"
    )
