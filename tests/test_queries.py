"""Named queries: headers, typed parameters, golden results, formats, the Python API.

The golden tests run every query in queries/ over tests/fixtures/analyst.trig, a hand-written
dataset whose header comment is the cheat sheet; each expected row in tests/golden/NAME.csv
was worked out by hand from it. Results and golden files are compared after CSV parsing,
cell by cell and in order (every query has a total ORDER BY), so line ends and quoting do not
matter while literal forms do: they are the store's canonical forms (the fixture's
``12000.0`` decimal comes back as ``12000``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import time
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryResultsFormat,
    Store,
    Variable,
)

import kg
import kg.sparql.execute
from kg import queries as kq
from kg.errors import UsageError
from kg.queries import params as kqp
from kg.reference import Organization, Reference, Region
from kg.sparql.results import to_python
from kg.sparql.text import inline_values
from kg.store import KgStore

from .conftest import (
    ANALYST,
    GOLDEN_PARAMS,
    NAMES,
    ROOT,
    SAMPLE_PARAMS,
    csv_rows,
    disk_store,
    invoke,
    memory_store,
    order_keys,
    run_kg,
)

GOLDEN = Path(__file__).resolve().parent / "golden"
ID = "https://w3id.org/migkg/id/"


@pytest.fixture(scope="module")
def analyst() -> KgStore:
    return memory_store(ANALYST)


@pytest.fixture(scope="module")
def analyst_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    return disk_store(tmp_path_factory, "analyst", ANALYST)


def short(iri: str | None) -> str | None:
    """The last path segment of an IRI, for readable assertions."""
    return iri.rsplit("/", 1)[-1] if iri else iri


# -- the library is complete --


def test_the_issue_questions_each_have_a_query():
    assert set(NAMES) >= {
        "events_by_country",
        "events_by_theme",
        "events_by_objective",
        "activity_by_objective",
        "events_per_month",
        "events_per_organization",
        "organization_partners",
        "country_pairs",
        "organization_country_links",
        "items_mentioning",
        "timeline",
        "region_activity",
        "statistics_by_country",
        "people_reached",
        "provenance",
        "most_connected_countries",
    }


def test_golden_cases_name_real_queries():
    assert set(GOLDEN_PARAMS) <= set(NAMES)
    for name, params in GOLDEN_PARAMS.items():
        assert set(params) <= {p.name for p in kq.load(name).params}


# -- headers --


@pytest.mark.parametrize("name", NAMES)
def test_header_parses_and_matches_the_query(name):
    q = kq.load(name)
    assert q.title and q.description and q.columns
    body = q.text.split("SELECT", 1)[1]
    # columns: exactly the SELECT projection, in order (run on an empty store to read it)
    variables = [v.value for v in Store().query(q.text, substitutions=q.bind(GOLDEN_PARAMS.get(name))).variables]
    assert variables == list(q.columns)
    # every parameter is projected (SEP-0007 substitution needs it) and used in the pattern
    where = body.split("WHERE", 1)[1]
    for p in q.params:
        assert p.name in q.columns
        assert re.search(rf"\?{p.name}\b", where), f"parameter {p.name} is not used"
        if not p.required:
            p.bind(p.default)  # defaults are valid values of their type
    # deterministic: ORDER BY on projected variables only, or on an observation's mk:position,
    # one per row, which stands for the order of the raw-event form's projected ORDER BY keys
    assert all(var in q.columns or (var == "position" and q.raw) for var, _ in order_keys(q.text))
    assert all(var in q.columns for var, _ in order_keys(q.raw or q.text))


@pytest.mark.parametrize("name", NAMES)
def test_query_files_declare_their_prefixes(name):
    """Standalone: the file runs in any SPARQL tool, without kg's predeclared prefixes."""
    text = (ROOT / "queries" / f"{name}.rq").read_text()
    Store().query(text)  # a missing PREFIX is a SyntaxError


def test_a_bad_header_is_a_clear_error():
    with pytest.raises(kg.errors.KgError, match=r"x\.rq: bad '# param: country nation required"):
        kq.parse("# title: T\n# param: country nation required doc\n# columns: a\nSELECT ?a WHERE {}", "x")
    with pytest.raises(kg.errors.KgError, match="one '# title:'"):
        kq.parse("# columns: a\nSELECT ?a WHERE {}", "x")


# -- golden results --


@pytest.mark.parametrize("name", NAMES)
def test_golden(analyst, name):
    expected_file = GOLDEN / f"{name}.csv"
    assert expected_file.exists(), f"write and check {expected_file.name} by hand"
    result = kq.run(analyst, name, GOLDEN_PARAMS.get(name))
    assert csv_rows(result.serialize(format=QueryResultsFormat.CSV)) == csv_rows(expected_file.read_text())


@pytest.mark.parametrize("name", NAMES)
def test_values_block_gives_the_same_rows_as_substitutions(analyst, name):
    """What a remote store sends (VALUES in the WHERE clause) equals embedded substitution."""
    q = kq.load(name)
    bound = q.bind(GOLDEN_PARAMS.get(name))
    embedded = analyst.query(q.text, bound).serialize(format=QueryResultsFormat.CSV)
    inlined = analyst.query(inline_values(q.text, bound)).serialize(format=QueryResultsFormat.CSV)
    assert inlined == embedded


# -- worked examples beyond the golden files --


def events(analyst, name, **params):
    return [short(row["event"]) for row in kq.rows(kq.run(analyst, name, params))]


def test_events_by_country_defaults_cover_all_dates(analyst):
    rows = kq.rows(kq.run(analyst, "events_by_country", {"country": "gtm"}))
    assert [short(r["event"]) for r in rows] == [
        "b-rcm-smuggling-e2",  # 2018, year precision
        "c-guatemala-training-e1",
        "b-rcm-smuggling-e1",
        "e-gtm-hnd-meeting-e1",
        "e-gtm-hnd-meeting-e2",  # undated: the item's date, 2019-06-20
    ]
    assert rows[0]["since"] == dt.date(1900, 1, 1) and rows[0]["until"] == dt.date(9999, 12, 31)


def test_date_range_overlaps(analyst):
    # the 2018 agreement (2018-01-01..2018-12-31) overlaps a range that starts mid-2018
    assert events(analyst, "events_by_country", country="MEX", since="2018-06-01", until="2018-06-30") == [
        "b-rcm-smuggling-e2"
    ]


@pytest.mark.parametrize(
    ("objective", "expected"),
    [
        ("2", ["a-caribbean-climate-e1"]),  # broadMatch counts
        ("5", []),  # relatedMatch does not
        ("6", ["d-belize-galen-e1"]),  # closeMatch, through the item's theme
        ("10", ["c-guatemala-training-e1"]),
        ("23", ["b-rcm-smuggling-e1"]),  # policy-legislation relatedMatch 23 does not add C1
    ],
)
def test_events_by_objective_follow_the_mapping_rules(analyst, objective, expected):
    assert events(analyst, "events_by_objective", objective=objective) == expected


def test_an_event_with_its_own_themes_does_not_take_the_items(analyst):
    rows = kq.rows(kq.run(analyst, "events_by_theme", {"theme": "labour-migration"}))
    assert [(short(r["event"]), r["via"]) for r in rows] == [("d-belize-galen-e1", "item")]
    assert events(analyst, "events_by_theme", theme="regional-cooperation") == ["b-rcm-smuggling-e1"]


def test_people_reached_counts_subsets_once(analyst):
    rows = {(short(r["country"]), short(r["type"])): r["people"] for r in kg.query("people_reached", store=analyst)}
    assert rows[("GTM", "training")] == 80  # not 80 + 45
    assert rows[("GTM", "meeting")] == 25  # not 25 + 10
    assert ("TTO", "conference") not in rows  # 18 states and 12 organisations are not people


def test_country_pairs_threshold(analyst):
    rows = kg.query("country_pairs", store=analyst, min_events=2)
    assert [(short(r["a"]), short(r["b"]), r["events"]) for r in rows] == [("GTM", "HND", 3), ("GTM", "MEX", 2)]


def test_items_mentioning_an_organisation_and_a_region(analyst):
    rows = kg.query("items_mentioning", store=analyst, entity="org:rcm")
    assert [short(r["item"]) for r in rows] == ["b-rcm-smuggling"]
    assert len(kg.query("items_mentioning", store=analyst, entity="iom")) == 4


def test_timeline_of_an_organisation(analyst):
    rows = kg.query("timeline", store=analyst, entity="org:igm-guatemala")
    assert [(short(r["event"]), r["role"]) for r in rows] == [
        ("c-guatemala-training-e1", "attendee"),
        ("e-gtm-hnd-meeting-e1", "attendee"),
    ]


def test_region_by_name_and_grouping(analyst):
    refs = Reference(
        {}, {"north-of-central-america": _region("north-of-central-america", "North of Central America")}, {}, {}
    )
    node = kqp._region("north of central america", refs)
    rows = kq.rows(kq.run(analyst, "region_activity", {"region": f"region:{short(node.value)}"}))
    assert [(short(r["country"]), r["events"]) for r in rows] == [("GTM", 5), ("HND", 3), ("SLV", 0)]


def test_provenance_of_a_statistic(analyst):
    rows = kg.query("provenance", store=analyst, entity="BLZ")
    stats = [r for r in rows if r["kind"] == "statistic"]
    assert [(short(r["fact"]), r["quote"], r["line"]) for r in stats] == [
        ("d-belize-galen-s1", "Migrants make up 14.8% of its population", 13)
    ]


# -- parameters --


def _region(region_id: str, label: str) -> Region:
    return Region(region_id, "grouping", None, label, "", (), (), None, ())


def _org(slug: str, name: str, *acronyms: str) -> Organization:
    return Organization(slug, name, "", acronyms, (), (), "igo", None, (), None)


REFS = Reference(
    countries={},
    regions={"m49-013": Region("m49-013", "m49", "013", "Central America", "Centroamérica", (), (), None, ())},
    organizations={
        "iom": _org("iom", "International Organization for Migration", "IOM"),
        "rcm": _org("rcm", "Regional Conference on Migration", "RCM", "CRM"),
        "crm-x": _org("crm-x", "Another CRM", "CRM"),
    },
    places={},
)


@pytest.mark.parametrize(
    ("value", "slug"),
    [
        ("iom", "iom"),
        ("IOM", "iom"),
        ("International Organization for Migration", "iom"),
        ("org:rcm", "rcm"),
        ("Galen University", "galen-university"),  # unknown: the slug the extractor mints
        ("us-department-of-state", "us-department-of-state"),
    ],
)
def test_organization_values(value, slug):
    assert kqp._organization(value, REFS) == NamedNode(f"{ID}org/{slug}")


def test_ambiguous_acronym_asks_for_the_slug():
    with pytest.raises(ValueError, match="names several organisations"):
        kqp._organization("CRM", REFS)


@pytest.mark.parametrize("value", ["m49-013", "013", "Central America", "centroamérica", "region:013"])
def test_region_values(value):
    assert kqp._region(value, REFS) == NamedNode(f"{ID}region/m49-013")


@pytest.mark.parametrize(
    ("value", "iri"),
    [
        ("GTM", f"{ID}country/GTM"),
        ("country:hnd", f"{ID}country/HND"),
        ("place:3573890", f"{ID}place/3573890"),
        ("<https://example.org/x>", "https://example.org/x"),
        ("IOM", f"{ID}org/iom"),
    ],
)
def test_entity_values(value, iri):
    assert kqp._entity(value) == NamedNode(iri)


@pytest.mark.parametrize(
    ("query", "params", "message"),
    [
        ("events_by_country", {"country": "GTMX"}, "parameter 'country': 'GTMX' is not an ISO 3166-1 alpha-3 code"),
        ("events_by_country", {"country": "XYZ"}, "parameter 'country': 'XYZ' is not an ISO 3166-1 alpha-3 code"),
        ("events_by_country", {}, "parameter 'country' is required by query events_by_country"),
        (
            "events_by_country",
            {"country": "GTM", "since": "2019-13-01"},
            "parameter 'since': '2019-13-01' is not a date",
        ),
        ("events_by_country", {"country": "GTM", "since": "11 June 2019"}, "parameter 'since'"),
        ("events_by_country", {"country": "GTM", "year": "2019"}, "has no parameter 'year'; it takes country, since"),
        ("events_by_objective", {"objective": "24"}, "parameter 'objective': '24' is not a GCM objective"),
        ("country_pairs", {"min_events": "two"}, "parameter 'min_events': 'two' is not an integer"),
        ("events_by_theme", {"theme": "Smuggling of migrants"}, "parameter 'theme'"),
        ("region_activity", {"region": "Atlantis"}, "parameter 'region': 'Atlantis' is not a region"),
    ],
)
def test_bad_parameters_are_usage_errors_naming_the_parameter(query, params, message):
    with pytest.raises(UsageError) as error:
        kq.load(query).bind(params)
    assert message in str(error.value)
    assert error.value.exit_code == 2


INJECTION = "GTM> } ; DROP ALL ; #"


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("events_by_country", "country"),
        ("events_by_country", "since"),
        ("events_by_theme", "theme"),
        ("events_by_objective", "objective"),
        ("organization_partners", "org"),
        ("timeline", "entity"),
        ("region_activity", "region"),
        ("country_pairs", "min_events"),
    ],
)
def test_injection_attempts_are_rejected_by_every_parameter_type(query, param):
    values = {p.name: "GTM" for p in kq.load(query).params if p.required}
    values[param] = INJECTION
    with pytest.raises(UsageError, match=f"parameter '{param}'"):
        kq.load(query).bind(values)


def test_text_never_reaches_the_query_text(analyst):
    """Terms are bound, not formatted: even a hostile literal is one harmless value."""
    hostile = Literal('x" } ; DROP ALL ; # \\ <GTM>')
    before = analyst.triple_count()
    for text in (
        "SELECT ?x WHERE { ?s ?p ?o FILTER(?o = ?x) }",
        'SELECT ?x WHERE { ?s ?p ?o FILTER(?o = ?x) # a comment with { and "quotes"\n }',
    ):
        inlined = inline_values(text, {Variable("x"): hostile})
        assert list(analyst.query(inlined)) == []
        single = analyst.query(inline_values("SELECT ?x WHERE { }", {Variable("x"): hostile}))
        assert [row["x"] for row in single] == [hostile]
    assert analyst.triple_count() == before
    q = kq.load("timeline")
    assert q.bind({"entity": "SLV"})[Variable("entity")] == NamedNode(f"{ID}country/SLV")
    assert "SLV" not in q.text


def test_inline_values_finds_the_outer_where():
    subs = {Variable("c"): NamedNode("http://e/c")}
    text = "PREFIX ex: <http://e/#where{>\nSELECT ?c WHERE { { SELECT ?x WHERE { ?x ?p ?c } } } # WHERE {"
    assert inline_values(text, subs).index("VALUES") == text.index("WHERE {") + len("WHERE {") + 3
    short_form = "SELECT * { { SELECT ?c WHERE { ?c ?p ?o } } }"
    assert inline_values(short_form, subs).startswith("SELECT * {\n  VALUES (?c)")
    construct = "CONSTRUCT { ?c ?p ?o } WHERE { ?c ?p ?o }"
    assert "WHERE {\n  VALUES" in inline_values(construct, subs)


# -- Python API --


def test_python_api_returns_plain_values(analyst):
    rows = kg.query("statistics_by_country", store=analyst, country="Belize")
    assert rows[0] == {
        "country": f"{ID}country/BLZ",
        "label": "Belize",
        "indicator": "https://w3id.org/migkg/vocab/indicator/migrant-share-of-population",
        "value": Decimal("14.8"),
        "unit": "percent",
        "date": dt.date(2019, 5, 15),
        "quote": "Migrants make up 14.8% of its population",
        "statistic": f"{ID}statistic/d-belize-galen-s1",
        "graph": "https://w3id.org/migkg/graph/item/d-belize-galen",
    }
    assert kg.query("events_per_month", store=analyst)[0] == {"year": 2018, "month": None, "events": 1}


def test_python_api_opens_a_store_folder_and_takes_python_values(analyst_path):
    rows = kg.query("events_by_country", store=analyst_path, country="GTM", since=dt.date(2019, 6, 1))
    assert [short(r["event"]) for r in rows] == ["b-rcm-smuggling-e1", "e-gtm-hnd-meeting-e1", "e-gtm-hnd-meeting-e2"]
    assert to_python(BlankNode("b1")) == "_:b1"
    assert to_python(Literal("x", language="en")) == "x"


# -- results kept beside the store --


def terms(result) -> tuple[list[str], list[list[object]]]:
    """Column names and every row's terms (pyoxigraph terms compare by kind, value, datatype, language)."""
    names = [v.value for v in result.variables]
    return names, [[solution[name] for name in names] for solution in result]


def kept_files(store_path: str) -> list[Path]:
    return sorted(Path(store_path + ".results").glob("*.tsv"))


def test_every_named_query_answers_the_same_from_its_kept_results(analyst, tmp_path_factory, monkeypatch):
    monkeypatch.setattr(kg.sparql.execute, "KEEP_AFTER", 0.0)  # keep every result, however quick
    path = disk_store(tmp_path_factory, "kept", ANALYST)
    with KgStore.open(path, write=False) as store:
        for name in NAMES:
            params = GOLDEN_PARAMS.get(name, {})
            fresh = terms(kq.run(analyst, name, params))  # in memory: never kept
            first = terms(kq.run(store, name, params))
            again = terms(kq.run(store, name, params))
            assert first == fresh and again == fresh, name
            assert fresh[1], f"{name}: the fixture should give rows"
    assert len(kept_files(path)) == len(NAMES)


def test_kept_results_are_read_until_the_store_changes(tmp_path, runner, monkeypatch):
    monkeypatch.setattr(kg.sparql.execute, "KEEP_AFTER", 0.0)
    store = str(tmp_path / "store")
    news = tmp_path / "news.txt"
    news.write_text("11 June, 2019\nIOM meets in Guatemala\nIOM met officials in Guatemala.\n")
    invoke(runner, "build", news, "--store", store, "-q")
    assert [r["events"] for r in kg.query("events_per_month", store=store)] == [1]
    (kept,) = kept_files(store)
    # Asking again reads the file: doctor the count in it and the answer follows.
    assert kept.read_bytes().endswith(b"\n2019\t6\t1\n")
    kept.write_bytes(kept.read_bytes().replace(b"\n2019\t6\t1\n", b"\n2019\t6\t7\n"))
    assert [r["events"] for r in kg.query("events_per_month", store=store)] == [7]
    # A build writes to the store: the next answer is evaluated afresh and replaces the old file.
    with news.open("a") as handle:
        handle.write("\n12 July, 2019\nIOM meets in Honduras\nIOM met officials in Honduras.\n")
    invoke(runner, "build", news, "--store", store, "-q")
    assert [(r["month"], r["events"]) for r in kg.query("events_per_month", store=store)] == [(6, 1), (7, 1)]
    (renewed,) = kept_files(store)
    assert renewed.name != kept.name


def test_unreadable_kept_results_are_evaluated_afresh(runner, analyst_path, monkeypatch):
    monkeypatch.setattr(kg.sparql.execute, "KEEP_AFTER", 0.0)
    expected = invoke(runner, "query", "country_pairs", "--store", analyst_path, "-f", "csv").output
    for kept in kept_files(analyst_path):
        kept.write_bytes(kept.read_bytes()[:-9])  # cut short, in the middle of a term
    assert kept_files(analyst_path)
    assert invoke(runner, "query", "country_pairs", "--store", analyst_path, "-f", "csv").output == expected


# -- command line --


def test_kg_queries_lists_every_query_with_its_parameters(runner):
    out = invoke(runner, "queries").output
    for q in kq.catalogue():
        assert re.search(rf"^{q.name}\s+{re.escape(q.title)}$", out, re.M)
    assert "-p country COUNTRY [-p since 1900-01-01] [-p until 9999-12-31]" in out


def test_kg_queries_describes_one(runner):
    out = invoke(runner, "queries", "people_reached").output
    assert out.startswith("people_reached: People reached per country and event type")
    assert "columns: country, type, people, events" in out
    result = invoke(runner, "queries", "nope")
    assert result.exit_code == 2 and "no named query 'nope'" in result.stderr


def test_kg_query_csv_matches_the_golden_file(runner, analyst_path):
    result = invoke(runner, "query", "organization_partners", "-p", "org", "iom", "--store", analyst_path)
    assert result.exit_code == 0, result.stderr
    assert csv_rows(result.output) == csv_rows((GOLDEN / "organization_partners.csv").read_text())


def test_kg_query_formats(runner, analyst_path):
    args = ["query", "country_pairs", "-p", "min_events", "2", "--store", analyst_path, "-f"]
    data = json.loads(invoke(runner, *args, "json").output)
    assert data["head"]["vars"] == ["min_events", "a", "b", "events", "first", "last"]
    assert data["results"]["bindings"][0]["events"] == {
        "type": "literal",
        "value": "3",
        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
    }
    tsv = invoke(runner, *args, "tsv").output.splitlines()
    assert tsv[0].split("\t") == ["?min_events", "?a", "?b", "?events", "?first", "?last"]
    assert tsv[1].split("\t")[1] == f"<{ID}country/GTM>"
    root = ET.fromstring(invoke(runner, *args, "xml").output)
    assert root.tag == "{http://www.w3.org/2005/sparql-results#}sparql"
    table = invoke(runner, *args, "table").output.splitlines()
    assert table[0].split() == ["min_events", "a", "b", "events", "first", "last"]
    assert table[2].split()[:4] == ["2", "ctry:GTM", "ctry:HND", "3"]


def test_kg_query_errors_are_one_line_with_status_2(runner, analyst_path):
    for args, message in [
        (["-p", "country", "GTMX"], "kg: error: parameter 'country': 'GTMX' is not an ISO 3166-1 alpha-3 code"),
        ([], "kg: error: parameter 'country' is required"),
        (["-p", "country", "GTM", "-p", "country", "HND"], "kg: error: parameter 'country' is given twice"),
        (["-p", "country", INJECTION], "kg: error: parameter 'country'"),
    ]:
        result = invoke(runner, "query", "events_by_country", *args, "--store", analyst_path)
        assert result.exit_code == 2
        assert result.stderr.startswith(message) and len(result.stderr.strip().splitlines()) == 1


def test_sparql_timeout_gives_up_with_a_clear_error(analyst_path):
    """A subprocess: the abandoned query dies with it instead of burning CPU in the test run."""
    cartesian = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    result = run_kg("sparql", cartesian, "--store", analyst_path, "--timeout", "0.5", timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "kg: error: the query did not finish within 0.5 s (--timeout); narrow it or raise the limit"
    )
    assert time.monotonic() - started < 20


def test_sparql_timeout_lets_a_quick_query_through(runner, analyst_path):
    result = invoke(runner, "sparql", "ASK { ?e a mk:Event }", "--store", analyst_path, "--timeout", "30", "-f", "csv")
    assert result.exit_code == 0 and result.output.split() == ["true"]


# -- the real sample build --


def sort_key(term):
    """SPARQL ORDER BY: unbound < blank nodes < IRIs < literals; numbers and dates by value."""
    if term is None:
        return (0, 0, "")
    if isinstance(term, BlankNode):
        return (1, 0, term.value)
    if isinstance(term, NamedNode):
        return (2, 0, term.value)
    value = to_python(term)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | dt.date):
        return (3, 2, term.value)
    return (3, 1 if isinstance(value, dt.date) else 0, value)


def test_every_query_runs_on_the_sample_build_in_order(sample_store):
    with KgStore.open(sample_store, write=False) as store:
        for q in kq.catalogue():
            params = {p.name: SAMPLE_PARAMS[p.name] for p in q.params if p.required}
            solutions = list(kq.run(store, q.name, params))
            keys = order_keys(q.text)
            for before, after in itertools.pairwise(solutions):
                for var, descending in keys:
                    a, b = sort_key(before[var]), sort_key(after[var])
                    if a != b:
                        assert (a > b) if descending else (a < b), f"{q.name}: rows out of ORDER BY order on ?{var}"
                        break
