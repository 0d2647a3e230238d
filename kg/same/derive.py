"""The derived graphs of one event, many reports: rebuilt from the item graphs after every build.

- ``…/graph/same-story``: ``item mk:sameStoryAs item`` (both ways) for near-duplicate items;
- ``…/graph/events``: one ``mk:CanonicalEvent`` per group of two or more reports of one event,
  with the merged types, dates, actors, themes and counts of its reports, ``mk:hasReport`` each
  report, ``mk:reportedIn`` each item, and ``prov:wasDerivedFrom`` the item that reported it
  first (the title and date that queries show for it).

Both are computed from what the store holds, so a new item that reports a known event joins
its group and a removed item leaves it, whatever the order items came in. A graph is written
only when its content changed, and is absent when empty.

>>> from kg.store import KgStore
>>> link(KgStore.memory())
LinkReport(stories=0, groups=0, reports=0, written=False)
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from pyoxigraph import Literal, NamedNode, RdfFormat, parse

from kg import namespaces as ns
from kg.namespaces import DCTERMS, MK, PROV, RDF, SCHEMA, SEM, XSD
from kg.same.events import Report, canonical_iri, group_reports
from kg.same.story import same_stories, story_groups
from kg.store import KgStore

__all__ = ["LinkReport", "link", "linked_counts", "read_reports"]

#: Days apart two items may be published and still be copies of one story: a re-post comes
#: within weeks; the same yearly release a year later is another story.
STORY_DAYS = 120

#: What grouping needs, read for every event.
_EVENT_PREDICATES = {
    SEM["eventType"]: "types",
    SCHEMA["startDate"]: "start",
    SCHEMA["endDate"]: "end",
    MK["datePrecision"]: "precision",
    MK["locationCountry"]: "locations",
    MK["participantCountry"]: "participants",
    SCHEMA["location"]: "places",
    SCHEMA["organizer"]: "organizations",
    SCHEMA["attendee"]: "organizations",
    SCHEMA["funder"]: "organizations",
}
#: What merging needs besides, read for the reports of canonical events only.
_MERGE_PREDICATES = {
    SCHEMA["organizer"]: "organizer",
    SCHEMA["attendee"]: "attendee",
    SCHEMA["funder"]: "funder",
    DCTERMS["subject"]: "themes",
    MK["participation"]: "participations",
}
_EVENTS = f"SELECT ?e ?item WHERE {{ ?e a <{MK['Event']}> ; <{PROV['wasDerivedFrom']}> ?item }}"
_PROPERTIES = "SELECT ?e ?p ?o WHERE {{ VALUES ?p {{ {} }} ?e ?p ?o }}".format(
    " ".join(f"<{p}>" for p in _EVENT_PREDICATES)
)
_MERGE = "SELECT ?e ?p ?o WHERE { VALUES ?e { %VALUES% } VALUES ?p { %s } ?e ?p ?o }".replace(
    "%s", " ".join(f"<{p}>" for p in _MERGE_PREDICATES)
)
_PARTICIPATIONS = (
    "SELECT ?part ?p ?o WHERE { VALUES ?part { %VALUES% } VALUES ?p { "
    + " ".join(f"<{MK[p]}>" for p in ("role", "agent", "participantGroup", "count", "subsetOf"))
    + " } ?part ?p ?o }"
)
_ITEM_THEMES = f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ %VALUES% }} VALUES ?p {{ <{DCTERMS['subject']}> }} ?s ?p ?o }}"
_VALUES_CHUNK = 1_000  # IRIs per VALUES block
_TEXTS = f"""SELECT ?item ?published ?title ?summary ?body WHERE {{
  ?item a <{MK["NewsItem"]}> ; <{DCTERMS["date"]}> ?published ; <{DCTERMS["title"]}> ?title .
  OPTIONAL {{ ?item <{DCTERMS["abstract"]}> ?summary }}
  OPTIONAL {{ ?item <{SCHEMA["articleBody"]}> ?body }}
}}"""


@dataclass(frozen=True)
class LinkReport:
    stories: int  # same-story pairs
    groups: int  # canonical events
    reports: int  # reports in those groups
    written: bool  # whether a derived graph changed


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def read_texts(store: KgStore) -> tuple[dict[str, str], dict[str, date]]:
    """Every item's text (summary and body; the title when it has neither) and publication date."""
    texts: dict[str, str] = {}
    published: dict[str, date] = {}
    for row in store.query(_TEXTS):
        item = row["item"].value
        if item in texts:
            continue
        # the title left out: a re-post or a syndicated copy often gets a new one
        parts = [row[k].value for k in ("summary", "body") if row[k] is not None]
        texts[item] = "\n".join(parts) or row["title"].value
        published[item] = date.fromisoformat(row["published"].value[:10])
    return texts, published


def read_reports(store: KgStore, published: dict[str, date] | None = None) -> list[Report]:
    """Every event of the item graphs (canonical events left out) as a :class:`Report`;
    ``published``: each item's publication date, when :func:`read_texts` has read them."""
    if published is None:
        published = read_texts(store)[1]
    items: dict[str, tuple[str, date]] = {}
    for row in store.query(_EVENTS):
        e, item = row["e"].value, row["item"].value
        if not e.startswith(_CANONICAL_PREFIX) and e not in items and item in published:
            items[e] = (item, published[item])
    values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in store.query(_PROPERTIES):
        e = row["e"].value
        if e in items:
            values[e][_EVENT_PREDICATES[row["p"].value]].add(row["o"].value)
    reports = []
    for e, (item, day) in items.items():
        v = values[e]
        start = min(v["start"], default=None)
        end = max(v["end"], default=None)
        reports.append(
            Report(
                e,
                item,
                day,
                frozenset(_local(t) for t in v["types"]),
                date.fromisoformat(start[:10]) if start else None,
                date.fromisoformat(end[:10]) if end else None,
                _local(min(v["precision"])) if v["precision"] else None,
                frozenset(v["locations"]),
                frozenset(v["locations"] | v["participants"]),
                frozenset(v["places"]),
                frozenset(v["organizations"]),
                extra={"types": v["types"], "participants": v["participants"]},
            )
        )
    return reports


_CANONICAL_PREFIX = ns.canonical_event("")


def link(store: KgStore) -> LinkReport:
    """Recompute the same-story links and the canonical events of ``store`` and write the two
    derived graphs where they changed."""
    texts, published = read_texts(store)
    pairs = [(a, b) for a, b in same_stories(texts) if abs((published[a] - published[b]).days) <= STORY_DAYS]
    stories = story_groups(pairs)
    reports = read_reports(store, published)
    groups = group_reports(reports, stories)
    by_iri = {r.iri: r for r in reports}
    story_lines = _story_lines(pairs)
    event_lines = _event_lines(store, groups, by_iri)
    written = _replace(store, ns.SAME_STORY_GRAPH, story_lines)
    written = _replace(store, ns.EVENTS_GRAPH, event_lines) or written
    return LinkReport(len(pairs), len(groups), sum(len(g) for g in groups), written)


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
    return LinkReport(*(int(row[k].value) for k in ("stories", "groups", "reports")), written=False)


def _story_lines(pairs: list[tuple[str, str]]) -> list[str]:
    same = f"<{MK['sameStoryAs']}>"
    return sorted(line for a, b in pairs for line in (f"<{a}> {same} <{b}>", f"<{b}> {same} <{a}>"))


_PRECISION_RANK = {"day": 0, None: 0, "month": 1, "year": 2}


def _event_lines(store: KgStore, groups: list[list[str]], by_iri: dict[str, Report]) -> list[str]:
    if not groups:
        return []
    merge = _values(store, _MERGE, [m for members in groups for m in members], _MERGE_PREDICATES)
    parts = _values(store, _PARTICIPATIONS, sorted(set().union(*(v["participations"] for v in merge.values()))))
    # a report without themes of its own has its item's, as the queries by theme read it
    themeless = sorted({by_iri[m].item for members in groups for m in members if not merge.get(m, {}).get("themes")})
    item_themes = _values(store, _ITEM_THEMES, themeless)
    lines: list[str] = []
    add = lines.append
    for members in groups:
        reports = [by_iri[m] for m in members]
        facts = {r.iri: {**r.extra, **merge.get(r.iri, {})} for r in reports}
        for r in reports:
            if not facts[r.iri].get("themes"):
                facts[r.iri]["themes"] = item_themes.get(r.item, {}).get("subject", set())
        c = canonical_iri(members)
        C = f"<{c}>"
        add(f"{C} <{RDF['type']}> <{MK['Event']}>")
        add(f"{C} <{RDF['type']}> <{MK['CanonicalEvent']}>")
        add(f'{C} <{MK["reportCount"]}> "{len(members)}"^^<{XSD["integer"]}>')
        first = min(reports, key=lambda r: (r.published, r.item))
        add(f"{C} <{PROV['wasDerivedFrom']}> <{first.item}>")
        for r in reports:
            add(f"{C} <{MK['hasReport']}> <{r.iri}>")
            add(f"{C} <{MK['reportedIn']}> <{r.item}>")
        for key, predicate in (
            ("types", SEM["eventType"]),
            ("participants", MK["participantCountry"]),
            ("organizer", SCHEMA["organizer"]),
            ("attendee", SCHEMA["attendee"]),
            ("funder", SCHEMA["funder"]),
            ("themes", DCTERMS["subject"]),
        ):
            merged: set[str] = set().union(*(facts[r.iri].get(key, ()) for r in reports))
            for value in sorted(merged):
                add(f"{C} <{predicate}> <{value}>")
        for value in sorted(set().union(*(r.locations for r in reports))):
            add(f"{C} <{MK['locationCountry']}> <{value}>")
        for value in sorted(set().union(*(r.places for r in reports))):
            add(f"{C} <{SCHEMA['location']}> <{value}>")
        lines.extend(_dates(C, reports))
        lines.extend(_merged_participations(c, [facts[r.iri].get("participations", set()) for r in reports], parts))
    return lines


def _dates(C: str, reports: list[Report]) -> Iterator[str]:
    """The dates of the most precise reports: their earliest start and latest end."""
    dated = [r for r in reports if r.start is not None]
    if not dated:
        return
    best = min(_PRECISION_RANK.get(r.precision, 0) for r in dated)
    finest = [r for r in dated if _PRECISION_RANK.get(r.precision, 0) == best]
    start = min(r.start for r in finest if r.start)
    end = max((r.end or r.start) for r in finest if r.start)
    yield f'{C} <{SCHEMA["startDate"]}> "{start.isoformat()}"^^<{XSD["date"]}>'
    if end != start or any(r.end for r in finest):
        yield f'{C} <{SCHEMA["endDate"]}> "{end.isoformat()}"^^<{XSD["date"]}>'
    precision = next(r.precision for r in finest) or "day"
    yield f"{C} <{MK['datePrecision']}> <{ns.concept('date-precision', precision)}>"


def _values(
    store: KgStore, template: str, subjects: list[str], names: dict[str, str] | None = None
) -> dict[str, dict[str, set[str]]]:
    """``subject -> name -> objects`` for the predicates of ``template`` (a query of ``?s ?p ?o``
    rows whose ``%VALUES%`` takes the subjects); ``names`` names the predicates (else their local
    names). In pyoxigraph's own store, one index lookup per subject: Oxigraph plans a VALUES
    block of many subjects as a scan of every triple."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def add(s: str, p: str, o: str) -> None:
        found[s][names[p] if names else p.rsplit("#", 1)[-1].rsplit("/", 1)[-1]].add(o)

    if store._local:
        wanted = set(re.findall(r"<([^>]+)>", template.split("%VALUES%", 1)[1]))
        for subject in subjects:
            for quad in store.store.quads_for_pattern(NamedNode(subject), None, None):
                if quad.predicate.value in wanted and isinstance(quad.object, NamedNode | Literal):
                    add(subject, quad.predicate.value, quad.object.value)
        return found
    for start in range(0, len(subjects), _VALUES_CHUNK):
        chunk = " ".join(f"<{s}>" for s in subjects[start : start + _VALUES_CHUNK])
        for row in store.query(template.replace("%VALUES%", chunk)):
            add(row[0].value, row[1].value, row[2].value)
    return found


def _merged_participations(c: str, reports: list[set[str]], parts: dict[str, dict[str, set[str]]]) -> list[str]:
    """One participation per role and agent (or group), with the largest count any report gives;
    ``prov:wasDerivedFrom`` the report's participation that gave it (its quote is there)."""
    best: dict[tuple[str, str], tuple[int, str]] = {}
    whole_of: dict[str, str] = {}
    for held in reports:
        for p in sorted(held):
            v = parts.get(p)
            if not v or not v["role"]:
                continue
            who = min(v["agent"] | v["participantGroup"], default="")
            key = (min(v["role"]), who)
            count = max((int(n) for n in v["count"]), default=-1)
            if key not in best or count > best[key][0]:
                best[key] = (count, p)
            if v["subsetOf"]:
                whole_of[p] = min(v["subsetOf"])
    key_of = {p: key for key, (_, p) in best.items()}
    iri_of = {key: f"{c}-p{n}" for n, key in enumerate(sorted(best), start=1)}
    lines = []
    for key, (count, source) in sorted(best.items()):
        P = f"<{iri_of[key]}>"
        role, who = key
        lines.append(f"<{c}> <{MK['participation']}> {P}")
        lines.append(f"{P} <{RDF['type']}> <{MK['Participation']}>")
        lines.append(f"{P} <{MK['role']}> <{role}>")
        if who:
            kind = "participantGroup" if who.startswith(ns.SCHEMES["group"]) else "agent"
            lines.append(f"{P} <{MK[kind]}> <{who}>")
        if count >= 0:
            lines.append(f'{P} <{MK["count"]}> "{count}"^^<{XSD["integer"]}>')
        lines.append(f"{P} <{PROV['wasDerivedFrom']}> <{source}>")
        whole = whole_of.get(source)
        if whole in key_of:
            lines.append(f"{P} <{MK['subsetOf']}> <{iri_of[key_of[whole]]}>")
    return lines


def _replace(store: KgStore, graph: str, lines: list[str]) -> bool:
    """Write ``graph`` as ``lines`` (triples without the final dot), or remove it when there are
    none; nothing is written when the store already holds exactly that."""
    data = "".join(f"{line} <{graph}> .\n" for line in sorted(set(lines)))
    if not store._local:  # a SPARQL server: replaced each time
        store.replace_graphs({graph: list(parse(data.encode(), format=RdfFormat.N_QUADS))})
        return True
    node = NamedNode(graph)
    if not store.store.contains_named_graph(node):
        if not data:
            return False
    elif _digest_of(store, graph) == hashlib.sha256(data.encode()).hexdigest():
        return False
    if data:
        store.replace_graphs({graph: list(parse(data.encode(), format=RdfFormat.N_QUADS))})
    else:
        store.store.remove_graph(node)
    return True


def _digest_of(store: KgStore, graph: str) -> str:
    lines = sorted(f"{q.subject} {q.predicate} {q.object} <{graph}> .\n" for q in store.quads(graph))
    return hashlib.sha256("".join(lines).encode()).hexdigest()
