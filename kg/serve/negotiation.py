"""The formats the endpoint writes (:class:`WireFormat`, each with its pyoxigraph format and its
IRI in the W3C formats namespace) and the choice of one from a request's ``Accept`` header or its
``format`` parameter.

>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", ROW_TYPES)
<WireFormat.XML: 'application/sparql-results+xml'>
>>> negotiate("image/png", ROW_TYPES) is None
True
"""

from __future__ import annotations

from collections.abc import Mapping

from kg.formats import WireFormat

__all__ = ["GRAPH_TYPES", "ROW_TYPES", "format_named", "known_format", "negotiate"]


# The media types each kind of result answers to, in the order preferred when Accept allows several.
ROW_TYPES: dict[str, WireFormat] = {
    "application/sparql-results+json": WireFormat.JSON,
    "application/sparql-results+xml": WireFormat.XML,
    "text/csv": WireFormat.CSV,
    "text/tab-separated-values": WireFormat.TSV,
    "application/json": WireFormat.JSON,
    "application/xml": WireFormat.XML,
    "text/xml": WireFormat.XML,
}
GRAPH_TYPES: dict[str, WireFormat] = {
    "text/turtle": WireFormat.TURTLE,
    "application/n-triples": WireFormat.NTRIPLES,
    "application/ld+json": WireFormat.JSONLD,
    "application/rdf+xml": WireFormat.RDFXML,
    "application/x-turtle": WireFormat.TURTLE,
    "application/turtle": WireFormat.TURTLE,
    "text/plain": WireFormat.NTRIPLES,
    "application/json": WireFormat.JSONLD,
    "application/xml": WireFormat.RDFXML,
    "text/xml": WireFormat.RDFXML,
}


# -- content negotiation --


def _media_ranges(accept: str) -> list[tuple[str, str, float]]:
    """``(type, subtype, q)`` for each range of an Accept header; malformed ranges are skipped."""
    ranges = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if "/" not in media:
            continue
        kind, _, sub = media.lower().partition("/")
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((kind, sub, q))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, str, float]]) -> float:
    """The q of the most specific range that matches ``media_type`` (0 when none does)."""
    kind, _, sub = media_type.partition("/")
    best: tuple[int, float] = (-1, 0.0)
    for r_kind, r_sub, q in ranges:
        if (r_kind, r_sub) == (kind, sub):
            specificity = 2
        elif r_kind == kind and r_sub == "*":
            specificity = 1
        elif (r_kind, r_sub) == ("*", "*"):
            specificity = 0
        else:
            continue
        if specificity > best[0]:
            best = (specificity, q)
    return best[1]


def negotiate(accept: str | None, offers: Mapping[str, WireFormat]) -> WireFormat | None:
    """The format for ``accept`` among ``offers`` (media type -> format, preferred first).

    No or an empty Accept header takes the first offer; ``None`` means 406 Not Acceptable.

    >>> negotiate(None, GRAPH_TYPES)
    <WireFormat.TURTLE: 'text/turtle'>
    >>> negotiate("application/*;q=0.5, application/n-triples", GRAPH_TYPES)
    <WireFormat.NTRIPLES: 'application/n-triples'>
    >>> negotiate("text/html, application/xml;q=0.9, */*;q=0.8", ROW_TYPES)
    <WireFormat.XML: 'application/sparql-results+xml'>
    """
    if not accept or not accept.strip():
        return next(iter(offers.values()))
    ranges = _media_ranges(accept)
    best: tuple[float, WireFormat | None] = (0.0, None)
    for media_type, fmt in offers.items():
        q = _quality(media_type, ranges)
        if q > best[0]:
            best = (q, fmt)
    return best[1]


def format_named(name: str, offers: Mapping[str, WireFormat]) -> WireFormat | None:
    """The format a ``format=`` (or ``output=``) parameter names: a short name or a media type.

    >>> format_named("csv", ROW_TYPES), format_named("text/turtle", GRAPH_TYPES)
    (<WireFormat.CSV: 'text/csv'>, <WireFormat.TURTLE: 'text/turtle'>)
    >>> format_named("xml", GRAPH_TYPES), format_named("csv", GRAPH_TYPES)
    (<WireFormat.RDFXML: 'application/rdf+xml'>, None)
    """
    wanted = name.strip().lower()
    if wanted in offers:
        return offers[wanted]
    for_rows = next(iter(offers.values())).for_rows
    wanted = (_ROW_ALIASES if for_rows else _GRAPH_ALIASES).get(wanted, wanted)
    return next((f for f in offers.values() if f.short_name == wanted), None)


# Other names clients put in format= or output= (SPARQLWrapper sends format=xml for RDF/XML graphs).
_ROW_ALIASES = {"srj": "json", "srx": "xml"}
_GRAPH_ALIASES = {
    "ttl": "turtle",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "json-ld": "jsonld",
    "json": "jsonld",
    "rdf": "rdfxml",
    "rdf+xml": "rdfxml",
    "xml": "rdfxml",
}


def known_format(name: str) -> bool:
    """Whether ``name`` is a format of either kind (else a ``format=`` parameter is a plain mistake)."""
    return format_named(name, ROW_TYPES) is not None or format_named(name, GRAPH_TYPES) is not None
