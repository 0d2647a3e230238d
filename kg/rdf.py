"""Item graphs: one named graph per news item, deterministic IRIs, no blank nodes.

An item graph is written as N-Quads text (:func:`item_nquads`): formatting strings is several
times faster than making a pyoxigraph term object per IRI and literal, the text crosses
process boundaries cheaply (``kg build --workers``), and the store parses it in Rust.
:func:`item_quads` gives the same statements as :class:`pyoxigraph.Quad` objects.

>>> from datetime import date
>>> from kg.sources import NewsItem
>>> it = NewsItem("k1", date(2019, 6, 11), "A title", "A summary.", "news.txt", 1)
>>> quads = item_quads(it, Extraction())
>>> sorted({q.graph_name.value for q in quads})
['https://w3id.org/migkg/graph/item/k1']
>>> any(q.predicate.value.endswith("contentHash") for q in quads)
True
>>> item_nquads(it, Extraction()).count("\\n") == len(quads)
True
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from kg import __version__
from kg import namespaces as ns
from kg.evidence import encode
from kg.extract.model import Extraction
from kg.namespaces import DCTERMS, MK, PROV, RDF, RDFS, SCHEMA, SEM, XSD
from kg.sources import NewsItem

__all__ = ["item_nquads", "item_quads", "provenance_quads", "rules_hash", "run_iri"]

# N-Triples escapes for the characters a quoted literal cannot hold as they are.
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _iri(value: str) -> str:
    return f"<{value}>"


_TYPE = _iri(RDF["type"])
_INT = f"^^{_iri(XSD['integer'])}"
_DATE = f"^^{_iri(XSD['date'])}"
_DEC = f"^^{_iri(XSD['decimal'])}"
_P = {  # predicate IRIs, formatted once
    name: _iri(iri)
    for name, iri in {
        "contentHash": MK["contentHash"],
        "wasGeneratedBy": PROV["wasGeneratedBy"],
        "sourceFile": MK["sourceFile"],
        "sourceLine": MK["sourceLine"],
        "wasDerivedFrom": PROV["wasDerivedFrom"],
        "wasAssociatedWith": PROV["wasAssociatedWith"],
        "label": RDFS["label"],
        "softwareVersion": MK["softwareVersion"],
        "rulesHash": MK["rulesHash"],
        "title": DCTERMS["title"],
        "date": DCTERMS["date"],
        "abstract": DCTERMS["abstract"],
        "articleBody": SCHEMA["articleBody"],
        "language": DCTERMS["language"],
        "identifier": DCTERMS["identifier"],
        "url": SCHEMA["url"],
        "genre": SCHEMA["genre"],
        "mentions": SCHEMA["mentions"],
        "spatial": DCTERMS["spatial"],
        "subject": DCTERMS["subject"],
        "altLabel": ns.SKOS["altLabel"],
        "basedIn": MK["basedIn"],
        "containedInPlace": SCHEMA["containedInPlace"],
        "sameAs": ns.OWL["sameAs"],
        "about": SCHEMA["about"],
        "eventType": SEM["eventType"],
        "startDate": SCHEMA["startDate"],
        "endDate": SCHEMA["endDate"],
        "datePrecision": MK["datePrecision"],
        "location": SCHEMA["location"],
        "locationCountry": MK["locationCountry"],
        "participantCountry": MK["participantCountry"],
        "organizer": SCHEMA["organizer"],
        "attendee": SCHEMA["attendee"],
        "funder": SCHEMA["funder"],
        "ordinal": MK["ordinal"],
        "value": PROV["value"],
        "extractionRule": MK["extractionRule"],
        "participation": MK["participation"],
        "role": MK["role"],
        "agent": MK["agent"],
        "participantGroup": MK["participantGroup"],
        "count": MK["count"],
        "subsetOf": MK["subsetOf"],
        "observationAbout": SCHEMA["observationAbout"],
        "indicator": MK["indicator"],
        "schemaValue": SCHEMA["value"],
        "unitText": SCHEMA["unitText"],
        "observationDate": SCHEMA["observationDate"],
        "evidence": MK["evidence"],
    }.items()
}
_C = {name: _iri(MK[name]) for name in ("ItemGraph", "ExtractionRun", "Extractor", "NewsItem", "Organization")}
_C.update({name: _iri(MK[name]) for name in ("Place", "Event", "Participation", "Statistic")})


def rules_hash() -> str:
    """The SHA-256 (64 hex digits) of the extractor's rules and the data they read: part of the
    run's identity (its IRI takes the first 12)."""
    from kg.extract import rules_fingerprint

    return rules_fingerprint()


def run_iri() -> str:
    return ns.run(__version__, rules_hash())


def provenance_quads() -> list[Quad]:
    """The extraction run and the software, described once in the provenance graph.

    Every item graph names its run (``prov:wasGeneratedBy``); what the run is (the software,
    its version and the hash of its rules) is the same for every item, so it lives here.

    >>> quads = provenance_quads()
    >>> {q.graph_name.value for q in quads} == {ns.PROVENANCE_GRAPH}
    True
    >>> sum(q.subject.value == run_iri() for q in quads)
    2
    """
    g = f"<{ns.PROVENANCE_GRAPH}>"
    end = f" {g} .\n"
    run = f"<{run_iri()}>"
    agent = f"<{ns.software(__version__)}>"
    text = "".join(
        (
            f"{run} {_TYPE} {_C['ExtractionRun']}{end}",
            f"{run} {_P['wasAssociatedWith']} {agent}{end}",
            f"{agent} {_TYPE} {_C['Extractor']}{end}",
            f"{agent} {_P['label']} {_lang(f'migkg extractor {__version__}', 'en')}{end}",
            f"{agent} {_P['softwareVersion']} {_text(__version__)}{end}",
            f"{agent} {_P['rulesHash']} {_text(rules_hash())}{end}",
        )
    )
    return list(parse(text, format=RdfFormat.N_QUADS))


def _node(kind: str, ref: str) -> str:
    if kind == "country":
        return f"<{ns.country(ref)}>"
    if kind == "org":
        return f"<{ns.org(ref)}>"
    if kind == "place":
        return f"<{ns.place(ref)}>"
    if kind == "region":
        return f"<{ns.region(ref)}>"
    return f"<{ns.concept(kind, ref)}>"


def _text(value: str) -> str:
    """A simple literal."""
    return f'"{value.translate(_ESCAPES)}"'


def _lang(value: str, lang: str) -> str:
    return f'"{value.translate(_ESCAPES)}"@{lang}'


def item_quads(item: NewsItem, extraction: Extraction) -> list[Quad]:
    """All quads of the item's named graph, as pyoxigraph objects (see :func:`item_nquads`)."""
    return list(parse(item_nquads(item, extraction), format=RdfFormat.N_QUADS))


def item_nquads(item: NewsItem, extraction: Extraction) -> str:
    """All statements of the item's named graph as N-Quads text, one line per quad.

    Raises ``ValueError`` when the item's URL is not an IRI or its language is not a
    language tag, as building pyoxigraph terms from them would.
    """
    return "".join(_item_lines(item, extraction))


def _item_lines(item: NewsItem, ex: Extraction) -> list[str]:
    lines: list[str] = []
    g = f"<{ns.item_graph(item.key)}>"
    end = f" {g} .\n"
    add = lines.append
    node = f"<{ns.item(item.key)}>"
    # Terms that come from the input are checked the way pyoxigraph checks them; the
    # language tag comes back normalised (lower case), as in a Literal.
    lang = Literal("", language=item.language or "en").language or "en"
    url = f"<{NamedNode(item.url).value}>" if item.url else None
    P, C, TYPE = _P, _C, _TYPE

    # -- the graph describes itself --
    run = f"<{run_iri()}>"  # described once, in the provenance graph (provenance_nquads)
    add(f"{g} {TYPE} {C['ItemGraph']}{end}")
    add(f"{g} {P['contentHash']} {_text(item.content_hash())}{end}")
    add(f"{g} {P['wasGeneratedBy']} {run}{end}")
    add(f"{g} {P['sourceFile']} {_text(item.source_file)}{end}")
    add(f'{g} {P["sourceLine"]} "{item.line}"{_INT}{end}')
    if url:
        add(f"{g} {P['wasDerivedFrom']} {url}{end}")

    # -- the news item --
    add(f"{node} {TYPE} {C['NewsItem']}{end}")
    add(f"{node} {P['title']} {_lang(item.title, lang)}{end}")
    add(f'{node} {P["date"]} "{item.published.isoformat()}"{_DATE}{end}')
    if item.summary:
        add(f"{node} {P['abstract']} {_lang(item.summary, lang)}{end}")
    if item.body:
        add(f"{node} {P['articleBody']} {_lang(item.body, lang)}{end}")
    add(f"{node} {P['language']} {_text(lang)}{end}")
    if item.identifier:
        add(f"{node} {P['identifier']} {_text(item.identifier)}{end}")
    if url:
        add(f"{node} {P['url']} {url}{end}")
    if ex.genre:
        add(f"{node} {P['genre']} {_node('genre', ex.genre)}{end}")
    for iso3 in ex.countries_mentioned:
        add(f"{node} {P['mentions']} {_node('country', iso3)}{end}")
    for slug in ex.organizations:
        add(f"{node} {P['mentions']} {_node('org', slug)}{end}")
    for key in ex.places:
        add(f"{node} {P['mentions']} {_node('place', key)}{end}")
    for iso3 in ex.countries_in_scope:
        add(f"{node} {P['spatial']} {_node('country', iso3)}{end}")
    for region_id in ex.regions:
        add(f"{node} {P['spatial']} {_node('region', region_id)}{end}")
    for theme in ex.themes:
        add(f"{node} {P['subject']} {_node('theme', theme)}{end}")

    # -- organisations and places the reference graph lacks --
    for entity in ex.new_entities:
        subject = _node(entity.kind, entity.key)
        if entity.kind == "org":
            add(f"{subject} {TYPE} {C['Organization']}{end}")
            add(f"{subject} {P['label']} {_lang(entity.label, lang)}{end}")
            if entity.acronym:
                add(f"{subject} {P['altLabel']} {_text(entity.acronym)}{end}")
            if entity.country:
                add(f"{subject} {P['basedIn']} {_node('country', entity.country)}{end}")
        else:
            add(f"{subject} {TYPE} {C['Place']}{end}")
            add(f"{subject} {P['label']} {_text(entity.label)}{end}")
            if entity.country:
                add(f"{subject} {P['containedInPlace']} {_node('country', entity.country)}{end}")
            if entity.geonames_id:
                add(f"{subject} {P['sameAs']} <{ns.GN}{entity.geonames_id}/>{end}")

    # -- evidence: every mention, one literal (kg.evidence) --
    evidence = encode(ex.mentions)
    if evidence:
        add(f"{node} {P['evidence']} {_text(evidence)}{end}")

    # -- events --
    for n, event in enumerate(ex.events, start=1):
        e_iri = ns.event(item.key, n)
        e = f"<{e_iri}>"
        add(f"{node} {P['about']} {e}{end}")
        add(f"{e} {TYPE} {C['Event']}{end}")
        add(f"{e} {P['wasDerivedFrom']} {node}{end}")
        for t in event.types:
            add(f"{e} {P['eventType']} {_node('event-type', t)}{end}")
        if event.start:
            add(f'{e} {P["startDate"]} "{event.start.isoformat()}"{_DATE}{end}')
        if event.end:
            add(f'{e} {P["endDate"]} "{event.end.isoformat()}"{_DATE}{end}')
        if event.precision:
            add(f"{e} {P['datePrecision']} {_node('date-precision', event.precision)}{end}")
        for key in event.places:
            add(f"{e} {P['location']} {_node('place', key)}{end}")
        for iso3 in event.location_countries:
            add(f"{e} {P['locationCountry']} {_node('country', iso3)}{end}")
        for iso3 in event.participant_countries:
            add(f"{e} {P['participantCountry']} {_node('country', iso3)}{end}")
        for slug in event.organizers:
            add(f"{e} {P['organizer']} {_node('org', slug)}{end}")
        for slug in event.attendees:
            add(f"{e} {P['attendee']} {_node('org', slug)}{end}")
        for slug in event.funders:
            add(f"{e} {P['funder']} {_node('org', slug)}{end}")
        for theme in event.themes:
            add(f"{e} {P['subject']} {_node('theme', theme)}{end}")
        if event.ordinal:
            add(f'{e} {P["ordinal"]} "{event.ordinal}"{_INT}{end}')
        if event.quote:
            add(f"{e} {P['value']} {_text(event.quote)}{end}")
        if event.rule:
            add(f"{e} {P['extractionRule']} {_text(event.rule)}{end}")
        for m, part in enumerate(event.participations, start=1):
            p = f"<{e_iri}-p{m}>"
            add(f"{e} {P['participation']} {p}{end}")
            add(f"{p} {TYPE} {C['Participation']}{end}")
            add(f"{p} {P['role']} {_node('role', part.role)}{end}")
            if part.agent and part.agent_kind:
                add(f"{p} {P['agent']} {_node(part.agent_kind, part.agent)}{end}")
            if part.group:
                add(f"{p} {P['participantGroup']} {_node('group', part.group)}{end}")
            if part.count is not None:
                add(f'{p} {P["count"]} "{part.count}"{_INT}{end}')
            if part.subset_of is not None:
                add(f"{p} {P['subsetOf']} <{e_iri}-p{part.subset_of + 1}>{end}")
            if part.quote:
                add(f"{p} {P['value']} {_text(part.quote)}{end}")

    # -- statistics quoted in the text --
    published = f'"{item.published.isoformat()}"{_DATE}'
    for n, stat in enumerate(ex.statistics, start=1):
        s = f"<{ns.statistic(item.key, n)}>"
        add(f"{s} {TYPE} {C['Statistic']}{end}")
        if stat.about_kind and stat.about:
            add(f"{s} {P['observationAbout']} {_node(stat.about_kind, stat.about)}{end}")
        add(f"{s} {P['indicator']} {_node('indicator', stat.indicator)}{end}")
        add(f'{s} {P["schemaValue"]} "{_decimal(stat.value)}"{_DEC}{end}')
        add(f"{s} {P['unitText']} {_text(stat.unit)}{end}")
        add(f"{s} {P['observationDate']} {published}{end}")
        add(f"{s} {P['value']} {_text(stat.quote)}{end}")
        add(f"{s} {P['wasDerivedFrom']} {node}{end}")
    return lines


def _decimal(value: float) -> str:
    text = f"{value:.6f}".rstrip("0")
    return text + "0" if text.endswith(".") else text
