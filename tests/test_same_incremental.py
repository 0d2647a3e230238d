"""Grouping after a build that changed a few items (issue 23): the groups and same-story links a
store gets by regrouping only what changed, reading the other items' facts from the file kept
beside it (kg/same/kept.py), are the ones grouping everything from scratch gives, whatever was
added, changed or removed, and whatever happened to the file (missing, stale, torn, a kill before
it was written).

These tests drive :func:`kg.same.link` with facts made here (items of a few countries, places,
organisations and weeks, so that reports collide often), on a store that holds only the derived
graphs; ``test_same.py`` and the end-to-end tests at the bottom build real items.
"""

from __future__ import annotations

import dataclasses
import json
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import NamedNode

from kg import namespaces as ns
from kg.same import kept as kept_module
from kg.same import link
from kg.same.facts import ItemFacts, _facts
from kg.store import KgStore

COUNTRIES = ["GTM", "MEX", "HND", "SLV"]
PLACES = [ns.place(p) for p in ("GTM-flores", "MEX-tapachula", "HND-copan")]
ORGS = [ns.org(o) for o in ("iom", "unhcr", "sica", "rcm")]
TYPES = ["meeting", "workshop", "training", "launch", "visit"]
TEXTS = [  # copies of one text are the same story
    "IOM trained forty border officials in Tapachula on the identification of victims of trafficking in persons",
    "The Regional Conference on Migration met in San Jose to review the regional work plan and its budget",
    "Ministers of Central America launched a campaign against the smuggling of migrants along the coast",
]
DAY = date(2021, 5, 1)


def facts_of(key: str, seed: int) -> ItemFacts:
    """Item ``key`` in version ``seed``: its publication day, text and up to three reports, drawn."""
    rnd = random.Random(f"{key}/{seed}")
    published = DAY + timedelta(days=rnd.randrange(60))
    text = rnd.choice(TEXTS) + (f" {key} {seed}" if rnd.random() < 0.6 else "")  # else a copy
    events = {}
    for n in range(1, rnd.choice([0, 1, 1, 2, 3]) + 1):
        start = published - timedelta(days=rnd.randrange(20))
        precision = rnd.choice(["day", "day", "month", "year", None])
        hosts = {ns.country(rnd.choice(COUNTRIES))} if rnd.random() < 0.5 else set()
        events[ns.event(key, n)] = {
            "types": {ns.concept("event-type", t) for t in rnd.sample(TYPES, rnd.choice([0, 1, 1, 2]))},
            "start": {start.isoformat()} if precision else set(),
            "end": {(start + timedelta(days=rnd.randrange(2))).isoformat()} if precision == "day" else set(),
            "precision": {ns.concept("date-precision", precision)} if precision else set(),
            "locations": hosts,
            "participants": {ns.country(c) for c in rnd.sample(COUNTRIES, rnd.randint(0, 2))},
            "places": set(rnd.sample(PLACES, rnd.choice([0, 0, 1]))),
            # IOM in half the reports, the others about as often as makes them no evidence, or not
            "organizations": ({ORGS[0]} if rnd.random() < 0.5 else set())
            | set(rnd.sample(ORGS[1:], int(rnd.random() < 0.3))),
        }
    merged = {e: {"themes": [ns.concept("theme", "trafficking")]} for e in events}
    return _facts(ns.item(key), published, text, events, json.dumps(merged))


def groups_in(store: KgStore) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in store.query(f"SELECT ?c ?e WHERE {{ ?c <{ns.MK['hasReport']}> ?e }}"):
        found.setdefault(row["c"].value, set()).add(row["e"].value)
    return found


def derived(store: KgStore) -> list[str]:
    return sorted(str(q) for g in (ns.EVENTS_GRAPH, ns.SAME_STORY_GRAPH) for q in store.quads(g))


class Scenario:
    """One on-disk store grouped after each change with what was kept, against a store in memory
    grouped from scratch. The store holds no item graphs: what grouping would read of them from
    the store comes from the versions the store is said to hold (:attr:`read` lists it)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "store"
        self.kept = folder / f"store{kept_module.SUFFIX}"
        self.store = KgStore.open(self.path, write=True)
        self.versions: dict[str, int] = {}
        self.read: set[str] = set()

    def close(self) -> None:
        self.store.close()

    def reset(self) -> None:
        self.store.clear()
        self.kept.unlink(missing_ok=True)
        self.versions = {}

    def read_facts(self, store: KgStore, items: set[str]) -> dict[str, ItemFacts]:
        self.read |= items
        return {ns.item(k): facts_of(k, v) for k, v in self.versions.items() if ns.item(k) in items}

    def step(self, versions: dict[str, int]) -> None:
        """The store now holds the items of ``versions`` (key -> version): group the changes."""
        from kg.same import derive

        seen = {ns.item(k): (f"sha256:{v}", "run") for k, v in versions.items()}
        fresh = {ns.item(k): facts_of(k, v) for k, v in versions.items() if self.versions.get(k) != v}
        self.versions = dict(versions)
        self.read = set()
        real, derive.read_facts = derive.read_facts, self.read_facts
        try:
            link(self.store, fresh, seen=seen, kept=self.kept)
        finally:
            derive.read_facts = real
        assert derived(self.store) == self.expected(), f"after {versions}"

    def expected(self) -> list[str]:
        scratch = KgStore.memory()
        every = {ns.item(k): facts_of(k, v) for k, v in self.versions.items()}
        link(scratch, every, seen={ns.item(k): (f"sha256:{v}", "run") for k, v in self.versions.items()})
        return derived(scratch)


@pytest.fixture
def scenario(tmp_path: Path):
    held = Scenario(tmp_path)
    yield held
    held.close()


KEYS = [f"k{n:02d}" for n in range(24)]
states = st.lists(st.dictionaries(st.sampled_from(KEYS), st.integers(0, 1), min_size=3), min_size=2, max_size=4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(states=states)
def test_grouping_what_changed_gives_what_grouping_everything_gives(scenario, states):
    scenario.reset()
    for versions in states:
        scenario.step(versions)


def test_the_synthetic_items_make_groups_and_stories(scenario):
    """The items above do collide (else the comparisons would compare empty graphs)."""
    scenario.step({k: 0 for k in KEYS})
    quads = derived(scenario.store)
    assert sum(f"<{ns.MK['CanonicalEvent']}>" in q for q in quads) >= 3
    assert any(f"<{ns.MK['sameStoryAs']}>" in q for q in quads)


def test_a_new_events_graph_loaded_in_parts_is_the_graph_loaded_at_once(scenario, monkeypatch):
    """A 100k-item build loads its events graph 2,000 canonical events at a time (memory); the
    sample and fixtures have fewer, so parts of one event stand in for it here."""
    from kg.same import derive

    every = {k: 0 for k in KEYS}
    scratch = KgStore.memory()
    link(scratch, {ns.item(k): facts_of(k, 0) for k in KEYS}, seen={ns.item(k): ("sha256:0", "run") for k in KEYS})
    at_once = derived(scratch)
    loads = []
    monkeypatch.setattr(derive, "_GROUPS_A_LOAD", 1)
    real = KgStore.add_derived
    monkeypatch.setattr(KgStore, "add_derived", lambda self, *a: loads.append(1) or real(self, *a))
    scenario.step(every)
    assert len(loads) >= 3 and derived(scenario.store) == at_once


def test_a_missing_stale_or_torn_file_falls_back_to_what_the_store_says(scenario):
    every = {k: 0 for k in KEYS}
    scenario.step(every)
    assert scenario.read == set()
    old = scenario.kept.read_bytes()
    scenario.step({**every, "k01": 1, "k02": 1})
    assert scenario.read == set()  # the other items' facts came from the file
    scenario.kept.unlink()  # missing: the facts are read from the store, the file made anew
    scenario.step({**every, "k01": 1, "k02": 1, "k03": 1})
    assert len(scenario.read) == len(KEYS) - 1 and scenario.kept.is_file()
    scenario.kept.write_bytes(old)  # stale: describes the store of the first step
    scenario.step({**every, "k01": 1, "k04": 1})
    assert scenario.read == {ns.item("k01")}  # k04 was written; the file holds k01 in version 0
    scenario.kept.write_bytes(b"not a database" * 100)  # torn or foreign
    scenario.step({k: 1 for k in KEYS[:20]})


def test_a_kill_before_the_file_is_written_leaves_it_as_it_was(scenario, monkeypatch):
    """The derived graphs are written, then the file, in one transaction: a kill in between
    leaves the file of the step before, and the next grouping still gives the right answer."""
    every = {k: 0 for k in KEYS}
    scenario.step(every)

    class Killed(Exception):
        pass

    real = kept_module.Kept.save

    def save_then_die(self, grouped, facts, before=None, until=None):
        def written():
            until()
            raise Killed

        real(self, grouped, facts, before, written)

    monkeypatch.setattr(kept_module.Kept, "save", save_then_die)
    with pytest.raises(Killed):
        scenario.step({**every, "k05": 1, "k06": 1})
    monkeypatch.setattr(kept_module.Kept, "save", real)
    scenario.step({**every, "k05": 1, "k06": 1, "k07": 1})


def test_a_torn_events_graph_is_noticed(scenario):
    """A graph of over a million triples is bulk loaded in parts: the kept groups count only while
    the events graph holds as many triples as was written from them."""
    every = {k: 0 for k in KEYS}
    scenario.step(every)
    quads = [q for q in scenario.store.quads(ns.EVENTS_GRAPH) if q.predicate.value == ns.MK["reportCount"]]
    scenario.store.store.remove(quads[0])
    scenario.step({**every, "k08": 1})


def test_only_the_groups_a_change_touches_are_grouped_and_written_again(scenario, monkeypatch):
    """Two events far apart, each reported twice; a third report of the first joins its group,
    and the second event's canonical event is neither grouped nor written again."""
    from kg.same import derive

    def item(key: str, country: str, day: date, org: str) -> ItemFacts:
        event = {
            "types": {ns.concept("event-type", "workshop")},
            "start": {day.isoformat()},
            "precision": {ns.concept("date-precision", "day")},
            "locations": {ns.country(country)},
            "participants": set(),
            "places": set(),
            "organizations": {ns.org(org)},
        }
        return _facts(ns.item(key), day, f"report {key} of a workshop in {country}", {ns.event(key, 1): event}, "{}")

    made = {
        "a1": item("a1", "GTM", date(2021, 5, 4), "sica"),
        "a2": item("a2", "GTM", date(2021, 5, 4), "sica"),
        "b1": item("b1", "HND", date(2022, 9, 1), "rcm"),
        "b2": item("b2", "HND", date(2022, 9, 1), "rcm"),
        "a3": item("a3", "GTM", date(2021, 5, 4), "sica"),
    }
    seen = {f.item: ("sha256:1", "run") for f in made.values()}
    first = {f.item: f for k, f in made.items() if k != "a3"}
    link(scenario.store, first, seen={k: v for k, v in seen.items() if k in first}, kept=scenario.kept)
    assert len(groups_in(scenario.store)) == 2
    rendered, grouped = [], []
    monkeypatch.setattr(derive, "event_lines", lambda store, groups, *rest: rendered.extend(groups) or [])
    real_join = derive.join
    monkeypatch.setattr(derive, "join", lambda rs, links, only=None: grouped.append(only) or real_join(rs, links, only))
    monkeypatch.setattr(KgStore, "change_derived", lambda self, graph, removed, added: bool(removed))
    link(scenario.store, {made["a3"].item: made["a3"]}, seen=seen, kept=scenario.kept)
    assert rendered == [sorted(ns.event(k, 1) for k in ("a1", "a2", "a3"))]
    (only,) = grouped
    assert only is not None and only.sum() == 1  # one connected group of the two joined again


def report(
    day: date, org: str | None = None, country: str | None = None, dated: bool = True, place: str | None = None
) -> dict[str, set[str]]:
    """One workshop's values, as :func:`kg.same.facts._facts` takes them."""
    return {
        "types": {ns.concept("event-type", "workshop")},
        "start": {day.isoformat()} if dated else set(),
        "precision": {ns.concept("date-precision", "day")} if dated else set(),
        "participants": {ns.country(country)} if country else set(),
        "places": {place} if place else set(),
        "organizations": {ns.org(org)} if org else set(),
    }


def test_a_removed_report_lets_the_reports_it_kept_apart_join(scenario):
    """A joins B first (their IRIs come first); C cannot join them, as B names another place.
    Once B is removed, A and C, which did not change, are one event."""
    day = date(2021, 5, 10)
    a, b, c = (
        _facts(ns.item(k), day, k, {ns.event(k, 1): report(day, "sica", place=place)}, "{}")
        for k, place in (("a", None), ("b", PLACES[0]), ("c", PLACES[1]))
    )
    seen = {f.item: ("sha256:1", "run") for f in (a, b, c)}
    link(scenario.store, {f.item: f for f in (a, b, c)}, seen=seen, kept=scenario.kept)
    assert list(groups_in(scenario.store).values()) == [{ns.event("a", 1), ns.event("b", 1)}]
    del seen[b.item]
    link(scenario.store, {}, seen=seen, kept=scenario.kept)
    assert list(groups_in(scenario.store).values()) == [{ns.event("a", 1), ns.event("c", 1)}]


def test_an_item_that_makes_two_others_one_story_regroups_them(scenario):
    """X and Z are not alike, but each is like Y, which reports no event: once Y is there, X and Z
    are one story, and their undated reports (a country in common is not enough otherwise) are
    one event, though neither X nor Z changed."""
    words = [f"w{n}" for n in range(140)]
    day = date(2021, 5, 10)
    x = _facts(ns.item("x"), day, " ".join(words[0:100]), {ns.event("x", 1): report(day, None, "GTM", False)}, "{}")
    y = _facts(ns.item("y"), day, " ".join(words[20:120]), {}, "{}")
    z = _facts(ns.item("z"), day, " ".join(words[40:140]), {ns.event("z", 1): report(day, None, "GTM", False)}, "{}")
    seen = {f.item: ("sha256:1", "run") for f in (x, y, z)}
    link(scenario.store, {x.item: x, z.item: z}, seen={x.item: seen[x.item], z.item: seen[z.item]}, kept=scenario.kept)
    assert groups_in(scenario.store) == {}
    linked = link(scenario.store, {y.item: y}, seen=seen, kept=scenario.kept)
    assert linked.stories == 2 and list(groups_in(scenario.store).values()) == [{ns.event("x", 1), ns.event("z", 1)}]


def test_an_organisation_that_stops_being_common_regroups_its_reports(scenario):
    """Five reports of UNHCR among fewer than forty: UNHCR is in too many to tell events apart.
    One goes, and the two workshops it was all they had in common become one event."""
    day = date(2021, 5, 10)
    made = {
        f"u{n}": _facts(ns.item(f"u{n}"), day, f"u{n}", {ns.event(f"u{n}", 1): report(day, "unhcr")}, "{}")
        for n in range(5)
    }
    seen = {f.item: ("sha256:1", "run") for f in made.values()}
    link(scenario.store, {f.item: f for f in made.values()}, seen=seen, kept=scenario.kept)
    assert groups_in(scenario.store) == {}
    del seen[ns.item("u4")]
    link(scenario.store, {}, seen=seen, kept=scenario.kept)
    assert list(groups_in(scenario.store).values()) == [{ns.event(f"u{n}", 1) for n in range(4)}]


def test_a_changed_report_rewrites_its_canonical_event_though_its_group_stays(scenario):
    """Same reports, same canonical event IRI, other facts: a report that now names a participant
    country changes what its canonical event says."""
    day = date(2021, 5, 10)

    def made(key: str, country: str | None) -> ItemFacts:
        return _facts(ns.item(key), day, key, {ns.event(key, 1): report(day, "sica", country)}, "{}")

    a, b = made("a", None), made("b", None)
    link(scenario.store, {a.item: a, b.item: b}, seen={a.item: ("1", "r"), b.item: ("1", "r")}, kept=scenario.kept)
    (before,) = groups_in(scenario.store)
    b = made("b", "CRI")
    link(scenario.store, {b.item: b}, seen={a.item: ("1", "r"), b.item: ("2", "r")}, kept=scenario.kept)
    assert list(groups_in(scenario.store)) == [before]
    countries = scenario.store.query(f"SELECT ?c WHERE {{ <{before}> <{ns.MK['participantCountry']}> ?c }}")
    assert [row["c"].value for row in countries] == [ns.country("CRI")]


def test_kept_file_rows_count_only_in_the_version_the_store_holds(tmp_path):
    path = tmp_path / "s.same.sqlite"
    facts = facts_of("k00", 0)
    with kept_module.Kept.open(path) as kept:
        kept.save(kept_module.Grouped({facts.item: ("sha256:0", "run")}, {}, frozenset(), []), {facts.item: facts})
    with kept_module.Kept.open(path) as kept:
        # without what merging needs, which is read when a canonical event is written
        assert kept.load({facts.item: ("sha256:0", "run")})[0] == {facts.item: dataclasses.replace(facts, merged=None)}
        assert kept.load({facts.item: ("sha256:0", "another run")})[0] == {}
        assert kept.merged([facts.item]) == {facts.item: facts.merged}
    shutil.copy(path, tmp_path / "copy")
    (tmp_path / "copy").write_bytes(b"x" * 50)
    assert kept_module.Kept.open(tmp_path / "copy") is not None  # torn: emptied, not fatal


# -- kg build, end to end (tests/fixtures/duplicates.jsonl: three reports of one training) --

DUPLICATES = Path(__file__).parent / "fixtures" / "duplicates.jsonl"
SAMPLE = Path(__file__).parent.parent / "data" / "news"


def records() -> list[dict[str, str]]:
    return [json.loads(line) for line in DUPLICATES.read_text(encoding="utf-8").splitlines()]


def written(folder: Path, rows: list[dict[str, str]], name: str) -> Path:
    path = folder / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def built(store_path: Path, *sources: Path, **options):
    from kg.build import build

    with KgStore.open(store_path, write=True) as store:
        report = build(list(sources), store, **options)
        return report, derived(store)


@pytest.mark.slow
def test_builds_that_add_change_and_remove_items_group_as_a_fresh_build(tmp_path, monkeypatch):
    from kg.same import derive

    rows = records()
    reads: list[set[str]] = []
    real = derive.read_facts
    monkeypatch.setattr(derive, "read_facts", lambda store, items: reads.append(items) or real(store, items))
    store = tmp_path / "store"
    first = written(tmp_path, [r for r in rows if r["id"] != "tap-3"], "first")
    built(store, first, SAMPLE)
    assert reads == [] and (tmp_path / f"store{kept_module.SUFFIX}").is_file()
    # tap-3 reports the training too and joins its group; tec-1 changes its text
    changed = [r for r in rows if r["id"] == "tap-3"]
    changed += [{**r, "summary": r["summary"] + " More courses will follow."} for r in rows if r["id"] == "tec-1"]
    report, _ = built(store, written(tmp_path, changed, "second"))
    assert report.loaded == 2 and report.canonical_events == 1 and reads == []
    # tap-2 goes (as from a store rebuilt without it), and the next build leaves its group
    with KgStore.open(store, write=True) as held:
        held.store.remove_graph(NamedNode(ns.item_graph("forty-officials-tapachula-59c634")))
    rcm = [{**r, "id": "rcm-2022", "date": "2022-06-30"} for r in rows if r["id"] == "rcm-2021"]
    report, incremental = built(store, written(tmp_path, rcm, "third"))
    assert reads == []  # every other item's facts came from the kept file

    final = [r for r in rows if r["id"] not in ("tap-2", "tec-1")] + changed[1:] + rcm
    _, fresh = built(tmp_path / "fresh", written(tmp_path, final, "final"), SAMPLE)
    assert incremental == fresh
    members = {q.split()[2] for q in incremental if f"<{ns.MK['hasReport']}>" in q}
    assert len(members) == 2 and not any("forty-officials" in m for m in members)


@pytest.mark.slow
def test_a_build_killed_before_grouping_is_grouped_by_the_next_one(tmp_path):
    """Items written, the derived graphs not (``group=False`` stands for a kill in between): the
    kept file no longer describes the store, so even a build that writes nothing groups."""
    rows = records()
    store = tmp_path / "store"
    built(store, written(tmp_path, [r for r in rows if r["id"] != "tap-3"], "first"))
    late = written(tmp_path, [r for r in rows if r["id"] == "tap-3"], "late")
    built(store, late, group=False)
    report, after = built(store, late)
    assert report.items_written == 0 and report.grouped and report.canonical_events == 1
    assert after == built(tmp_path / "fresh", DUPLICATES)[1]
    assert not built(store, late)[0].grouped  # and now it is up to date


@pytest.mark.slow
def test_a_missing_kept_file_is_read_from_the_store_and_made_again(tmp_path, monkeypatch):
    from kg.same import derive

    store, kept = tmp_path / "store", tmp_path / f"store{kept_module.SUFFIX}"
    _, first = built(store, DUPLICATES)
    kept.unlink()
    reads: list[set[str]] = []
    real = derive.read_facts
    monkeypatch.setattr(derive, "read_facts", lambda store, items: reads.append(items) or real(store, items))
    report, again = built(store, DUPLICATES)
    assert report.grouped and again == first and len(reads[0]) == 6 and kept.is_file()
    assert not built(store, DUPLICATES)[0].grouped


@pytest.mark.slow
def test_a_replacement_takes_its_kept_file_along(tmp_path):
    store, kept = tmp_path / "store", tmp_path / f"store{kept_module.SUFFIX}"
    built(store, written(tmp_path, records()[:2], "first"))
    report, _ = built(store, DUPLICATES, replace=True)
    assert report.canonical_events == 1 and kept.is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("store")) == [
        "store",
        "store.events.npz",  # the event table the build's summaries were counted from
        "store.lock",
        f"store{kept_module.SUFFIX}",
    ]
    assert not built(store, DUPLICATES)[0].grouped  # the kept file describes the new store
