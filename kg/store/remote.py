"""A store that lives in a SPARQL server: the same interface as :class:`kg.store.KgStore`.

``kg build --store http://HOST:PORT`` writes each item graph with the SPARQL 1.1 Graph Store
Protocol (``PUT ?graph=IRI`` replaces the graph as a whole, so rebuilds stay idempotent and a
killed build leaves every graph old or new, never half-written); ``kg sparql`` and
``kg query`` read with the SPARQL 1.1 Protocol. Only the standard library speaks HTTP.

Where the endpoints are depends on the server; the URL's path tells which layout applies
(``MIGKG_SPARQL_LAYOUT`` overrides it):

- ``oxigraph``: ``http://host:7878`` (no path) -> ``/query``, ``/update``, ``/store``;
- ``graphdb`` (also RDF4J): ``http://host:7200/repositories/REPO`` -> ``REPO`` itself,
  ``REPO/statements``, ``REPO/rdf-graphs/service``;
- ``fuseki``: any other path, ``http://host:3030/DATASET`` -> ``DATASET/query``,
  ``DATASET/update``, ``DATASET/data``.

``MIGKG_SPARQL_WRITE=update`` writes each ``kg build`` batch as one SPARQL Update request
(``DROP SILENT GRAPH`` + ``INSERT DATA`` per graph) instead of one PUT per graph: the same
result, and much faster on Oxigraph, whose cost per request grows with the number of graphs.

Queries need the union of all named graphs as the default graph (``oxigraph serve
--union-default-graph``, Fuseki ``tdb2:unionDefaultGraph true``; GraphDB does it by default).
Parameters of named queries travel in the query text as a ``VALUES`` row
(:func:`kg.sparql.text.inline_values`), the same text an embedded store runs.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from pyoxigraph import (
    NamedNode,
    Quad,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    parse,
    parse_query_results,
    serialize,
)

from kg import namespaces as ns
from kg.errors import KgError, UsageError
from kg.namespaces import MK, PREFIXES, PROV
from kg.sparql.text import inline_values, with_prefixes
from kg.store.local import KgStore

__all__ = ["LAYOUTS", "WRITE_MODES", "Layout", "RemoteStore", "is_remote"]


@dataclass(frozen=True)
class Layout:
    """Where a kind of server keeps its SPARQL endpoints, relative to the ``--store`` URL."""

    name: str
    query: str
    update: str
    graph_store: str
    query_params: tuple[tuple[str, str], ...] = ()


LAYOUTS = {
    layout.name: layout
    for layout in (
        # Oxigraph also takes the union default graph per request, whatever the server flag says.
        Layout("oxigraph", "query", "update", "store", (("union-default-graph", ""),)),
        Layout("fuseki", "query", "update", "data"),
        Layout("graphdb", "", "statements", "rdf-graphs/service"),
    )
}

# How graphs are written: Graph Store Protocol PUT per graph, or batched SPARQL Update.
WRITE_MODES = ("gsp", "update")
#: Graphs a build keeps up to date from the item graphs, rewriting them only when they change.
_DERIVED = frozenset((ns.PROVENANCE_GRAPH, ns.SUMMARY_GRAPH, ns.SAME_STORY_GRAPH, ns.EVENTS_GRAPH))

_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "application/n-triples;q=0.8, text/turtle;q=0.7"
)


#: Seconds to wait for a server to connect and for each read of its answer (``--remote-timeout``,
#: ``MIGKG_SPARQL_TIMEOUT``), and how many times a failed request is tried again (``MIGKG_SPARQL_RETRIES``).
DEFAULT_TIMEOUT = 60.0
RETRIES = 3


class _Transient(Exception):
    """A failure worth another try: the connection failed or was closed, the server timed out or
    answered 5xx."""


def is_remote(location: str | None) -> bool:
    return bool(location) and str(location).startswith(("http://", "https://"))


def _guess_layout(path: str) -> str:
    if not path.strip("/"):
        return "oxigraph"
    if re.fullmatch(r"/repositories/[^/]+/?", path):
        return "graphdb"
    return "fuseki"


class RemoteStore(KgStore):
    """A SPARQL 1.1 server used as the store (Graph Store Protocol to write, Protocol to read)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float | None = None,
        layout: str | None = None,
        write: str | None = None,
        retries: int | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"--store {url}: not an http(s)://HOST[:PORT][/path] URL")
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        base = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
        chosen = layout or os.environ.get("MIGKG_SPARQL_LAYOUT") or _guess_layout(parts.path)
        if chosen not in LAYOUTS:
            raise UsageError(f"MIGKG_SPARQL_LAYOUT={chosen}: not one of {', '.join(LAYOUTS)}")
        self.layout = LAYOUTS[chosen]
        self.write = write or os.environ.get("MIGKG_SPARQL_WRITE") or "gsp"
        if self.write not in WRITE_MODES:
            raise UsageError(f"MIGKG_SPARQL_WRITE={self.write}: not one of {', '.join(WRITE_MODES)}")
        self.location = base
        self.timeout = timeout or float(os.environ.get("MIGKG_SPARQL_TIMEOUT") or DEFAULT_TIMEOUT)
        self.retries = retries if retries is not None else int(os.environ.get("MIGKG_SPARQL_RETRIES") or RETRIES)
        self.query_url = "/".join(filter(None, (base, self.layout.query)))
        self.update_url = f"{base}/{self.layout.update}"
        self.graph_store_url = f"{base}/{self.layout.graph_store}"
        self._headers: dict[str, str] = {}
        if parts.username:  # http://user:password@host/ -> HTTP basic authentication
            token = f"{parts.username}:{parts.password or ''}".encode()
            self._headers["Authorization"] = "Basic " + base64.b64encode(token).decode()
        self._union_checked = False
        self._written: set[str] | None = None  # the graphs written during a replacement
        self._lock = None
        self._snapshot: Store | None = None

    @property
    def store(self) -> Store:  # type: ignore[override]
        """The server's named graphs copied into memory on first use (a read-only snapshot).

        For code that needs pyoxigraph's own ``Store`` API (``kg export``, the NetworkX
        mirror) and reads everything anyway; changes made to the copy stay local.
        """
        if self._snapshot is None:
            snapshot = Store()
            snapshot.extend(self.quads())
            self._snapshot = snapshot
        return self._snapshot

    def __repr__(self) -> str:
        return f"RemoteStore({self.location!r}, layout={self.layout.name!r})"

    def close(self) -> None:
        """Nothing to release: every request opens and closes its own connection."""

    # -- HTTP --

    def _request(
        self, method: str, url: str, body: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> tuple[str, bytes]:
        """``(content type, body)`` of a successful answer; failures become one-line KgErrors.

        A connection that fails, is closed unanswered or times out, and a 5xx answer, are tried
        again ``retries`` times, after 0.5, 1, 2 … s (every request migkg sends may be repeated:
        a PUT or a DROP + INSERT replaces a graph whole, a query reads).
        """
        for attempt in range(self.retries + 1):
            try:
                return self._request_once(method, url, body, headers)
            except _Transient as exc:
                if attempt == self.retries:
                    raise KgError(f"remote store {self.location}: {exc}") from None
                time.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")

    def _request_once(
        self, method: str, url: str, body: bytes | None, headers: Mapping[str, str] | None
    ) -> tuple[str, bytes]:
        request = urllib.request.Request(url, data=body, method=method, headers={**self._headers, **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.headers.get_content_type(), response.read()
        except urllib.error.HTTPError as exc:
            detail = " ".join(exc.read().decode("utf-8", "replace").split())[:300]
            if exc.code == 400 and url.startswith(self.query_url):
                raise UsageError(f"the SPARQL server rejected the query: {detail}") from None
            failure = f"{method} {url.split('?')[0]} failed: HTTP {exc.code} {exc.reason}; {detail}"
            if exc.code >= 500:
                raise _Transient(failure) from None
            raise KgError(failure) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise _Transient(self._timed_out()) from None
            if isinstance(exc.reason, ConnectionRefusedError):
                raise KgError(
                    f"cannot reach the SPARQL server at {self.location} ({exc.reason}); is it running?"
                ) from None
            raise _Transient(f"cannot reach the server ({exc.reason})") from None
        except TimeoutError:
            raise _Transient(self._timed_out()) from None
        except (http.client.HTTPException, ConnectionError) as exc:
            raise _Transient(f"the server closed the connection without answering ({type(exc).__name__})") from None

    def _timed_out(self) -> str:
        return f"the server did not answer within {self.timeout:g} s (--remote-timeout)"

    def _post_query(self, text: str, dataset: Sequence[tuple[str, str]] = ()) -> tuple[str, bytes]:
        form = urlencode([("query", text), *self.layout.query_params, *dataset]).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": _ACCEPT}
        return self._request("POST", self.query_url, form, headers)

    def _update(self, text: str) -> None:
        self._request("POST", self.update_url, text.encode(), {"Content-Type": "application/sparql-update"})

    def _graph_url(self, graph: str) -> str:
        return f"{self.graph_store_url}?graph={quote(graph, safe='')}"

    # -- reading --

    def query(
        self,
        query: str,
        substitutions: Mapping[Any, Any] | None = None,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> Any:
        """Run SPARQL on the server, the project prefixes the query uses declared; results are the
        same pyoxigraph objects an embedded store gives."""
        if not self._union_checked:
            self._check_union_default_graph()
        text = with_prefixes(inline_values(query, substitutions) if substitutions else query, PREFIXES)
        dataset = [("default-graph-uri", g) for g in default_graphs] + [("named-graph-uri", g) for g in named_graphs]
        content_type, body = self._post_query(text, dataset)
        if content_type == "application/sparql-results+json":
            return parse_query_results(body, format=QueryResultsFormat.JSON)
        if content_type == "application/sparql-results+xml":
            return parse_query_results(body, format=QueryResultsFormat.XML)
        rdf_format = RdfFormat.from_media_type(content_type)
        if rdf_format is None:
            raise KgError(f"the SPARQL server at {self.location} answered with {content_type}, which migkg cannot read")
        # CONSTRUCT/DESCRIBE: hand back the triples as the QueryTriples an embedded store returns.
        scratch = Store()
        scratch.load(body, format=rdf_format)
        return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")

    def select(self, text: str) -> list[Any]:
        """Solutions of a SELECT, without the union-default-graph check (for queries that name graphs)."""
        result = parse_query_results(self._post_query(text)[1], format=QueryResultsFormat.JSON)
        if not isinstance(result, QuerySolutions):
            raise KgError(f"the SPARQL server at {self.location} did not answer a SELECT with rows")
        return list(result)

    def ask(self, text: str) -> bool:
        return bool(parse_query_results(self._post_query(text)[1], format=QueryResultsFormat.JSON))

    def _check_union_default_graph(self) -> None:
        self._union_checked = True
        if self.ask("ASK { GRAPH ?g { ?s ?p ?o } }") and not self.ask("ASK { ?s ?p ?o }"):
            raise KgError(
                f"the SPARQL server at {self.location} does not query the union of its named graphs by default; "
                "start oxigraph serve with --union-default-graph (Fuseki: tdb2:unionDefaultGraph true)"
            )

    def fingerprints(self) -> dict[str, tuple[str, str]]:
        if self._written is not None:
            return {}  # a replacement writes every graph anew
        rows = self.select(
            f"SELECT ?g ?h ?run WHERE {{ GRAPH ?g {{ ?g <{MK['contentHash']}> ?h "
            f"OPTIONAL {{ ?g <{PROV['wasGeneratedBy']}> ?run }} }} }}"
        )
        return {row["g"].value: (row["h"].value, row["run"].value if row["run"] else "") for row in rows}

    def graph_count(self) -> int:
        rows = self.select("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"].value)

    def triple_count(self) -> int:
        """Quads in named graphs (the default graph is the union of them, so it is not counted again)."""
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"].value)

    def quads(self, graph: str | None = None) -> Iterator[Quad]:
        if graph is None:
            rows = self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
            return iter([Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows])
        try:
            _, body = self._request("GET", self._graph_url(graph), headers={"Accept": "application/n-triples"})
        except KgError as exc:
            if "HTTP 404" in str(exc):
                return iter([])
            raise
        node = NamedNode(graph)
        return iter([Quad(t.subject, t.predicate, t.object, node) for t in parse(body, format=RdfFormat.N_TRIPLES)])

    # -- writing --

    def replace_graphs(self, graphs: Mapping[str, Iterable[Quad]]) -> int:
        """Write each graph whole, replacing what the server had under its name.

        ``gsp`` (default): one Graph Store Protocol PUT per graph, which the server applies as
        one transaction. ``update``: one SPARQL Update request per call (a ``kg build`` batch),
        ``DROP SILENT GRAPH`` + ``INSERT DATA`` for each graph, applied atomically by Oxigraph;
        much faster on servers whose per-request cost grows with the number of graphs.
        """
        self._snapshot = None
        if self._written is not None:
            self._written.update(graphs)
        written = 0
        operations = []
        for name, quads in graphs.items():
            triples = [Triple(q.subject, q.predicate, q.object) for q in quads]
            written += len(triples)
            body = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
            if self.write == "update":
                graph = NamedNode(name)
                operations.append(f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{ GRAPH {graph} {{\n{body.decode()}}} }}")
            else:
                self._request("PUT", self._graph_url(name), body, {"Content-Type": "application/n-triples"})
        if operations:
            self._update(" ;\n".join(operations))
        return written

    def clear(self) -> None:
        """Drop migkg's graphs (``…/graph/…``); other data on a shared server is left alone."""
        self._drop(self._graphs())

    @contextlib.contextmanager
    def replacement(self) -> Iterator[KgStore]:
        """This store, written over (``kg build --replace``): a server's graphs cannot be swapped in
        as a folder is. Every graph is written anew, each whole, over its old version; when the
        block ends without an error, migkg's graphs it did not write are dropped, but for the graphs
        derived from the items (provenance, summaries, same stories and events), which a build
        rewrites only when they change. A build that fails or is killed leaves every graph the
        server had, some of them in their new version.
        """
        self._written = set()
        try:
            yield self
            written = self._written
        finally:
            self._written = None
        self._drop(self._graphs() - written - _DERIVED)

    def _graphs(self) -> set[str]:
        """migkg's graphs on the server (``…/graph/…``)."""
        rows = self.select(
            f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{ns.GRAPH}")) }}'
        )
        return {row["g"].value for row in rows}

    def _drop(self, graphs: Iterable[str]) -> None:
        names = sorted(graphs)
        self._snapshot = None
        for start in range(0, len(names), 500):
            self._update(" ;\n".join(f"DROP SILENT GRAPH {NamedNode(g)}" for g in names[start : start + 500]))
