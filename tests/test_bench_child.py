"""The bench's measuring children (bench/child.py) against a real store: a renamed or moved
library name breaks `make bench` only after its builds, half an hour in, unless tried here."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bench import child
from kg.build import build
from kg.sparql import execute
from kg.store import KgStore


def test_a_named_query_is_timed_cold_warm_and_asked_again(sample_store: str, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(sample_store, store)
    before = execute.KEEP_AFTER
    timed = child.query(str(store), "events_per_month", "{}", "2")
    assert timed["rows"] > 0
    assert len(timed["warm"]) == 2 and len(timed["again"]) == 2
    assert before == execute.KEEP_AFTER  # the threshold it turned off while timing is back


def test_the_network_and_its_two_alternatives_count_the_same_pairs(tmp_path: Path) -> None:
    """The bench compares the library's network with two hand-made pairings; on a store where two
    items report one event of two countries (a canonical event, kg.same), all three count it once
    and none of its reports."""
    summary = (
        "IOM trained 40 border officials of Guatemala and Mexico on 11 and 12 May 2021 in Tapachula, "
        "Mexico, on the identification and referral of victims of human trafficking. The workshop "
        "covered interviews with survivors and national referral pathways."
    )
    news = tmp_path / "news.jsonl"
    news.write_text(
        "".join(
            json.dumps({"id": f"t{n}", "date": day, "title": title, "summary": summary}) + "\n"
            for n, (day, title) in enumerate(
                [
                    ("2021-05-14", "IOM trains border officials in Tapachula"),
                    ("2021-05-18", "Officials learn to spot trafficking"),
                ]
            )
        ),
        encoding="utf-8",
    )
    with KgStore.open(tmp_path / "store", write=True) as store:
        build([news], store)
        assert store.query("ASK { ?c mk:hasReport ?e }")
    measured = child.network(str(tmp_path / "store"), "1")
    assert measured["edges"] == 1 and measured["agree"]
