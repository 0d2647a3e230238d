"""The layout rules of ARCHITECTURE.md, read from the source: no import cycle in ``kg``, the
writers never depend on the server, no module grows past 400 lines, and ARCHITECTURE.md lists
every module."""

from __future__ import annotations

import re

import networkx as nx

from .conftest import ROOT, import_graph, kg_modules


def test_no_import_cycles():
    cycles = [sorted(c) for c in nx.strongly_connected_components(import_graph()) if len(c) > 1]
    assert cycles == [], f"modules that import each other: {cycles}"


def test_the_build_and_the_store_do_not_depend_on_the_server():
    graph = import_graph()
    for writer in ("kg.build", "kg.load", "kg.update"):
        reached = nx.descendants(graph, writer)
        assert not {m for m in reached if m.startswith("kg.serve")}, f"{writer} reaches {sorted(reached)}"


def test_no_module_over_400_lines():
    long = {name: n for name, path in kg_modules().items() if (n := len(path.read_text().splitlines())) > 400}
    assert long == {}


def test_architecture_md_lists_every_module_and_no_other():
    listed = set(re.findall(r"^- `(kg/[\w/]+\.py)`: ", (ROOT / "ARCHITECTURE.md").read_text(), re.M))
    present = {str(path.relative_to(ROOT)) for path in kg_modules().values() if path.name != "__main__.py"}
    assert sorted(present - listed) == [] and sorted(listed - present) == []


def test_the_cycle_finder_sees_a_cycle_through_a_function_level_import(tmp_path):
    (tmp_path / "kg").mkdir()
    (tmp_path / "kg" / "__init__.py").write_text("")
    (tmp_path / "kg" / "a.py").write_text("from kg.b import f\n")
    (tmp_path / "kg" / "b.py").write_text("def f():\n    from kg import a\n")
    graph = import_graph(tmp_path)
    assert [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1] == [["kg.a", "kg.b"]]
