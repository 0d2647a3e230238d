"""The bench's measuring children (bench/child.py) against a real store: a renamed or moved
library name breaks `make bench` only after its builds, half an hour in, unless tried here."""

from __future__ import annotations

import shutil
from pathlib import Path

from bench import child
from kg.sparql import execute


def test_a_named_query_is_timed_cold_warm_and_asked_again(sample_store: str, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(sample_store, store)
    before = execute.KEEP_AFTER
    timed = child.query(str(store), "events_per_month", "{}", "2")
    assert timed["rows"] > 0
    assert len(timed["warm"]) == 2 and len(timed["again"]) == 2
    assert before == execute.KEEP_AFTER  # the threshold it turned off while timing is back
