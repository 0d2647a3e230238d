"""The layout rules of ARCHITECTURE.md, read from the source: no import cycle in ``kg``, the
writers never depend on the server, no module grows past 400 lines, and ARCHITECTURE.md lists
every module."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import networkx as nx

from .conftest import ROOT

KG = ROOT / "kg"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(KG.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The ``kg`` modules that ``name`` imports, wherever the import stands (a function-level
    import is a dependency too); imports under ``if TYPE_CHECKING:`` are only for type checkers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            wanted = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            # "from kg import namespaces" imports the module kg.namespaces, not the package's code
            wanted = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        for target in wanted:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target.startswith("kg") and target != name:
                targets.add(target)
    return targets


def _graph() -> nx.DiGraph:
    modules = _modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        graph.add_edges_from((name, target) for target in _imports(name, path, modules))
    return graph


def test_no_import_cycles():
    cycles = [sorted(c) for c in nx.strongly_connected_components(_graph()) if len(c) > 1]
    assert cycles == [], f"modules that import each other: {cycles}"


def test_the_build_and_the_store_do_not_depend_on_the_server():
    graph = _graph()
    for writer in ("kg.build", "kg.load", "kg.update"):
        reached = nx.descendants(graph, writer)
        assert not {m for m in reached if m.startswith("kg.serve")}, f"{writer} reaches {sorted(reached)}"


def test_no_module_over_400_lines():
    long = {name: n for name, path in _modules().items() if (n := len(path.read_text().splitlines())) > 400}
    assert long == {}


def test_architecture_md_lists_every_module_and_no_other():
    listed = set(re.findall(r"^- `(kg/[\w/]+\.py)`: ", (ROOT / "ARCHITECTURE.md").read_text(), re.M))
    present = {str(path.relative_to(ROOT)) for path in _modules().values() if path.name != "__main__.py"}
    assert sorted(present - listed) == [] and sorted(listed - present) == []


def test_the_cycle_finder_sees_a_cycle_through_a_function_level_import(tmp_path, monkeypatch):
    (tmp_path / "kg").mkdir()
    (tmp_path / "kg" / "__init__.py").write_text("")
    (tmp_path / "kg" / "a.py").write_text("from kg.b import f\n")
    (tmp_path / "kg" / "b.py").write_text("def f():\n    from kg import a\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "KG", tmp_path / "kg")
    assert [sorted(c) for c in nx.strongly_connected_components(_graph()) if len(c) > 1] == [["kg.a", "kg.b"]]
