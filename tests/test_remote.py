"""Remote stores: ``--store http://…`` against a real ``oxigraph serve``.

Each server runs from the ``oxigraph`` dev dependency on a free loopback port with a
temporary directory (``start_oxigraph`` in conftest.py waits until it answers and stops it
afterwards). Nothing is installed or downloaded at test time.
"""

from __future__ import annotations

import csv
import io
import os
import socket
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator

import pytest
from pyoxigraph import Quad, QueryResultsFormat, RdfFormat, parse

from kg import queries as kq
from kg.errors import KgError
from kg.store import KgStore, open_store
from kg.store.remote import Layout, RemoteStore

from .conftest import FIXTURES, GOLDEN_PARAMS, SAMPLE, SAMPLE_PARAMS, free_port, invoke, run_kg, write_corpus


@pytest.fixture(scope="module")
def sample_server(start_oxigraph) -> str:
    return start_oxigraph()


def csv_of(store, name: str, params=None) -> list[list[str]]:
    data = kq.run(store, name, params).serialize(format=QueryResultsFormat.CSV).decode()
    return list(csv.reader(io.StringIO(data)))


# -- build, query, rebuild --


def test_build_into_a_server_then_query_then_rebuild_idempotent(runner, sample_server, sample_store):
    first = invoke(runner, "build", SAMPLE, "--store", sample_server, "-q")
    assert first.exit_code == 0, first.stderr
    assert "loaded          10" in first.output
    with open_store(sample_server) as remote, KgStore.open(sample_store, write=False) as local:
        assert isinstance(remote, RemoteStore)
        count = remote.triple_count()
        assert count == local.triple_count()
        assert remote.graph_count() == local.graph_count()
        assert remote.fingerprints() == local.fingerprints()
    again = invoke(runner, "build", SAMPLE, "--store", sample_server, "-q")
    assert again.exit_code == 0 and "unchanged       10" in again.output
    assert open_store(sample_server).triple_count() == count
    forced = invoke(runner, "build", SAMPLE, "--store", sample_server, "-q", "--replace")
    assert forced.exit_code == 0 and "loaded          10" in forced.output
    assert open_store(sample_server).triple_count() == count


def test_every_named_query_gives_the_same_rows_as_the_embedded_store(runner, sample_server, sample_store):
    assert invoke(runner, "build", SAMPLE, "--store", sample_server, "-q").exit_code == 0
    remote = open_store(sample_server)
    nonempty = 0
    with KgStore.open(sample_store, write=False) as local:
        for q in kq.catalogue():
            params = {p.name: SAMPLE_PARAMS[p.name] for p in q.params if p.required}
            rows = csv_of(remote, q.name, params)
            assert rows == csv_of(local, q.name, params), q.name
            nonempty += len(rows) > 1
    assert nonempty >= 1
    # and through the command line, as an analyst runs it
    args = ["query", "events_by_country", "-p", "country", "GTM", "-f", "csv", "--store"]
    assert invoke(runner, *args, sample_server).output == invoke(runner, *args, sample_store).output


def test_sparql_formats_and_construct_over_the_protocol(runner, sample_server, sample_store):
    assert invoke(runner, "build", SAMPLE, "--store", sample_server, "-q").exit_code == 0
    for query, fmt in [
        ("SELECT ?t WHERE { ?i a mk:NewsItem ; dcterms:title ?t } ORDER BY ?t", "json"),
        ("SELECT ?t WHERE { ?i a mk:NewsItem ; dcterms:title ?t } ORDER BY ?t", "xml"),
        ("ASK { ?i a mk:NewsItem }", "csv"),
    ]:
        remote = invoke(runner, "sparql", query, "--store", sample_server, "-f", fmt)
        assert remote.exit_code == 0, remote.stderr
        assert remote.output == invoke(runner, "sparql", query, "--store", sample_store, "-f", fmt).output
    construct = "CONSTRUCT { ?i dcterms:date ?d } WHERE { ?i a mk:NewsItem ; dcterms:date ?d }"
    out = invoke(runner, "sparql", construct, "--store", sample_server, "-f", "ntriples").output
    assert len(list(parse(out.encode(), format=RdfFormat.N_TRIPLES))) == 10
    bad = invoke(runner, "sparql", "SELECT * WHERE { ?s ?p }", "--store", sample_server)
    assert bad.exit_code == 2
    assert bad.stderr.startswith("kg: error: the SPARQL server rejected the query: error at 1:")


def test_export_reads_a_remote_store(runner, sample_server, sample_store):
    assert invoke(runner, "build", SAMPLE, "--store", sample_server, "-q").exit_code == 0
    remote = invoke(runner, "export", "--store", sample_server, "--format", "nquads")
    assert remote.exit_code == 0, remote.stderr
    assert remote.stdout_bytes == invoke(runner, "export", "--store", sample_store, "--format", "nquads").stdout_bytes


# -- graph replacement --


@pytest.mark.parametrize("write", ["gsp", "update"])
def test_a_changed_item_replaces_its_graph_whole(runner, start_oxigraph, tmp_path, monkeypatch, write):
    monkeypatch.setenv("MIGKG_SPARQL_WRITE", write)
    url = start_oxigraph()
    news = tmp_path / "news.jsonl"
    news.write_text(
        '{"id": "a", "date": "2019-06-11", "title": "IOM meets Guatemala", "summary": "IOM met in Guatemala."}\n'
    )
    assert invoke(runner, "build", news, "--store", url, "-q").exit_code == 0
    store = open_store(url)
    assert isinstance(store, RemoteStore) and store.write == write
    graph = next(g for g in store.fingerprints() if "/graph/item/" in g)
    before = {q for q in store.quads(graph)}
    news.write_text('{"id": "a", "date": "2019-06-11", "title": "IOM meets Guatemala", "summary": "Nothing else."}\n')
    assert invoke(runner, "build", news, "--store", url, "-q").exit_code == 0
    after = {q for q in store.quads(graph)}
    assert after != before
    assert not any(q.object.value == "IOM met in Guatemala." for q in after)  # nothing of the old version is left
    assert store.graph_count() == 5  # the item, reference, vocabulary, ontology and provenance graphs


# -- the fixture dataset, loaded through the Graph Store Protocol --


def test_golden_queries_over_the_protocol(start_oxigraph):
    url = start_oxigraph()
    remote = open_store(url)
    graphs: dict[str, list[Quad]] = defaultdict(list)
    for quad in parse(path=str(FIXTURES / "analyst.trig"), format=RdfFormat.TRIG):
        graphs[quad.graph_name.value].append(quad)
    assert remote.replace_graphs(graphs) == 393
    local = KgStore.memory()
    local.store.load(path=str(FIXTURES / "analyst.trig"), format=RdfFormat.TRIG)
    for q in kq.catalogue():
        assert csv_of(remote, q.name, GOLDEN_PARAMS.get(q.name)) == csv_of(local, q.name, GOLDEN_PARAMS.get(q.name))
    remote.clear()
    assert remote.graph_count() == 0


# -- errors and settings --


def test_server_without_union_default_graph_is_explained(start_oxigraph):
    url = start_oxigraph(union=False)
    store = RemoteStore(url)
    store.replace_graphs({"https://w3id.org/migkg/graph/item/x": [_quad("https://w3id.org/migkg/graph/item/x")]})
    assert len(list(store.query("SELECT * WHERE { ?s ?p ?o }"))) == 1  # oxigraph: union asked per request
    plain = RemoteStore(url)
    plain.layout = Layout("plain", "query", "update", "store")  # a server that ignores the request flag
    with pytest.raises(KgError, match=r"does not query the union of its named graphs.*--union-default-graph"):
        plain.query("SELECT * WHERE { ?s ?p ?o }")


def _quad(graph: str) -> Quad:
    from pyoxigraph import Literal, NamedNode

    return Quad(NamedNode("http://e/s"), NamedNode("http://e/p"), Literal("o"), NamedNode(graph))


def test_unreachable_server_is_one_clear_line(runner):
    url = f"http://127.0.0.1:{free_port()}"
    result = invoke(runner, "query", "events_per_month", "--store", url)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"kg: error: cannot reach the SPARQL server at {url} (")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("url", "query", "update", "graph_store"),
    [
        ("http://h:7878", "http://h:7878/query", "http://h:7878/update", "http://h:7878/store"),
        ("http://h:3030/ds/", "http://h:3030/ds/query", "http://h:3030/ds/update", "http://h:3030/ds/data"),
        (
            "http://h:7200/repositories/kg",
            "http://h:7200/repositories/kg",
            "http://h:7200/repositories/kg/statements",
            "http://h:7200/repositories/kg/rdf-graphs/service",
        ),
    ],
)
def test_endpoint_layouts(url, query, update, graph_store):
    store = RemoteStore(url)
    assert (store.query_url, store.update_url, store.graph_store_url) == (query, update, graph_store)


def test_credentials_in_the_url_become_basic_auth():
    store = RemoteStore("http://ann:secret@h:3030/ds")
    assert store.location == "http://h:3030/ds"
    assert store._headers["Authorization"] == "Basic YW5uOnNlY3JldA=="


# -- issue 16: --replace and --strict against a server --


def item_graphs(url: str) -> set[str]:
    return {g for g in open_store(url).fingerprints() if "/graph/item/" in g}


def test_issue_16_replace_on_a_server_drops_the_old_graphs_only_when_complete(
    runner, start_oxigraph, tmp_path, monkeypatch
):
    import kg.build
    import kg.extracting

    url = start_oxigraph()
    old = write_corpus(tmp_path / "old.jsonl", "old", 0, 30)
    new = write_corpus(tmp_path / "new.jsonl", "new", 0, 40)
    assert invoke(runner, "build", old, "--store", url, "-q").exit_code == 0
    before = item_graphs(url)
    real = kg.extracting.graph_of
    calls: list[object] = []

    def failing(item):  # type: ignore[no-untyped-def]
        calls.append(item)
        if len(calls) > 20:
            raise KgError("the disk of the server is full")
        return real(item)

    monkeypatch.setattr(kg.extracting, "graph_of", failing)
    result = invoke(runner, "build", new, "--store", url, "-q", "--replace", "--batch-size", "8")
    assert result.exit_code == 1
    assert before <= item_graphs(url)  # nothing of the old build was dropped
    monkeypatch.setattr(kg.extracting, "graph_of", real)
    assert invoke(runner, "build", new, "--store", url, "-q", "--replace").exit_code == 0
    assert len(item_graphs(url)) == 40 and not before & item_graphs(url)


def test_issue_16_strict_writes_nothing_to_a_server(runner, start_oxigraph, tmp_path):
    url = start_oxigraph()
    news = write_corpus(tmp_path / "news.jsonl", "item", 0, 20)
    news.write_text(news.read_text() + '{"date": "2019-06-11", "title": "T", "summary": "S", "language": "en us!"}\n')
    for replace in ([], ["--replace"]):
        result = invoke(runner, "build", news, "--store", url, "-q", "--strict", *replace)
        assert result.exit_code == 1
        assert f"{news}:21: language 'en us!' is not a language tag" in result.stderr
        assert open_store(url).graph_count() == 0


# -- issue 16, finding 11: a server that disconnects or never answers --


@pytest.fixture
def misbehaving_server() -> Iterator[Callable[[str], str]]:
    """``misbehaving_server("close")`` (closes every connection unanswered) or ``("silent")`` (reads
    the request, never answers) -> its URL on 127.0.0.1."""
    listeners: list[socket.socket] = []
    held: list[socket.socket] = []

    def start(kind: str) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)

        def serve() -> None:
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return
                if kind == "close":
                    connection.recv(65536)
                    connection.close()
                else:
                    held.append(connection)

        threading.Thread(target=serve, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}"

    yield start
    for s in listeners + held:
        s.close()


@pytest.mark.parametrize("kind", ["close", "silent"])
def test_issue_16_a_server_that_disconnects_or_never_answers_is_one_clear_line(misbehaving_server, tmp_path, kind):
    url = misbehaving_server(kind)
    news = write_corpus(tmp_path / "news.jsonl", "item", 0, 3)
    build = run_kg(  # a hang fails the test at its timeout
        "build", news, "--store", url, "-q", "--remote-timeout", "0.5", env={**os.environ, "MIGKG_SPARQL_RETRIES": "1"}
    )
    assert build.returncode == 1
    [line] = build.stderr.splitlines()
    assert line.startswith(f"kg: error: remote store {url}: ")
    assert line.endswith("; 0 items were written")
    assert "internal error" not in line
