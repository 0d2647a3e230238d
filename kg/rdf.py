"""Item graphs: one named graph per news item, deterministic IRIs, no blank nodes.

>>> from datetime import date
>>> from kg.sources import NewsItem
>>> it = NewsItem("k1", date(2019, 6, 11), "A title", "A summary.", "news.txt", 1)
>>> quads = item_quads(it, Extraction())
>>> sorted({q.graph_name.value for q in quads})
['https://w3id.org/migkg/graph/item/k1']
>>> any(q.predicate.value.endswith("contentHash") for q in quads)
True
"""

from __future__ import annotations

from collections.abc import Iterator

from pyoxigraph import Literal, NamedNode, Quad

from kg import __version__
from kg import namespaces as ns
from kg.extract.model import Extraction, Mention
from kg.namespaces import DCTERMS, MK, PROV, RDF, RDFS, SCHEMA, SEM, XSD
from kg.sources import NewsItem

__all__ = ["RUN_IRI", "item_quads", "rules_hash"]

_TYPE = NamedNode(RDF["type"])
_XSD_DATE = NamedNode(XSD["date"])
_XSD_INT = NamedNode(XSD["integer"])
_XSD_DEC = NamedNode(XSD["decimal"])


def rules_hash() -> str:
    """A short hash of the extractor's rules and gazetteers: part of the run's identity."""
    from kg.extract import rules_fingerprint

    return rules_fingerprint()


def run_iri() -> str:
    return f"{ns.ID}run/migkg-{__version__}-{rules_hash()[:12]}"


RUN_IRI = None  # computed lazily by run_iri(); kept for readers of the API


def _node(kind: str, ref: str) -> NamedNode:
    if kind == "country":
        return NamedNode(ns.country(ref))
    if kind == "org":
        return NamedNode(ns.org(ref))
    if kind == "place":
        return NamedNode(ns.place(ref))
    if kind == "region":
        return NamedNode(ns.region(ref))
    return NamedNode(ns.concept(kind, ref))


def item_quads(item: NewsItem, extraction: Extraction) -> list[Quad]:
    """All quads of the item's named graph."""
    return list(_item_triples(item, extraction))


def _item_triples(item: NewsItem, ex: Extraction) -> Iterator[Quad]:
    g = NamedNode(ns.item_graph(item.key))
    node = NamedNode(ns.item(item.key))
    lang = item.language or "en"

    def q(s: NamedNode, p: str, o: NamedNode | Literal) -> Quad:
        return Quad(s, NamedNode(p), o, g)

    # -- the graph describes itself --
    run = NamedNode(run_iri())
    agent = NamedNode(f"{ns.ID}software/migkg-{__version__}")
    yield q(g, RDF["type"], NamedNode(MK["ItemGraph"]))
    yield q(g, MK["contentHash"], Literal(item.content_hash()))
    yield q(g, PROV["wasGeneratedBy"], run)
    yield q(g, MK["sourceFile"], Literal(item.source_file))
    yield q(g, MK["sourceLine"], Literal(str(item.line), datatype=_XSD_INT))
    if item.url:
        yield q(g, PROV["wasDerivedFrom"], NamedNode(item.url))
    yield q(run, RDF["type"], NamedNode(MK["ExtractionRun"]))
    yield q(run, PROV["wasAssociatedWith"], agent)
    yield q(agent, RDF["type"], NamedNode(MK["Extractor"]))
    yield q(agent, RDFS["label"], Literal(f"migkg extractor {__version__}", language="en"))
    yield q(agent, MK["softwareVersion"], Literal(__version__))
    yield q(agent, MK["rulesHash"], Literal(rules_hash()))

    # -- the news item --
    yield q(node, RDF["type"], NamedNode(MK["NewsItem"]))
    yield q(node, DCTERMS["title"], Literal(item.title, language=lang))
    yield q(node, DCTERMS["date"], Literal(item.published.isoformat(), datatype=_XSD_DATE))
    if item.summary:
        yield q(node, DCTERMS["abstract"], Literal(item.summary, language=lang))
    if item.body:
        yield q(node, SCHEMA["articleBody"], Literal(item.body, language=lang))
    yield q(node, DCTERMS["language"], Literal(lang))
    if item.identifier:
        yield q(node, DCTERMS["identifier"], Literal(item.identifier))
    if item.url:
        yield q(node, SCHEMA["url"], NamedNode(item.url))
    if ex.genre:
        yield q(node, SCHEMA["genre"], _node("genre", ex.genre))
    for iso3 in ex.countries_mentioned:
        yield q(node, SCHEMA["mentions"], _node("country", iso3))
    for slug in ex.organizations:
        yield q(node, SCHEMA["mentions"], _node("org", slug))
    for key in ex.places:
        yield q(node, SCHEMA["mentions"], _node("place", key))
    for iso3 in ex.countries_in_scope:
        yield q(node, DCTERMS["spatial"], _node("country", iso3))
    for region_id in ex.regions:
        yield q(node, DCTERMS["spatial"], _node("region", region_id))
    for theme in ex.themes:
        yield q(node, DCTERMS["subject"], _node("theme", theme))

    # -- organisations and places the reference graph lacks --
    for entity in ex.new_entities:
        subject = _node(entity.kind, entity.key)
        if entity.kind == "org":
            yield q(subject, RDF["type"], NamedNode(MK["Organization"]))
            yield q(subject, RDFS["label"], Literal(entity.label, language=lang))
            if entity.acronym:
                yield q(subject, ns.SKOS["altLabel"], Literal(entity.acronym))
            if entity.country:
                yield q(subject, MK["basedIn"], _node("country", entity.country))
        else:
            yield q(subject, RDF["type"], NamedNode(MK["Place"]))
            yield q(subject, RDFS["label"], Literal(entity.label))
            if entity.country:
                yield q(subject, SCHEMA["containedInPlace"], _node("country", entity.country))
            if entity.geonames_id:
                yield q(subject, ns.OWL["sameAs"], NamedNode(f"{ns.GN}{entity.geonames_id}/"))

    # -- evidence: one node per mention --
    for mention in ex.mentions:
        yield from _mention(q, node, item.key, mention)

    # -- events --
    for n, event in enumerate(ex.events, start=1):
        e = NamedNode(ns.event(item.key, n))
        yield q(node, SCHEMA["about"], e)
        yield q(e, RDF["type"], NamedNode(MK["Event"]))
        yield q(e, PROV["wasDerivedFrom"], node)
        for t in event.types:
            yield q(e, SEM["eventType"], _node("event-type", t))
        if event.start:
            yield q(e, SCHEMA["startDate"], Literal(event.start.isoformat(), datatype=_XSD_DATE))
        if event.end:
            yield q(e, SCHEMA["endDate"], Literal(event.end.isoformat(), datatype=_XSD_DATE))
        if event.precision:
            yield q(e, MK["datePrecision"], _node("date-precision", event.precision))
        for key in event.places:
            yield q(e, SCHEMA["location"], _node("place", key))
        for iso3 in event.location_countries:
            yield q(e, MK["locationCountry"], _node("country", iso3))
        for iso3 in event.participant_countries:
            yield q(e, MK["participantCountry"], _node("country", iso3))
        for slug in event.organizers:
            yield q(e, SCHEMA["organizer"], _node("org", slug))
        for slug in event.attendees:
            yield q(e, SCHEMA["attendee"], _node("org", slug))
        for slug in event.funders:
            yield q(e, SCHEMA["funder"], _node("org", slug))
        for theme in event.themes:
            yield q(e, DCTERMS["subject"], _node("theme", theme))
        if event.ordinal:
            yield q(e, MK["ordinal"], Literal(str(event.ordinal), datatype=_XSD_INT))
        if event.quote:
            yield q(e, PROV["value"], Literal(event.quote))
        if event.rule:
            yield q(e, MK["extractionRule"], Literal(event.rule))
        for m, part in enumerate(event.participations, start=1):
            p = NamedNode(f"{e.value}-p{m}")
            yield q(e, MK["participation"], p)
            yield q(p, RDF["type"], NamedNode(MK["Participation"]))
            yield q(p, MK["role"], _node("role", part.role))
            if part.agent and part.agent_kind:
                yield q(p, MK["agent"], _node(part.agent_kind, part.agent))
            if part.group:
                yield q(p, MK["participantGroup"], _node("group", part.group))
            if part.count is not None:
                yield q(p, MK["count"], Literal(str(part.count), datatype=_XSD_INT))
            if part.subset_of is not None:
                yield q(p, MK["subsetOf"], NamedNode(f"{e.value}-p{part.subset_of + 1}"))
            if part.quote:
                yield q(p, PROV["value"], Literal(part.quote))

    # -- statistics quoted in the text --
    for n, stat in enumerate(ex.statistics, start=1):
        s = NamedNode(f"{ns.ID}statistic/{item.key}-s{n}")
        yield q(s, RDF["type"], NamedNode(MK["Statistic"]))
        yield q(s, SCHEMA["observationAbout"], _node(stat.about_kind, stat.about))
        yield q(s, MK["indicator"], _node("indicator", stat.indicator))
        yield q(s, SCHEMA["value"], Literal(_decimal(stat.value), datatype=_XSD_DEC))
        yield q(s, SCHEMA["unitText"], Literal(stat.unit))
        yield q(s, SCHEMA["observationDate"], Literal(item.published.isoformat(), datatype=_XSD_DATE))
        yield q(s, PROV["value"], Literal(stat.quote))
        yield q(s, PROV["wasDerivedFrom"], node)


def _decimal(value: float) -> str:
    text = f"{value:.6f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _mention(q, item_node: NamedNode, key: str, m: Mention) -> Iterator[Quad]:  # type: ignore[no-untyped-def]
    if m.kind not in ("country", "org", "place", "region", "theme", "event-type", "group"):
        return
    node = NamedNode(f"{ns.ID}mention/{key}/{m.start}-{m.end}")
    yield q(node, RDF["type"], NamedNode(MK["Mention"]))
    yield q(node, MK["mentionIn"], item_node)
    yield q(node, MK["mentionOf"], _node(m.kind, m.ref))
    yield q(node, MK["mentionText"], Literal(m.text))
    yield q(node, MK["startOffset"], Literal(str(m.start), datatype=_XSD_INT))
    yield q(node, MK["endOffset"], Literal(str(m.end), datatype=_XSD_INT))
    yield q(node, MK["extractionRule"], Literal(m.rule))
