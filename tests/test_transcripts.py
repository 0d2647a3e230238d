"""The README's and docs' `kg` transcripts, run against the sample (issue 20): they cannot drift.

Every ```console block of README.md and docs/*.md is read; each line ``$ kg ...`` or
``$ .venv/bin/kg ...`` (and each ``.venv/bin/kg ...`` line that ``$ make run`` echoes) is run
in a folder holding the sample store at ``.kg/store``, and what it prints must be the lines
that follow it in the block. A command typed at a terminal prints tables, so ``kg query`` and
``kg sparql`` get ``--format table`` unless the line chooses a format or pipes its output.
``| head -N`` and ``| tail -N`` are applied; ``> FILE`` keeps stdout out of the comparison.
Not run: ``kg serve`` (it runs until stopped), ``--store http://…`` (a server elsewhere), and
``kg build URL`` / ``kg update`` (a web site, which tests/test_web.py and test_update.py serve).
Lines that legitimately vary are in :data:`VARIES`; a line ``…`` (or ``...``) stands for the rest
of the output, and a table's last column cut with ``…`` (the width of the terminal) matches it whole.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from tests.conftest import ROOT, SAMPLE

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: Lines whose content depends on the machine: (pattern of the documented line, pattern it must match instead).
VARIES = [
    (re.compile(r"time\s+[\d.]+ s \(\d+ items/s\)"), re.compile(r"time\s+[\d.]+ s \(\d+ items/s\)")),
    (re.compile(r"grouping\s+[\d.]+ s \(.*\)"), re.compile(r"grouping\s+[\d.]+ s \(.*\)")),
]


@dataclass
class Step:
    doc: str
    line: int
    command: str
    expected: list[str]


def steps(path: Path) -> list[Step]:
    found = []
    text = path.read_text(encoding="utf-8")
    for block in re.finditer(r"```console\n(.*?)```", text, re.S):
        start = text[: block.start()].count("\n") + 2
        lines = block[1].splitlines()
        current: Step | None = None
        in_make_run = False
        for i, line in enumerate(lines):
            command = re.match(r"\$ (?:\.venv/bin/)?(kg .*)", line)
            echoed = in_make_run and re.match(r"\.venv/bin/(kg .*)", line)
            if line.startswith("$ "):
                in_make_run = line.split("#")[0].strip() == "$ make run"
                current = None
            if command or echoed:
                current = Step(path.name, start + i, (command or echoed)[1], [])  # type: ignore[index]
                found.append(current)
            elif current is not None and not line.startswith("$ "):
                current.expected.append(line)
    for s in found:  # a blank line between two commands separates them, it is no output
        while s.expected and not s.expected[-1].strip():
            s.expected.pop()
    return [s for s in found if not _skipped(s.command)]


def _skipped(command: str) -> bool:
    words = shlex.split(command, comments=True)
    store = words[words.index("--store") + 1] if "--store" in words[:-1] else ""
    urls = any(w.startswith(("http://", "https://")) for w in words[2:])
    return words[1] in ("serve", "update") or urls or store.startswith(("http://", "https://"))


def _run(runner: CliRunner, command: str) -> list[str]:
    head, _, pipe = command.partition("|")
    words = shlex.split(head, comments=True)
    redirect = None
    if ">" in words:
        redirect = words[words.index(">") + 1]
        words = words[: words.index(">")]
    args = words[1:]
    at_terminal = not pipe and redirect is None
    if at_terminal and args[0] in ("query", "sparql") and not {"-f", "--format"} & set(args):
        args += ["--format", "table"]
    result = runner.invoke(cli, args)
    if redirect is not None:
        if redirect != "/dev/null":
            Path(redirect).write_text(result.stdout)
        out = result.stderr.splitlines()
    else:
        out = result.output.splitlines()
    pipe_words = shlex.split(pipe, comments=True)
    if pipe_words[:1] == ["head"]:
        out = out[: int(pipe_words[1].lstrip("-n").lstrip("-"))]
    elif pipe_words[:1] == ["tail"]:
        out = out[-int(pipe_words[1].lstrip("-n").lstrip("-")) :]
    return out


def _same(documented: list[str], actual: list[str]) -> bool:
    if any(_elision(d) for d in documented):  # an elision: the documented lines before it
        cut = next(i for i, d in enumerate(documented) if _elision(d))
        documented, actual = documented[:cut], actual[:cut]
    if len(documented) != len(actual):
        return False
    for doc_line, line in zip(documented, actual, strict=True):
        if doc_line.rstrip() == line.rstrip():
            continue
        if _cut_to_width(doc_line, line):
            continue
        if not any(d.fullmatch(doc_line.strip()) and a.fullmatch(line.strip()) for d, a in VARIES):
            return False
    return True


def _elision(line: str) -> bool:
    return line.strip().startswith(("…", "..."))


def _cut_to_width(documented: str, printed: str) -> bool:
    """A table as a terminal of another width showed it: the last column cut with "…", or its rule shorter."""
    doc, line = documented.rstrip(), printed.rstrip()
    if doc.endswith("…") and line.startswith(doc[:-1]):
        return True
    rule = re.compile(r"-+(  -+)*")
    return bool(rule.fullmatch(doc) and rule.fullmatch(line) and doc.count("  ") == line.count("  "))


@pytest.mark.parametrize("doc", [d for d in DOCS if steps(d)], ids=lambda p: p.name)
def test_the_transcripts_print_what_the_docs_say(doc, tmp_path, monkeypatch):
    found = steps(doc)
    for name in ("data", "queries", "ontology"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MIGKG_STORE", raising=False)
    runner = CliRunner()
    if not found[0].command.startswith("kg build"):
        assert runner.invoke(cli, ["build", str(SAMPLE), "-q"]).exit_code == 0
    (tmp_path / "out").mkdir(exist_ok=True)
    wrong = []
    for step in found:
        actual = _run(runner, step.command)
        if not _same(step.expected, actual):
            wrong.append(
                f"{step.doc}:{step.line}: $ {step.command}\n--- documented\n"
                + "\n".join(step.expected)
                + "\n--- printed\n"
                + "\n".join(actual)
            )
    assert not wrong, "\n\n".join(wrong)


def test_the_reader_finds_the_commands():
    readme = [s.command for s in steps(ROOT / "README.md")]
    assert readme[0] == "kg build data/news/ --store .kg/store --quiet"  # echoed by `make run`
    assert "kg sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?i a mk:NewsItem }'" in readme
    assert not any(c.startswith("kg serve") for c in readme)
    assert os.path.exists(ROOT / "docs" / "codebook.md")


def test_make_eval_says_where_geowebnews_comes_from():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "https://github.com/milangritta/Pragmatic-Guide-to-Geoparsing-Evaluation" in makefile


def test_the_eigenvector_claim_is_what_the_metrics_give():
    """docs/networks.md: outside the largest component eigenvector values are tiny, not 0."""
    import networkx as nx

    from kg.network.metrics import node_metrics

    G = nx.Graph([(1, 2, {"weight": 3}), (2, 3, {"weight": 3}), (1, 3, {"weight": 3}), (4, 5, {"weight": 1})])
    small = node_metrics(G)[4]["eigenvector"]
    assert 0 <= small < 1e-3 and f"{small:.3f}" == "0.000"
    assert "tend to 0 without reaching it" in (ROOT / "docs" / "networks.md").read_text(encoding="utf-8")
