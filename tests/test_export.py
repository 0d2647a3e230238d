"""Exports (issue 7): every format parses back to what the store holds, bytes are deterministic,
JSON-LD expands to exactly the store's quads, and the events view matches a file checked by hand.

RDF is compared as sets of N-Quads (the store has no blank nodes) parsed by pyoxigraph and by
rdflib, never as text. The events view is checked on ``fixtures/export.trig``, whose expected
view (``golden/events.json``, ``golden/events.csv``) was worked out by hand.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import rdflib
from pyld import jsonld
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Store, parse

from kg import export as export_module
from kg.export import ExportFormat, export
from kg.export.events import event_rows
from kg.export.jsonld import Context, load_context
from kg.export.views import View, export_view
from kg.formats import ViewFormat
from kg.namespaces import MK, PREFIXES, REFERENCE_GRAPH
from kg.store import KgStore, open_store

from .conftest import invoke, memory_store

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")  # rdflib's own parsers

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "export.trig"
GOLDEN = HERE / "golden"
ITEM_1 = "https://w3id.org/migkg/graph/item/2019-06-07-smuggling-workshop-aaaaaa"
CONTEXT_URL = "https://w3id.org/migkg/context.jsonld"

RDFLIB_FORMATS = {
    ExportFormat.TURTLE: "turtle",
    ExportFormat.TRIG: "trig",
    ExportFormat.NQUADS: "nquads",
    ExportFormat.NTRIPLES: "nt",
    ExportFormat.JSONLD: "json-ld",
}

# A context using what publishers' contexts use: keyword aliases, a default language, @type and
# @language coercions, @set and @language containers, @vocab values, and terms this writer must
# leave alone (@reverse, @list).
RICH_CONTEXT = {
    "@context": {
        "@version": 1.1,
        "@language": "en",
        "id": "@id",
        "type": "@type",
        **PREFIXES,
        "Event": "mk:Event",
        "NewsItem": "mk:NewsItem",
        "Country": "mk:Country",
        "title": {"@id": "dcterms:title"},
        "date": {"@id": "dcterms:date", "@type": "xsd:date"},
        "startDate": {"@id": "schema:startDate", "@type": "xsd:date"},
        "endDate": {"@id": "schema:endDate", "@type": "xsd:date"},
        "label": {"@id": "rdfs:label", "@container": "@language"},
        "altLabel": {"@id": "skos:altLabel", "@language": None, "@container": "@set"},
        "iso3": {"@id": "mk:iso3166Alpha3", "@language": None},
        "participantCountry": {"@id": "mk:participantCountry", "@type": "@id"},
        "eventType": {"@id": "sem:eventType", "@type": "@vocab"},
        "count": {"@id": "mk:count", "@type": "xsd:integer"},
        "subject": {"@id": "dcterms:subject", "@type": "@id", "@container": "@set"},
        "isAbout": {"@reverse": "schema:about"},
        "mentions": {"@id": "schema:mentions", "@container": "@list"},
    }
}


@pytest.fixture(scope="module")
def fixture_store() -> KgStore:
    return memory_store(FIXTURE)


@pytest.fixture(params=["fixture", "sample"])
def any_store(request, fixture_store):  # type: ignore[no-untyped-def]
    if request.param == "fixture":
        yield fixture_store
        return
    with open_store(request.getfixturevalue("sample_store")) as store:
        yield store


def dump(store: KgStore, fmt: ExportFormat, graph: str | None = None, **options) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    export(store, fmt, out, graph, **options)
    return out.getvalue()


# -- what the store holds, read without kg.export --


def store_quads(store: KgStore) -> set[str]:
    return {str(q) for q in store.store}


def store_triples(store: KgStore, graph: str | None = None) -> set[str]:
    return {str(q.triple) for q in store.quads(graph)}


def rdflib_dataset_quads(data: bytes, fmt: str) -> set[tuple]:
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format=fmt)
    return {(s, p, o, None if g == rdflib.graph.DATASET_DEFAULT_GRAPH_ID else g) for s, p, o, g in dataset.quads()}


_RDFLIB_QUADS: dict[str, set[tuple]] = {}


def rdflib_store_quads(store: KgStore) -> set[tuple]:
    """The store's quads as rdflib terms (from pyoxigraph's own N-Quads dump), cached per store."""
    out = io.BytesIO()
    store.store.dump(out, format=RdfFormat.N_QUADS)
    data = out.getvalue()
    key = f"{store.location}:{len(data)}:{hash(data)}"
    if key not in _RDFLIB_QUADS:
        _RDFLIB_QUADS[key] = rdflib_dataset_quads(data, "nquads")
    return _RDFLIB_QUADS[key]


def rdflib_triples(data: bytes, fmt: str) -> set[tuple]:
    return set(rdflib.Graph().parse(data=data, format=fmt))


# -- every format parses back to what the store holds --


@pytest.mark.parametrize("fmt", [ExportFormat.TRIG, ExportFormat.NQUADS, ExportFormat.JSONLD])
def test_dataset_formats_keep_every_quad_pyoxigraph(any_store, fmt):
    data = dump(any_store, fmt)
    assert {str(q) for q in parse(data, format=fmt.rdf_format)} == store_quads(any_store)


@pytest.mark.parametrize("fmt", [ExportFormat.TRIG, ExportFormat.NQUADS, ExportFormat.JSONLD])
def test_dataset_formats_keep_every_quad_rdflib(any_store, fmt):
    data = dump(any_store, fmt)
    assert rdflib_dataset_quads(data, RDFLIB_FORMATS[fmt]) == rdflib_store_quads(any_store)


@pytest.mark.parametrize("fmt", [ExportFormat.TURTLE, ExportFormat.NTRIPLES])
def test_graph_formats_write_the_union(any_store, fmt):
    data = dump(any_store, fmt)
    assert {str(t) for t in parse(data, format=fmt.rdf_format)} == store_triples(any_store)
    expected = {(s, p, o) for s, p, o, _ in rdflib_store_quads(any_store)}
    assert rdflib_triples(data, RDFLIB_FORMATS[fmt]) == expected


def test_union_holds_a_triple_of_several_graphs_once(fixture_store):
    text = dump(fixture_store, ExportFormat.NTRIPLES).decode()
    run = "<https://w3id.org/migkg/id/run/migkg-0.1.0-fixture> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    assert text.count(run) == 1
    assert sum(1 for q in fixture_store.store if str(q).startswith(run)) == 2


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_one_graph(fixture_store, fmt):
    data = dump(fixture_store, fmt, ITEM_1)
    assert {str(t) for t in parse(data, format=fmt.rdf_format)} == store_triples(fixture_store, ITEM_1)


def test_unknown_graph_is_a_usage_error(runner, sample_store):
    result = invoke(runner, "export", "--store", sample_store, "--graph", "https://example.org/none")
    assert result.exit_code == 2
    assert "no graph <https://example.org/none>" in result.stderr


def test_the_default_graph_is_kept(tmp_path):
    store = KgStore.memory()
    s, p = NamedNode("https://w3id.org/migkg/id/country/GTM"), NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    store.store.add(Quad(s, p, Literal("Guatemala", language="en"), DefaultGraph()))
    store.store.add(Quad(s, p, Literal("Guatemala", language="es"), NamedNode(REFERENCE_GRAPH)))
    for fmt in (ExportFormat.TRIG, ExportFormat.NQUADS, ExportFormat.JSONLD):
        data = dump(store, fmt)
        assert {str(q) for q in parse(data, format=fmt.rdf_format)} == store_quads(store)
        assert rdflib_dataset_quads(data, RDFLIB_FORMATS[fmt]) == rdflib_store_quads(store)


# -- deterministic bytes --


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_same_store_same_bytes(any_store, fmt):
    assert dump(any_store, fmt) == dump(any_store, fmt)


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_same_quads_loaded_in_another_order_give_the_same_bytes(fixture_store, fmt):
    other = KgStore.memory()
    other.store.extend(sorted(fixture_store.store, key=str, reverse=True))
    assert dump(other, fmt) == dump(fixture_store, fmt)


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_big_graphs_streamed_by_subject_give_the_same_bytes(fixture_store, fmt, monkeypatch):
    in_memory = dump(fixture_store, fmt)
    monkeypatch.setattr(export_module, "IN_MEMORY_QUADS", 3)
    assert dump(fixture_store, fmt) == in_memory


@pytest.mark.parametrize("fmt", [ExportFormat.NQUADS, ExportFormat.NTRIPLES])
def test_large_graphs_sorted_in_runs_give_the_same_bytes(fixture_store, fmt, monkeypatch):
    in_one_run = dump(fixture_store, fmt) if fmt is ExportFormat.NQUADS else None
    graph = REFERENCE_GRAPH
    one_graph = io.BytesIO()
    export(fixture_store, fmt, one_graph, graph if fmt is ExportFormat.NTRIPLES else None)
    monkeypatch.setattr(export_module, "RUN_LINES", 2)  # every graph but an item's is merged from runs of two lines
    again = io.BytesIO()
    export(fixture_store, fmt, again, graph if fmt is ExportFormat.NTRIPLES else None)
    assert again.getvalue() == one_graph.getvalue()
    if in_one_run is not None:
        assert dump(fixture_store, fmt) == in_one_run


ORDERED_LINES = [  # written by hand: subjects by IRI (blank nodes first), then each line's text ("/" < ">")
    '_:b1 <http://ex.org/p> "blank" .',
    '<http://ex.org/a/1> <http://ex.org/p/x> "1" .',
    "<http://ex.org/a/1> <http://ex.org/p> <http://ex.org/o> .",
    '<http://ex.org/a/1/x> <http://ex.org/p> "a/1/x" .',
    '<http://ex.org/a/10> <http://ex.org/p> "a/10" .',
    '<http://ex.org/a/2> <http://ex.org/p> "a/2"@en .',
]


@pytest.mark.parametrize("graph", [ITEM_1, REFERENCE_GRAPH])  # an item's graph is sorted in memory, others in runs
def test_nquads_lines_come_by_subject_iri_then_text(graph, monkeypatch):
    monkeypatch.setattr(export_module, "RUN_LINES", 4)
    store = KgStore.memory()
    lines = [line[:-1] + f"<{graph}> ." for line in ORDERED_LINES]
    for line in reversed(lines):
        store.store.add(next(iter(parse(line.encode(), format=RdfFormat.N_QUADS))))
    out = io.BytesIO()
    assert export(store, ExportFormat.NQUADS, out) == len(lines)
    written = out.getvalue().decode().splitlines()
    assert [line.split(" ", 1)[1] for line in written] == [line.split(" ", 1)[1] for line in lines]
    assert [line.split(" ", 1)[0].startswith("_:") for line in written] == [True] + [False] * 5


def test_sample_store_has_no_blank_nodes(sample_store):
    with open_store(sample_store) as store:
        assert not any(term.__class__.__name__ == "BlankNode" for q in store.store for term in (q.subject, q.object))


# -- Turtle reads like the ontology file --


def test_turtle_declares_only_the_prefixes_it_uses(fixture_store):
    text = dump(fixture_store, ExportFormat.TURTLE).decode()
    declared = {
        line.split()[1].rstrip(":"): line.split()[2] for line in text.splitlines() if line.startswith("@prefix")
    }
    assert {"mk", "ctry", "ev", "gcm", "xsd"} <= set(declared)
    assert not {"cameo", "orgtype", "region"} & set(declared)
    assert all(declared[name] == f"<{PREFIXES[name]}>" for name in declared)
    assert "\nctry:GTM\n    a mk:Country ;\n" in text
    body = text[text.index("\n\n") :]
    assert "<https://w3id.org/migkg/id/country/" not in body


def test_trig_writes_graphs_in_order_with_one_block_per_subject(fixture_store):
    text = dump(fixture_store, ExportFormat.TRIG).decode()
    graphs = [line.split()[0] for line in text.splitlines() if line.endswith("{")]
    assert graphs == sorted(graphs) and len(graphs) == 5  # with the summaries
    assert f"<{ITEM_1}> {{\n    <{ITEM_1}>\n        a mk:ItemGraph ;\n" in text


# -- JSON-LD --


def pyld_quads(document: dict, context: dict | None = None) -> set[str]:
    def loader(url, options=None):  # type: ignore[no-untyped-def]
        assert url == CONTEXT_URL and context is not None, url
        return {"contextUrl": None, "documentUrl": url, "document": context}

    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": loader})
    return {str(q) for q in parse(nquads.encode(), format=RdfFormat.N_QUADS)}


def test_jsonld_is_compacted_with_the_published_context(any_store):
    context = load_context()
    document = json.loads(dump(any_store, ExportFormat.JSONLD))
    assert document["@context"] == context.value
    assert pyld_quads(document) == store_quads(any_store)
    graphs = [g[context.id_key] for g in document[context.graph_key]]
    assert len(graphs) == any_store.graph_count()
    assert all(set(g) == {context.id_key, context.graph_key} for g in document[context.graph_key])
    for graph in document[context.graph_key]:
        ids = [node[context.id_key] for node in graph[context.graph_key]]
        assert len(ids) == len(set(ids))


def test_jsonld_uses_the_context_terms(fixture_store):
    context = load_context()
    if "startDate" not in context.terms:
        pytest.skip("ontology/context.jsonld is not there yet")
    document = json.loads(dump(fixture_store, ExportFormat.JSONLD))
    nodes = {node["id"]: node for graph in document["graph"] for node in graph["graph"]}
    event = nodes["ev:2019-06-07-smuggling-workshop-aaaaaa-e1"]
    assert event["type"] == "Event"
    assert event["startDate"] == "2019-06-04"
    assert event["participantCountry"] == ["ctry:GTM", "ctry:HND", "ctry:MEX"]
    assert event["subject"] == ["theme:regional-cooperation", "theme:smuggling"]
    keys = {key for node in nodes.values() for key in node}
    assert not [key for key in keys if key.startswith("http")]


def test_jsonld_with_a_rich_context_expands_to_the_store(fixture_store):
    context = Context(RICH_CONTEXT)
    data = dump(fixture_store, ExportFormat.JSONLD, context=context)
    document = json.loads(data)
    assert pyld_quads(document) == store_quads(fixture_store)
    assert rdflib_dataset_quads(data, "json-ld") == rdflib_store_quads(fixture_store)
    nodes = {node["id"]: node for graph in document["@graph"] for node in graph["@graph"]}
    event = nodes["ev:2019-06-07-smuggling-workshop-aaaaaa-e1"]
    assert event["type"] == "Event"
    assert event["startDate"] == "2019-06-04"
    assert event["participantCountry"] == ["ctry:GTM", "ctry:HND", "ctry:MEX"]
    assert event["eventType"] == ["evt:meeting", "evt:workshop"]
    assert event["subject"] == ["theme:regional-cooperation", "theme:smuggling"]
    assert event["mk:extractionRule"] == {"@value": "event-cue"}  # a plain string would be @en here
    assert nodes["ev:2019-06-07-smuggling-workshop-aaaaaa-e1-p1"]["count"] == "40"
    country = nodes["ctry:MEX"]
    assert country["label"] == {"en": "Mexico", "es": "México"}
    assert country["iso3"] == "MEX"
    item = nodes["item:2019-06-07-smuggling-workshop-aaaaaa"]
    assert item["title"] == "North and Central American countries meet on migrant smuggling"
    assert "schema:mentions" in item and "mentions" not in item and "isAbout" not in item
    assert nodes["orgid:iom"]["altLabel"] == ["IOM", "OIM"]


def test_context_url_writes_a_reference(runner, fixture_store, tmp_path):
    path = str(tmp_path / "store")
    with KgStore.open(path, write=True) as store:
        store.store.extend(fixture_store.store)
    out = tmp_path / "kg.jsonld"
    result = invoke(runner, "export", "--store", path, "--out", out, "--context", CONTEXT_URL)
    assert result.exit_code == 0, result.output
    referenced = json.loads(out.read_text())
    assert referenced["@context"] == CONTEXT_URL
    embedded = json.loads(dump(fixture_store, ExportFormat.JSONLD))
    assert {k: v for k, v in referenced.items() if k != "@context"} == {
        k: v for k, v in embedded.items() if k != "@context"
    }
    assert pyld_quads(referenced, {"@context": embedded["@context"]}) == store_quads(fixture_store)
    assert not list(tmp_path.glob("*.part"))


def test_context_is_for_jsonld_only(runner, sample_store):
    result = invoke(runner, "export", "--store", sample_store, "--format", "turtle", "--context", CONTEXT_URL)
    assert result.exit_code == 2
    assert "JSON-LD only" in result.stderr


def test_context_terms_the_writer_cannot_honour_are_left_alone():
    context = Context(RICH_CONTEXT)
    assert "isAbout" not in context.terms and "mentions" not in context.terms
    assert context.id_key == "id" and context.type_key == "type"
    assert context.compact_iri(PREFIXES["ctry"] + "GTM") == "ctry:GTM"
    assert context.compact_iri(PREFIXES["mk"] + "Event", vocab=True) == "Event"


# -- the events view --


def test_events_view_matches_the_hand_checked_file(fixture_store):
    out = io.BytesIO()
    assert export_view(fixture_store, View.EVENTS, out) == 4
    assert json.loads(out.getvalue()) == json.loads((GOLDEN / "events.json").read_text())
    assert out.getvalue() == (GOLDEN / "events.json").read_bytes()


def test_events_csv_matches_the_hand_checked_file(fixture_store):
    out = io.BytesIO()
    export_view(fixture_store, View.EVENTS, out, ViewFormat.CSV)
    assert out.getvalue() == (GOLDEN / "events.csv").read_bytes()


def test_events_view_from_the_command_line(runner, fixture_store, tmp_path):
    path = str(tmp_path / "store")
    with KgStore.open(path, write=True) as store:
        store.store.extend(fixture_store.store)
    for name in ("events.json", "events.csv"):
        result = invoke(runner, "export", "--store", path, "--frame", "events", "--out", tmp_path / name)
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).read_bytes() == (GOLDEN / name).read_bytes()
    stdout = invoke(runner, "export", "--store", path, "--frame", "events", "--format", "csv").stdout_bytes
    assert stdout == (GOLDEN / "events.csv").read_bytes()
    result = invoke(runner, "export", "--store", path, "--frame", "events", "--graph", ITEM_1)
    assert result.exit_code == 2


def test_events_view_of_the_sample_lists_every_event(sample_store):
    with open_store(sample_store) as store:
        rows = event_rows(store)
        events = {row["e"].value for row in store.query(f"SELECT ?e WHERE {{ ?e a <{MK['Event']}> }}")}
    assert {row["id"] for row in rows} == events
    dated = [row["startDate"] for row in rows if row["startDate"]]
    assert dated == sorted(dated)
    assert all(row["source"]["graph"].startswith("https://w3id.org/migkg/graph/item/") for row in rows)


def test_view_format_from_extension():
    assert ViewFormat.from_path("out/events.csv") is ViewFormat.CSV
    assert ViewFormat.from_path("out/events.json") is ViewFormat.JSON


def test_export_with_an_empty_store():
    store = KgStore(Store(), None)
    for fmt in ExportFormat:
        data = dump(store, fmt)
        assert list(parse(data, format=fmt.rdf_format)) == []
    out = io.BytesIO()
    assert export_view(store, View.EVENTS, out) == 0
    assert json.loads(out.getvalue()) == []


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_a_graph_named_by_a_blank_node(fmt):
    """kg names graphs by IRI. A foreign store with a blank-node graph name: the dataset formats
    refuse it in one clear error; the graph formats write the union of graphs as usual."""
    from kg.errors import KgError

    store = KgStore.memory()
    store.store.add(Quad(NamedNode("http://e/s"), NamedNode("http://e/p"), Literal("x"), BlankNode("g1")))
    out = io.BytesIO()
    if fmt.keeps_graphs:
        with pytest.raises(KgError, match=r"graph named by a blank node \(_:g1\)"):
            export(store, fmt, out)
    else:
        assert export(store, fmt, out) == 1
        assert b'"x"' in out.getvalue()
