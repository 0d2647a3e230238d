"""``kg serve`` in-process: the SPARQL 1.1 Protocol, named queries, the network, limits, snapshots.

Requests go through Starlette's TestClient to the app serving the sample store (10 items, 13
graphs) from a snapshot, exactly as ``kg serve`` does; each answer is parsed and compared with
what the embedded store says.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator

import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, Quad, QueryResultsFormat, parse_query_results
from rdflib.compare import isomorphic
from starlette.testclient import TestClient

import kg.sparql.execute
from kg import queries as kq
from kg.errors import KgError
from kg.network import country_network
from kg.queries import catalogue
from kg.queries import query as named_query
from kg.serve.app import create_app
from kg.serve.limits import ServeLimits
from kg.serve.negotiation import negotiate
from kg.serve.protocol import ProtocolError, parse_request
from kg.serve.snapshot import FixedSource, SnapshotSource
from kg.store import KgStore, open_for_writing, serving
from kg.store.files import SERVING, StoreLock

from .conftest import ROOT

SD = "http://www.w3.org/ns/sparql-service-description#"
ITEM = "https://w3id.org/migkg/graph/item/"
REFERENCE = "https://w3id.org/migkg/graph/reference"
COUNT_ITEMS = "SELECT (COUNT(?i) AS ?n) WHERE { ?i a mk:NewsItem }"
TITLES = "SELECT ?i ?title WHERE { ?i a mk:NewsItem ; dcterms:title ?title } ORDER BY ?i"
CONSTRUCT = "CONSTRUCT { ?i dcterms:title ?t ; dcterms:date ?d } WHERE { ?i a mk:NewsItem ; dcterms:title ?t ; dcterms:date ?d }"
PREFIXES = "PREFIX mk: <https://w3id.org/migkg/ont#>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"


@pytest.fixture(scope="module")
def client(sample_store: str) -> Iterator[TestClient]:
    source = SnapshotSource(sample_store).start()
    with TestClient(create_app(source)) as c:
        yield c
    assert not source.root.exists(), "the snapshot folder is removed when the server stops"


def rows_of(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def embedded_rows(store: KgStore, query: str) -> list[dict[str, str]]:
    solutions = store.query(PREFIXES + query)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


# -- queries: GET, POST form, POST body --


def test_get_post_form_and_post_body_give_the_same_rows(client, embedded):
    expected = embedded_rows(embedded, TITLES)
    assert len(expected) == 10
    get = client.get("/sparql", params={"query": PREFIXES + TITLES})
    form = client.post("/sparql", data={"query": PREFIXES + TITLES})
    body = client.post("/sparql", content=PREFIXES + TITLES, headers={"Content-Type": "application/sparql-query"})
    for response in (get, form, body):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/sparql-results+json"
        assert rows_of(response) == expected
        assert response.headers["x-migkg-truncated"] == "false"
        assert response.headers["x-migkg-rows"] == "10"


def test_the_project_prefixes_are_predeclared(client):
    response = client.get("/sparql", params={"query": COUNT_ITEMS})
    assert rows_of(response) == [{"n": "10"}]


@pytest.mark.parametrize(
    ("accept", "content_type", "results_format"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", QueryResultsFormat.JSON),
        ("application/sparql-results+xml", "application/sparql-results+xml", QueryResultsFormat.XML),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", QueryResultsFormat.TSV),
        ("application/json", "application/sparql-results+json", QueryResultsFormat.JSON),
        ("text/html,application/xml;q=0.9,*/*;q=0.8", "application/sparql-results+xml", QueryResultsFormat.XML),
    ],
)
def test_select_results_in_each_format(client, embedded, accept, content_type, results_format):
    response = client.get("/sparql", params={"query": PREFIXES + TITLES}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    parsed = parse_query_results(response.content, results_format)
    got = [{v.value: s[v.value].value for v in parsed.variables} for s in parsed]
    assert got == embedded_rows(embedded, TITLES)


def test_select_as_csv(client, embedded):
    response = client.get("/sparql", params={"query": PREFIXES + TITLES}, headers={"Accept": "text/csv"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert list(csv.DictReader(io.StringIO(response.text))) == embedded_rows(embedded, TITLES)


def test_a_format_parameter_overrides_accept(client):
    response = client.get(
        "/sparql", params={"query": COUNT_ITEMS, "format": "csv"}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert response.headers["content-type"].startswith("text/csv") and response.text.split() == ["n", "10"]
    assert client.get("/sparql", params={"query": COUNT_ITEMS, "format": "png"}).status_code == 400


def test_ask(client):
    response = client.get("/sparql", params={"query": "ASK { ?i a mk:NewsItem }"})
    assert response.status_code == 200 and response.json() == {"head": {}, "boolean": True}
    xml = client.get("/sparql", params={"query": "ASK { ?i a mk:Nothing }"}, headers={"Accept": "text/xml"})
    assert xml.headers["content-type"] == "application/sparql-results+xml"
    assert bool(parse_query_results(xml.content, QueryResultsFormat.XML)) is False


@pytest.mark.parametrize(
    ("accept", "content_type", "rdflib_format"),
    [
        (None, "text/turtle; charset=utf-8", "turtle"),
        ("text/turtle", "text/turtle; charset=utf-8", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_construct_in_each_format(client, embedded, accept, content_type, rdflib_format):
    headers = {"Accept": accept} if accept else {}
    response = client.post("/sparql", data={"query": PREFIXES + CONSTRUCT}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == content_type
    got = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    expected = rdflib.Graph().parse(data="\n".join(f"{t} ." for t in embedded.query(PREFIXES + CONSTRUCT)), format="nt")
    assert len(got) == 20 and isomorphic(got, expected)


def test_describe(client):
    gtm = "https://w3id.org/migkg/id/country/GTM"
    response = client.get("/sparql", params={"query": f"DESCRIBE <{gtm}>"}, headers={"Accept": "application/n-triples"})
    graph = rdflib.Graph().parse(data=response.text, format="nt")
    labels = {str(o) for o in graph.objects(rdflib.URIRef(gtm), rdflib.RDFS.label)}
    assert {"Guatemala"} <= labels


# -- datasets --


def test_default_graph_uri_and_named_graph_uri(client, embedded):
    items = sorted(g.value for g in embedded.store.named_graphs() if g.value.startswith(ITEM))
    one = items[0]
    only_reference = client.get("/sparql", params={"query": COUNT_ITEMS, "default-graph-uri": REFERENCE})
    assert rows_of(only_reference) == [{"n": "0"}]
    two = client.post("/sparql", data={"query": COUNT_ITEMS, "default-graph-uri": items[:2]})
    assert rows_of(two) == [{"n": "2"}]
    body = client.post(
        f"/sparql?default-graph-uri={one}", content=COUNT_ITEMS, headers={"Content-Type": "application/sparql-query"}
    )
    assert rows_of(body) == [{"n": "1"}]
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert (
        len(rows_of(client.get("/sparql", params={"query": graphs}))) == 15
    )  # with the provenance and summary graphs (issue 21)
    named = client.get("/sparql", params={"query": graphs, "named-graph-uri": [one, REFERENCE]})
    assert sorted(r["g"] for r in rows_of(named)) == sorted([one, REFERENCE])
    bad = client.get("/sparql", params={"query": graphs, "named-graph-uri": "not an iri"})
    assert bad.status_code == 400 and "not an absolute IRI" in bad.text


def test_without_protocol_dataset_the_query_from_clause_counts(client, embedded):
    one = min(g.value for g in embedded.store.named_graphs() if g.value.startswith(ITEM))
    response = client.get(
        "/sparql", params={"query": f"SELECT (COUNT(?i) AS ?n) FROM <{one}> WHERE {{ ?i a mk:NewsItem }}"}
    )
    assert rows_of(response) == [{"n": "1"}]


# -- the service description --


def test_the_service_description_is_turtle(client):
    response = client.get("/sparql")
    assert response.status_code == 200 and response.headers["content-type"] == "text/turtle; charset=utf-8"
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace(SD)
    service = graph.value(predicate=rdflib.RDF.type, object=sd.Service)
    assert graph.value(service, sd.endpoint) == rdflib.URIRef("http://testserver/sparql")
    assert (service, sd.feature, sd.UnionDefaultGraph) in graph
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    formats = {str(f).rsplit("/", 1)[1] for f in graph.objects(service, sd.resultFormat)}
    assert formats == {
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    }
    as_ntriples = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert isomorphic(rdflib.Graph().parse(data=as_ntriples.text, format="nt"), graph)


# -- refusals, each with its status and one sentence --


def test_a_syntax_error_is_400_with_line_and_column(client):
    response = client.get("/sparql", params={"query": "SELECT ?x WHERE {\n  ?x ?y\n"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text.startswith("SPARQL syntax error at line 3, column 1: expected one of ")
    assert response.headers["x-migkg-error-line"] == "3" and response.headers["x-migkg-error-column"] == "1"
    undeclared = client.get("/sparql", params={"query": "SELECT * WHERE { ?x nope:p ?y }"})
    assert undeclared.text.strip() == (  # named, as `kg sparql` names it
        "SPARQL syntax error at line 1, column 27: undeclared prefix 'nope:' (add a PREFIX line; `kg vocab` lists kg's prefixes)"
    )


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "POST", "data": {"update": "DROP ALL"}},
        {"method": "POST", "content": "DROP ALL", "headers": {"Content-Type": "application/sparql-update"}},
        {"method": "GET", "params": {"update": "DROP ALL"}},
    ],
)
def test_updates_are_403(client, request_kwargs):
    method = request_kwargs.pop("method")
    response = client.request(method, "/sparql", **request_kwargs)
    assert response.status_code == 403
    assert "read-only" in response.text
    assert rows_of(client.get("/sparql", params={"query": COUNT_ITEMS})) == [{"n": "10"}]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(client, method):
    response = client.request(method, "/sparql")
    assert response.status_code == 405 and response.headers["allow"] == "GET, POST"


def test_unacceptable_types_are_406(client):
    png = client.get("/sparql", params={"query": COUNT_ITEMS}, headers={"Accept": "image/png"})
    assert png.status_code == 406 and "none of the accepted types" in png.text
    csv_graph = client.post("/sparql", data={"query": PREFIXES + CONSTRUCT}, headers={"Accept": "text/csv"})
    assert csv_graph.status_code == 406 and "text/turtle" in csv_graph.text
    turtle_rows = client.get("/sparql", params={"query": COUNT_ITEMS}, headers={"Accept": "text/turtle"})
    assert turtle_rows.status_code == 406 and "application/sparql-results+json" in turtle_rows.text


def test_unsupported_post_types_are_415(client):
    plain = client.post("/sparql", content=COUNT_ITEMS, headers={"Content-Type": "text/plain"})
    assert plain.status_code == 415 and "application/sparql-query" in plain.text
    bare = client.post("/sparql", content=COUNT_ITEMS)
    assert bare.status_code == 415


def test_malformed_requests_are_400(client):
    assert client.post("/sparql", data={"default-graph-uri": REFERENCE}).status_code == 400
    twice = client.get("/sparql", params={"query": [COUNT_ITEMS, COUNT_ITEMS]})
    assert twice.status_code == 400 and "given 2 times" in twice.text
    assert client.get("/sparql", params={"query": "  "}).status_code == 400


# -- CORS --


PREFLIGHT = {
    "Origin": "http://yasgui.example",
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type, accept",
    "Access-Control-Request-Private-Network": "true",
}


def test_no_other_origin_may_read_answers_by_default(client):
    # issue 16: with Access-Control-Allow-Origin: * on every route, any web page read this
    # server's answers (and, through SERVICE, local services) in a visitor's browser
    preflight = client.options("/sparql", headers=PREFLIGHT)
    assert "access-control-allow-origin" not in preflight.headers
    simple = client.get("/sparql", params={"query": COUNT_ITEMS}, headers={"Origin": "http://evil.example"})
    assert simple.status_code == 200 and "access-control-allow-origin" not in simple.headers
    assert client.options("/sparql").status_code == 204


def test_cors_allows_the_origins_named_and_no_others(sample_store):
    app = create_app(FixedSource(KgStore.open(sample_store, write=False)), cors=["http://yasgui.example"])
    with TestClient(app) as client:
        preflight = client.options("/sparql", headers=PREFLIGHT)
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-private-network"] == "true"
        assert preflight.headers["access-control-allow-origin"] == "http://yasgui.example"
        assert "POST" in preflight.headers["access-control-allow-methods"]
        assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
        simple = client.get("/sparql", params={"query": COUNT_ITEMS}, headers={"Origin": "http://yasgui.example"})
        assert simple.headers["access-control-allow-origin"] == "http://yasgui.example"
        assert "X-Migkg-Truncated" in simple.headers["access-control-expose-headers"]
        other = client.options("/sparql", headers={**PREFLIGHT, "Origin": "http://evil.example"})
        assert other.status_code == 400 and "access-control-allow-origin" not in other.headers
        app.state.source.store.close()


# -- named queries --


def test_queries_lists_every_named_query(client):
    response = client.get("/queries")
    assert response.status_code == 200
    listed = {q["name"]: q for q in response.json()}
    assert set(listed) == {q.name for q in catalogue()} == {p.stem for p in (ROOT / "queries").glob("*.rq")}
    ebc = listed["events_by_country"]
    assert ebc["title"] == "Events by country"
    assert [(p["name"], p["type"], p["required"], p["default"]) for p in ebc["params"]] == [
        ("country", "country", True, None),
        ("since", "date", False, "1900-01-01"),
        ("until", "date", False, "9999-12-31"),
    ]
    assert ebc["params"][0]["example"] == "GTM"
    assert ebc["columns"][:4] == ["country", "since", "until", "date"]
    assert ebc["sparql"].startswith("# title: Events by country")
    assert all(p["example"] for q in listed.values() for p in q["params"]), "every example runs in one click"


def test_a_named_query_runs_with_bound_parameters(client, sample_store):
    response = client.get("/queries/events_by_country", params={"country": "gtm", "since": "2019-01-01"})
    assert response.status_code == 200, response.text
    expected = named_query("events_by_country", store=sample_store, country="GTM", since="2019-01-01")
    rows = rows_of(response)
    assert len(rows) == len(expected) > 0
    assert [r["event"] for r in rows] == [e["event"] for e in expected]
    assert {r["country"] for r in rows} == {"https://w3id.org/migkg/id/country/GTM"}
    as_csv = client.get("/queries/events_by_country", params={"country": "GTM", "format": "csv"})
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    every = named_query("events_by_country", store=sample_store, country="GTM")
    assert [r["event"] for r in csv.DictReader(io.StringIO(as_csv.text))] == [e["event"] for e in every]


def test_a_named_query_is_answered_again_from_its_kept_results(sample_store, monkeypatch):
    monkeypatch.setattr(
        kg.sparql.execute, "KEEP_AFTER", 0.0
    )  # keep every result, however quick (in this process: no workers)
    source = SnapshotSource(sample_store).start()
    with source, TestClient(create_app(source, isolate=False)) as c:
        first = c.get("/queries/country_pairs", params={"format": "json"})
        (kept,) = source.root.glob("snapshot-*.results/*.tsv")
        # Doctor the kept count: the next answer comes from the file, in any format.
        kept.write_bytes(kept.read_bytes().replace(b"/MEX>\t5\t", b"/MEX>\t99\t", 1))
        again = c.get("/queries/country_pairs", params={"format": "csv"})
        plain = c.get("/sparql", params={"query": kq.load("country_pairs").text_for({}), "format": "csv"})
    assert first.status_code == again.status_code == 200
    assert json.loads(first.text)["results"]["bindings"][0]["events"]["value"] == "5"
    assert again.text.splitlines()[1].split(",")[3] == "99"
    assert plain.text.splitlines()[1].split(",")[3] == "5"  # /sparql always evaluates


def test_a_named_query_without_parameters(client):
    response = client.get("/queries/events_per_month", headers={"Accept": "text/tab-separated-values"})
    assert response.status_code == 200
    assert response.text.splitlines()[0] == "?year\t?month\t?events"


def test_named_query_errors(client):
    missing = client.get("/queries/events_by_country")
    assert missing.status_code == 400
    assert missing.text.strip() == (
        "parameter 'country' is required by query events_by_country (ISO 3166-1 alpha-3 code, e.g. GTM); "
        "add country=VALUE to the URL"
    )
    bad = client.get("/queries/events_by_country", params={"country": "GTMX"})
    assert (
        bad.status_code == 400
        and bad.text.strip()
        == "parameter 'country': 'GTMX' is not an ISO 3166-1 alpha-3 code or a country name; did you mean GTM?"
    )
    hostile = client.get("/queries/events_by_country", params={"country": "GTM> } ; DROP ALL ; #"})
    assert hostile.status_code == 400
    unknown = client.get("/queries/events_by_country", params={"country": "GTM", "colour": "red"})
    assert unknown.status_code == 400 and "has no parameter 'colour'" in unknown.text
    assert client.get("/queries/no_such_query").status_code == 404
    assert client.get("/queries/events_per_month", params={"format": "turtle"}).status_code == 400


# -- the network, the page, stats --


def test_the_country_network_as_node_link_json(client, embedded):
    response = client.get("/network/countries")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    data = response.json()
    graph = country_network(embedded)
    assert len(data["nodes"]) == graph.number_of_nodes() > 0
    assert len(data["links"]) == graph.number_of_edges() > 0
    gtm = next(n for n in data["nodes"] if n.get("iso3") == "GTM")
    assert gtm["label"] == "Guatemala" and gtm["event_count"] >= 1 and "community" in gtm
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    link = data["links"][0]
    assert link["weight"] == graph[link["source"]][link["target"]]["weight"]
    later = client.get("/network/countries", params={"since": "2019-06"}).json()
    assert 0 < len(later["links"]) < len(data["links"])
    assert client.get("/network/countries", params={"since": "June"}).status_code == 400
    assert client.get("/network/countries", params={"colour": "red"}).status_code == 400
    assert client.get("/network/organizations").status_code == 200
    assert client.get("/network/planets").status_code == 404


def test_stats(client, embedded):
    stats = client.get("/stats").json()
    assert (stats["graphs"], stats["quads"]) == (15, embedded.triple_count())
    assert stats["snapshot"] >= 1 and stats["prefixes"]["mk"] == "https://w3id.org/migkg/ont#"


def test_the_page_and_its_assets_are_served_from_the_package(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    local = [a for a in assets if not a.startswith(("data:", "#"))]
    assert all("//" not in a for a in local), "nothing is fetched from another host: the page works offline"
    for asset in local:
        response = client.get("/" + asset)
        assert response.status_code == 200, asset
    static = ROOT / "kg" / "serve" / "static"
    vendored = sum(f.stat().st_size for f in (static / "vendor").rglob("*") if f.is_file())
    assert vendored < 1_500_000
    assert (static / "vendor" / "codemirror" / "LICENSE").is_file() and (
        static / "vendor" / "cytoscape" / "LICENSE"
    ).is_file()
    assert not re.search(r"""fetch\(\s*["']https?:""", (static / "app.js").read_text())


# -- limits --


@pytest.fixture(scope="module")
def capped(sample_store: str) -> Iterator[TestClient]:
    with TestClient(create_app(SnapshotSource(sample_store).start(), limits=ServeLimits(max_rows=5))) as c:
        yield c


def test_rows_are_capped_and_the_cut_is_said(capped):
    response = capped.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(response.text)))) == 1 + 5  # a cell may hold line breaks
    assert response.headers["x-migkg-truncated"] == "true" and response.headers["x-migkg-row-limit"] == "5"
    triples = capped.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "application/n-triples"}
    )
    assert len(triples.text.strip().splitlines()) == 5 and triples.headers["x-migkg-truncated"] == "true"
    small = capped.get("/sparql", params={"query": COUNT_ITEMS})
    assert small.headers["x-migkg-truncated"] == "false"
    named = capped.get("/queries/events_by_country", params={"country": "GTM"})
    assert len(rows_of(named)) == 5 and named.headers["x-migkg-truncated"] == "true"


def test_a_slow_query_times_out_with_503_and_frees_its_worker(sample_store):
    app = create_app(SnapshotSource(sample_store).start(), limits=ServeLimits(timeout=0.5, max_rows=10**9))
    runner = app.state.runner
    with TestClient(app) as client:
        started = time.monotonic()
        slow = client.get("/sparql", params={"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"})
        assert slow.status_code == 503
        assert time.monotonic() - started < 3
        assert slow.text.startswith("the query did not finish within 0.5 s (kg serve --timeout)")
        assert slow.headers["retry-after"] == "5"
        # the abandoned worker notices the deadline between rows and stops
        deadline = time.monotonic() + 10
        while runner.running and time.monotonic() < deadline:
            time.sleep(0.05)
        assert runner.running == 0
        assert rows_of(client.get("/sparql", params={"query": COUNT_ITEMS})) == [{"n": "10"}]
        assert client.get("/stats").json()["timed_out"] == 1


# 200^3 = 8 million joined rows counted before the single answer row: about two seconds
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?p ?d . ?e ?p ?f }"


def slow_store() -> KgStore:
    """200 triples sharing one predicate: SLOW over them runs for seconds."""
    store = KgStore.memory()
    g = NamedNode("http://example.org/g")
    store.store.extend(
        Quad(NamedNode(f"http://example.org/s{i}"), NamedNode("http://example.org/p"), Literal(str(i)), g)
        for i in range(200)
    )
    return store


def test_in_memory_a_query_that_never_yields_is_abandoned_at_the_timeout():
    store = slow_store()
    app = create_app(FixedSource(store), limits=ServeLimits(timeout=0.05))
    with TestClient(app) as client:
        started = time.monotonic()
        assert client.get("/sparql", params={"query": SLOW}).status_code == 503
        assert time.monotonic() - started < 1.0
        assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_in_memory_abandoned_queries_hold_their_slot_and_new_ones_wait_then_503():
    store = slow_store()
    app = create_app(FixedSource(store), limits=ServeLimits(timeout=0.3, concurrency=1))
    with TestClient(app) as client:
        assert client.get("/sparql", params={"query": SLOW}).status_code == 503
        assert app.state.runner.running == 1  # abandoned, still evaluating, still holding the only slot
        busy = client.get("/sparql", params={"query": "ASK {}"})
        assert busy.status_code == 503 and busy.text.startswith("the server is busy: its 1 query slots")
        deadline = time.monotonic() + 30
        while app.state.runner.running and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


# -- protocol helpers --


def test_negotiation_prefers_the_most_specific_range():
    from kg.formats import WireFormat
    from kg.serve.negotiation import GRAPH_TYPES, ROW_TYPES

    assert negotiate("*/*", ROW_TYPES) is WireFormat.JSON
    assert negotiate("text/*", ROW_TYPES) is WireFormat.CSV
    assert negotiate("text/*;q=0.2, application/sparql-results+xml;q=0.5", ROW_TYPES) is WireFormat.XML
    assert negotiate("*/*;q=0.1, text/csv;q=0", ROW_TYPES) is WireFormat.JSON
    assert negotiate("text/csv;q=0", ROW_TYPES) is None
    assert negotiate("application/turtle,text/turtle", GRAPH_TYPES) is WireFormat.TURTLE
    assert negotiate("garbage", ROW_TYPES) is None


def test_parse_request_edge_cases():
    with pytest.raises(ProtocolError) as error:
        parse_request("POST", "application/sparql-query", [("query", "ASK {}")], b"ASK {}")
    assert error.value.status == 400
    form = parse_request(
        "POST",
        "application/x-www-form-urlencoded; charset=UTF-8",
        [],
        b"query=ASK%20%7B%7D&named-graph-uri=http%3A%2F%2Fg",
    )
    assert form is not None and form.query == "ASK {}" and form.named_graphs == ("http://g",)


# -- the locking model: snapshots --


def test_a_snapshot_holds_while_a_writer_writes_and_moves_on_after(tmp_path):
    path = tmp_path / "store"
    g1, g2 = NamedNode("http://example.org/g1"), NamedNode("http://example.org/g2")
    triple = (NamedNode("http://example.org/s"), NamedNode("http://example.org/p"))
    with KgStore.open(path, write=True) as store:
        store.store.add(Quad(*triple, Literal("1"), g1))
    with SnapshotSource(path, interval=0).start() as source:
        assert serving(path) == [os.getpid()]
        with source.use() as lease:
            assert lease.store.graph_count() == 1
            country_network(lease.store)  # saves the event table beside the snapshot
            assert (source.root / "snapshot-000001.events.npz").exists()
            kept = kg.sparql.execute.KEEP_AFTER
            kg.sparql.execute.KEEP_AFTER = 0.0
            try:  # and a named query's results
                kq.run(lease.store, "events_per_month")
            finally:
                kg.sparql.execute.KEEP_AFTER = kept
            assert any((source.root / "snapshot-000001.results").glob("*.tsv"))
        writer = KgStore.open(path, write=True)  # the server holds no lock: a build gets in
        writer.store.add(Quad(*triple, Literal("2"), g2))
        with source.use() as lease:  # the writer holds the store: the old snapshot answers
            assert lease.store.graph_count() == 1
        writer.close()
        with source.use() as lease:  # the next request after the build sees all of it
            assert lease.store.graph_count() == 2
        assert [p.name for p in source.root.iterdir()] == ["snapshot-000002"]  # its table and results went with it
    assert not source.root.exists() and serving(path) == []


def test_a_running_query_keeps_its_snapshot_until_it_ends(tmp_path):
    path = tmp_path / "store"
    with KgStore.open(path, write=True) as store:
        store.store.add(Quad(NamedNode("http://e/s"), NamedNode("http://e/p"), Literal("1"), NamedNode("http://e/g")))
    with SnapshotSource(path, interval=0).start() as source:
        with source.use() as old:
            with KgStore.open(path, write=True) as store:
                store.store.add(
                    Quad(NamedNode("http://e/s"), NamedNode("http://e/p"), Literal("2"), NamedNode("http://e/h"))
                )
            with source.use() as new:
                assert (old.store.graph_count(), new.store.graph_count()) == (1, 2)
            assert len(list(source.root.iterdir())) == 2
        assert len(list(source.root.iterdir())) == 1  # the old one went with its last reader


def test_a_removed_store_is_not_recreated(tmp_path):
    path = tmp_path / "store"
    with KgStore.open(path, write=True) as store:
        store.store.add(Quad(NamedNode("http://e/s"), NamedNode("http://e/p"), Literal("1"), NamedNode("http://e/g")))
    with SnapshotSource(path, interval=0).start() as source:
        shutil.rmtree(path)
        with source.use() as lease:  # the last snapshot answers until a build makes a new store
            assert lease.store.graph_count() == 1
        assert not path.exists()


def test_snapshot_folders_of_dead_servers_are_removed(tmp_path):
    path = tmp_path / "store"
    KgStore.open(path, write=True).close()
    stale = tmp_path / f"store{SERVING}999999999-abc"
    (stale / "snapshot-000001").mkdir(parents=True)
    with SnapshotSource(path).start():
        assert not stale.exists()


def test_a_build_waits_while_the_server_snapshots(tmp_path):
    path = tmp_path / "store"
    KgStore.open(path, write=True).close()
    lock = StoreLock(path, exclusive=True)
    lock.acquire()  # someone holds the store and no server is running: fail at once, as before
    started = time.monotonic()
    with pytest.raises(KgError, match="in use by another process"):
        open_for_writing(str(path), patience=5)
    assert time.monotonic() - started < 1
    lock.release()
    with SnapshotSource(path).start():
        lock.acquire()  # as a snapshot does, for a moment
        threading.Timer(0.3, lock.release).start()
        started = time.monotonic()
        with open_for_writing(str(path), patience=5) as store:
            assert store.graph_count() == 0
        assert 0.2 < time.monotonic() - started < 3


def test_a_missing_store_is_one_clear_error(tmp_path):
    with pytest.raises(KgError, match=r"no store at .*; run `kg build` first"):
        SnapshotSource(tmp_path / "nothing").start()


def test_kg_serve_refuses_what_it_cannot_serve(runner):
    from .conftest import invoke

    result = invoke(runner, "serve", "--store", "http://localhost:7878")
    assert result.exit_code == 2 and "serves a store folder" in result.stderr
    result = invoke(runner, "serve", "--store", ":memory:")
    assert result.exit_code == 2
    assert "--max-rows" in invoke(runner, "serve", "--help").output


def test_json_is_valid_for_every_named_query_with_examples(client):
    """Each one-click example of the page runs and gives valid SPARQL JSON results."""
    for q in client.get("/queries").json():
        params = {p["name"]: p["example"] for p in q["params"] if p["required"]}
        response = client.get(q["url"], params=params)
        assert response.status_code == 200, (q["name"], response.text)
        assert json.loads(response.text)["head"]["vars"] == q["columns"], q["name"]


def test_the_network_is_kept_for_its_snapshot_and_follows_a_build(tmp_path):
    """The page asks for the network on every visit: it is computed once per snapshot and filters,
    and a build that adds countries shows in the next answer, never a stale one."""
    from click.testing import CliRunner

    from kg.cli import cli

    from .conftest import SAMPLE

    path = tmp_path / "store"
    assert CliRunner().invoke(cli, ["build", str(SAMPLE), "--store", str(path), "-q"]).exit_code == 0
    with SnapshotSource(path, interval=0).start() as source, TestClient(create_app(source)) as c:
        first = c.get("/network/countries").json()
        answered = c.get("/stats").json()["answered"]
        assert c.get("/network/countries").json() == first
        assert c.get("/stats").json()["answered"] == answered  # the second came from the kept copy
        since = c.get("/network/countries?since=2019-06-01").json()
        assert len(since["nodes"]) < len(first["nodes"])  # filters are part of the key
        news = tmp_path / "more.jsonl"
        news.write_text(
            json.dumps(
                {
                    "date": "2020-02-03",
                    "title": "Japan and Kenya sign a labour migration agreement",
                    "summary": "Officials of Japan and Kenya signed an agreement on labour migration in Nairobi.",
                }
            )
            + "\n",
            encoding="utf-8",
        )
        assert CliRunner().invoke(cli, ["build", str(news), "--store", str(path), "-q"]).exit_code == 0
        after = {n["iso3"] for n in c.get("/network/countries").json()["nodes"]}
        assert {"JPN", "KEN"} <= after and not {"JPN", "KEN"} & {n["iso3"] for n in first["nodes"]}


# -- Graph Store Protocol reads (issue 20) --

VOCAB_GRAPH = "https://w3id.org/migkg/graph/vocab"


def test_graph_store_get_reads_one_graph_with_content_negotiation(client):
    from pyoxigraph import RdfFormat, parse

    turtle = client.get("/store", params={"graph": VOCAB_GRAPH}, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    triples = list(parse(turtle.content, format=RdfFormat.TURTLE))
    assert len(triples) == int(turtle.headers["x-migkg-rows"]) > 2000  # the SKOS schemes (`kg stats --graphs`)
    ntriples = client.get("/store", params={"graph": VOCAB_GRAPH}, headers={"Accept": "application/n-triples"})
    assert ntriples.headers["content-type"].startswith("application/n-triples")
    assert set(parse(ntriples.content, format=RdfFormat.N_TRIPLES)) == set(triples)
    assert client.get("/store", params={"graph": VOCAB_GRAPH}, headers={"Accept": "text/csv"}).status_code == 406


def test_graph_store_get_of_the_default_graph_is_the_union(client):
    response = client.get("/store?default", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert int(response.headers["x-migkg-rows"]) > 10_000


def test_graph_store_refuses_unknown_graphs_bad_requests_and_every_write(client):
    unknown = client.get("/store", params={"graph": "https://example.org/nope"})
    assert unknown.status_code == 404 and "no graph <https://example.org/nope>" in unknown.text
    assert client.get("/store").status_code == 400
    assert client.get("/store", params={"graph": "not an iri"}).status_code == 400
    for method in ("PUT", "POST", "DELETE", "PATCH"):
        response = client.request(method, "/store", params={"graph": VOCAB_GRAPH}, content=b"<a:b> <a:c> <a:d> .")
        assert response.status_code == 403 and "read-only" in response.text
    assert rows_of(client.get("/sparql", params={"query": COUNT_ITEMS})) == [{"n": "10"}]
