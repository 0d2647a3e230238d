"""``kg build --scheduler`` (extraction on Dask, shards) and ``kg load`` (issue 22).

One ``LocalCluster`` of two worker processes serves the module; the build's output through it
and ``kg load`` is held byte-identical to ``kg build --workers 1``.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
import socket
import warnings
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from bench.corpus import write
from kg.cluster import build_shards, plan
from kg.shards import Partition, write_partition
from tests.conftest import SAMPLE, export_nquads, invoke

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """The address of a LocalCluster of two worker processes."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    ) as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """150 generated items in JSON Lines with a bad line at 76, beside the sample listing."""
    folder = tmp_path_factory.mktemp("corpus")
    path = write(folder / "news.jsonl", 150, seed=22)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(75, '{"title": "no date"\n')
    path.write_text("".join(lines), encoding="utf-8")
    (folder / "listing.txt").write_bytes(SAMPLE.read_bytes())
    return folder


def rejects(stderr: str) -> list[str]:
    return sorted(line for line in stderr.splitlines() if ": " in line and not line.startswith("kg build:"))


def test_byte_ranges_end_at_line_ends_and_know_their_first_line(corpus: Path) -> None:
    parts = plan([corpus], partition_bytes=30_000)
    ranges = [p for p in parts if p.source.endswith("news.jsonl")]
    assert len(ranges) > 3
    data = (corpus / "news.jsonl").read_bytes()
    assert ranges[0].start == 0 and ranges[-1].end == len(data)
    for before, after in itertools.pairwise(ranges):
        assert before.end == after.start and data[after.start - 1 : after.start] == b"\n"
        assert after.first_line == data[: after.start].count(b"\n") + 1


def test_dask_build_then_load_exports_the_bytes_of_a_one_worker_build(cluster: str, corpus: Path, tmp_path: Path):
    runner = CliRunner()
    one = invoke(runner, "build", corpus, "--store", tmp_path / "one", "--workers", "1", "-q")
    assert one.exit_code == 1  # the bad line
    dask = invoke(
        runner, "build", corpus, "--store", tmp_path / "dask", "--scheduler", cluster,
        "--partition-bytes", "30000", "-q",
    )  # fmt: skip
    assert dask.exit_code == 1, dask.output
    assert rejects(dask.stderr) == rejects(one.stderr)
    assert [line.split(": ")[0] for line in rejects(dask.stderr)] == [f"{corpus / 'news.jsonl'}:76"]
    assert "items read      160" in dask.stdout and "loaded          160" in dask.stdout
    manifest = json.loads((tmp_path / "dask.shards" / "manifest.json").read_text())
    assert manifest["complete"] and len(manifest["partitions"]) > 4 and manifest["item_count"] == 160
    assert export_nquads(runner, str(tmp_path / "dask")) == export_nquads(runner, str(tmp_path / "one"))


def test_shards_at_a_file_url_are_the_bytes_of_shards_at_a_path(cluster: str, corpus: Path, tmp_path: Path) -> None:
    """The workers (other processes) write to the URL through fsspec; kg load and kg network read it."""
    runner = CliRunner()
    url = (tmp_path / "at-url").as_uri()
    at_url = invoke(
        runner, "build", corpus, "--scheduler", cluster, "--shards", url, "--store", tmp_path / "dask",
        "--partition-bytes", "30000", "-q",
    )  # fmt: skip
    at_path = invoke(
        runner, "build", corpus, "--scheduler", cluster, "--shards", tmp_path / "at-path", "--no-load",
        "--partition-bytes", "30000", "-q",
    )  # fmt: skip
    assert at_url.exit_code == at_path.exit_code == 1  # the bad line
    assert f"shards          {url}" in at_url.stdout and "loaded          160" in at_url.stdout
    written = {p.name: p.read_bytes() for p in (tmp_path / "at-url").iterdir()}
    assert written == {p.name: p.read_bytes() for p in (tmp_path / "at-path").iterdir()}  # and no temporaries
    assert len(written) > 10
    invoke(runner, "load", tmp_path / "at-path", "--store", tmp_path / "path")
    assert export_nquads(runner, str(tmp_path / "dask")) == export_nquads(runner, str(tmp_path / "path"))
    loaded = invoke(runner, "load", url, "--store", tmp_path / "dask")
    assert loaded.exit_code == 0 and "unchanged       160" in loaded.stdout
    network, expected = (invoke(runner, "network", "--shards", at) for at in (url, tmp_path / "at-path"))
    assert network.exit_code == 0 and network.stdout == expected.stdout


def test_the_sample_through_a_local_cluster_then_load_is_the_sample_build(runner, tmp_path: Path, sample_store: str):
    # with Dask's default port 8787 held (a notebook's cluster, a second build), the local
    # cluster's scheduler takes a free port and says nothing about it
    with contextlib.ExitStack() as stack:
        held = stack.enter_context(socket.socket())
        with contextlib.suppress(OSError):  # held by some other process already: as good
            held.bind(("0.0.0.0", 8787))
            held.listen()
        caught = stack.enter_context(warnings.catch_warnings(record=True))
        warnings.simplefilter("always")
        built = invoke(runner, "build", SAMPLE, "--scheduler", "local", "--workers", "2", "--store", tmp_path / "s", "-q")
    assert built.exit_code == 0, built.output
    assert not [str(w.message) for w in caught if "8787" in str(w.message)]
    assert export_nquads(runner, str(tmp_path / "s")) == export_nquads(runner, sample_store)


def test_load_is_incremental_and_refuses_incomplete_shards(cluster: str, corpus: Path, tmp_path: Path):
    runner = CliRunner()
    shards = tmp_path / "shards"
    built = invoke(
        runner, "build", corpus, "--scheduler", cluster, "--shards", shards, "--no-load",
        "--partition-bytes", "30000", "--store", tmp_path / "never",
    )  # fmt: skip
    assert built.exit_code == 1 and not (tmp_path / "never").exists()  # --no-load: no store
    first = invoke(runner, "load", shards, "--store", tmp_path / "store")
    again = invoke(runner, "load", shards, "--store", tmp_path / "store")
    assert "loaded          160" in first.stdout
    assert "loaded          0" in again.stdout and "unchanged       160" in again.stdout
    before = export_nquads(runner, str(tmp_path / "store"))
    (shards / "p00002.json").unlink()
    (shards / "p00004.json").unlink()
    refused = invoke(runner, "load", shards, "--store", tmp_path / "store")
    assert refused.exit_code == 1
    assert refused.stderr.count("\n") == 1 and "p00002, p00004" in refused.stderr
    assert "2 of" in refused.stderr
    assert export_nquads(runner, str(tmp_path / "store")) == before
    # the same build again extracts only the two missing partitions
    report = build_shards([corpus], shards, scheduler=cluster, partition_bytes=30_000)
    assert report.extracted == 2 and report.items == 160


def test_a_retried_partition_replaces_its_shard(tmp_path: Path, corpus: Path) -> None:
    part = plan([corpus / "news.jsonl"], partition_bytes=30_000)[1]
    first = write_partition(part, str(tmp_path))
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    second = write_partition(part, str(tmp_path))
    assert first == second
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == files  # same names, same bytes, no temporaries
    assert sorted(files) == [f"{part.id}.{name}" for name in ("facts.parquet", "json", "nq.gz", "parquet")]


def test_load_groups_from_the_shards_facts_without_reading_items_back(
    cluster: str, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Grouping same events after a load takes each item's facts from its shard, as kg build takes
    them from its workers: reading them back from the store cost more than the rest of grouping."""
    from kg.same import derive
    from kg.shardfs import open_folder
    from kg.shards import read_manifest
    from kg.shardtables import partition_facts

    runner = CliRunner()
    shards = tmp_path / "shards"
    build_shards([corpus], shards, scheduler=cluster, partition_bytes=30_000)
    reads: list[set[str]] = []
    real = derive.read_facts
    monkeypatch.setattr(derive, "read_facts", lambda store, items: reads.append(items) or real(store, items))
    loaded = invoke(runner, "load", shards, "--store", tmp_path / "loaded")
    assert loaded.exit_code == 0 and "loaded          160" in loaded.stdout
    assert reads == []
    # and so does kg build --scheduler, which loads each partition as it comes
    built = invoke(runner, "build", corpus, "--scheduler", cluster, "--store", tmp_path / "built", "-q")
    assert built.exit_code == 1 and "loaded          160" in built.stdout  # the bad line
    assert reads == []
    one = invoke(runner, "build", corpus, "--store", tmp_path / "one", "--workers", "1", "-q")
    assert one.exit_code == 1  # the bad line
    assert export_nquads(runner, str(tmp_path / "loaded")) == export_nquads(runner, str(tmp_path / "one"))
    # a facts table that is not the one its partition's file names is refused
    meta = read_manifest(shards)["metas"][1]
    assert [f.item.rsplit("/", 1)[1] for f in partition_facts(open_folder(shards), meta)] == [
        i["graph"].rsplit("/", 1)[1] for i in meta["items"]
    ]
    facts = shards / "p00001.facts.parquet"
    table = pq.read_table(facts)
    facts.write_bytes(facts.read_bytes()[:-10])
    refused = invoke(runner, "load", shards, "--store", tmp_path / "other")
    assert refused.exit_code == 1 and refused.stderr.count("\n") == 1
    assert "p00001.facts.parquet: does not match its hash in p00001.json" in refused.stderr
    # ... and so is one whose hash was written to match, but whose rows are not the items', whose
    # columns are not what grouping reads or whose values it cannot decode: one line each; the
    # partition before it stays loaded, as the message says
    reported = table.column("reported").to_pylist()
    crafted = {
        "its items are not those of p00001.json": table.take(list(range(table.num_rows))[::-1]),
        "not a facts table of this kg": table.set_column(
            1, "published", pa.array([str(d) for d in table.column("published").to_pylist()])
        ),
        "row 2 (": table.set_column(4, "reported", pa.array([reported[0], "[[1, 2]]", *reported[2:]])),
    }
    for message, bad in crafted.items():
        pq.write_table(bad, facts)
        json_file = shards / "p00001.json"
        meta = json.loads(json_file.read_text())
        meta["facts_sha256"] = hashlib.sha256(facts.read_bytes()).hexdigest()
        json_file.write_text(json.dumps(meta))
        refused = invoke(runner, "load", shards, "--store", tmp_path / "other")
        assert refused.exit_code == 1 and refused.stderr.count("\n") == 1, refused.stderr
        assert f"p00001.facts.parquet: {message}" in refused.stderr
        assert refused.stderr.rstrip().endswith("items were written")  # those of p00000, whole
    # a lost facts table: the next build extracts that partition again, and the load goes through
    facts.unlink()
    assert build_shards([corpus], shards, scheduler=cluster, partition_bytes=30_000).extracted == 1
    assert invoke(runner, "load", shards, "--store", tmp_path / "other").exit_code == 0


def test_an_item_read_twice_is_kept_as_kg_build_keeps_it(cluster: str, tmp_path: Path) -> None:
    a = tmp_path / "a.jsonl"
    a.write_text(
        '{"id": "1", "date": "2019-05-01", "title": "IOM in Guatemala", "summary": "One."}\n'
        '{"id": "2", "date": "2019-05-02", "title": "IOM in Mexico", "summary": "Two."}\n'
    )
    b = tmp_path / "b.jsonl"  # the first item again with other text, the second unchanged
    b.write_text(
        '{"id": "1", "date": "2019-05-01", "title": "IOM in Guatemala", "summary": "One, revised."}\n'
        '{"id": "2", "date": "2019-05-02", "title": "IOM in Mexico", "summary": "Two."}\n'
    )
    runner = CliRunner()
    one = invoke(runner, "build", a, b, "--store", tmp_path / "one", "-q")
    dask = invoke(runner, "build", a, b, "--store", tmp_path / "dask", "--scheduler", cluster, "-q")
    assert one.exit_code == dask.exit_code == 0
    assert "duplicates      2" in dask.stdout
    assert export_nquads(runner, str(tmp_path / "dask")) == export_nquads(runner, str(tmp_path / "one"))


def test_load_into_a_sparql_server(cluster: str, corpus: Path, tmp_path: Path, start_oxigraph) -> None:
    runner = CliRunner()
    url = start_oxigraph()
    invoke(runner, "build", corpus, "--scheduler", cluster, "--shards", tmp_path / "shards", "--no-load")
    loaded = invoke(runner, "load", tmp_path / "shards", "--store", url)
    assert loaded.exit_code == 0, loaded.output
    embedded = invoke(runner, "load", tmp_path / "shards", "--store", tmp_path / "store")
    assert embedded.exit_code == 0
    assert export_nquads(runner, url) == export_nquads(runner, str(tmp_path / "store"))


def test_the_range_reader_numbers_lines_as_the_file_reader(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"date": "2019-01-01", "title": "A", "summary": "a"}\r\n\n{oops\r\n{"title": "B"}\n')
    whole = Partition("p00000", str(path), "x.jsonl", None)
    tail = Partition("p00001", str(path), "x.jsonl", None, start=54, end=path.stat().st_size, first_line=2)
    assert path.read_bytes()[53:54] == b"\n"
    assert [str(r) for r in whole.records() if not hasattr(r, "key")] == [
        str(r) for r in tail.records() if not hasattr(r, "key")
    ]


def test_networks_from_the_parquet_event_tables_are_the_store_networks(cluster: str, corpus: Path, tmp_path: Path):
    from dataclasses import replace

    from kg.load import load_shards
    from kg.network import EventFilter, network, parse_date_bound
    from kg.network.shards import shard_network
    from kg.store import KgStore

    shards = tmp_path / "shards"
    build_shards([corpus], shards, scheduler=cluster, partition_bytes=30_000)
    store = KgStore.memory()
    load_shards(shards, store)
    since = EventFilter(since=parse_date_bound("2010"), until=parse_date_bound("2019", end=True))
    # the shards hold the reports; their canonical events (kg.same) are only grouped in a store
    reports, since = EventFilter(reports=True), replace(since, reports=True)
    for kind in ("countries", "organizations"):
        for filters in (reports, since):
            expected, got = network(store, kind, filters), shard_network(shards, kind, filters)
            assert got.number_of_edges() > 5
            assert dict(got.nodes(data="event_count")) == dict(expected.nodes(data="event_count"))
            assert got.graph["event_count"] == expected.graph["event_count"]
            for a, b, attrs in expected.edges(data=True):
                assert {k: got[a][b].get(k) for k in ("weight", "first", "last")} == {
                    k: attrs.get(k) for k in ("weight", "first", "last")
                }
            assert got.number_of_edges() == expected.number_of_edges()
    countries = shard_network(shards, "countries")
    assert countries.nodes["https://w3id.org/migkg/id/country/GTM"]["label"] == "Guatemala"
