"""The canonical event of a group of reports, as triples: the merged types, dates, actors,
themes and counts of its reports, ``mk:hasReport`` each report, ``mk:reportedIn`` each item, and
``prov:wasDerivedFrom`` the item that reported it first (the title and date queries show for it).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping

from pyoxigraph import Literal, NamedNode

from kg import namespaces as ns
from kg.namespaces import DCTERMS, MK, PROV, RDF, SCHEMA, SEM, XSD
from kg.same.events import Report, canonical_iri
from kg.same.facts import MERGE_PREDICATES
from kg.store import KgStore

__all__ = ["event_lines"]

#: What merging needs of a report, read from the store for items whose facts do not hold it.
_EVENT_MERGE = (SCHEMA["organizer"], SCHEMA["attendee"], SCHEMA["funder"], DCTERMS["subject"], MK["participation"])
_MERGE_PREDICATES = {p: MERGE_PREDICATES[p] for p in _EVENT_MERGE}
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


_PRECISION_RANK = {"day": 0, None: 0, "month": 1, "year": 2}


def event_lines(
    store: KgStore,
    groups: list[list[str]],
    by_iri: Mapping[str, Report],
    merging: Mapping[str, Mapping[str, Mapping[str, Collection[str]]] | None],
) -> list[str]:
    """The triples (N-Triples lines without the final dot) of the canonical events of ``groups``
    (lists of report IRIs). ``merging``: item IRI -> what merging needs of it
    (:meth:`kg.same.facts.ItemFacts.merging`), or None to read it from ``store``.

    >>> event_lines(KgStore.memory(), [], {}, {})
    []
    """
    if not groups:
        return []
    of_item = [(m, by_iri[m].item) for g in groups for m in g]
    merge = _known(store, _MERGE, of_item, merging, _MERGE_PREDICATES)
    held = sorted({(p, by_iri[m].item) for m, _ in of_item for p in merge.get(m, {}).get("participations", ())})
    parts = _known(store, _PARTICIPATIONS, held, merging)
    # a report without themes of its own has its item's, as the queries by theme read it
    themeless = sorted({(item, item) for m, item in of_item if not merge.get(m, {}).get("themes")})
    item_themes = _known(store, _ITEM_THEMES, themeless, merging, {DCTERMS["subject"]: "themes"})
    lines: list[str] = []
    add = lines.append
    for members in groups:
        reports = [by_iri[m] for m in members]
        facts = {r.iri: {**r.extra, **merge.get(r.iri, {})} for r in reports}
        for r in reports:
            if not facts[r.iri].get("themes"):
                facts[r.iri]["themes"] = item_themes.get(r.item, {}).get("themes", set())
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


def _known(
    store: KgStore,
    template: str,
    subjects: list[tuple[str, str]],
    merging: Mapping[str, Mapping[str, Mapping[str, Collection[str]]] | None],
    names: dict[str, str] | None = None,
) -> Mapping[str, Mapping[str, Collection[str]]]:
    """:func:`_values` of ``(subject, its item)`` pairs: from the item's facts where they were
    taken (at extraction, or kept), read from the store for the others."""
    found: dict[str, Mapping[str, Collection[str]]] = {}
    rest = []
    for subject, item in subjects:
        held = merging.get(item)
        if held is None:
            rest.append(subject)
        elif subject in held:
            found[subject] = held[subject]
    found.update(_values(store, template, rest, names))
    return found


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


def _merged_participations(
    c: str, reports: list[set[str]], parts: Mapping[str, Mapping[str, Collection[str]]]
) -> list[str]:
    """One participation per role and agent (or group), with the largest count any report gives;
    ``prov:wasDerivedFrom`` the report's participation that gave it (its quote is there)."""
    best: dict[tuple[str, str], tuple[int, str]] = {}
    whole_of: dict[str, str] = {}
    for held in reports:
        for p in sorted(held):
            v = parts.get(p)
            if not v or not v["role"]:
                continue
            who = min([*v["agent"], *v["participantGroup"]], default="")
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
