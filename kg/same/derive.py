"""The derived graphs of one event, many reports, remade after every build that wrote an item:

- ``…/graph/same-story``: ``item mk:sameStoryAs item`` (both ways) for near-duplicate items;
- ``…/graph/events``: one ``mk:CanonicalEvent`` per group of two or more reports of one event
  (:mod:`kg.same.merge`).

Both follow from the items the store holds, whatever the order they came in: a new item that
reports a known event joins its group, and a removed item leaves it. What grouping needs of an
item comes from the build that extracted it, else from the file kept beside the store
(:mod:`kg.same.kept`), else from the store. When that file describes the store as the last
grouping left it, only the connected groups of reports (:mod:`kg.same.grouping`) that the items
written or removed since then touch are grouped again, and only the canonical events that
changed are rewritten; the answer is the one grouping everything gives. A graph is written only
when its content changed, and is absent when empty.

>>> from kg.store import KgStore
>>> link(KgStore.memory())
LinkReport(stories=0, groups=0, reports=0, written=False)
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pyoxigraph import NamedNode

from kg import namespaces as ns
from kg.namespaces import MK
from kg.same.events import Report, canonical_iri
from kg.same.facts import ItemFacts, read_facts
from kg.same.grouping import Links, join
from kg.same.kept import Grouped, Kept
from kg.same.merge import event_lines
from kg.same.story import PERMUTATIONS, THRESHOLD, candidates, jaccard, story_groups
from kg.store import KgStore

__all__ = ["LinkReport", "item_fingerprints", "link", "linked_before", "linked_counts"]

#: Days apart two items may be published and still be copies of one story: a re-post comes
#: within weeks; the same yearly release a year later is another story.
STORY_DAYS = 120
#: Canonical events rendered and loaded at a time into a new events graph (~42 triples each).
#: Each part's lines and its bulk load are held while the kept file is saved: at 100k items
#: (32,189 canonical events) parts of 8,000 peaked at 2,280 MB and took 30.9 s to group, parts
#: of 2,000 at 1,966 MB and 26.8 s (one build each, RSS sampled every 50 ms).
_GROUPS_A_LOAD = 2_000


@dataclass(frozen=True)
class LinkReport:
    stories: int  # same-story pairs
    groups: int  # canonical events
    reports: int  # reports in those groups
    written: bool  # whether a derived graph changed


def link(
    store: KgStore,
    fresh: Mapping[str, ItemFacts] | None = None,
    *,
    seen: Mapping[str, tuple[str, str]] | None = None,
    kept: Path | None = None,
) -> LinkReport:
    """Recompute the same-story links and the canonical events of ``store`` and write the two
    derived graphs where they changed. ``fresh``: the facts of items just written
    (:func:`kg.same.facts.item_facts`, ``item IRI -> facts``); ``seen``: the content hash and run
    of every item graph in the store (:func:`item_fingerprints`, read when not given); ``kept``:
    the file of :mod:`kg.same.kept` to read and write (None: nothing is kept)."""
    with _no_collection():
        if seen is None:
            seen = item_fingerprints(store)
        saved = Kept.open(kept) if kept is not None and store._local else None
        try:
            return _link(store, fresh or {}, seen, saved)
        finally:
            if saved is not None:
                saved.close()


def item_fingerprints(
    store: KgStore, graphs: Mapping[str, tuple[str, str]] | None = None
) -> dict[str, tuple[str, str]]:
    """``item IRI -> (content hash, run)`` of every item graph in ``store``, from ``graphs``
    (:meth:`KgStore.fingerprints`, read when not given)."""
    prefix = ns.item_graph("")
    held = store.fingerprints() if graphs is None else graphs
    return {ns.item(g[len(prefix) :]): f for g, f in held.items() if g.startswith(prefix)}


def linked_before(store: KgStore, seen: Mapping[str, tuple[str, str]], kept: Path) -> bool:
    """Whether the last grouping, as the file ``kept`` (:mod:`kg.same.kept`) tells it, saw the items
    ``seen`` (item -> content hash and run) as the store holds them now and made its events graph."""
    saved = Kept.open(kept) if store._local else None
    if saved is None:
        return False
    with saved:
        _, before = saved.load(seen)
    return before is not None and dict(before.seen) == dict(seen) and _describes(before, store)


def _link(
    store: KgStore, fresh: Mapping[str, ItemFacts], seen: Mapping[str, tuple[str, str]], saved: Kept | None
) -> LinkReport:
    rows, loaded = saved.load(seen) if saved is not None else ({}, None)
    facts = {item: f for item in seen if (f := fresh.get(item) or rows.get(item)) is not None}
    if len(facts) < len(seen):
        facts.update(read_facts(store, set(seen) - facts.keys()))
    seen = {item: seen[item] for item in facts}
    before = loaded if loaded is not None and _describes(loaded, store) else None
    dirty = None if before is None else _changed(before.seen, seen)

    order = sorted(facts)
    pairs = _stories(facts, order, before, dirty)
    if before is not None and dirty is not None:
        dirty |= _moved(before.stories, pairs)
    reports = [r for item in order for r in facts[item].reports]
    links = Links.of(reports, story_groups(pairs))
    if before is not None and dirty is not None and links.common == before.common:
        groups = _groups(reports, links, before, dirty)
    else:  # nothing kept, or the organisations that are no evidence changed: every pair may have
        groups = join(reports, links)
    by_iri = {r.iri: r for r in reports}
    made = {canonical_iri(g): g for g in groups}

    written = store.write_derived(ns.SAME_STORY_GRAPH, _story_lines(pairs))
    with ThreadPoolExecutor(1) as writer:  # the store loads while the rest is made, and the file written
        new_graph = store._local and not store.store.contains_named_graph(NamedNode(ns.EVENTS_GRAPH))
        if new_graph and groups:  # in parts: the store loads one while the next is made
            for start in range(0, len(groups), _GROUPS_A_LOAD):
                part = groups[start : start + _GROUPS_A_LOAD]
                lines = event_lines(store, part, by_iri, _merging(saved, facts, rows, part, by_iri))
                events = writer.submit(store.add_derived, ns.EVENTS_GRAPH, lines)
        elif before is None or dirty is None or not made:
            lines = event_lines(store, groups, by_iri, _merging(saved, facts, rows, groups, by_iri))
            events = writer.submit(store.write_derived, ns.EVENTS_GRAPH, lines)
        else:
            old = before.canonical()
            stale = {c for c in old if c not in made or any(by_iri[m].item in dirty for m in made[c])}
            remade = [made[c] for c in sorted(made) if c not in old or c in stale]
            lines = event_lines(store, remade, by_iri, _merging(saved, facts, rows, remade, by_iri))
            events = writer.submit(store.change_derived, ns.EVENTS_GRAPH, _held(store, ns.EVENTS_GRAPH, stale), lines)
        if saved is not None:
            canonical_of = {m: c for c, g in made.items() for m in g}
            first = [reports[k].iri for k in links.component.tolist()]
            held = {r.iri: (r.item, first[i], canonical_of.get(r.iri)) for i, r in enumerate(reports)}
            # kept only once the events graph is written: a kill before then keeps what was

            def written_events() -> int:
                events.result()
                return _triples_in(store, ns.EVENTS_GRAPH)

            saved.save(Grouped(seen, held, links.common, pairs), facts, loaded, written_events)
        written = events.result() or written
    return LinkReport(len(pairs), len(groups), sum(len(g) for g in groups), written)


def _changed(before: Mapping[str, tuple[str, str]], now: Mapping[str, tuple[str, str]]) -> set[str]:
    """The items written, rewritten or removed since ``before``."""
    return {item for item in before.keys() | now.keys() if before.get(item) != now.get(item)}


def _moved(before: list[tuple[str, str]], after: list[tuple[str, str]]) -> set[str]:
    """The items whose story (the items it is a copy of) is not what it was."""

    def stories(pairs: list[tuple[str, str]]) -> dict[str, frozenset[str]]:
        members: dict[str, set[str]] = defaultdict(set)
        root = story_groups(pairs)
        for item, first in root.items():
            members[first].add(item)
        return {item: frozenset(members[first]) for item, first in root.items()}

    a, b = stories(before), stories(after)
    return {item for item in a.keys() | b.keys() if a.get(item, frozenset({item})) != b.get(item, frozenset({item}))}


def _stories(
    facts: Mapping[str, ItemFacts], order: list[str], before: Grouped | None, dirty: set[str] | None
) -> list[tuple[str, str]]:
    """The same-story pairs (each sorted), sorted: the pairs of items written or removed since
    ``before`` found anew, the others kept (whether two items are copies depends on them alone)."""
    signed = [item for item in order if facts[item].signature is not None]
    found = []
    if len(signed) >= 2:
        matrix = np.frombuffer(b"".join(facts[k].signature or b"" for k in signed), dtype="<u4")
        among = None if dirty is None else np.array([k in dirty for k in signed], dtype=bool)
        for i, j in candidates(matrix.reshape(-1, PERMUTATIONS), among=among).tolist():
            a, b = facts[signed[i]], facts[signed[j]]
            if abs((a.published - b.published).days) > STORY_DAYS:
                continue
            if jaccard(a.shingle_array(), b.shingle_array()) >= THRESHOLD:
                found.append((signed[i], signed[j]))
    if before is not None and dirty is not None:
        found += [(a, b) for a, b in before.stories if a not in dirty and b not in dirty]
    return sorted(found)


def _groups(reports: list[Report], links: Links, before: Grouped, dirty: set[str]) -> list[list[str]]:
    """The groups of ``reports``: the connected groups that hold a report of an item in ``dirty``
    or held one before are joined anew, the others keep the groups ``before`` gives them (a
    connected group that no changed report touches is the one it was, and so are its groups)."""
    component = links.component.tolist()
    tainted = {c for item, c, _ in before.reports.values() if item in dirty}
    touched = np.zeros(len(reports), dtype=bool)
    for i, r in enumerate(reports):
        old = before.reports.get(r.iri)
        if old is None or r.item in dirty or old[1] in tainted:
            touched[component[i]] = True
    kept: dict[str, list[str]] = defaultdict(list)
    for i, r in enumerate(reports):
        c = before.reports[r.iri][2] if not touched[component[i]] else None
        if c is not None:
            kept[c].append(r.iri)
    return sorted(join(reports, links, touched) + [sorted(m) for m in kept.values()])


def _merging(
    saved: Kept | None,
    facts: Mapping[str, ItemFacts],
    rows: Mapping[str, ItemFacts],
    groups: list[list[str]],
    by_iri: Mapping[str, Report],
) -> dict[str, Mapping[str, Mapping[str, Collection[str]]] | None]:
    """Item -> what merging needs of it, for the items of ``groups``: taken at extraction, kept
    (read from the file now, for these items only), or None (read from the store)."""
    items = sorted({by_iri[m].item for g in groups for m in g})
    texts = saved.merged(i for i in items if i in rows) if saved is not None else {}
    found: dict[str, Mapping[str, Mapping[str, Collection[str]]] | None] = {}
    for item in items:
        f = facts[item]
        if f.merged is None and texts.get(item) is not None:
            f = dataclasses.replace(f, merged=texts[item])
        found[item] = f.merging()
    return found


def _describes(grouped: Grouped, store: KgStore) -> bool:
    """Whether the store's events graph is the one written from ``grouped``: the same canonical
    events, and as many triples (a graph of over a million triples is bulk loaded in parts: a
    kill between them leaves some)."""
    rows = store.query(f"SELECT ?c WHERE {{ GRAPH <{ns.EVENTS_GRAPH}> {{ ?c a <{MK['CanonicalEvent']}> }} }}")
    held = {row["c"].value for row in rows}
    return held == grouped.canonical() and _triples_in(store, ns.EVENTS_GRAPH) == grouped.quads


def _triples_in(store: KgStore, graph: str) -> int:
    (row,) = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(row["n"].value)


def _held(store: KgStore, graph: str, subjects: Collection[str]) -> list[str]:
    """The triples of ``graph`` about ``subjects`` and about the participations they name, as
    lines (:meth:`KgStore.change_derived`)."""
    node, participation = NamedNode(graph), MK["participation"]
    lines = []
    for subject in sorted(subjects):
        for q in store.store.quads_for_pattern(NamedNode(subject), None, None, node):
            lines.append(f"{q.subject} {q.predicate} {q.object}")
            if q.predicate.value == participation and isinstance(q.object, NamedNode):
                held = store.store.quads_for_pattern(q.object, None, None, node)
                lines += [f"{p.subject} {p.predicate} {p.object}" for p in held]
    return lines


def linked_counts(store: KgStore) -> LinkReport:
    """What :func:`link` last wrote into ``store``, counted from the derived graphs (without
    reading any item): for a build that wrote nothing, whose groups cannot have changed.

    >>> linked_counts(KgStore.memory())
    LinkReport(stories=0, groups=0, reports=0, written=False)
    """
    same = f"<{MK['sameStoryAs']}>"
    counted = f"""SELECT (COUNT(?a) AS ?stories) (COUNT(?c) AS ?groups) (COUNT(?e) AS ?reports) WHERE {{
      {{ GRAPH <{ns.SAME_STORY_GRAPH}> {{ ?a {same} ?b FILTER (STR(?a) < STR(?b)) }} }}
      UNION {{ GRAPH <{ns.EVENTS_GRAPH}> {{ ?c a <{MK["CanonicalEvent"]}> }} }}
      UNION {{ GRAPH <{ns.EVENTS_GRAPH}> {{ ?x <{MK["hasReport"]}> ?e }} }}
    }}"""
    (row,) = store.query(counted)
    return LinkReport(int(row["stories"].value), int(row["groups"].value), int(row["reports"].value), False)


def _story_lines(pairs: list[tuple[str, str]]) -> list[str]:
    same = f"<{MK['sameStoryAs']}>"
    return sorted(line for a, b in pairs for line in (f"<{a}> {same} <{b}>", f"<{b}> {same} <{a}>"))


@contextlib.contextmanager
def _no_collection() -> Iterator[None]:
    """No cyclic garbage collection while grouping: it makes millions of small objects and no
    cycles, and the collector walked them all again and again (half the time of decoding the
    reports at 100,000 items)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
