"""``kg serve`` as a real server: SPARQL clients, a small concurrent load, and builds meanwhile.

Each server is ``python -m kg serve --port 0`` in a subprocess on a free loopback port, stopped
with Ctrl-C (SIGINT) at the end. SPARQLWrapper and rdflib's SPARQLStore must get the same rows
and graphs as the embedded store; ``kg build`` runs in another subprocess while the server
answers.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, TURTLE, URLENCODED, XML, SPARQLWrapper

from kg.store import KgStore

from .conftest import Server, kg_process, running_server, write_corpus

pytestmark = pytest.mark.slow

PREFIXES = "PREFIX mk: <https://w3id.org/migkg/ont#>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
TITLES = (
    PREFIXES
    + "SELECT ?i ?date ?title WHERE { ?i a mk:NewsItem ; dcterms:date ?date ; dcterms:title ?title } ORDER BY ?i"
)
CONSTRUCT = PREFIXES + "CONSTRUCT { ?i dcterms:title ?t } WHERE { ?i a mk:NewsItem ; dcterms:title ?t }"
COUNT_ITEMS = PREFIXES + "SELECT (COUNT(?i) AS ?n) WHERE { ?i a mk:NewsItem }"
# An item graph without its hash, item, title or date would be a half-written graph.
INCOMPLETE = (
    PREFIXES
    + """SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {
  GRAPH ?g { ?s ?p ?o }
  FILTER(STRSTARTS(STR(?g), "https://w3id.org/migkg/graph/item/"))
  FILTER NOT EXISTS { GRAPH ?g { ?g mk:contentHash ?h . ?item a mk:NewsItem ; dcterms:title ?t ; dcterms:date ?d } }
}"""
)


@pytest.fixture(scope="module")
def server(sample_store: str) -> Iterator[Server]:
    with running_server(sample_store, "--timeout", "1") as s:
        yield s


def get(url: str, query: str, accept: str = "application/sparql-results+json") -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(
        url + "/sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def count(url: str, query: str = COUNT_ITEMS) -> int:
    status, body, _ = get(url, query)
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def expected_rows(store: KgStore, query: str) -> list[tuple[str, ...]]:
    solutions = store.query(query)
    names = [v.value for v in solutions.variables]
    return [tuple(s[n].value for n in names) for s in solutions]


# -- SPARQLWrapper --


def test_sparqlwrapper_select_json(server, embedded):
    sparql = SPARQLWrapper(server.url + "/sparql")
    sparql.setQuery(TITLES)
    sparql.setReturnFormat(JSON)
    results = sparql.queryAndConvert()
    got = [(b["i"]["value"], b["date"]["value"], b["title"]["value"]) for b in results["results"]["bindings"]]
    assert got == expected_rows(embedded, TITLES) and len(got) == 10


@pytest.mark.parametrize("method", [URLENCODED, POSTDIRECTLY])
def test_sparqlwrapper_posts(server, embedded, method):
    sparql = SPARQLWrapper(server.url + "/sparql")
    sparql.setQuery(TITLES)
    sparql.setMethod(POST)
    sparql.setRequestMethod(method)
    sparql.setReturnFormat(XML)
    document = sparql.queryAndConvert()  # an xml.dom document of SPARQL XML results
    assert len(document.getElementsByTagName("result")) == 10


@pytest.mark.parametrize("fmt", [TURTLE, XML])
def test_sparqlwrapper_construct(server, embedded, fmt):
    sparql = SPARQLWrapper(server.url + "/sparql")
    sparql.setQuery(CONSTRUCT)
    sparql.setReturnFormat(fmt)
    result = sparql.queryAndConvert()
    graph = result if isinstance(result, rdflib.Graph) else rdflib.Graph().parse(data=result, format="turtle")
    expected = rdflib.Graph().parse(data="\n".join(f"{t} ." for t in embedded.query(CONSTRUCT)), format="nt")
    assert len(graph) == 10 and isomorphic(graph, expected)


def test_sparqlwrapper_ask(server):
    sparql = SPARQLWrapper(server.url + "/sparql")
    sparql.setQuery(PREFIXES + "ASK { ?i a mk:NewsItem }")
    sparql.setReturnFormat(JSON)
    assert sparql.queryAndConvert()["boolean"] is True


# -- rdflib's SPARQLStore --


def test_rdflib_sparqlstore(server, embedded):
    graph = rdflib.Graph(store=SPARQLStore(server.url + "/sparql"))
    rows = [tuple(str(term) for term in row) for row in graph.query(TITLES)]
    assert rows == expected_rows(embedded, TITLES)
    built = graph.query(CONSTRUCT).graph
    expected = rdflib.Graph().parse(data="\n".join(f"{t} ." for t in embedded.query(CONSTRUCT)), format="nt")
    assert isomorphic(built, expected)
    assert bool(graph.query(PREFIXES + "ASK { ?i a mk:NewsItem }").askAnswer) is True
    gtm = rdflib.URIRef("https://w3id.org/migkg/id/country/GTM")
    assert rdflib.Literal("Guatemala", lang="en") in set(graph.objects(gtm, rdflib.RDFS.label))


# -- kg itself as a client --


def test_kg_query_and_kg_sparql_read_from_the_server(server, sample_store, runner, tmp_path):
    from .conftest import invoke

    local = invoke(runner, "query", "events_by_country", "-p", "country", "GTM", "-f", "csv", "--store", sample_store)
    remote = invoke(runner, "query", "events_by_country", "-p", "country", "GTM", "-f", "csv", "--store", server.url)
    assert remote.exit_code == 0, remote.output
    assert remote.output == local.output and len(local.output.splitlines()) > 1
    ask = invoke(runner, "sparql", "ASK { ?i a mk:NewsItem }", "-f", "csv", "--store", server.url)
    assert ask.output.split() == ["true"]
    build = invoke(
        runner, "build", str(write_corpus(tmp_path / "new.jsonl", "serve", 0, 1)), "--store", server.url, "-q"
    )
    assert build.exit_code == 1 and "403" in build.stderr and "read-only" in build.stderr
    assert count(server.url) == 10


# -- load and limits --


def test_a_small_concurrent_load_is_answered(server, embedded):
    """8 clients, 200 queries in all; a bounded loop on loopback."""
    queries = [
        COUNT_ITEMS,
        TITLES,
        PREFIXES
        + "SELECT ?c ?l WHERE { ?c a mk:Country ; <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?c ?l LIMIT 50",
    ]
    expected = {q: len(expected_rows(embedded, q)) for q in queries}

    def one(i: int) -> tuple[int, int]:
        query = queries[i % len(queries)]
        status, body, _ = get(server.url, query)
        return status, len(json.loads(body)["results"]["bindings"]) if status == 200 else -1

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(one, range(200)))
    elapsed = time.monotonic() - started
    assert all(status == 200 for status, _ in outcomes)
    assert [n for _, n in outcomes] == [expected[queries[i % len(queries)]] for i in range(200)]
    print(f"\n200 queries from 8 clients in {elapsed:.2f} s: {200 / elapsed:.0f} queries/s")
    assert elapsed < 60


def stats(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url + "/stats", timeout=30) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def test_a_slow_query_does_not_hold_up_the_others(server):
    """A query that computes for seconds before its only row: 503 after --timeout 1, and the
    other clients are answered at once, while it runs and after."""
    values = " ".join(map(str, range(100))), " ".join(map(str, range(60)))
    slow = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . VALUES ?x {{ {} }} VALUES ?y {{ {} }} }}".format(*values)
    outcome: list[int] = []
    client = threading.Thread(target=lambda: outcome.append(get(server.url, slow)[0]))
    client.start()
    time.sleep(0.2)
    fast = []
    deadline = time.monotonic() + 60
    while (client.is_alive() or stats(server.url)["running"]) and time.monotonic() < deadline:
        started = time.monotonic()
        assert count(server.url) == 10
        fast.append(time.monotonic() - started)
        time.sleep(0.1)
    client.join()
    assert outcome == [503]
    assert stats(server.url)["running"] == 0, "the abandoned query ended in its own time"
    assert len(fast) >= 5 and max(fast) < 0.5, fast


# -- kg build while kg serve answers --


def test_builds_while_the_server_answers(sample_store, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(sample_store, store)
    first, second = (
        write_corpus(tmp_path / "a.jsonl", "serve", 0, 800),
        write_corpus(tmp_path / "b.jsonl", "serve", 800, 400),
    )
    with running_server(store) as server:
        counts = [count(server.url)]
        assert counts == [10]
        for news in (first, second, first):  # the third build finds nothing new
            build = kg_process("build", news, "--store", store, "--batch-size", "20", "-q")
            while build.poll() is None:
                counts.append(count(server.url))
                assert count(server.url, INCOMPLETE) == 0
                time.sleep(0.02)
            _, err = build.communicate()
            assert build.returncode == 0, err
            assert err == ""  # no lock errors, no waiting messages
        deadline = time.monotonic() + 10
        while counts[-1] != 1210 and time.monotonic() < deadline:
            counts.append(count(server.url))
            time.sleep(0.1)
        assert count(server.url, INCOMPLETE) == 0
    print(f"\n{len(counts)} reads during three builds: {sorted(set(counts))}")
    assert counts == sorted(counts), "counts only grow"
    assert counts[-1] == 1210 and len(counts) > 20
    assert set(counts) <= {10, 810, 1210}, "a reader sees a store before or after a build, never in between"
