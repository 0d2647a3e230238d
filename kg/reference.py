"""Curated reference data (data/reference/*.csv) and the ontology and vocabulary files.

The CSVs are read once per process into plain records, used by the gazetteers of
:mod:`kg.extract` and turned into the ``…/graph/reference`` graph; ``ontology/migkg.ttl``
and ``ontology/vocab/*.ttl`` become ``…/graph/ontology`` and ``…/graph/vocab``. Every
shared graph records a content hash so that ``kg build`` reloads it only when it changed.

>>> refs = load()
>>> refs.countries["GTM"].name_en
'Guatemala'
"""

from __future__ import annotations

import csv
import functools
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from kg import namespaces as ns
from kg.namespaces import MK, ORG, OWL, RDF, RDFS, SCHEMA, SKOS, XSD

__all__ = [
    "HOME",
    "LABEL_RULE",
    "Country",
    "Organization",
    "Place",
    "Reference",
    "Region",
    "load",
    "shared_graphs",
]

HOME = Path(os.environ.get("MIGKG_HOME", Path(__file__).resolve().parent.parent))
REFERENCE_DIR = HOME / "data" / "reference"
ONTOLOGY_DIR = HOME / "ontology"


LABEL_RULE = """Countries, regions and organisations carry one `rdfs:label` per language, English (`@en`)
and, where known, Spanish (`@es`); SKOS concepts (event types, themes, GCM objectives, roles …)
one `skos:prefLabel` per language the same way; other names and acronyms are `skos:altLabel`.
This is how DBpedia, Wikidata and GeoNames label things, and what SPARQL tools expect, but it means
that a query which reads a label without choosing a language gets one row per language: every
country twice. Choose the language, as every named query does:

```sparql
SELECT ?country ?label WHERE {
  ?country a mk:Country ; rdfs:label ?label .
  FILTER(LANG(?label) = "en")
}
```

No resource has two labels in the same language, so this gives exactly one row per resource.
Put the filter inside an `OPTIONAL { … }` when a resource might have no English label, or use
`FILTER(LANGMATCHES(LANG(?label), "es"))` for the Spanish names."""


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split("|") if part.strip()]


@dataclass(frozen=True, slots=True)
class Country:
    iso3: str
    iso2: str
    numeric: str
    name_en: str
    name_es: str
    official_name_en: str
    aliases_en: tuple[str, ...]
    aliases_es: tuple[str, ...]
    demonyms_en: tuple[str, ...]
    demonyms_es: tuple[str, ...]
    regions: tuple[str, ...]  # M49 codes, broadest first
    sovereign: str | None
    geonames_id: str | None
    wikidata: str | None


@dataclass(frozen=True, slots=True)
class Region:
    id: str
    kind: str  # m49 | grouping
    m49: str | None
    label_en: str
    label_es: str
    aliases_en: tuple[str, ...]
    aliases_es: tuple[str, ...]
    parent: str | None
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Organization:
    slug: str
    name_en: str
    name_es: str
    acronyms_en: tuple[str, ...]
    acronyms_es: tuple[str, ...]
    aliases: tuple[str, ...]
    type: str
    based_in: str | None
    members: tuple[str, ...]
    wikidata: str | None

    @property
    def label(self) -> str:
        return self.name_en or self.name_es


@dataclass(frozen=True, slots=True)
class Place:
    key: str
    name: str
    alt_names: tuple[str, ...]
    country: str
    latitude: str
    longitude: str
    feature: str
    geonames_id: str | None


@dataclass(frozen=True, slots=True)
class Reference:
    countries: dict[str, Country]
    regions: dict[str, Region]
    organizations: dict[str, Organization]
    places: dict[str, Place]

    def region_members(self, region_id: str) -> tuple[str, ...]:
        """Member countries of a region: listed for groupings, derived from M49 codes otherwise."""
        region = self.regions[region_id]
        if region.members or region.m49 is None:
            return region.members
        return tuple(sorted(c.iso3 for c in self.countries.values() if region.m49 in c.regions))


def _rows(name: str) -> list[dict[str, str]]:
    path = REFERENCE_DIR / name
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


@functools.cache
def load() -> Reference:
    """The reference data, read once per process."""
    countries = {
        r["iso3"]: Country(
            iso3=r["iso3"],
            iso2=r["iso2"],
            numeric=r["numeric"],
            name_en=r["name_en"],
            name_es=r.get("name_es", ""),
            official_name_en=r.get("official_name_en", ""),
            aliases_en=tuple(_split(r.get("aliases_en"))),
            aliases_es=tuple(_split(r.get("aliases_es"))),
            demonyms_en=tuple(_split(r.get("demonym_en"))),
            demonyms_es=tuple(dict.fromkeys(_split(r.get("demonym_es_m")) + _split(r.get("demonym_es_f")))),
            regions=tuple(
                code for code in (r.get("m49_region"), r.get("m49_subregion"), r.get("m49_intermediate")) if code
            ),
            sovereign=r.get("sovereign_iso3") or None,
            geonames_id=r.get("geonames_id") or None,
            wikidata=r.get("wikidata") or None,
        )
        for r in _rows("countries.csv")
    }
    regions = {
        r["id"]: Region(
            id=r["id"],
            kind=r["kind"],
            m49=r.get("m49") or None,
            label_en=r["label_en"],
            label_es=r.get("label_es", ""),
            aliases_en=tuple(_split(r.get("aliases_en"))),
            aliases_es=tuple(_split(r.get("aliases_es"))),
            parent=r.get("parent") or None,
            members=tuple(_split(r.get("members"))),
        )
        for r in _rows("regions.csv")
    }
    organizations = {
        r["slug"]: Organization(
            slug=r["slug"],
            name_en=r.get("name_en", ""),
            name_es=r.get("name_es", ""),
            acronyms_en=tuple(_split(r.get("acronyms_en"))),
            acronyms_es=tuple(_split(r.get("acronyms_es"))),
            aliases=tuple(_split(r.get("aliases"))),
            type=r.get("type", ""),
            based_in=r.get("based_in") or None,
            members=tuple(_split(r.get("members"))),
            wikidata=r.get("wikidata") or None,
        )
        for r in _rows("organizations.csv")
    }
    places = {
        r["key"]: Place(
            key=r["key"],
            name=r["name"],
            alt_names=tuple(_split(r.get("alt_names"))),
            country=r["country_iso3"],
            latitude=r.get("latitude", ""),
            longitude=r.get("longitude", ""),
            feature=r.get("feature", ""),
            geonames_id=r.get("geonames_id") or None,
        )
        for r in _rows("places.csv")
    }
    return Reference(countries, regions, organizations, places)


# -- graphs --


def _reference_triples(refs: Reference) -> Iterator[tuple[str, str, NamedNode | Literal]]:
    def lit(text: str, lang: str | None = None) -> Literal:
        return Literal(text, language=lang) if lang else Literal(text)

    m49_ids = {r.m49: r.id for r in refs.regions.values() if r.m49}
    for c in refs.countries.values():
        s = ns.country(c.iso3)
        yield s, RDF["type"], NamedNode(MK["Country"])
        yield s, RDFS["label"], lit(c.name_en, "en")
        if c.name_es:
            yield s, RDFS["label"], lit(c.name_es, "es")
        for alias in c.aliases_en:
            yield s, SKOS["altLabel"], lit(alias, "en")
        for alias in c.aliases_es:
            yield s, SKOS["altLabel"], lit(alias, "es")
        yield s, MK["iso3166Alpha3"], lit(c.iso3)
        yield s, MK["iso3166Alpha2"], lit(c.iso2)
        yield s, MK["m49Code"], lit(c.numeric)
        for d in c.demonyms_en:
            yield s, MK["demonym"], lit(d, "en")
        for d in c.demonyms_es:
            yield s, MK["demonym"], lit(d, "es")
        for code in c.regions:
            if code in m49_ids:
                yield s, MK["inRegion"], NamedNode(ns.region(m49_ids[code]))
        yield s, MK["isSovereign"], Literal("false" if c.sovereign else "true", datatype=NamedNode(XSD["boolean"]))
        if c.sovereign:
            yield s, MK["sovereignState"], NamedNode(ns.country(c.sovereign))
        if c.wikidata:
            yield s, OWL["sameAs"], NamedNode(ns.WD + c.wikidata)
        if c.geonames_id:
            yield s, OWL["sameAs"], NamedNode(f"{ns.GN}{c.geonames_id}/")
    for r in refs.regions.values():
        s = ns.region(r.id)
        yield s, RDF["type"], NamedNode(MK["Region"])
        yield s, RDFS["label"], lit(r.label_en, "en")
        if r.label_es:
            yield s, RDFS["label"], lit(r.label_es, "es")
        for alias in r.aliases_en:
            yield s, SKOS["altLabel"], lit(alias, "en")
        for alias in r.aliases_es:
            yield s, SKOS["altLabel"], lit(alias, "es")
        if r.m49:
            yield s, MK["m49Code"], lit(r.m49)
        if r.parent:
            yield s, SCHEMA["containedInPlace"], NamedNode(ns.region(r.parent))
        for iso3 in refs.region_members(r.id):
            yield s, MK["memberCountry"], NamedNode(ns.country(iso3))
    for o in refs.organizations.values():
        s = ns.org(o.slug)
        yield s, RDF["type"], NamedNode(MK["Organization"])
        if o.name_en:
            yield s, RDFS["label"], lit(o.name_en, "en")
        if o.name_es:
            yield s, RDFS["label"], lit(o.name_es, "es")
        for acronym in (*o.acronyms_en, *o.acronyms_es, *o.aliases):
            yield s, SKOS["altLabel"], lit(acronym)
        if o.type:
            yield s, ORG["classification"], NamedNode(ns.concept("org-type", o.type))
        if o.based_in:
            yield s, MK["basedIn"], NamedNode(ns.country(o.based_in))
        for member in o.members:
            target = ns.country(member) if member.isupper() else ns.org(member)
            yield s, ORG["hasMember"], NamedNode(target)
        if o.wikidata:
            yield s, OWL["sameAs"], NamedNode(ns.WD + o.wikidata)
    for p in refs.places.values():
        s = ns.place(p.key)
        yield s, RDF["type"], NamedNode(MK["Place"])
        yield s, RDFS["label"], lit(p.name)
        for alias in p.alt_names:
            yield s, SKOS["altLabel"], lit(alias)
        yield s, SCHEMA["containedInPlace"], NamedNode(ns.country(p.country))
        if p.latitude and p.longitude:
            yield s, SCHEMA["latitude"], Literal(p.latitude, datatype=NamedNode(XSD["decimal"]))
            yield s, SCHEMA["longitude"], Literal(p.longitude, datatype=NamedNode(XSD["decimal"]))
        if p.geonames_id:
            yield s, OWL["sameAs"], NamedNode(f"{ns.GN}{p.geonames_id}/")


def _with_hash(graph: str, quads: list[Quad]) -> list[Quad]:
    """Sorted quads plus ``<graph> mk:contentHash "sha256:…"`` so rebuilds can skip them."""
    quads = sorted(set(quads), key=str)
    digest = hashlib.sha256("\n".join(map(str, quads)).encode()).hexdigest()
    g = NamedNode(graph)
    return [*quads, Quad(g, NamedNode(MK["contentHash"]), Literal("sha256:" + digest), g)]


def _turtle_quads(paths: list[Path], graph: str) -> list[Quad]:
    g = NamedNode(graph)
    quads: list[Quad] = []
    for path in sorted(paths):
        for triple in parse(path=str(path), format=RdfFormat.TURTLE):
            quads.append(Quad(triple.subject, triple.predicate, triple.object, g))
    return quads


@functools.cache
def shared_graphs() -> dict[str, list[Quad]]:
    """The reference, vocabulary and ontology graphs, deterministic, each with its hash."""
    ref_graph = ns.REFERENCE_GRAPH
    g = NamedNode(ref_graph)
    reference = [Quad(NamedNode(s), NamedNode(p), o, g) for s, p, o in _reference_triples(load())]
    ontology_files = [ONTOLOGY_DIR / "migkg.ttl"] if (ONTOLOGY_DIR / "migkg.ttl").exists() else []
    return {
        ns.ONTOLOGY_GRAPH: _with_hash(ns.ONTOLOGY_GRAPH, _turtle_quads(ontology_files, ns.ONTOLOGY_GRAPH)),
        ns.VOCAB_GRAPH: _with_hash(
            ns.VOCAB_GRAPH, _turtle_quads(list((ONTOLOGY_DIR / "vocab").glob("*.ttl")), ns.VOCAB_GRAPH)
        ),
        ref_graph: _with_hash(ref_graph, reference),
    }
