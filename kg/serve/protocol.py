"""The SPARQL 1.1 Protocol, read from plain request parts: operations, datasets, formats.

Pure functions of a request's method, content type, URL parameters and body, so that they are
tested without a server. :func:`parse_request` tells a query from a request for the service
description and refuses what the endpoint does not do, each refusal a :class:`ProtocolError`
with the HTTP status and one sentence; :func:`negotiate` picks the result format from
``Accept``.

>>> parse_request("GET", None, [("query", "ASK {}")], b"")
QueryRequest(query='ASK {}', default_graphs=(), named_graphs=(), format=None)
>>> parse_request("POST", "application/sparql-update", [], b"DROP ALL")
Traceback (most recent call last):
...
kg.serve.protocol.ProtocolError: 403: this endpoint is read-only; kg serve never writes (run kg build on the store)
>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", ROW_TYPES)
<WireFormat.XML: 'application/sparql-results+xml'>
>>> negotiate("image/png", ROW_TYPES) is None
True
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

from pyoxigraph import BlankNode, Literal, NamedNode, QueryResultsFormat, RdfFormat, Triple

from kg.namespaces import DCTERMS, RDF

__all__ = [
    "GRAPH_TYPES",
    "ROW_TYPES",
    "ProtocolError",
    "QueryRequest",
    "WireFormat",
    "format_named",
    "graph_store_query",
    "negotiate",
    "parse_request",
    "service_description",
]

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"

READ_ONLY = "this endpoint is read-only; kg serve never writes (run kg build on the store)"


class ProtocolError(Exception):
    """A request the endpoint refuses: ``status`` is the HTTP status, ``str(error)`` the reason."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})

    def __str__(self) -> str:
        return f"{self.status}: {self.message}"

    def __reduce__(self) -> tuple[object, ...]:  # raised in a worker process, answered in the server
        return (type(self), (self.status, self.message, self.headers))


class WireFormat(enum.Enum):
    """The formats the endpoint writes, by their canonical media type."""

    JSON = "application/sparql-results+json"
    XML = "application/sparql-results+xml"
    CSV = "text/csv"
    TSV = "text/tab-separated-values"
    TURTLE = "text/turtle"
    NTRIPLES = "application/n-triples"
    JSONLD = "application/ld+json"
    RDFXML = "application/rdf+xml"

    @property
    def for_rows(self) -> bool:
        """SELECT and ASK results (the others hold CONSTRUCT and DESCRIBE graphs)."""
        return QueryResultsFormat.from_media_type(self.value) is not None

    @property
    def content_type(self) -> str:
        return f"{self.value}; charset=utf-8" if self.value.startswith("text/") else self.value

    @property
    def short_name(self) -> str:
        return _SHORT[self]

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self]

    @property
    def format_iri(self) -> str:
        """Its IRI under http://www.w3.org/ns/formats/ (for the service description)."""
        return FORMATS + _FORMAT_IRIS[self]

    @property
    def results_format(self) -> QueryResultsFormat:
        found = QueryResultsFormat.from_media_type(self.value)
        if found is None:
            raise ValueError(f"{self.value} is not a SPARQL results format")
        return found

    @property
    def rdf_format(self) -> RdfFormat:
        found = RdfFormat.from_media_type(self.value)
        if found is None:
            raise ValueError(f"{self.value} is not an RDF format")
        return found


_SHORT = {
    WireFormat.JSON: "json",
    WireFormat.XML: "xml",
    WireFormat.CSV: "csv",
    WireFormat.TSV: "tsv",
    WireFormat.TURTLE: "turtle",
    WireFormat.NTRIPLES: "ntriples",
    WireFormat.JSONLD: "jsonld",
    WireFormat.RDFXML: "rdfxml",
}
_EXTENSIONS = {
    WireFormat.JSON: "srj",
    WireFormat.XML: "srx",
    WireFormat.CSV: "csv",
    WireFormat.TSV: "tsv",
    WireFormat.TURTLE: "ttl",
    WireFormat.NTRIPLES: "nt",
    WireFormat.JSONLD: "jsonld",
    WireFormat.RDFXML: "rdf",
}
_FORMAT_IRIS = {
    WireFormat.JSON: "SPARQL_Results_JSON",
    WireFormat.XML: "SPARQL_Results_XML",
    WireFormat.CSV: "SPARQL_Results_CSV",
    WireFormat.TSV: "SPARQL_Results_TSV",
    WireFormat.TURTLE: "Turtle",
    WireFormat.NTRIPLES: "N-Triples",
    WireFormat.JSONLD: "JSON-LD",
    WireFormat.RDFXML: "RDF_XML",
}

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


# -- requests --


@dataclass(frozen=True)
class QueryRequest:
    """A SPARQL query with its protocol dataset and an optional explicit format."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    format: str | None = None


def _one(params: Sequence[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise ProtocolError(400, f"the {name} parameter is given {len(values)} times; give it once")
    return values[0] if values else None


def _iris(params: Sequence[tuple[str, str]], name: str) -> tuple[str, ...]:
    iris = []
    for _, value in (p for p in params if p[0] == name):
        try:
            NamedNode(value)
        except ValueError:
            raise ProtocolError(400, f"{name} {value!r} is not an absolute IRI") from None
        iris.append(value)
    return tuple(iris)


def media_type(content_type: str | None) -> str:
    """The bare, lower-case media type of a Content-Type header (``""`` when there is none)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def parse_request(
    method: str, content_type: str | None, url_params: Sequence[tuple[str, str]], body: bytes
) -> QueryRequest | None:
    """The query a SPARQL 1.1 Protocol request carries, or ``None`` for the service description.

    ``url_params`` are the URL's query parameters in order (repeats kept); ``body`` the raw body.

    >>> parse_request("POST", "application/sparql-query", [("default-graph-uri", "http://g/1")], b"ASK {}")
    QueryRequest(query='ASK {}', default_graphs=('http://g/1',), named_graphs=(), format=None)
    >>> parse_request("GET", None, [], b"") is None
    True
    >>> parse_request("POST", "text/plain", [], b"ASK {}")
    Traceback (most recent call last):
    ...
    kg.serve.protocol.ProtocolError: 415: POST a query as application/x-www-form-urlencoded (query=...) \
or application/sparql-query, not text/plain
    """
    method = "GET" if method.upper() == "HEAD" else method.upper()
    if method not in ("GET", "POST"):
        raise ProtocolError(405, f"{method} is not allowed here; send queries with GET or POST", {"Allow": "GET, POST"})
    params = list(url_params)
    if method == "GET":
        if any(k == "update" for k, _ in params):
            raise ProtocolError(403, READ_ONLY)
        query = _one(params, "query")
        if query is None:
            return None
    else:
        kind = media_type(content_type)
        if kind == SPARQL_UPDATE:
            raise ProtocolError(403, READ_ONLY)
        if kind == FORM:
            try:
                params += parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                raise ProtocolError(400, "the form is not UTF-8") from None
            if any(k == "update" for k, _ in params):
                raise ProtocolError(403, READ_ONLY)
            query = _one(params, "query")
            if query is None:
                raise ProtocolError(400, "the form has no query parameter; send query=SPARQL")
        elif kind == SPARQL_QUERY:
            if any(k == "query" for k, _ in params):
                raise ProtocolError(400, "an application/sparql-query body cannot come with a query URL parameter")
            try:
                query = body.decode("utf-8")
            except UnicodeDecodeError:
                raise ProtocolError(400, "the query is not UTF-8") from None
        else:
            raise ProtocolError(
                415,
                f"POST a query as {FORM} (query=...) or {SPARQL_QUERY}, not {kind or 'a body without Content-Type'}",
            )
    if not query.strip():
        raise ProtocolError(400, "the query is empty")
    fmt = _one(params, "format") or _one(params, "output")
    if fmt is not None and not known_format(fmt):
        known = ", ".join(f.short_name for f in WireFormat)
        raise ProtocolError(400, f"unknown format {fmt!r}; use one of {known} or a media type")
    return QueryRequest(query, _iris(params, "default-graph-uri"), _iris(params, "named-graph-uri"), fmt)


# -- the service description --


def service_description(endpoint: str, *, title: str = "migkg SPARQL endpoint") -> list[Triple]:
    """The endpoint described with the SPARQL 1.1 Service Description vocabulary.

    >>> triples = service_description("http://127.0.0.1:7878/sparql")
    >>> NamedNode(SD + "UnionDefaultGraph") in {t.object for t in triples}
    True
    """
    service = NamedNode(endpoint)
    dataset, default = BlankNode("dataset"), BlankNode("defaultGraph")
    sd = {name: NamedNode(SD + name) for name in ("Service", "Dataset", "Graph", "endpoint", "feature")}
    triples = [
        Triple(service, NamedNode(RDF["type"]), sd["Service"]),
        Triple(service, sd["endpoint"], service),
        Triple(service, NamedNode(DCTERMS["title"]), Literal(title, language="en")),
        Triple(service, NamedNode(SD + "supportedLanguage"), NamedNode(SD + "SPARQL11Query")),
        Triple(service, sd["feature"], NamedNode(SD + "UnionDefaultGraph")),
    ]
    triples += [Triple(service, NamedNode(SD + "resultFormat"), NamedNode(f.format_iri)) for f in WireFormat]
    triples += [
        Triple(service, NamedNode(SD + "defaultDataset"), dataset),
        Triple(dataset, NamedNode(RDF["type"]), sd["Dataset"]),
        Triple(dataset, NamedNode(SD + "defaultGraph"), default),
        Triple(default, NamedNode(RDF["type"]), sd["Graph"]),
    ]
    return triples


def graph_store_query(params: list[tuple[str, str]]) -> str:
    """The CONSTRUCT that answers a Graph Store Protocol GET: ``graph=IRI`` or ``default``.

    >>> graph_store_query([("graph", "https://w3id.org/migkg/graph/vocab")])
    'CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/migkg/graph/vocab> { ?s ?p ?o } }'
    >>> graph_store_query([("default", "")])
    'CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }'
    >>> graph_store_query([("graph", "not an iri")])
    Traceback (most recent call last):
    ...
    kg.serve.protocol.ProtocolError: 400: graph='not an iri' is not an absolute IRI
    >>> graph_store_query([])
    Traceback (most recent call last):
    ...
    kg.serve.protocol.ProtocolError: 400: GET /store takes graph=IRI or default (Graph Store Protocol), once
    """
    names = [name for name, _ in params if name in ("graph", "default")]
    if len(names) != 1:
        raise ProtocolError(400, "GET /store takes graph=IRI or default (Graph Store Protocol), once")
    if names == ["default"]:
        return "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    iri = dict(params)["graph"]
    try:
        if not re.match(r"[A-Za-z][\w+.-]*:", iri):
            raise ValueError
        node = NamedNode(iri)
    except ValueError:
        raise ProtocolError(400, f"graph={iri!r} is not an absolute IRI") from None
    return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}"
