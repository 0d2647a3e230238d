"""The command line: help for every command, SPARQL formats, export, stats."""

from __future__ import annotations

import pytest
from pyoxigraph import Dataset, RdfFormat, parse

from kg.cli import cli

from .conftest import invoke, run_kg


def all_commands():
    return sorted(cli.commands)


@pytest.mark.parametrize("command", all_commands())
def test_every_command_has_help_with_an_example_or_description(runner, command):
    result = invoke(runner, command, "--help")
    assert result.exit_code == 0
    assert "--store" in result.output
    assert len(result.output.splitlines()) > 4


def test_top_level_help_lists_commands(runner):
    result = invoke(runner, "--help")
    for command in all_commands():
        assert command in result.output


def test_sparql_formats(runner, sample_store):
    q = "SELECT ?t WHERE { ?i a mk:NewsItem ; dcterms:title ?t } ORDER BY ?t LIMIT 2"
    csv_out = invoke(runner, "sparql", q, "--store", sample_store, "-f", "csv").output
    assert csv_out.splitlines()[0] == "t"
    assert csv_out.splitlines()[1].startswith("80 Guatemalan government officials")
    json_out = invoke(runner, "sparql", q, "--store", sample_store, "-f", "json").output
    assert '"head":{"vars":["t"]}' in json_out.replace(" ", "")
    table = invoke(runner, "sparql", q, "--store", sample_store, "-f", "table").output
    assert table.splitlines()[1].startswith("---")
    ask = invoke(runner, "sparql", "ASK { ?s a mk:NewsItem }", "--store", sample_store, "-f", "table").output
    assert ask.strip() == "true"


def test_sparql_construct_as_turtle(runner, sample_store):
    q = "CONSTRUCT { ?i dcterms:date ?d } WHERE { ?i a mk:NewsItem ; dcterms:date ?d }"
    out = invoke(runner, "sparql", q, "--store", sample_store, "-f", "turtle").output
    triples = list(parse(out.encode(), format=RdfFormat.TURTLE))
    assert len(triples) == 10


def test_sparql_syntax_error_is_one_line_with_position(runner, sample_store):
    result = invoke(runner, "sparql", "SELECT * WHERE { ?s ?p }", "--store", sample_store)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "at line 1, column 25" in lines[0] and "syntax" in lines[0].lower()


def test_sparql_from_file_and_stdin(runner, sample_store, tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?i a mk:NewsItem }")
    assert invoke(runner, "sparql", f"@{path}", "--store", sample_store, "-f", "csv").output.split() == ["n", "10"]
    out = invoke(runner, "sparql", "-", "--store", sample_store, "-f", "tsv", input=path.read_text()).output
    assert out.split() == ["?n", "10"]


def test_query_on_missing_store_is_a_clear_error(runner, tmp_path):
    result = invoke(runner, "sparql", "ASK {}", "--store", tmp_path / "none")
    assert result.exit_code == 1
    assert "no store at" in result.stderr and "kg build" in result.stderr


def test_export_trig_keeps_every_graph_and_nquads_is_deterministic(runner, sample_store, tmp_path):
    trig = tmp_path / "kg.trig"
    assert invoke(runner, "export", "--store", sample_store, "--out", trig).exit_code == 0
    dataset = Dataset(parse(path=str(trig), format=RdfFormat.TRIG))
    graphs = {q.graph_name.value for q in dataset}
    assert sum(1 for g in graphs if "/graph/item/" in g) == 10
    first = invoke(runner, "export", "--store", sample_store, "--format", "nquads").stdout_bytes
    second = invoke(runner, "export", "--store", sample_store, "--format", "nquads").stdout_bytes
    assert first == second and len(first) > 1000


def test_stats_counts_items(runner, sample_store):
    out = invoke(runner, "stats", "--store", sample_store).output
    assert "mk:NewsItem" in out
    line = next(line for line in out.splitlines() if "mk:NewsItem" in line)
    assert line.split()[-1] == "10"


# -- kg sparql protected like the server (issue 16: exit 139 on 3,000 nested braces) --


def test_sparql_refuses_deep_nesting_with_exit_2_instead_of_crashing(sample_store):
    deep = "SELECT * WHERE " + "{ " * 3000 + "?s ?p ?o" + " }" * 3000
    run = run_kg("sparql", deep, "--store", sample_store)
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") == 1 and "3,000 levels deep" in run.stderr


def test_sparql_stops_a_runaway_at_its_timeout(sample_store):
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    run = run_kg("sparql", runaway, "--store", sample_store, "--timeout", "1")
    assert run.returncode == 1
    assert "did not finish within 1 s" in run.stderr and "Traceback" not in run.stderr


def test_sparql_stops_a_memory_bomb_at_its_budget(sample_store):
    doublings = "".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1}) " for i in range(30))
    bomb = f'SELECT (STRLEN(?a30) AS ?n) WHERE {{ BIND("xxxxxxxxxxxxxxxx" AS ?a0) {doublings}}}'
    run = run_kg("sparql", bomb, "--store", sample_store, "--memory", "200", "--timeout", "60")
    assert run.returncode == 1
    assert "more than 200 MB" in run.stderr and "Traceback" not in run.stderr
