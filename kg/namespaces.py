"""Every namespace and IRI pattern of migkg, in one place.

The base IRI is ``https://w3id.org/migkg/`` unless ``MIGKG_BASE`` says otherwise; all
instance, vocabulary and graph IRIs hang off it.

>>> country("gtm")
'https://w3id.org/migkg/id/country/GTM'
>>> item_graph("2019-06-11-caribbean")
'https://w3id.org/migkg/graph/item/2019-06-11-caribbean'
>>> MK["Event"]
'https://w3id.org/migkg/ont#Event'
"""

from __future__ import annotations

import os
import re
import unicodedata

__all__ = [
    "BASE",
    "DCTERMS",
    "MK",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SEM",
    "SKOS",
    "XSD",
    "Namespace",
    "canonical_event",
    "compact",
    "concept",
    "country",
    "event",
    "graph",
    "item",
    "item_graph",
    "org",
    "place",
    "region",
    "run",
    "slugify",
    "software",
    "statistic",
    "summary",
]


class Namespace(str):
    """An IRI prefix; ``NS["local"]`` gives the full IRI as a plain string.

    Only item access: attribute access would collide with ``str`` methods (``title``, ``count``).
    """

    __slots__ = ()

    def __getitem__(self, local: str) -> str:  # type: ignore[override]
        return str(self) + local


BASE = Namespace(os.environ.get("MIGKG_BASE", "https://w3id.org/migkg/"))

MK = Namespace(BASE + "ont#")
SCHEMA = Namespace("http://schema.org/")  # http, as schema.org itself writes its terms in RDF
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
ORG = Namespace("http://www.w3.org/ns/org#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
PROV = Namespace("http://www.w3.org/ns/prov#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SH = Namespace("http://www.w3.org/ns/shacl#")
WD = Namespace("http://www.wikidata.org/entity/")
GN = Namespace("http://sws.geonames.org/")

ID = Namespace(BASE + "id/")
VOCAB = Namespace(BASE + "vocab/")
GRAPH = Namespace(BASE + "graph/")

# Concept schemes (ontology/vocab/*.ttl): scheme id -> namespace of its concepts.
SCHEMES = {
    name: Namespace(f"{VOCAB}{name}/")
    for name in (
        "event-type",
        "theme",
        "gcm",
        "role",
        "date-precision",
        "group",
        "indicator",
        "org-type",
        "genre",
        "cameo",
    )
}

PREFIXES: dict[str, str] = {
    "mk": MK,
    "schema": SCHEMA,
    "sem": SEM,
    "org": ORG,
    "dcterms": DCTERMS,
    "skos": SKOS,
    "prov": PROV,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "ctry": Namespace(ID + "country/"),
    "orgid": Namespace(ID + "org/"),
    "place": Namespace(ID + "place/"),
    "region": Namespace(ID + "region/"),
    "item": Namespace(ID + "item/"),
    "ev": Namespace(ID + "event/"),
    "stat": Namespace(ID + "statistic/"),
    "mention": Namespace(ID + "mention/"),
    "evt": SCHEMES["event-type"],
    "theme": SCHEMES["theme"],
    "gcm": SCHEMES["gcm"],
    "role": SCHEMES["role"],
    "grp": SCHEMES["group"],
    "ind": SCHEMES["indicator"],
    "prec": SCHEMES["date-precision"],
    "orgtype": SCHEMES["org-type"],
    "genre": SCHEMES["genre"],
    "cameo": SCHEMES["cameo"],
    "wd": WD,
}

REFERENCE_GRAPH = GRAPH + "reference"
VOCAB_GRAPH = GRAPH + "vocab"
ONTOLOGY_GRAPH = GRAPH + "ontology"
#: Derived graphs, rebuilt from the item graphs after every build (kg.same).
SAME_STORY_GRAPH = GRAPH + "same-story"
EVENTS_GRAPH = GRAPH + "events"
#: The extraction runs and the software that item graphs name (kg.rdf.provenance_quads).
PROVENANCE_GRAPH = GRAPH + "provenance"
#: Aggregates of the events as an RDF Data Cube, rebuilt after every build that wrote (kg.summaries).
SUMMARY_GRAPH = GRAPH + "summaries"


_LOCAL = re.compile(r"[\w-]+(?:\.[\w-]+)*")  # a local name Turtle and SPARQL read as written


def compact(iri: str, prefixes: dict[str, str] | None = None) -> str | None:
    """``prefix:local`` for ``iri`` under the longest namespace of ``prefixes`` (default
    :data:`PREFIXES`) whose rest is a plain local name (letters, digits, ``_``, ``-``, inner
    dots); ``None`` when none fits. The one compaction of terms for people to read (tables, the
    codebook, network attributes); JSON-LD compacts by its context instead (:mod:`kg.export.jsonld`).

    >>> compact("http://schema.org/organizer"), compact("https://w3id.org/migkg/id/country/GTM")
    ('schema:organizer', 'ctry:GTM')
    >>> compact("http://schema.org/v1.") is None, compact("http://example.org/x") is None
    (True, True)
    """
    best = ""
    for prefix, namespace in (prefixes or PREFIXES).items():
        if iri.startswith(namespace) and len(namespace) > len(best) and _LOCAL.fullmatch(iri, len(namespace)):
            best, name = namespace, prefix
    return f"{name}:{iri[len(best) :]}" if best else None


def slugify(text: str, max_len: int = 60) -> str:
    """Lower-case ASCII slug, safe inside an IRI path segment.

    >>> slugify("Galen University")
    'galen-university'
    >>> slugify("Ministerio de Relaciones Exteriores (Guatemala)")
    'ministerio-de-relaciones-exteriores-guatemala'
    >>> slugify("Curaçao")
    'curacao'
    >>> slugify("North and Central American countries follow up", 30)
    'north-and-central-american'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:
        cut = slug.rfind("-", 0, max_len + 1)
        slug = slug[: cut if cut > max_len // 2 else max_len]
    return slug.rstrip("-") or "x"


def country(iso3: str) -> str:
    return f"{ID}country/{iso3.upper()}"


def org(slug: str) -> str:
    return f"{ID}org/{slug}"


def place(key: str) -> str:
    """``key`` is a GeoNames id or ``ISO3-slug`` for places GeoNames lacks."""
    return f"{ID}place/{key}"


def region(key: str) -> str:
    return f"{ID}region/{key}"


def item(key: str) -> str:
    return f"{ID}item/{key}"


def event(key: str, n: int) -> str:
    return f"{ID}event/{key}-e{n}"


def canonical_event(digest: str) -> str:
    """The canonical event of a group of reports (:func:`kg.same.events.canonical_iri`)."""
    return f"{ID}canonical-event/{digest}"


def statistic(key: str, n: int) -> str:
    return f"{ID}statistic/{key}-s{n}"


def run(version: str, rules: str) -> str:
    """The extraction run of a software version and a rules hash (its first 12 hex digits)."""
    return f"{ID}run/migkg-{version}-{rules[:12]}"


def software(version: str) -> str:
    return f"{ID}software/migkg-{version}"


def summary(name: str) -> str:
    """A data set of the summary graph (kg.summaries)."""
    return f"{ID}summary/{name}"


def item_graph(key: str) -> str:
    return f"{GRAPH}item/{key}"


def graph(name: str) -> str:
    return GRAPH + name


def concept(scheme: str, local: str) -> str:
    return SCHEMES[scheme] + local
