"""What the codebook is made of: the ontology, the SKOS schemes and the shapes as graphs to read
terms from (:class:`Graph`), the named queries that use each term, and one example triple of each
from the sample (:class:`Examples`)."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from kg import namespaces as ns
from kg.store import KgStore

__all__ = ["RDF_TYPE", "Examples", "Graph", "compact", "query_iris", "turtle"]

RDF_TYPE = ns.RDF["type"]
_SCHEME_LINKS = {ns.SKOS[p] for p in ("inScheme", "topConceptOf", "hasTopConcept", "broader", "narrower")}


def compact(iri: str, prefixes: dict[str, str] | None = None) -> str:
    """``prefix:local`` (:func:`kg.namespaces.compact`), else ``<iri>``."""
    return ns.compact(iri, prefixes) or f"<{iri}>"


def turtle(path: Path) -> list[Quad]:
    return [Quad(t.subject, t.predicate, t.object) for t in parse(path=str(path), format=RdfFormat.TURTLE)]


def _value(term: object) -> str:
    """The IRI or lexical form of a term (a graph name, subject or object)."""
    return str(getattr(term, "value", term))


class Graph:
    """Triples indexed by subject, for reading the ontology, shapes and schemes."""

    def __init__(self, quads: Iterable[Quad]) -> None:
        self.by_subject: dict[str, list[tuple[str, object]]] = defaultdict(list)
        self.order: list[str] = []
        for q in quads:
            s = _value(q.subject)
            if s not in self.by_subject:
                self.order.append(s)
            self.by_subject[s].append((q.predicate.value, q.object))

    def objects(self, s: str, p: str) -> list[object]:
        return [o for pp, o in self.by_subject.get(s, []) if pp == p]

    def iris(self, s: str, p: str) -> list[str]:
        return sorted(o.value for o in self.objects(s, p) if isinstance(o, NamedNode))

    def text(self, s: str, *predicates: str) -> str:
        """The English (else untagged, else any) value of the first predicate that has one."""
        for p in predicates:
            found = [o for o in self.objects(s, p) if isinstance(o, Literal)]
            for want in ("en", None):
                for o in sorted(found, key=lambda x: x.value):
                    if (o.language or None) == want:
                        return " ".join(o.value.split())
            if found:
                return " ".join(sorted(found, key=lambda x: x.value)[0].value.split())
        return ""

    def subjects_of_type(self, cls: str) -> list[str]:
        return sorted(s for s in self.order if NamedNode(cls) in self.objects(s, RDF_TYPE))


def query_iris(prefixes: dict[str, str]) -> dict[str, set[str]]:
    """Per named query: the IRIs its text uses (``a`` counts as rdf:type), in either form (one that
    reads the summaries also counts the raw events, with ``--reports``)."""
    from kg.queries import catalogue

    used: dict[str, set[str]] = {}
    for q in catalogue():
        text = f"{q.text}\n{q.raw or ''}"
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        declared = dict(re.findall(r"PREFIX\s+([\w-]*):\s*<([^>]*)>", body, re.I))
        iris = set(re.findall(r"<([^<>\s]+)>", body))
        for name, local in re.findall(r"(?<![\w<#/?$])([A-Za-z][\w-]*):([A-Za-z_][\w.-]*\w|[A-Za-z_])", body):
            if name in declared:
                iris.add(declared[name] + local)
        if re.search(r"(?<![\w?$:])a(?![\w:])", body):
            iris.add(RDF_TYPE)
        used[q.name] = iris
    return used


# -- examples from the sample --


class Examples:
    """The sample's triples, to pick one example per term: item graphs first, then the others,
    the smallest triple of each kind so that the choice is deterministic."""

    def __init__(self, store: KgStore, prefixes: dict[str, str]) -> None:
        self.prefixes = prefixes
        self.by_predicate: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.by_object: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.subject_types: dict[str, set[str]] = defaultdict(set)
        self.predicate_subjects: dict[str, set[str]] = defaultdict(set)
        self.item_predicates: set[str] = set()
        self.namespace_types: dict[str, Counter[str]] = defaultdict(Counter)
        self.scheme_links: dict[str, Counter[str]] = defaultdict(Counter)
        shared = {ns.VOCAB_GRAPH, ns.ONTOLOGY_GRAPH}
        quads = list(store.quads())
        for q in quads:
            if q.predicate.value == RDF_TYPE:
                self.subject_types[_value(q.subject)].add(_value(q.object))
        for q in quads:
            g, s, p, o = _value(q.graph_name), _value(q.subject), q.predicate.value, q.object
            rank = 0 if "/graph/item/" in g else 1 if g == ns.REFERENCE_GRAPH else 2
            text = self.triple(q)
            self.by_predicate[p].append((rank, text))
            if isinstance(o, NamedNode) and p not in _SCHEME_LINKS:
                self.by_object[o.value].append((rank, text))
                if g not in shared:
                    for scheme, base in ns.SCHEMES.items():
                        if o.value.startswith(base):
                            self.scheme_links[scheme][p] += 1
            if g not in shared:
                self.item_predicates.add(p)
                self.predicate_subjects[p].update(self.subject_types.get(s, ()))
            if p == RDF_TYPE:
                for name, namespace in prefixes.items():
                    if s.startswith(namespace) and namespace.startswith(ns.ID):
                        self.namespace_types[name][_value(o)] += 1

    def term(self, term: object) -> str:
        if isinstance(term, NamedNode):
            return "a" if term.value == RDF_TYPE else compact(term.value, self.prefixes)
        if isinstance(term, Literal):
            value = term.value if len(term.value) <= 50 else term.value[:49] + "…"
            text = json.dumps(value, ensure_ascii=False)
            if term.language:
                return f"{text}@{term.language}"
            if term.datatype.value != ns.XSD["string"]:
                return f"{text}^^{compact(term.datatype.value, self.prefixes)}"
            return text
        return str(term)

    def triple(self, q: Quad) -> str:
        text = f"{self.term(q.subject)} {self.term(q.predicate)} {self.term(q.object)}"
        # hashes of the rules and of item text change with every edit of the extractor: not examples
        return re.sub(r"[0-9a-f]{12,}", "…", text)

    @staticmethod
    def best(found: list[tuple[int, str]]) -> str | None:
        return min(found)[1] if found else None
