"""One event, many reports (issue 23): same-story links, canonical events, counting them once.

The fixture ``fixtures/duplicates.jsonl`` plants, by hand:

    tap-1     IOM training, Tapachula MEX, 11-12 May 2021 (and the dateline, 14 May, read as a second event)
    tap-2     a syndicated copy of tap-1 under another title, published 4 days later
    tap-3     another story on the same training ("In May 2021", month precision)
    tec-1     the same programme's training in Tecún Umán GTM the same days: another event
    rcm-2020  the yearly RCM meeting in San José CRI, June 2020
    rcm-2021  the same yearly meeting, June 2021: another event

so the Tapachula training is one canonical event with three reports, and nothing else is grouped.
"""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pytest

from kg import namespaces as ns
from kg import queries as kq
from kg.build import build
from kg.cli import cli
from kg.network import EventFilter, country_network
from kg.same import Report, canonical_iri, group_reports, same_stories
from kg.same.score import evaluate_same
from kg.store import KgStore

from .conftest import FIXTURES, ROOT, invoke

DUPLICATES = FIXTURES / "duplicates.jsonl"
ITEM = f"{ns.ID}item/"
TAPACHULA = {
    f"{ns.ID}event/tapachula-officials-trained-1383e7-e1",
    f"{ns.ID}event/forty-officials-tapachula-59c634-e1",
    f"{ns.ID}event/may-highlights-446b6b-e1",
}


def records() -> list[dict[str, str]]:
    return [json.loads(line) for line in DUPLICATES.read_text(encoding="utf-8").splitlines()]


def built(tmp_path: Path, rows: list[dict[str, str]], store: KgStore | None = None, name: str = "in") -> KgStore:
    store = store or KgStore.memory()
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    build([path], store, shared=True)
    return store


def groups(store: KgStore) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in store.query(f"SELECT ?c ?e WHERE {{ ?c <{ns.MK['hasReport']}> ?e }}"):
        found.setdefault(row["c"].value, set()).add(row["e"].value)
    return found


@pytest.fixture(scope="module")
def dup_store(tmp_path_factory: pytest.TempPathFactory) -> KgStore:
    return built(tmp_path_factory.mktemp("dup"), records())


# -- same story --


def test_a_syndicated_copy_under_another_title_is_the_same_story(dup_store):
    rows = dup_store.query(f"SELECT ?a ?b WHERE {{ ?a <{ns.MK['sameStoryAs']}> ?b }} ORDER BY ?a ?b")
    pairs = [(r["a"].value.rsplit("/", 1)[1], r["b"].value.rsplit("/", 1)[1]) for r in rows]
    assert pairs == [
        ("forty-officials-tapachula-59c634", "tapachula-officials-trained-1383e7"),
        ("tapachula-officials-trained-1383e7", "forty-officials-tapachula-59c634"),
    ]


def test_same_stories_ignores_order_and_short_texts():
    text = "IOM trained 40 border officials in Tapachula, Mexico, on the identification of victims of trafficking."
    texts = {"a": text, "b": "Tapachula - " + text, "c": "IOM and Belize launched a campaign in Belmopan.", "d": "IOM"}
    texts["e"] = "IOM"
    assert same_stories(texts) == [("a", "b")]
    shuffled = dict(random.Random(3).sample(sorted(texts.items()), len(texts)))
    assert same_stories(shuffled) == [("a", "b")]


# -- same event --


def test_the_planted_duplicates_make_one_canonical_event(dup_store):
    assert groups(dup_store) == {canonical_iri(TAPACHULA): TAPACHULA}


def test_the_canonical_event_merges_its_reports(dup_store):
    (c,) = groups(dup_store)
    facts = {
        (r["p"].value.rsplit("/", 1)[-1].rsplit("#", 1)[-1], r["o"].value)
        for r in dup_store.query(f"SELECT ?p ?o WHERE {{ GRAPH <{ns.EVENTS_GRAPH}> {{ <{c}> ?p ?o }} }}")
    }
    assert ("startDate", "2021-05-11") in facts and ("endDate", "2021-05-12") in facts  # the day-precision reports
    assert ("locationCountry", ns.country("MEX")) in facts
    assert ("reportCount", "3") in facts
    # first reported by tap-1 (14 May), whose title queries show
    assert ("wasDerivedFrom", f"{ITEM}tapachula-officials-trained-1383e7") in facts
    reported = {o for p, o in facts if p == "reportedIn"}
    assert len(reported) == 3
    # the largest count a report gives (tap-3 says 42 officials), traced to that report's participation
    counts = dup_store.query(
        f"SELECT ?n ?src WHERE {{ <{c}> <{ns.MK['participation']}> ?p . ?p <{ns.MK['count']}> ?n ; "
        f"<{ns.PROV['wasDerivedFrom']}> ?src }}"
    )
    assert {(r["n"].value, r["src"].value.split("/event/")[1].split("-e")[0]) for r in counts} >= {
        ("42", "may-highlights-446b6b")
    }


def test_the_yearly_meeting_and_the_other_country_stay_apart(dup_store):
    members = set().union(*groups(dup_store).values())
    assert not any("rcm" in m or "tecun" in m for m in members)


def test_same_reports_in_any_order_give_the_same_canonical_iri(tmp_path):
    rows = records()
    first = groups(built(tmp_path, rows, name="a"))
    again = groups(built(tmp_path, list(reversed(rows)), name="b"))
    assert first == again


def test_a_new_report_joins_its_group_and_a_removed_one_leaves_it(tmp_path):
    rows = records()
    store = built(tmp_path, [r for r in rows if r["id"] != "tap-3"], name="a")
    (two,) = groups(store).values()
    assert len(two) == 2
    built(tmp_path, [r for r in rows if r["id"] == "tap-3"], store, name="b")  # an incremental build
    assert groups(store) == {canonical_iri(TAPACHULA): TAPACHULA}


def test_a_removed_report_leaves_its_group(tmp_path):
    from pyoxigraph import NamedNode

    from kg.same import link

    store = built(tmp_path, records())
    store.store.remove_graph(NamedNode(ns.item_graph("may-highlights-446b6b")))
    link(store)
    ((c, members),) = groups(store).items()
    assert members == TAPACHULA - {f"{ns.ID}event/may-highlights-446b6b-e1"}
    assert c == canonical_iri(members)
    store.store.remove_graph(NamedNode(ns.item_graph("forty-officials-tapachula-59c634")))
    link(store)
    assert groups(store) == {}
    assert not store.store.contains_named_graph(NamedNode(ns.EVENTS_GRAPH))


def test_group_reports_blocks_month_precision_against_days():
    def r(name: str, start: date, precision: str, country: str, item: str | None = None) -> Report:
        return Report(
            name,
            item or f"i:{name}",
            start,
            frozenset({"meeting"}),
            start,
            None,
            precision,
            frozenset({country}),
            frozenset({country}),
        )

    a = r("a", date(2020, 3, 4), "day", "GTM")
    b = r("b", date(2020, 3, 1), "month", "GTM")
    c = r("c", date(2020, 4, 1), "month", "GTM")
    d = r("d", date(2020, 3, 4), "day", "HND")
    assert group_reports([d, c, b, a]) == [["a", "b"]]
    # two events of one item are never one event, even through a third report
    e = r("e", date(2020, 3, 4), "day", "GTM", item="i:a")
    assert group_reports([a, b, e]) in ([["a", "b"]], [["b", "e"]])


# -- the sample and the evaluation --


def test_the_sample_has_no_duplicates(sample_store):
    with KgStore.open(sample_store, write=False) as store:
        assert groups(store) == {}


def test_eval_same_meets_the_target():
    scores = evaluate_same(ROOT / "data" / "gold" / "same.jsonl")
    for name in ("same_story", "same_event"):
        assert scores[name].precision >= 0.9 and scores[name].recall >= 0.9, name
    assert scores["same_event"].tp + scores["same_event"].fn >= 20


def test_kg_eval_same_prints_precision_and_recall(runner):
    result = invoke(runner, "eval", str(ROOT / "data" / "gold" / "same.jsonl"), "--same")
    assert result.exit_code == 0
    assert result.output.splitlines()[0].split() == ["relation", "pairs", "tp", "fp", "fn", "precision", "recall"]


# -- counting: canonical events once, --reports for every report --

MEXICO_REPORTS = {  # a dateline date is no event of its own when the text dates the activity (issue 17)
    "tapachula-officials-trained-1383e7-e1",
    "forty-officials-tapachula-59c634-e1",
    "may-highlights-446b6b-e1",
}


def event_names(rows: list[dict[str, object]]) -> set[str]:
    return {str(row["event"]).rsplit("/", 1)[1] for row in rows}


def test_events_by_country_counts_the_planted_duplicates_once(dup_store):
    rows = kq.query("events_by_country", store=dup_store, country="MEX")
    (c,) = groups(dup_store)
    assert event_names(rows) == {c.rsplit("/", 1)[1]}
    every = kq.query("events_by_country", store=dup_store, country="MEX", reports=True)
    assert event_names(every) == MEXICO_REPORTS


def test_events_per_month_counts_may_2021_once_per_event(dup_store):
    def may(**flags: bool) -> int:
        rows = kq.query("events_per_month", store=dup_store, **flags)
        return next(row["events"] for row in rows if (row["year"], row["month"]) == (2021, 5))

    assert may() == 2  # Tapachula's training once, Tecún Umán's training
    assert may(reports=True) == 4  # Tapachula's three reports, Tecún Umán's training


def test_the_network_counts_each_event_once(dup_store):
    mexico = ns.country("MEX")
    assert country_network(dup_store).nodes[mexico]["event_count"] == 1
    assert country_network(dup_store, EventFilter(reports=True)).nodes[mexico]["event_count"] == 3


def test_every_query_that_counts_events_counts_canonical_events_once():
    about_reports = {"provenance"}  # the evidence of each item: reports by design
    no_events = {"items_mentioning", "statistics_by_country", "statistics_per_country"}
    for q in kq.catalogue():
        if q.name not in about_reports | no_events:
            assert q.counts_events, f"{q.name} lacks {kq.CANONICAL_FILTER}"


def test_kg_query_and_kg_network_take_reports(runner, tmp_path):
    store = str(tmp_path / "store")
    assert invoke(runner, "build", str(DUPLICATES), "--store", store, "-q").exit_code == 0
    once = invoke(runner, "query", "events_by_country", "-p", "country", "MEX", "--store", store, "-f", "csv")
    every = invoke(
        runner, "query", "events_by_country", "-p", "country", "MEX", "--store", store, "-f", "csv", "--reports"
    )
    assert "canonical-event/" in once.output and "canonical-event/" not in every.output
    assert all(name in every.output for name in MEXICO_REPORTS)
    wrong = runner.invoke(cli, ["query", "items_mentioning", "-p", "entity", "MEX", "--store", store, "--reports"])
    assert wrong.exit_code == 2 and "does not count events" in wrong.output
    network = invoke(runner, "network", "--store", store, "--reports")
    assert network.exit_code == 0 and "every report" in network.output


def test_accents_are_folded_by_a_table_of_every_combining_character():
    import sys
    import unicodedata

    from kg.same.story import _combining, _words

    every = {c for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))}
    assert set(_combining()) == every
    assert _words("Tecún Umán, São Tomé, Ḱ̃") == ["tecun", "uman", "sao", "tome", "k"]


def test_an_unchanged_rebuild_keeps_the_groups_without_regrouping(tmp_path):
    store = KgStore.memory()
    first = build([DUPLICATES], store)
    events = sorted(map(str, store.quads(ns.EVENTS_GRAPH)))
    again = build([DUPLICATES], store)
    assert first.grouped and not again.grouped
    assert again.items_written == 0
    assert (again.same_stories, again.canonical_events) == (first.same_stories, first.canonical_events) == (1, 1)
    assert "grouping        skipped: no item graph was written" in again.summary(store)
    assert sorted(map(str, store.quads(ns.EVENTS_GRAPH))) == events


CANONICAL_TAPACHULA = canonical_iri(TAPACHULA)


@pytest.mark.parametrize(
    ("name", "params"), [("events_by_theme", {"theme": "trafficking"}), ("events_by_objective", {"objective": "10"})]
)
def test_the_canonical_event_is_found_by_the_themes_and_objectives_of_its_reports(dup_store, name, params):
    found = [row["event"] for row in kq.query(name, store=dup_store, **params)]
    assert CANONICAL_TAPACHULA in found and not TAPACHULA & set(found)
    every = {row["event"] for row in kq.query(name, store=dup_store, reports=True, **params)}
    assert every >= TAPACHULA and CANONICAL_TAPACHULA not in every


def test_a_canonical_event_takes_its_item_themes_when_its_reports_have_none(tmp_path):
    """A store whose events carry no themes (another producer, an older extractor): the
    canonical event is found by its items' themes, as each report would be."""
    from kg.same import link

    store = built(tmp_path, records())
    subject, event = ns.DCTERMS["subject"], ns.MK["Event"]
    store.store.update(
        f"DELETE {{ GRAPH ?g {{ ?e <{subject}> ?t }} }} WHERE {{ GRAPH ?g {{ ?e a <{event}> ; <{subject}> ?t }} }}"
    )
    link(store)
    assert CANONICAL_TAPACHULA in {
        row["event"] for row in kq.query("events_by_theme", store=store, theme="trafficking")
    }
    rows = kq.query("activity_by_objective", store=store)
    assert {(row["number"], row["year"], row["events"]) for row in rows} >= {
        (10, 2021, 2)
    }  # Tapachula once, Tecún Umán


def test_an_untyped_report_joins_a_typed_report_of_its_event():
    """The extractor finds events it cannot type ("will meet", "brought food parcels", gold
    pairs same-011 and same-015): such a report may be of any type, but not of two at once."""

    def r(name: str, types: set[str], item: str | None = None) -> Report:
        day = date(2023, 3, 8)
        return Report(
            name, item or f"i:{name}", date(2023, 3, 10), frozenset(types), day, day, "day",
            frozenset({"COL"}), frozenset({"COL"}), frozenset({"necocli"}),
        )  # fmt: skip

    assert group_reports([r("e:typed", {"assistance"}), r("e:untyped", set())]) == [["e:typed", "e:untyped"]]
    both = group_reports([r("e:aid", {"assistance"}), r("e:untyped", set()), r("e:visit", {"visit"})])
    assert both in ([["e:aid", "e:untyped"]], [["e:untyped", "e:visit"]])  # the untyped one joins one of them
    scores = evaluate_same(ROOT / "data" / "gold" / "same.jsonl")
    assert scores["same_event"].fn == 0 and scores["same_event"].fp == 0


@pytest.mark.slow
def test_kg_serve_takes_reports_1_like_the_command_line(runner, tmp_path):
    """Over HTTP on 127.0.0.1: a named query counts the Tapachula training once, and with
    reports=1 each of its reports; a query that counts no events refuses the switch."""
    import urllib.error
    import urllib.request

    from .conftest import running_server

    store = str(tmp_path / "store")
    assert invoke(runner, "build", str(DUPLICATES), "--store", store, "-q").exit_code == 0

    def get(path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(server.url + path, timeout=30) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    with running_server(store) as server:
        once = get("/queries/events_by_country?country=MEX&format=csv")
        every = get("/queries/events_by_country?country=MEX&format=csv&reports=1")
        off = get("/queries/events_by_country?country=MEX&format=csv&reports=0")
        described = json.loads(get("/queries")[1])
        refused = get("/queries/items_mentioning?entity=MEX&reports=1")
        network = json.loads(get("/network/countries?reports=1")[1])
    assert once[0] == every[0] == off[0] == 200 and off == once
    assert CANONICAL_TAPACHULA in once[1] and not any(name in once[1] for name in MEXICO_REPORTS)
    assert CANONICAL_TAPACHULA not in every[1] and all(name in every[1] for name in MEXICO_REPORTS)
    assert {q["name"]: q["reports"] for q in described}["events_by_country"] is True
    assert refused[0] == 400 and "does not count events" in refused[1]
    assert network["nodes"]


def test_the_facts_taken_at_extraction_are_the_facts_read_from_the_store(tmp_path):
    """Grouping after kg build takes each written item's facts where it was extracted, and
    reads the others (kg load, earlier builds) from the store: both must agree."""
    from kg.extracting import graph_and_facts
    from kg.same.facts import read_facts, unpacked
    from kg.sources import NewsItem, read_sources

    items = [r for r in read_sources([DUPLICATES, ROOT / "data" / "news"]) if isinstance(r, NewsItem)]
    store = KgStore.memory()
    build([DUPLICATES, ROOT / "data" / "news"], store)
    read = read_facts(store)
    taken = unpacked(graph_and_facts(item)[3] for item in items)
    assert read.keys() == taken.keys() and len(read) == 16
    for item, facts in taken.items():
        again = read[item]
        assert (facts.published, facts.reports) == (again.published, again.reports), item
        assert [r.extra for r in facts.reports] == [r.extra for r in again.reports], item
        assert (facts.shingles, facts.signature, facts.reported) == (again.shingles, again.signature, again.reported)
    assert sum(len(f.reports) for f in taken.values()) > 16


def test_grouping_from_the_facts_of_a_build_writes_what_grouping_from_the_store_would():
    from kg.same import link

    store = KgStore.memory()
    first = build([DUPLICATES, ROOT / "data" / "news"], store)  # facts taken at extraction
    assert first.canonical_events == 1 and first.same_stories == 1
    again = link(store)  # every fact read back from the store
    assert (again.groups, again.stories, again.written) == (1, 1, False)


def test_candidates_far_from_alike_are_dropped_before_their_exact_similarity(monkeypatch):
    """Items sharing a stock paragraph are LSH candidates by the thousand (the bench corpus:
    26,490 at 10k items, none the same story); their signatures already tell them apart."""

    from kg.same import story

    rng = random.Random(23)
    words = [f"w{n}" for n in range(5000)]
    stock = " ".join(rng.choice(words) for _ in range(60))
    texts = {f"i{n:03d}": stock + " " + " ".join(rng.choice(words) for _ in range(70)) for n in range(120)}
    texts["copy"] = texts["i000"] + " one more line"
    keys = sorted(texts)
    sets = [story.shingles(texts[k]) for k in keys]
    signed = story.signatures(sets)
    checked = []
    real = story.jaccard
    monkeypatch.setattr(story, "jaccard", lambda a, b: checked.append(1) or real(a, b))
    assert story.similar(keys, sets, signed) == [("copy", "i000")]
    assert len(story._candidates(signed)) > 4 * len(checked)
