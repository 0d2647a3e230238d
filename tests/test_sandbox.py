"""kg.sandbox: queries checked before parsing, and run where a deadline and a memory budget hold
(issue 16: a deep query segfaulted the server, runaways kept their slots, a memory bomb grew it
to 1.65 GB)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest

from kg.sandbox import (
    Limits,
    QueryCrashed,
    QueryOutOfMemory,
    QueryRefused,
    QueryTimeout,
    Worker,
    WorkerPool,
    check,
    services,
)

CONTEXT = multiprocessing.get_context("forkserver")


# -- jobs: module functions, so the worker can import them --


def count_quads(store) -> int:
    return len(store.store)


def crash(store) -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def sleep_for(store, seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def grab_memory(store, mb: int) -> int:
    blocks = [bytearray(1 << 20) for _ in range(mb)]
    return len(blocks)


def fail(store) -> None:
    raise ValueError("a job's own error")


# -- check --


def test_a_long_query_is_refused_with_413_before_parsing():
    with pytest.raises(QueryRefused) as refused:
        check("ASK {}" + " " * 2000, Limits(max_chars=1000))
    assert refused.value.status == 413 and "2,006 characters; the limit is 1,000" in str(refused.value)


def test_deep_nesting_is_refused_with_400_and_brackets_in_strings_do_not_count():
    deep = "SELECT * WHERE " + "{ " * 200 + "?s ?p ?o" + " }" * 200
    with pytest.raises(QueryRefused) as refused:
        check(deep, Limits())
    assert refused.value.status == 400 and "200 levels deep" in str(refused.value)
    check('SELECT * WHERE { ?s ?p "' + "{" * 500 + '" } # ' + "(" * 500, Limits())  # text, not structure


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9999/x> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9999/x> { ?s ?p ?o } }",
        "select * where { service <http://127.0.0.1:9999/x> { ?s ?p ?o } }",
        "PREFIX e: <http://127.0.0.1:9999/> SELECT * WHERE { SERVICE e:x { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <http\\u003A//127.0.0.1:9999/x> { ?s ?p ?o } }",
        "SELECT * WHERE { BIND(<http://127.0.0.1:9999/x> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    ],
)
def test_service_is_refused_with_403_in_every_spelling(query):
    with pytest.raises(QueryRefused) as refused:
        check(query, Limits())
    assert refused.value.status == 403


def test_an_allowed_service_endpoint_passes_and_only_that_one():
    allowed = Limits(allow_service=frozenset({"http://127.0.0.1:9999/x"}))
    check("PREFIX e: <http://127.0.0.1:9999/> SELECT * WHERE { SERVICE e:x { ?s ?p ?o } }", allowed)
    with pytest.raises(QueryRefused):
        check("SELECT * WHERE { SERVICE <http://127.0.0.1:9999/y> { ?s ?p ?o } }", allowed)


def test_services_are_read_from_tokens_not_from_strings_or_comments():
    assert list(services('SELECT * WHERE { ?s ?p "SERVICE <http://a/>" } # SERVICE <http://b/>')) == []


# -- workers --


@pytest.fixture(scope="module")
def pool():
    pool = WorkerPool(1, 64, CONTEXT)
    yield pool
    pool.close()


def test_a_worker_answers_jobs_on_a_store(pool):
    assert pool.call(count_quads, None, (), time.monotonic() + 30) == 0


def test_a_jobs_own_error_reaches_the_caller_and_the_worker_stays(pool):
    replaced = pool.replaced
    with pytest.raises(ValueError, match="a job's own error"):
        pool.call(fail, None, (), time.monotonic() + 30)
    assert pool.replaced == replaced


def test_a_crash_in_the_engine_is_an_error_and_the_worker_is_replaced(pool):
    replaced = pool.replaced
    with pytest.raises(QueryCrashed, match="signal 11"):
        pool.call(crash, None, (), time.monotonic() + 30)
    assert pool.replaced == replaced + 1
    assert pool.call(count_quads, None, (), time.monotonic() + 30) == 0


def test_a_runaway_is_stopped_at_its_deadline_and_its_worker_replaced(pool):
    replaced = pool.replaced
    began = time.monotonic()
    with pytest.raises(QueryTimeout):
        pool.call(sleep_for, None, (60,), began + 1)
    assert time.monotonic() - began < 30  # stopped, not waited out (60 s)
    assert pool.replaced == replaced + 1
    assert pool.call(sleep_for, None, (0,), time.monotonic() + 30) == "woke"


def test_memory_past_the_budget_stops_the_job_not_the_machine(pool):
    with pytest.raises(QueryOutOfMemory, match="more than 64 MB"):
        pool.call(grab_memory, None, (4096,), time.monotonic() + 60)
    assert pool.call(grab_memory, None, (16,), time.monotonic() + 30) == 16


def test_a_caller_waiting_for_a_busy_pool_times_out_at_its_own_deadline():
    pool = WorkerPool(1, None, CONTEXT)
    try:
        worker = pool.idle.get()  # the only worker, taken
        with pytest.raises(QueryTimeout, match="busy"):
            pool.call(count_quads, None, (), time.monotonic() + 0.5)
        pool.idle.put(worker)
        assert pool.call(count_quads, None, (), time.monotonic() + 30) == 0
    finally:
        pool.close()


def test_a_single_worker_is_killed_at_the_deadline():
    worker = Worker(CONTEXT, None)
    try:
        with pytest.raises(QueryTimeout):
            worker.call(sleep_for, None, (60,), time.monotonic() + 0.5)
        assert not worker.alive
    finally:
        worker.close()
