"""The SPARQL 1.1 Protocol, read from plain request parts: operations, datasets, formats.

Pure functions of a request's method, content type, URL parameters and body, so that they are
tested without a server. :func:`parse_request` tells a query from a request for the service
description and refuses what the endpoint does not do, each refusal a :class:`ProtocolError`
with the HTTP status and one sentence. The formats and the choice of one by ``Accept`` are
:mod:`kg.serve.negotiation`'s.

>>> parse_request("GET", None, [("query", "ASK {}")], b"")
QueryRequest(query='ASK {}', default_graphs=(), named_graphs=(), format=None)
>>> parse_request("POST", "application/sparql-update", [], b"DROP ALL")
Traceback (most recent call last):
...
kg.serve.protocol.ProtocolError: 403: this endpoint is read-only; kg serve never writes (run kg build on the store)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kg.formats import WireFormat
from kg.namespaces import DCTERMS, RDF
from kg.serve.negotiation import known_format

__all__ = ["ProtocolError", "QueryRequest", "graph_store_query", "parse_request", "service_description"]

SD = "http://www.w3.org/ns/sparql-service-description#"

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
