"""`kg build`: idempotence, replacement, bad input, strictness, the CLI summary."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from kg.build import build
from kg.store import KgStore, open_store

from .conftest import SAMPLE, invoke, write_corpus

COUNT_ITEMS = "SELECT (COUNT(*) AS ?n) WHERE { ?i a <https://w3id.org/migkg/ont#NewsItem> }"


def quads_of(path: str) -> set[str]:
    with open_store(path) as store:
        return {str(q) for q in store.quads()}


def count_items(path: str) -> int:
    with open_store(path) as store:
        return int(next(iter(store.query(COUNT_ITEMS)))["n"].value)


def test_sample_build_counts_ten_news_items(runner, store_path):
    result = invoke(runner, "build", SAMPLE, "--store", store_path, "-q")
    assert result.exit_code == 0
    assert "items read      10" in result.output
    assert "loaded          10" in result.output
    out = invoke(runner, "sparql", COUNT_ITEMS, "--store", store_path, "--format", "csv")
    assert out.output.splitlines() == ["n", "10"]


def test_rebuild_of_unchanged_input_changes_nothing(runner, store_path):
    invoke(runner, "build", SAMPLE, "--store", store_path, "-q")
    before = quads_of(store_path)
    result = invoke(runner, "build", SAMPLE, "--store", store_path, "-q")
    assert "unchanged       10" in result.output
    assert "loaded          0" in result.output
    assert quads_of(store_path) == before


def test_changed_item_replaces_its_graph(tmp_path: Path, runner, store_path):
    news = tmp_path / "news.txt"
    news.write_text("11 June, 2019\nTitle\nOld summary about Mexico.\n\n12 June, 2019\nOther\nKept.\n")
    invoke(runner, "build", news, "--store", store_path, "-q")
    news.write_text("11 June, 2019\nTitle\nNew summary.\n\n12 June, 2019\nOther\nKept.\n")
    result = invoke(runner, "build", news, "--store", store_path, "-q")
    assert "loaded          1" in result.output
    assert "unchanged       1" in result.output
    quads = quads_of(store_path)
    assert any('"New summary."@en' in q for q in quads)
    assert not any("Old summary" in q for q in quads)
    assert count_items(store_path) == 2


def test_replace_rebuilds_from_scratch(tmp_path: Path, runner, store_path):
    a = tmp_path / "a.txt"
    a.write_text("11 June, 2019\nA\nS.\n")
    b = tmp_path / "b.txt"
    b.write_text("12 June, 2019\nB\nS.\n")
    invoke(runner, "build", a, "--store", store_path, "-q")
    invoke(runner, "build", b, "--store", store_path, "-q")
    assert count_items(store_path) == 2
    invoke(runner, "build", b, "--store", store_path, "-q", "--replace")
    assert count_items(store_path) == 1


def test_item_graphs_have_no_blank_nodes_and_describe_themselves(sample_store):
    quads = quads_of(sample_store)
    assert not any("_:" in q.split('"')[0] for q in quads)
    with open_store(sample_store) as store:
        rows = list(
            store.query(
                "SELECT ?g ?h ?file WHERE { GRAPH ?g { ?g a <https://w3id.org/migkg/ont#ItemGraph> ;"
                " <https://w3id.org/migkg/ont#contentHash> ?h ; <https://w3id.org/migkg/ont#sourceFile> ?file } }"
            )
        )
    assert len(rows) == 10
    assert all(r["h"].value.startswith("sha256:") for r in rows)
    assert {r["file"].value for r in rows} == {"data/news/news-listing-2019.txt"}  # relative to the repo


GOOD = "11 June, 2019\nGood title\nGood summary.\n"
BAD_INPUTS = [
    (
        "bad-date.txt",
        "31 February, 2019\nTitle\nSummary.\n\n" + GOOD,
        "bad-date.txt:1: '31 February, 2019' is not a valid date",
    ),
    ("no-title.txt", GOOD + "\n12 June, 2019\n\n", "no-title.txt:5: date line '12 June, 2019' has no title after it"),
    (
        "no-summary.txt",
        GOOD + "\n12 June, 2019\nLonely title\n",
        "no-summary.txt:6: title 'Lonely title' has no summary after it",
    ),
    (
        "bad.jsonl",
        '{"date": "2019-06-11", "title": "T", "summary": "S"}\n{not json\n{"title": "no date"}\n',
        "bad.jsonl:2: not valid JSON",
    ),
    ("bad.csv", "date,headline,summary\n2019-06-11,T,S\n", "bad.csv:1: no 'title' column"),
    ("bad.rss", "<rss><channel><item><title>T</title></item>\n<oops\n", "bad.rss:"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_reported_and_good_items_still_load(tmp_path: Path, runner, store_path, name, content, message):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_text(content, encoding="utf-8")
    (folder / "good.txt").write_text("13 June, 2019\nAnother good one\nFine.\n")
    result = runner.invoke(
        __import__("kg.cli", fromlist=["cli"]).cli, ["build", str(folder), "--store", store_path, "-q"]
    )
    assert result.exit_code == 1
    err_lines = [line for line in result.stderr.splitlines() if line]
    assert any(line.startswith(str(folder / name)) and message.split(":", 1)[1] in line for line in err_lines), (
        err_lines
    )
    assert "Traceback" not in result.output
    assert count_items(store_path) >= 1  # good.txt at least
    if name.endswith(".jsonl"):
        assert any(":3: record lacks date" in line for line in err_lines)


def test_empty_file_and_non_utf8_file_are_rejected(tmp_path: Path, runner, store_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_text("")
    (folder / "latin1.txt").write_bytes("11 June, 2019\nTítulo\nResumen.\n".encode("latin-1"))
    (folder / "good.txt").write_text(GOOD)
    result = invoke(runner, "build", folder, "--store", store_path, "-q")
    assert result.exit_code == 1
    assert f"{folder / 'empty.txt'}:1: empty file" in result.stderr
    assert f"{folder / 'latin1.txt'}:2: not UTF-8 text (byte 0xed" in result.stderr
    assert "rejected        2" in result.output
    assert count_items(store_path) == 1


def test_strict_stops_at_first_bad_record_and_writes_nothing(tmp_path: Path, runner, store_path):
    invoke(runner, "build", SAMPLE, "--store", store_path, "-q")
    before = quads_of(store_path)
    bad = tmp_path / "bad.txt"
    bad.write_text(GOOD + "\n31 February, 2019\nT\nS.\n")
    result = invoke(runner, "build", bad, "--store", store_path, "-q", "--strict")
    assert result.exit_code == 1
    assert "is not a valid date (--strict: nothing was written)" in result.stderr
    assert quads_of(store_path) == before


def test_stdin_with_input_format(runner, store_path):
    jsonl = '{"date": "2019-06-11", "title": "From stdin", "summary": "S"}\n'
    result = invoke(runner, "build", "-", "--input-format", "jsonl", "--store", store_path, "-q", input=jsonl)
    assert result.exit_code == 0
    assert count_items(store_path) == 1


def test_second_writer_gets_a_clear_message(runner, store_path):
    invoke(runner, "build", SAMPLE, "--store", store_path, "-q")
    with KgStore.open(store_path, write=True):
        result = invoke(runner, "build", SAMPLE, "--store", store_path, "-q")
    assert result.exit_code == 1
    assert "is in use by another process (pid" in result.stderr


def test_missing_source_is_a_usage_error(runner, store_path):
    result = invoke(runner, "build", "nope/", "--store", store_path)
    assert result.exit_code == 2
    assert result.stderr.strip() == "kg: error: nope: no such file or folder"


def test_build_library_api_in_memory(tmp_path: Path):
    shutil.copy(SAMPLE, tmp_path / "s.txt")
    store = KgStore.memory()
    report = build([tmp_path], store, shared=False)
    assert (report.read, report.loaded, report.rejected) == (10, 10, 0)
    assert store.graph_count() == 11  # the item graphs and the summaries (kg.summaries)


def test_source_file_is_named_the_same_whether_given_relative_or_absolute(tmp_path, runner, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_text(GOOD)
    quads = []
    for n, source in enumerate(["news/a.txt", str(tmp_path / "news" / "a.txt")]):
        store = str(tmp_path / f"store{n}")
        invoke(runner, "build", source, "--store", store, "-q")
        quads.append(quads_of(store))
    assert quads[0] == quads[1]
    assert any('"news/a.txt"' in q for q in quads[0])


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stream", "ending"), [(io.StringIO(), "\n"), (_Terminal(), "\r")])
def test_progress_is_a_live_line_on_a_terminal_and_plain_lines_otherwise(stream, ending):
    from kg.build import BuildReport, Progress

    progress = Progress(stream)
    progress.started -= 10  # a long build: progress is only shown after the first second
    progress.update(BuildReport(read=1200, loaded=1000, unchanged=150, rejected=50), force=True)
    progress.done()
    text = stream.getvalue()
    assert "kg build: 1,200 items read, 1,000 loaded, 150 unchanged, 50 rejected" in text
    assert text.startswith("\r") == (ending == "\r")
    assert text.endswith("\n")


def test_short_builds_print_no_progress():
    from kg.build import BuildReport, Progress

    stream = io.StringIO()
    Progress(stream).update(BuildReport(read=3))
    assert stream.getvalue() == ""


# -- issue 16: a bad record, a wrong path, --strict --


def corpus_with_bad_record(path: Path, bad: str, n: int = 1_000, at: int = 601) -> Path:
    """``n`` JSON Lines items, record ``at`` replaced by ``bad``."""
    write_corpus(path, "item", 0, n)
    lines = path.read_text().splitlines()
    lines[at - 1] = bad
    path.write_text("\n".join(lines) + "\n")
    return path


BAD_URL = '{"date": "2019-06-11", "title": "Bad", "summary": "S", "url": "http://exa mple.org/x"}'


@pytest.mark.parametrize("workers", ["1", "2"])
def test_issue_16_a_bad_record_at_601_of_1000_loses_no_valid_item(tmp_path: Path, runner, store_path, workers):
    news = corpus_with_bad_record(tmp_path / "news.jsonl", BAD_URL)
    result = invoke(runner, "build", news, "--store", store_path, "-q", "--workers", workers)
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if line] == [
        f"{news}:601: url 'http://exa mple.org/x' is not an absolute IRI (Invalid IRI code point ' ')"
    ]
    assert "rejected        1" in result.output
    assert count_items(store_path) == 999


@pytest.mark.parametrize(
    "options",
    [[], ["--workers", "2"], ["--replace"], ["--replace", "--workers", "2"]],
    ids=["1-worker", "2-workers", "replace", "replace-2-workers"],
)
def test_issue_16_strict_writes_nothing_when_a_record_is_bad(tmp_path: Path, runner, store_path, options):
    invoke(runner, "build", SAMPLE, "--store", store_path, "-q")
    before = quads_of(store_path)
    news = corpus_with_bad_record(tmp_path / "news.jsonl", BAD_URL, n=700)
    result = invoke(runner, "build", news, "--store", store_path, "-q", "--strict", *options)
    assert result.exit_code == 1
    assert f"{news}:601: url 'http://exa mple.org/x' is not an absolute IRI" in result.stderr
    assert "(--strict: nothing was written)" in result.stderr
    assert quads_of(store_path) == before


def test_issue_16_a_missing_path_fails_the_build_before_anything_is_written(tmp_path: Path, runner, store_path):
    good = write_corpus(tmp_path / "good.jsonl", "good", 0, 300)
    result = invoke(runner, "build", good, tmp_path / "typo.jsonl", "--store", store_path, "-q")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"kg: error: {tmp_path / 'typo.jsonl'}: no such file or folder"
    assert not Path(store_path).exists()
    invoke(runner, "build", SAMPLE, "--store", store_path, "-q")
    before = quads_of(store_path)
    result = invoke(runner, "build", good, tmp_path / "typo.jsonl", "--store", store_path, "-q")
    assert result.exit_code == 2
    assert quads_of(store_path) == before


def test_issue_16_an_item_over_max_item_chars_is_rejected_with_its_size(tmp_path: Path, runner, store_path):
    news = tmp_path / "news.jsonl"
    news.write_text(
        '{"date": "2019-06-11", "title": "Long", "summary": "' + "word " * 400 + '"}\n'
        '{"date": "2019-06-12", "title": "Short", "summary": "S"}\n'
    )
    result = invoke(runner, "build", news, "--store", store_path, "-q", "--max-item-chars", "1000")
    assert result.exit_code == 1
    assert f"{news}:1: item of 2,003 characters (title, summary and body) is over the limit of 1,000" in result.stderr
    assert count_items(store_path) == 1


def test_issue_16_items_with_the_same_key_and_different_text_are_reported_and_counted_once(
    tmp_path: Path, runner, store_path
):
    news = tmp_path / "news.jsonl"
    news.write_text(
        "".join(
            json.dumps({"date": "2019-06-11", "title": "Same title", "summary": text}) + "\n"
            for text in ("First text.", "Second text.", "Second text.")
        )
    )
    result = invoke(runner, "build", news, "--store", store_path, "-q")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"{news}:2: warning: same key as {news}:1 (date and title, or url) but different text; the later one is kept"
    ]
    assert "loaded          1\n" in result.output
    assert "duplicates      2\n" in result.output
    assert count_items(store_path) == 1
    assert any('"Second text."@en' in q for q in quads_of(store_path))
    strict = invoke(runner, "build", news, "--store", tmp_path / "other", "-q", "--strict")
    assert strict.exit_code == 1
    assert "(--strict: nothing was written)" in strict.stderr


def test_issue_16_a_feed_recovered_from_broken_xml_is_warned_about(tmp_path: Path, runner, store_path):
    feed = tmp_path / "broken.rss"
    feed.write_text(
        "<rss version='2.0'><channel>\n<item><title>IOM meets Guatemala</title><description>IOM & Guatemala met.\n"
        "</description><pubDate>Tue, 11 Jun 2019 10:00:00 GMT</pubDate></item></channel></rss>"
    )
    result = invoke(runner, "build", feed, "--store", store_path, "-q")
    assert result.exit_code == 0
    [warning] = result.stderr.splitlines()
    assert warning.startswith(f"{feed}:") and ": warning: broken XML, read as far as it could be recovered (" in warning
    assert count_items(store_path) == 1
    strict = invoke(runner, "build", feed, "--store", tmp_path / "other", "-q", "--strict")
    assert strict.exit_code == 1
    assert "(--strict: nothing was written)" in strict.stderr
