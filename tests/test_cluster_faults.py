"""Faults of a build on a Dask cluster (issue 22): the multi-machine shape on one machine.

``dask scheduler`` and ``dask worker`` processes are started on 127.0.0.1 with free ports;
one worker is killed mid-build (Dask retries its partition, the shards have every item once),
or the scheduler is (the build stops with one line, the store stays as it was).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.corpus import write
from kg import namespaces as ns
from kg.cluster import build_shards
from kg.load import load_shards
from kg.store import KgStore
from tests.conftest import ROOT, SAMPLE, Process, export_nquads, free_port, kg_process

pytestmark = pytest.mark.slow

DASK = str(Path(sys.executable).with_name("dask"))


class Cluster:
    """A ``dask scheduler`` and ``dask worker`` processes (no nanny: a killed worker stays dead),
    ready once the workers have joined."""

    def __init__(self, workers: int) -> None:
        port = free_port()
        self.address = f"tcp://127.0.0.1:{port}"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.scheduler = Process([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard", "--no-show"], env)  # fmt: skip
        self.workers = {
            f"w{i}": Process(
                [
                    DASK,
                    "worker",
                    self.address,
                    "--name",
                    f"w{i}",
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                ],
                env,
            )
            for i in range(workers)
        }
        from distributed import Client

        try:
            with Client(self.address, timeout="30s") as client:
                client.wait_for_workers(workers, timeout=60)
        except (OSError, TimeoutError) as exc:
            self.stop()
            said = "".join(p.output() for p in [self.scheduler, *self.workers.values()])
            raise AssertionError(f"the Dask cluster did not start ({exc}):\n{said}") from None

    def stop(self) -> None:
        for process in [*self.workers.values(), self.scheduler]:
            process.end(signal.SIGKILL)


@pytest.fixture
def start_cluster() -> Iterator[type[Cluster]]:
    started: list[Cluster] = []

    def start(workers: int) -> Cluster:
        cluster = Cluster(workers)
        started.append(cluster)
        return cluster

    yield start  # type: ignore[misc]
    for cluster in started:
        cluster.stop()


def build_on(cluster: Cluster, corpus: Path, store: Path) -> subprocess.Popen[str]:
    """``kg build CORPUS --scheduler`` on ``cluster`` in small partitions, started, not awaited."""
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "3s"}
    return kg_process(
        "build", corpus, "--store", store, "--scheduler", cluster.address, "--partition-bytes", "60000", env=env
    )


def test_a_worker_killed_mid_partition_is_retried_and_no_item_is_lost_or_doubled(start_cluster, tmp_path: Path):
    from distributed import Client

    cluster = start_cluster(2)
    corpus = write(tmp_path / "news.jsonl", 1200, seed=5)
    shards = tmp_path / "shards"
    killed: list[str] = []

    def kill_a_busy_worker() -> None:
        with Client(cluster.address, timeout="30s") as client:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                busy = [w for w, tasks in client.processing().items() if tasks]
                if busy:
                    name = client.scheduler_info()["workers"][busy[0]]["name"]
                    cluster.workers[name].send_signal(signal.SIGKILL)
                    killed.append(name)
                    return
                time.sleep(0.02)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    report = build_shards([corpus], shards, scheduler=cluster.address, partition_bytes=120_000)
    killer.join()
    assert killed, "no worker was busy"
    assert cluster.workers[killed[0]].wait(timeout=10) == -signal.SIGKILL
    manifest = json.loads((shards / "manifest.json").read_text())
    metas = [json.loads((shards / f"{p['id']}.json").read_text()) for p in manifest["partitions"]]
    graphs = [item["graph"] for meta in metas for item in meta["items"]]
    assert report.extracted == len(metas) > 4
    assert manifest["item_count"] == sum(m["item_count"] for m in metas) == len(graphs) == len(set(graphs)) == 1200
    assert [item["line"] for meta in metas for item in meta["items"]] == list(range(1, 1201))
    assert not list(shards.glob(".*.tmp"))
    store = KgStore.memory()
    assert load_shards(shards, store, shared=False).loaded == 1200
    items = [g for g in store.store.named_graphs() if g.value.startswith(ns.GRAPH["item/"])]
    assert len(items) == 1200  # and the derived graphs of same events (kg.same)


def test_a_scheduler_gone_mid_build_is_one_line_and_leaves_the_store_as_it_was(start_cluster, tmp_path: Path):
    from click.testing import CliRunner

    cluster = start_cluster(1)
    store = tmp_path / "store"
    runner = CliRunner()
    assert (
        runner.invoke(__import__("kg.cli").cli.cli, ["build", str(SAMPLE), "--store", str(store), "-q"]).exit_code == 0
    )
    before = export_nquads(runner, str(store))
    corpus = write(tmp_path / "news.jsonl", 800, seed=6)
    build = build_on(cluster, corpus, store)
    shards = Path(f"{store}.shards")
    deadline = time.monotonic() + 60
    while not list(shards.glob("p*.json")) and time.monotonic() < deadline:  # a partition done, others running
        time.sleep(0.05)
    cluster.scheduler.send_signal(signal.SIGKILL)
    _stdout, stderr = build.communicate(timeout=90)
    errors = [line for line in stderr.splitlines() if not line.startswith("kg build:")]
    assert build.returncode == 1, stderr
    assert len(errors) == 1 and errors[0].startswith("kg: error: the build on the Dask cluster stopped"), stderr
    assert "the store was not changed" in errors[0]
    assert export_nquads(runner, str(store)) == before


def test_a_scheduler_gone_while_partitions_load_leaves_a_new_store_empty(start_cluster, tmp_path: Path):
    """Into a new store each partition is loaded as it is extracted, into a side store that a
    build stopped half-way discards: the store is left as it was, empty, with no side folder."""
    from click.testing import CliRunner

    cluster = start_cluster(1)
    store = tmp_path / "store"
    corpus = write(tmp_path / "news.jsonl", 800, seed=7)
    build = build_on(cluster, corpus, store)
    shards = Path(f"{store}.shards")
    deadline = time.monotonic() + 60
    while len(list(shards.glob("p*.json"))) < 2 and time.monotonic() < deadline:  # partitions loading
        time.sleep(0.05)
    cluster.scheduler.send_signal(signal.SIGKILL)
    _stdout, stderr = build.communicate(timeout=90)
    errors = [line for line in stderr.splitlines() if not line.startswith("kg build:")]
    assert build.returncode == 1, stderr
    assert len(errors) == 1 and "the store was not changed" in errors[0], stderr
    assert export_nquads(CliRunner(), str(store)) == b""
    assert not list(tmp_path.glob("store.replacing-*"))
