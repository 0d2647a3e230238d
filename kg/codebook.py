"""The codebook: every class, property, concept and prefix of the graph, generated.

``docs/codebook.md`` is written by :func:`codebook` from the ontology (``ontology/migkg.ttl``),
the SHACL shapes (which say what each reused property means on each class), the SKOS schemes
(``ontology/vocab/*.ttl``) and the named queries (``queries/*.rq``), with one example triple
per term taken from the sample (``data/news/news-listing-2019.txt`` built in memory). A term
added to any of them appears in the codebook the next time it is generated
(``make codebook``); ``tests/test_codebook.py`` fails while the file is out of date.
``kg vocab [TERM]`` prints the codebook, or the entries that match TERM.

>>> compact("https://w3id.org/migkg/id/country/GTM")
'ctry:GTM'
>>> [e.term for e in find_entries("### `evt:meeting`\\n\\nMeeting\\n\\n### `evt:training`\\n\\nTraining\\n", "MEETING")]
['evt:meeting']
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from kg import namespaces as ns
from kg.errors import UsageError
from kg.reference import HOME, ONTOLOGY_DIR
from kg.store import KgStore

__all__ = ["CODEBOOK", "Entry", "codebook", "compact", "find_entries", "sample_store", "write_codebook"]

CODEBOOK = HOME / "docs" / "codebook.md"
SAMPLE = HOME / "data" / "news" / "news-listing-2019.txt"

RDF_TYPE = ns.RDF["type"]
_LABEL = (ns.SKOS["prefLabel"], ns.RDFS["label"])
# Links inside a scheme say nothing about how a concept is used; an example never shows them.
_SCHEME_LINKS = {ns.SKOS[p] for p in ("inScheme", "topConceptOf", "hasTopConcept", "broader", "narrower")}
# Names of the reused vocabularies, for the prefix table.
_VOCABULARIES = {
    "mk": "the migkg ontology (ontology/migkg.ttl)",
    "schema": "schema.org, the public core (http, never https)",
    "sem": "Simple Event Model: event types, actors, places",
    "org": "W3C Organization Ontology",
    "dcterms": "DCMI Metadata Terms: item metadata",
    "skos": "SKOS: every controlled vocabulary",
    "prov": "PROV-O: provenance and supporting quotes",
    "owl": "OWL",
    "rdf": "RDF",
    "rdfs": "RDF Schema",
    "xsd": "XML Schema datatypes",
    "wd": "Wikidata entities (owl:sameAs targets)",
}


def _all_prefixes() -> dict[str, str]:
    """The CLI's prefixes and those of the published JSON-LD context (they should agree)."""
    prefixes = dict(ns.PREFIXES)
    context = json.loads((ONTOLOGY_DIR / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    for name, value in context.items():
        if isinstance(value, str) and value.endswith(("/", "#")) and ":" in value:
            prefixes.setdefault(name, value)
    return prefixes


def compact(iri: str, prefixes: dict[str, str] | None = None) -> str:
    """``prefix:local`` (:func:`kg.namespaces.compact`), else ``<iri>``."""
    return ns.compact(iri, prefixes) or f"<{iri}>"


def sample_store() -> KgStore:
    """The sample listing built into a store in memory, the source of every example."""
    from kg.build import build

    store = KgStore.memory()
    build([SAMPLE], store)
    return store


@dataclass
class Entry:
    """One term of the codebook: a heading line and the Markdown block under it."""

    term: str
    label: str
    block: str


# -- reading the sources --


def _turtle(path: Path) -> list[Quad]:
    return [Quad(t.subject, t.predicate, t.object) for t in parse(path=str(path), format=RdfFormat.TURTLE)]


def _value(term: object) -> str:
    """The IRI or lexical form of a term (a graph name, subject or object)."""
    return str(getattr(term, "value", term))


class _Graph:
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


def _query_iris(prefixes: dict[str, str]) -> dict[str, set[str]]:
    """Per named query: the IRIs its text uses (``a`` counts as rdf:type)."""
    from kg.queries import catalogue

    used: dict[str, set[str]] = {}
    for q in catalogue():
        body = "\n".join(line for line in q.text.splitlines() if not line.lstrip().startswith("#"))
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


class _Examples:
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


# -- writing --


def _block(term: str, label: str, kind: str, definition: str, facts: list[tuple[str, str]]) -> Entry:
    lines = [f"### `{term}`", "", f"**{label}** ({kind}). {definition}".rstrip() if label else f"({kind}) {definition}"]
    lines.append("")
    lines += [f"- {name}: {value}" for name, value in facts if value]
    return Entry(term, label, "\n".join(lines) + "\n")


def _code(values: Iterable[str]) -> str:
    return ", ".join(f"`{v}`" for v in values)


def _queries_using(iri: str, used: dict[str, set[str]]) -> str:
    return _code(name for name, iris in sorted(used.items()) if iri in iris) or "none"


def codebook(store: KgStore | None = None) -> str:
    """The codebook as Markdown, with examples from ``store`` (default: the sample, built in memory)."""
    from kg.export.events import EVENT_TABLE_DOC, UNDATED_RULE
    from kg.reference import LABEL_RULE

    store = store or sample_store()
    prefixes = _all_prefixes()
    onto = _Graph(_turtle(ONTOLOGY_DIR / "migkg.ttl"))
    shapes = _Graph(_turtle(ONTOLOGY_DIR / "shapes.ttl"))
    vocab = _Graph(q for path in sorted((ONTOLOGY_DIR / "vocab").glob("*.ttl")) for q in _turtle(path))
    examples = _Examples(store, prefixes)
    used = _query_iris(prefixes)

    def c(iri: str) -> str:
        return compact(iri, prefixes)

    def example(found: list[tuple[int, str]], fallback: str) -> str:
        best = examples.best(found)
        return f"`{best}`" if best else fallback

    out: list[str] = [
        "# Codebook",
        "",
        "<!-- Generated by `make codebook` (python -m kg.codebook) from ontology/migkg.ttl, ontology/shapes.ttl,",
        "     ontology/vocab/*.ttl and queries/*.rq, with examples from the sample. Do not edit by hand:",
        "     tests/test_codebook.py fails until the file is regenerated. -->",
        "",
        "Every class, property, concept and prefix of the migkg graph: what it means, one example triple",
        "from the sample (`data/news/news-listing-2019.txt`) and the named queries (`kg queries`) that use it.",
        "`kg vocab` prints this file; `kg vocab TERM` prints the entries matching TERM (`kg vocab mk:participation`,",
        "`kg vocab smuggling`). Examples are written with the prefixes below, which `kg sparql` predeclares.",
        "",
        "Contents: [Prefixes](#prefixes) · [Dates and undated events](#dates-and-undated-events) ·",
        "[The events table](#the-events-table) · [Classes](#classes) ·",
        "[Properties of the ontology](#properties-of-the-ontology) · [Reused properties](#reused-properties) · "
        + " · ".join(f"[{_scheme_title(vocab, s)}](#{_anchor(_scheme_title(vocab, s))})" for s in ns.SCHEMES),
        "",
        "## Prefixes",
        "",
        "| prefix | namespace | what lives there |",
        "|---|---|---|",
    ]
    for name, base in sorted(prefixes.items()):
        what = _VOCABULARIES.get(name, "")
        scheme = next((s for s, b in ns.SCHEMES.items() if b == base), None)
        if scheme:
            what = f"concepts of the scheme {_scheme_title(vocab, scheme)} ({c(base + 'scheme')})"
        elif examples.namespace_types.get(name):
            (cls, _), *_ = sorted(examples.namespace_types[name].items(), key=lambda kv: (-kv[1], kv[0]))
            what = f"instances of `{c(cls)}`"
        out.append(f"| `{name}:` | `{base}` | {what} |")
    out += ["", "## Labels and languages", "", LABEL_RULE]
    out += ["", "## Dates and undated events", "", UNDATED_RULE, "", "## The events table", "", EVENT_TABLE_DOC, ""]

    out += ["## Classes", ""]
    for cls in onto.subjects_of_type(ns.RDFS["Class"]):
        facts = [
            ("subclass of", _code(c(x) for x in onto.iris(cls, ns.RDFS["subClassOf"]))),
            (
                "example",
                example(
                    [e for e in examples.by_predicate[RDF_TYPE] if e[1].endswith(f" a {c(cls)}")], "none in the sample"
                ),
            ),
            ("named queries", _queries_using(cls, used)),
        ]
        out.append(
            _block(c(cls), onto.text(cls, ns.RDFS["label"]), "class", onto.text(cls, ns.RDFS["comment"]), facts).block
        )

    out += ["## Properties of the ontology", ""]
    for prop in onto.subjects_of_type(ns.RDF["Property"]):
        facts = [
            ("subproperty of", _code(c(x) for x in onto.iris(prop, ns.RDFS["subPropertyOf"]))),
            (
                "domain",
                _code(c(x) for x in onto.iris(prop, ns.RDFS["domain"]) + onto.iris(prop, ns.SCHEMA["domainIncludes"])),
            ),
            (
                "range",
                _code(c(x) for x in onto.iris(prop, ns.RDFS["range"]) + onto.iris(prop, ns.SCHEMA["rangeIncludes"])),
            ),
            ("example", example(examples.by_predicate[prop], "none in the sample")),
            ("named queries", _queries_using(prop, used)),
        ]
        out.append(
            _block(
                c(prop), onto.text(prop, ns.RDFS["label"]), "property", onto.text(prop, ns.RDFS["comment"]), facts
            ).block
        )

    out += [
        "## Reused properties",
        "",
        "Properties of schema.org, DCTERMS, SEM, W3C ORG, PROV-O, SKOS, RDFS and OWL that the graph",
        "uses: what they mean on each class comes from the SHACL shapes (`ontology/shapes.ttl`).",
        "",
    ]
    meanings = _shape_meanings(shapes, onto)
    reused = sorted(
        {p for p in meanings if not p.startswith(ns.MK)}
        | {p for p in examples.item_predicates if not p.startswith(ns.MK)},
        key=c,
    )
    for prop in reused:
        on = sorted(c(t) for t in examples.predicate_subjects.get(prop, ()))
        facts = [
            ("used on", _code(on)),
            ("example", example(examples.by_predicate[prop], "none in the sample")),
            ("named queries", _queries_using(prop, used)),
        ]
        definition = (
            " ".join(meanings.get(prop, []))
            or f"As defined by {_VOCABULARIES.get(c(prop).split(':')[0], 'its vocabulary')}."
        )
        out.append(_block(c(prop), "", "property", definition, facts).block)

    for scheme, base in ns.SCHEMES.items():
        title = _scheme_title(vocab, scheme)
        scheme_iri = base + "scheme"
        links = examples.scheme_links.get(scheme)
        link = min(links.items(), key=lambda kv: (-kv[1], kv[0]))[0] if links else None
        how = f"Used as the object of `{c(link)}`." if link else ""
        out += [
            f"## {title}",
            "",
            f"`{c(scheme_iri)}`: {vocab.text(scheme_iri, ns.SKOS['definition'])} {how}".rstrip(),
            "",
        ]
        concepts = sorted(
            (
                s
                for s in vocab.order
                if s.startswith(base) and s != scheme_iri and vocab.objects(s, ns.SKOS["inScheme"])
            ),
            key=_concept_order(vocab),
        )
        for concept in concepts:
            mapped = [
                f"`{c(o)}` ({p.rsplit('#', 1)[-1]})"
                for p in (ns.SKOS["exactMatch"], ns.SKOS["closeMatch"], ns.SKOS["broadMatch"])
                for o in vocab.iris(concept, p)
                if o.startswith(ns.SCHEMES["gcm"])
            ]
            pattern = f"`?x {c(link)} {c(concept)}` (not in the sample)" if link else "none in the sample"
            facts = [
                ("notation", vocab.text(concept, ns.SKOS["notation"])),
                ("broader", _code(c(x) for x in vocab.iris(concept, ns.SKOS["broader"]))),
                ("GCM objectives", ", ".join(mapped)),
                ("example", example(examples.by_object.get(concept, []), pattern)),
                ("named queries", _queries_using(concept, used)),
            ]
            label = vocab.text(concept, ns.SKOS["prefLabel"])
            definition = vocab.text(concept, ns.SKOS["definition"])
            out.append(_block(c(concept), label, _singular(title), definition, facts).block)
    return "\n".join(out).rstrip() + "\n"


def _shape_meanings(shapes: _Graph, onto: _Graph) -> dict[str, list[str]]:
    """Per property: "On <class>: <message>" for every shape that constrains it on a class."""
    meanings: dict[str, list[str]] = defaultdict(list)
    for node in shapes.order:
        targets = shapes.iris(node, ns.SH["targetClass"])
        for prop_shape in shapes.iris(node, ns.SH["property"]):
            for path in shapes.iris(prop_shape, ns.SH["path"]):
                for cls in targets:
                    label = onto.text(cls, ns.RDFS["label"]) or compact(cls)
                    message = shapes.text(prop_shape, ns.SH["message"]) or shapes.text(prop_shape, ns.SH["name"])
                    article = "an" if label[:1].lower() in "aeiou" else "a"
                    line = f"On {article} {label.lower()}: {message}"
                    if line not in meanings[path]:
                        meanings[path].append(line)
    return meanings


def _scheme_title(vocab: _Graph, scheme: str) -> str:
    return vocab.text(ns.SCHEMES[scheme] + "scheme", ns.SKOS["prefLabel"]) or scheme


def _singular(title: str) -> str:
    """The kind of a concept, from its scheme's title: "Event types" gives "event type"."""
    if title.startswith("Objectives of the Global Compact"):
        return "GCM objective"
    first = title.split(" of ")[0].lower()
    return first[:-1] if first.endswith("s") and not first.endswith("ss") else first


def _concept_order(vocab: _Graph) -> Callable[[str], tuple[int, str]]:
    def key(iri: str) -> tuple[int, str]:
        notation = vocab.text(iri, ns.SKOS["notation"])
        return (int(notation), iri) if notation.isdigit() else (1 << 30, iri)

    return key


def _anchor(title: str) -> str:
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


# -- reading the codebook back --


def _entries(text: str) -> list[Entry]:
    entries = []
    for block in re.split(r"\n(?=### `)", text):
        match = re.match(r"### `([^`]+)`\n\n(?:\*\*([^*]*)\*\*)?", block)
        if match:
            body = re.split(r"\n(?=## )", block)[0]
            entries.append(Entry(match[1], match[2] or "", body.rstrip() + "\n"))
    return entries


def find_entries(text: str, wanted: str) -> list[Entry]:
    """The entries of the codebook ``text`` whose term, local name or label is ``wanted``
    (any case); none is a UsageError naming the closest terms."""
    entries = _entries(text)
    folded = wanted.strip().casefold()
    for matches in (
        [e for e in entries if e.term == wanted.strip()],  # mk:Participation is not mk:participation
        [e for e in entries if e.term.casefold() == folded],
        [e for e in entries if e.term.split(":", 1)[-1].casefold() == folded],
        [e for e in entries if e.label.casefold() == folded],
    ):
        if matches:
            return matches
    for line in text.splitlines():  # a prefix: its row of the prefix table
        if line.startswith(f"| `{folded.rstrip(':')}:` |"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            cells[:2] = [c.strip("`") for c in cells[:2]]
            return [Entry(cells[0], "", f"{cells[0]} <{cells[1]}>: {cells[2]}\n")]
    candidates: dict[str, str] = {}
    for e in entries:
        candidates.setdefault(e.term.split(":", 1)[-1], e.term)
        candidates[e.term] = e.term
    near = difflib.get_close_matches(wanted.strip(), sorted(candidates), n=6, cutoff=0.6)
    terms = list(dict.fromkeys(candidates[n] for n in near))[:3]
    hint = f"; did you mean {' or '.join(terms)}?" if terms else "; `kg vocab` lists every term"
    raise UsageError(f"no term '{wanted}' in the codebook{hint}")


def write_codebook(path: Path = CODEBOOK) -> bool:
    """Regenerate ``path``; returns whether it changed."""
    text = codebook()
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if old != text:
        path.write_text(text, encoding="utf-8")
    return old != text


if __name__ == "__main__":
    changed = write_codebook()
    print(f"{CODEBOOK.relative_to(HOME)} {'written' if changed else 'unchanged'}")
