"""A shards folder at a URL (issue 22, item 2): any fsspec filesystem, written and read in one process
here through ``memory://`` (no network); ``file://`` through a real LocalCluster is in
tests/test_cluster.py. Errors of a URL are one line, before anything runs or the store is opened.
"""

from __future__ import annotations

import importlib.util
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import fsspec
import fsspec.implementations.memory
import pytest

from bench.corpus import write
from kg.cluster import build_shards, plan
from kg.errors import KgError
from kg.shardfs import ShardFolder
from kg.shards import write_partition
from tests.conftest import SAMPLE, export_nquads, invoke


@pytest.fixture
def memory_url() -> Iterator[str]:
    """A folder of its own in fsspec's in-process filesystem, removed afterwards."""
    path = f"/kg-tests/{uuid.uuid4().hex}"
    yield f"memory://{path}"
    memory = fsspec.filesystem("memory")
    if memory.exists(path):
        memory.rm(path, recursive=True)


def files(location: str | Path) -> dict[str, bytes]:
    """Every file of a folder (temporaries too) by name, with its bytes."""
    if isinstance(location, Path):
        return {p.name: p.read_bytes() for p in location.iterdir()}
    fs, path = fsspec.core.url_to_fs(location)
    return {p.rsplit("/", 1)[-1]: fs.cat_file(p) for p in fs.ls(path, detail=False)}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 generated items in JSON Lines, three partitions of 20,000 bytes."""
    return write(tmp_path_factory.mktemp("corpus") / "news.jsonl", 60, seed=22)


@pytest.mark.parametrize("kind", ["path", "file://", "memory://"])
def test_a_retried_partition_replaces_its_files_at_a_path_or_a_url(kind, tmp_path, memory_url, corpus) -> None:
    location = {"path": str(tmp_path), "file://": tmp_path.as_uri(), "memory://": memory_url}[kind]
    folder = ShardFolder(location)
    folder.make()
    # a temporary name renamed over the file, or (as on an object store) one put of the whole file
    assert (folder.local is not None, folder.fs is not None and folder.renames) == {
        "path": (True, False),
        "file://": (False, True),
        "memory://": (False, False),
    }[kind]
    part = plan([corpus], partition_bytes=20_000)[1]
    first = write_partition(part, location)
    written = files(tmp_path if kind == "path" else location)
    assert write_partition(part, location) == first
    assert files(tmp_path if kind == "path" else location) == written  # same names and bytes, no temporaries
    assert sorted(written) == [f"{part.id}.{name}" for name in ("facts.parquet", "json", "nq.gz", "parquet")]


def test_a_write_that_fails_is_one_line_naming_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    for location in (str(tmp_path / "absent"), (tmp_path / "absent").as_uri()):
        with pytest.raises(KgError, match=r"absent/p00000\.json: cannot write \(No such file or directory\)"):
            ShardFolder(location).write("p00000.json", b"{}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    [
        ["build", SAMPLE, "--scheduler", "local", "--shards", "{url}"],
        ["load", "{url}"],
        ["network", "--shards", "{url}"],
    ],
    ids=["build", "load", "network"],
)
def test_an_unknown_filesystem_is_one_line_before_the_cluster_or_the_store(command, tmp_path, runner) -> None:
    url = "nosuchfs://bucket/shards"
    result = invoke(runner, *[str(a).format(url=url) for a in command], "--store", tmp_path / "store")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"kg: error: {url}: Protocol not known: nosuchfs; a shards folder is a path or")
    assert not (tmp_path / "store").exists()  # not even created


def test_a_filesystem_not_installed_names_the_url_and_the_package(monkeypatch, tmp_path, runner) -> None:
    # as fsspec knows s3:// without s3fs installed: a class to import, and what to install
    from fsspec.registry import known_implementations

    monkeypatch.setitem(
        known_implementations,
        "kgtestfs",
        {"class": "kg_tests_not_installed.FileSystem", "err": "Install kgtestfs-package to access kgtestfs"},
    )
    built = invoke(runner, "build", SAMPLE, "--scheduler", "local", "--shards", "kgtestfs://b/shards",
                   "--store", tmp_path / "store")  # fmt: skip
    loaded = invoke(runner, "load", "kgtestfs://b/shards", "--store", tmp_path / "store")
    for result in (built, loaded):
        assert result.exit_code == 1 and result.stderr.count("\n") == 1
        assert result.stderr.startswith("kg: error: kgtestfs://b/shards: Install kgtestfs-package to access kgtestfs")
    assert not (tmp_path / "store").exists()
    if importlib.util.find_spec("s3fs") is None:
        s3 = invoke(runner, "load", "s3://bucket/shards", "--store", tmp_path / "store")
        assert s3.exit_code == 1 and "kg: error: s3://bucket/shards: Install s3fs" in s3.stderr


def test_an_unwritable_object_store_is_one_line_at_the_manifest_before_any_extraction(
    monkeypatch, tmp_path, runner, memory_url
) -> None:
    def refused(self, path, value, **kwargs):  # as S3 answers a put without the right to write
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(fsspec.implementations.memory.MemoryFileSystem, "pipe_file", refused)
    result = invoke(runner, "build", SAMPLE, "--scheduler", "local", "--shards", memory_url, "--store", tmp_path / "s")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"kg: error: {memory_url}/manifest.json: cannot write (Permission denied); ")
    assert export_nquads(runner, str(tmp_path / "s")) == b""  # a new store, left empty


@pytest.mark.slow
def test_an_unmakeable_shards_folder_is_one_line_and_the_store_stays_as_it_was(tmp_path, runner, corpus) -> None:
    store = tmp_path / "store"
    assert invoke(runner, "build", SAMPLE, "--store", store, "-q").exit_code == 0
    before = export_nquads(runner, str(store))
    (tmp_path / "a-file").write_text("not a folder")
    for shards in (tmp_path / "a-file" / "shards", (tmp_path / "a-file" / "shards").as_uri()):
        result = invoke(runner, "build", corpus, "--scheduler", "local", "--shards", shards, "--store", store)
        assert result.exit_code == 1 and result.stderr.count("\n") == 1
        assert result.stderr == f"kg: error: {shards}: cannot make the shards folder (Not a directory)\n"
    assert export_nquads(runner, str(store)) == before


@pytest.mark.slow
def test_shards_in_memory_are_the_bytes_of_shards_at_a_path_and_load_as_kg_build(
    tmp_path, runner, corpus, memory_url
) -> None:
    """A Dask build in this process (a LocalCluster of threads: memory:// is this process's), the
    same build into a folder, then kg load and kg network from the URL in-process."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None, silence_logs=logging.ERROR
    ) as cluster:
        assert cluster.scheduler_address.startswith("inproc://")  # no socket
        at_url = build_shards([corpus], memory_url, scheduler=cluster.scheduler_address, partition_bytes=20_000)
        at_path = build_shards(
            [corpus], tmp_path / "shards", scheduler=cluster.scheduler_address, partition_bytes=20_000
        )
    assert at_url.partitions == at_path.partitions == 3 and at_url.items == at_path.items == 60
    assert files(memory_url) == files(tmp_path / "shards")

    one = invoke(runner, "build", corpus, "--store", tmp_path / "one", "--workers", "1", "-q")
    loaded = invoke(runner, "load", memory_url, "--store", tmp_path / "store")
    assert one.exit_code == loaded.exit_code == 0, loaded.output
    assert "loaded          60" in loaded.stdout
    assert export_nquads(runner, str(tmp_path / "store")) == export_nquads(runner, str(tmp_path / "one"))
    network = invoke(runner, "network", "--shards", memory_url)
    assert network.exit_code == 0 and network.stdout.startswith("countries network: ")
    assert network.stdout == invoke(runner, "network", "--shards", tmp_path / "shards").stdout


@pytest.mark.slow
def test_an_incomplete_manifest_at_a_url_is_refused_naming_the_partitions(tmp_path, runner, corpus, memory_url):
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None, silence_logs=logging.ERROR
    ) as cluster:
        build_shards([corpus], memory_url, scheduler=cluster.scheduler_address, partition_bytes=20_000)
    memory, path = fsspec.core.url_to_fs(memory_url)
    memory.rm_file(f"{path}/p00000.json")
    memory.rm_file(f"{path}/p00002.json")
    refused = invoke(runner, "load", memory_url, "--store", tmp_path / "store")
    assert refused.exit_code == 1 and refused.stderr.count("\n") == 1
    assert refused.stderr.startswith(
        f"kg: error: {memory_url}: incomplete shards, 2 of 3 partitions missing (p00000, p00002); "
        f"run the same kg build --scheduler ... --shards {memory_url} again"
    )
    assert not (tmp_path / "store").exists()  # refused before the store was opened
    network = invoke(runner, "network", "--shards", memory_url)
    assert network.exit_code == 1 and "(p00000, p00002)" in network.stderr


@pytest.mark.parametrize("suffix", ["nq.gz", "facts.parquet"])
def test_a_shard_file_that_is_not_the_one_its_json_names_is_refused_in_one_line(suffix: str, tmp_path: Path) -> None:
    """What kg load reads of a partition is checked against the hashes in its pNNNNN.json."""
    from kg.shards import partition_graphs
    from kg.shardtables import partition_facts

    source = write(tmp_path / "news.jsonl", 5, seed=3)
    part = plan([source])[0]
    (tmp_path / "shards").mkdir()
    meta = write_partition(part, str(tmp_path / "shards"))
    root = ShardFolder(str(tmp_path / "shards"))
    read = {"nq.gz": lambda: list(partition_graphs(root, meta)), "facts.parquet": lambda: partition_facts(root, meta)}
    assert len(read[suffix]()) == 5
    changed = tmp_path / "shards" / f"{part.id}.{suffix}"
    changed.write_bytes(changed.read_bytes() + b"\0")
    with pytest.raises(KgError, match=rf"{part.id}\.{suffix}: does not match its hash in {part.id}\.json"):
        read[suffix]()
    changed.unlink()
    with pytest.raises(KgError, match=rf"{part.id}\.{suffix}: unreadable"):
        read[suffix]()
