"""The store as a NetworkX MultiDiGraph, and back.

:func:`to_multidigraph` mirrors every triple whose object is an IRI (or blank node) as an
edge ``subject -> object`` keyed by the predicate IRI, with ``predicate`` (its compact
name) and ``graphs`` (the named graphs that state it). Nodes are keyed by IRI and carry
``label`` (English first), ``type`` (the compact names of their classes) and one attribute
per literal property (``"mk:iso3166Alpha3": "GTM"``, a list when there are several values).

:func:`to_quads` is the inverse for links: it rebuilds, from the edges alone, exactly the
quads whose object is not a literal. Literal attributes are a convenience for analysis and
are not turned back into quads (a language tag or datatype would be guessed).

>>> from pyoxigraph import NamedNode, Quad
>>> from kg.namespaces import MK
>>> from kg.store import KgStore
>>> store = KgStore.memory()
>>> g = NamedNode("http://example.org/graph")
>>> store.store.add(Quad(NamedNode("http://example.org/a"), NamedNode(RDF["type"]), NamedNode(MK["Country"]), g))
>>> M = to_multidigraph(store)
>>> M.nodes["http://example.org/a"]["type"]
['mk:Country']
>>> set(to_quads(M)) == set(store.quads())
True
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

import networkx as nx
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad

from kg.namespaces import RDF, RDFS, SKOS
from kg.namespaces import compact as ns_compact
from kg.sparql.results import to_python
from kg.store import KgStore

__all__ = ["compact", "to_multidigraph", "to_quads"]

_TYPE = RDF["type"]
_LABELS = (RDFS["label"], SKOS["prefLabel"], "http://purl.org/dc/terms/title")


def compact(iri: str) -> str:
    """``mk:Country`` for ``https://w3id.org/migkg/ont#Country``; the IRI itself when no prefix fits
    (:func:`kg.namespaces.compact`).

    >>> compact("http://schema.org/organizer")
    'schema:organizer'
    """
    return ns_compact(iri) or iri


def _key(term: NamedNode | BlankNode) -> str:
    return term.value if isinstance(term, NamedNode) else f"_:{term.value}"


def _term(key: str) -> NamedNode | BlankNode:
    return BlankNode(key[2:]) if key.startswith("_:") else NamedNode(key)


def _value(literal: Literal) -> Any:
    """A literal as a GraphML or GEXF attribute holds it: :func:`kg.sparql.results.to_python`'s
    value, with decimals as floats and dates as ISO text."""
    value = to_python(literal)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return literal.value
    return value


def _label(literals: list[tuple[str, Literal]]) -> str | None:
    for predicate in _LABELS:
        found = [lit for p, lit in literals if p == predicate]
        for wanted in ("en", None):
            for lit in found:
                if lit.language == wanted or (wanted == "en" and (lit.language or "").startswith("en-")):
                    return lit.value
        if found:
            return sorted(lit.value for lit in found)[0]
    return None


def to_multidigraph(store: KgStore, graphs: Iterable[str] | None = None) -> nx.MultiDiGraph:
    """The whole store, or the named ``graphs``, as a MultiDiGraph keyed by IRI.

    Parameters
    ----------
    store : KgStore
        The store to mirror.
    graphs : iterable of str, optional
        Named graph IRIs to mirror; every graph (and the default graph) by default.

    Returns
    -------
    networkx.MultiDiGraph
        One edge per distinct ``(subject, predicate, object)`` link, keyed by the predicate
        IRI, with ``graphs``: the sorted graph IRIs that state it (``""`` for the default graph).

    Examples
    --------
    >>> from pyoxigraph import Literal, NamedNode, Quad
    >>> from kg.namespaces import MK
    >>> from kg.store import KgStore
    >>> store = KgStore.memory()
    >>> e, c, g = NamedNode("http://ex.org/e"), NamedNode("http://ex.org/GTM"), NamedNode("http://ex.org/g")
    >>> store.store.extend([Quad(e, NamedNode(MK["participantCountry"]), c, g),
    ...                     Quad(c, NamedNode(RDFS["label"]), Literal("Guatemala", language="en"), g)])
    >>> M = to_multidigraph(store)
    >>> list(M.edges(keys=True, data="predicate"))
    [('http://ex.org/e', 'http://ex.org/GTM', 'https://w3id.org/migkg/ont#participantCountry', 'mk:participantCountry')]
    >>> M.nodes["http://ex.org/GTM"]["label"]
    'Guatemala'
    """
    if graphs is None:
        quads: Iterable[Quad] = store.quads()
    else:
        quads = (q for g in graphs for q in store.quads(g))
    links: dict[tuple[str, str, str], set[str]] = {}
    literals: dict[str, list[tuple[str, Literal]]] = {}
    types: dict[str, set[str]] = {}
    for quad in quads:
        subject, predicate, obj = _key(quad.subject), quad.predicate.value, quad.object  # type: ignore[arg-type]
        g = "" if isinstance(quad.graph_name, DefaultGraph) else _key(quad.graph_name)
        if isinstance(obj, Literal):
            literals.setdefault(subject, []).append((predicate, obj))
            continue
        links.setdefault((subject, predicate, _key(obj)), set()).add(g)  # type: ignore[arg-type]
        if predicate == _TYPE:
            types.setdefault(subject, set()).add(_key(obj))  # type: ignore[arg-type]

    M = nx.MultiDiGraph()
    nodes = sorted({s for s, _, _ in links} | {o for _, _, o in links} | set(literals))
    for node in nodes:
        attrs: dict[str, Any] = {}
        values: dict[str, list[Any]] = {}
        for p, lit in literals.get(node, ()):
            values.setdefault(compact(p), []).append(_value(lit))
        for name, found in sorted(values.items()):
            found = sorted(set(found), key=lambda v: (str(type(v)), v))
            attrs[name] = found[0] if len(found) == 1 else found
        attrs["label"] = _label(literals.get(node, [])) or compact(node)
        attrs["type"] = sorted(compact(t) for t in types.get(node, ()))
        M.add_node(node, **attrs)
    for (s, p, o), in_graphs in sorted(links.items()):
        M.add_edge(s, o, key=p, predicate=compact(p), graphs=sorted(in_graphs))
    return M


def to_quads(M: nx.MultiDiGraph) -> list[Quad]:
    """The link quads of a mirror made by :func:`to_multidigraph` (edges keyed by predicate IRI).

    An edge without ``graphs`` goes to the default graph.

    Examples
    --------
    >>> from kg.namespaces import MK
    >>> M = nx.MultiDiGraph()
    >>> _ = M.add_edge("http://ex.org/e", "http://ex.org/GTM", key=MK["locationCountry"], graphs=["http://ex.org/g"])
    >>> [str(q) for q in to_quads(M)]  # doctest: +NORMALIZE_WHITESPACE
    ['<http://ex.org/e> <https://w3id.org/migkg/ont#locationCountry> <http://ex.org/GTM> <http://ex.org/g>']
    """
    quads = []
    for s, o, p, in_graphs in M.edges(keys=True, data="graphs"):
        for g in in_graphs or [""]:
            graph_name = _term(g) if g else DefaultGraph()
            quads.append(Quad(_term(s), NamedNode(p), _term(o), graph_name))
    return quads
