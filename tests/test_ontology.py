"""The ontology, the SKOS vocabularies and the JSON-LD context are well-formed and agree with
each other, with the code and with the query library."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.namespaces import PREFIXES, SCHEMES

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY / "migkg.ttl"
SHAPES_FILE = ONTOLOGY / "shapes.ttl"
CONTEXT_FILE = ONTOLOGY / "context.jsonld"
VOCAB_FILES = sorted((ONTOLOGY / "vocab").glob("*.ttl"))
TURTLE_FILES = sorted(ONTOLOGY.glob("*.ttl")) + VOCAB_FILES

MK_IRI = "https://w3id.org/migkg/ont#"
MK = Namespace(MK_IRI)
SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("http://schema.org/")
GCM = Namespace(SCHEMES["gcm"])
THEME = Namespace(SCHEMES["theme"])
TERM_TYPES = {
    RDFS.Class,
    OWL.Class,
    RDF.Property,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    # the summaries' data cube structures (kg.summaries)
    URIRef("http://purl.org/linked-data/cube#DataStructureDefinition"),
    URIRef("http://purl.org/linked-data/cube#ComponentSpecification"),
}


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@cache
def parsed(path: Path) -> Graph:
    return Graph().parse(path)


@cache
def declared_terms() -> frozenset[str]:
    g = parsed(ONTOLOGY_FILE)
    return frozenset(
        str(s)[len(MK_IRI) :] for t in TERM_TYPES for s in g.subjects(RDF.type, t) if str(s).startswith(MK_IRI)
    )


def scheme_name(path: Path) -> str:
    return path.stem


# -- parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", TURTLE_FILES, ids=rel)
def test_turtle_parses_with_rdflib_and_pyoxigraph(path: Path) -> None:
    g = parsed(path)
    quads = list(pyoxigraph.parse(path=path, format=pyoxigraph.RdfFormat.TURTLE))
    assert len(g) > 0
    assert len(quads) == len(g)


def test_context_is_json_ld() -> None:
    context = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    assert context["@version"] == 1.1
    assert context["id"] == "@id" and context["type"] == "@type"


# -- schema.org is http -------------------------------------------------------------------


def test_no_https_schema_org_anywhere() -> None:
    offenders = [
        f"{rel(path)}:{n}"
        for folder in ("ontology", "queries", "kg")
        for path in sorted((ROOT / folder).rglob("*"))
        if path.is_file() and path.suffix in {".ttl", ".rq", ".py", ".jsonld", ".json", ".md"}
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "https://schema.org/" in line
    ]
    assert not offenders, f"https://schema.org/ (use http://schema.org/) in {offenders}"


# -- every mk: term used is declared ------------------------------------------------------

CURIE = re.compile(r"(?<![\w/#.-])mk:([A-Za-z_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)")
FULL_IRI = re.compile(re.escape(MK_IRI) + r"([A-Za-z_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)")
PY_ITEM = re.compile(r"""\bMK\[\s*["']([A-Za-z_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)["']\s*\]""")
PY_ATTR = re.compile(r"\bMK\.([A-Za-z_][A-Za-z0-9_]*)")


def term_usage_files() -> list[Path]:
    return [
        SHAPES_FILE,
        CONTEXT_FILE,
        *VOCAB_FILES,
        *sorted((ROOT / "queries").rglob("*.rq")),  # raw-event forms in queries/raw/ too
        *sorted((ROOT / "kg").rglob("*.py")),
        *sorted((ROOT / "tests" / "shapes").rglob("*.ttl")),
    ]


def used_terms(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    found = set(CURIE.findall(text)) | set(FULL_IRI.findall(text))
    if path.suffix == ".py":
        found |= set(PY_ITEM.findall(text)) | set(PY_ATTR.findall(text))
    return found


@pytest.mark.parametrize("path", term_usage_files(), ids=rel)
def test_mk_terms_used_are_declared(path: Path) -> None:
    undeclared = sorted(used_terms(path) - declared_terms())
    assert not undeclared, f"{rel(path)} uses mk: terms missing from migkg.ttl: {undeclared}"


def test_mk_terms_referenced_inside_the_ontology_are_declared() -> None:
    g = parsed(ONTOLOGY_FILE)
    referenced = {
        str(node)[len(MK_IRI) :]
        for triple in g
        for node in triple
        if isinstance(node, URIRef) and str(node).startswith(MK_IRI)
    }
    assert referenced - declared_terms() == set()


def test_every_declared_term_is_used() -> None:
    """A term nothing writes or reads misleads whoever reads the codebook (mk:sameEventAs was
    declared for issue 23, which links reports through mk:CanonicalEvent instead)."""
    used = set().union(*(used_terms(path) for path in term_usage_files() if path != CONTEXT_FILE))
    g = parsed(ONTOLOGY_FILE)
    used |= {str(o)[len(MK_IRI) :] for o in g.objects() if isinstance(o, URIRef) and str(o).startswith(MK_IRI)}
    assert declared_terms() - used == set()


# -- the ontology itself ------------------------------------------------------------------


def test_ontology_header() -> None:
    g = parsed(ONTOLOGY_FILE)
    ont = URIRef("https://w3id.org/migkg/ont")
    assert (ont, RDF.type, OWL.Ontology) in g
    assert str(g.value(ont, OWL.versionInfo)) == "0.1.0"
    assert g.value(ont, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert g.value(ont, URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")) == Literal("mk")
    for p in (DCTERMS.title, DCTERMS.description, DCTERMS.created, DCTERMS.modified):
        assert g.value(ont, p) is not None, p


def test_every_term_has_english_label_comment_and_is_defined_by() -> None:
    g = parsed(ONTOLOGY_FILE)
    ont = URIRef("https://w3id.org/migkg/ont")
    missing = []
    for name in sorted(declared_terms()):
        term = MK[name]
        for p in (RDFS.label, RDFS.comment):
            if not any(isinstance(o, Literal) and o.language == "en" for o in g.objects(term, p)):
                missing.append(f"mk:{name} {p.n3(g.namespace_manager)}@en")
        if g.value(term, RDFS.isDefinedBy) != ont:
            missing.append(f"mk:{name} rdfs:isDefinedBy")
    assert not missing, missing


def test_contract_terms_are_declared_and_aligned() -> None:
    """The classes of DESIGN.md and their alignment to the reused vocabularies."""
    g = parsed(ONTOLOGY_FILE)
    sem = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
    prov = Namespace("http://www.w3.org/ns/prov#")
    org = Namespace("http://www.w3.org/ns/org#")
    expected = {
        "NewsItem": {SCHEMA.NewsArticle, prov.Entity},
        "Event": {sem.Event, SCHEMA.Event},
        "Organization": {org.Organization, SCHEMA.Organization, sem.Actor},
        "Country": {SCHEMA.Country, sem.Place, sem.Actor},
        "Place": {SCHEMA.Place, sem.Place},
        "Participation": {sem.Role},
        "Statistic": {SCHEMA.Observation},
    }
    for name, supers in expected.items():
        assert set(g.objects(MK[name], RDFS.subClassOf)) == supers, name
    assert (MK.participantCountry, RDFS.subPropertyOf, sem.hasActor) in g
    assert (MK.locationCountry, RDFS.subPropertyOf, sem.hasPlace) in g
    assert (MK.role, RDFS.subPropertyOf, sem.roleType) in g
    assert (MK.m49Code, RDFS.subPropertyOf, SKOS.notation) in g


# -- no blank nodes -----------------------------------------------------------------------


@pytest.mark.parametrize("path", [p for p in TURTLE_FILES if p != SHAPES_FILE], ids=rel)
def test_no_blank_nodes_outside_shapes(path: Path) -> None:
    g = parsed(path)
    blanks = {node for triple in g for node in triple if isinstance(node, BNode) and (node, RDF.first, None) not in g}
    assert not blanks, f"{rel(path)} has {len(blanks)} blank nodes that are not RDF lists"


def test_named_shapes_have_a_name_and_a_message() -> None:
    g = parsed(SHAPES_FILE)
    shapes = {s for t in (SH.NodeShape, SH.PropertyShape) for s in g.subjects(RDF.type, t) if isinstance(s, URIRef)}
    assert shapes
    missing = [str(s) for s in sorted(shapes) if g.value(s, SH.name) is None or g.value(s, SH.message) is None]
    assert not missing, missing


# -- SKOS schemes -------------------------------------------------------------------------


def test_one_file_per_scheme() -> None:
    assert {scheme_name(p) for p in VOCAB_FILES} == set(SCHEMES)


@pytest.mark.parametrize("path", VOCAB_FILES, ids=scheme_name)
def test_scheme_is_well_formed(path: Path) -> None:
    g = parsed(path)
    ns = SCHEMES[scheme_name(path)]
    scheme = URIRef(ns + "scheme")
    assert set(g.subjects(RDF.type, SKOS.ConceptScheme)) == {scheme}
    assert {o.language for o in g.objects(scheme, SKOS.prefLabel)} >= {"en", "es"}

    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert concepts, "no concepts"
    problems = []
    for c in sorted(concepts):
        if not str(c).startswith(ns):
            problems.append(f"{c} is outside {ns}")
        if (c, SKOS.inScheme, scheme) not in g:
            problems.append(f"{c} not skos:inScheme {scheme}")
        if (c, SKOS.topConceptOf, scheme) not in g and not set(g.objects(c, SKOS.broader)) & concepts:
            problems.append(f"{c} is neither a top concept nor narrower than a concept of the scheme")
        if not any(o.language == "en" for o in g.objects(c, SKOS.definition)):
            problems.append(f"{c} has no @en definition")
    tops = set(g.subjects(SKOS.topConceptOf, scheme))
    if set(g.objects(scheme, SKOS.hasTopConcept)) != tops:
        problems.append("skos:hasTopConcept and skos:topConceptOf disagree")
    assert not problems, problems


@pytest.mark.parametrize("path", VOCAB_FILES, ids=scheme_name)
def test_concept_labels(path: Path) -> None:
    """prefLabel @en and @es, at most one per language; pref, alt and hidden labels disjoint."""
    g = parsed(path)
    problems = []
    for c in sorted(g.subjects(RDF.type, SKOS.Concept)):
        pref = [o.language for o in g.objects(c, SKOS.prefLabel)]
        if sorted(pref) != ["en", "es"]:
            problems.append(f"{c}: prefLabel languages {pref}, want exactly one @en and one @es")
        label_sets = [set(g.objects(c, p)) for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)]
        for i in range(3):
            for j in range(i + 1, 3):
                if label_sets[i] & label_sets[j]:
                    problems.append(f"{c}: labels in two roles: {label_sets[i] & label_sets[j]}")
    assert not problems, problems


def test_mapping_targets_in_our_namespaces_exist() -> None:
    concepts = {c for p in VOCAB_FILES for c in parsed(p).subjects(RDF.type, SKOS.Concept)}
    ours = tuple(SCHEMES.values())
    dangling = sorted(
        f"{s} -> {o}"
        for p in VOCAB_FILES
        for s, pred, o in parsed(p)
        if pred
        in (
            SKOS.exactMatch,
            SKOS.closeMatch,
            SKOS.broadMatch,
            SKOS.narrowMatch,
            SKOS.relatedMatch,
            SKOS.broader,
            SKOS.related,
        )
        and str(o).startswith(ours)
        and o not in concepts
    )
    assert not dangling, dangling


def test_gcm_objectives() -> None:
    g = parsed(ONTOLOGY / "vocab" / "gcm.ttl")
    objectives = [c for c in g.subjects(RDF.type, SKOS.Concept) if str(c).startswith(GCM["objective-"])]
    assert sorted(objectives) == sorted(GCM[f"objective-{n}"] for n in range(1, 24))
    for n in range(1, 24):
        c = GCM[f"objective-{n}"]
        assert list(g.objects(c, SKOS.notation)) == [Literal(str(n))], c
        assert len([o for o in g.objects(c, SKOS.prefLabel) if o.language == "en"]) == 1, c
        assert (c, SKOS.broader, GCM.compact) in g
    assert Literal("Strengthen the transnational response to smuggling of migrants", lang="en") in set(
        g.objects(GCM["objective-9"], SKOS.prefLabel)
    )
    assert (GCM.compact, SKOS.relatedMatch, URIRef("http://metadata.un.org/sdg/10.7")) in g


def test_every_theme_maps_to_a_gcm_objective_or_says_why_not() -> None:
    g = parsed(ONTOLOGY / "vocab" / "theme.ttl")
    themes = sorted(g.subjects(RDF.type, SKOS.Concept))
    assert len(themes) == 26
    unmapped = [
        t
        for t in themes
        if not any(
            str(o).startswith(GCM["objective-"])
            for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch)
            for o in g.objects(t, p)
        )
        and g.value(t, SKOS.scopeNote) is None
    ]
    assert not unmapped, unmapped


def test_date_precision_notations() -> None:
    g = parsed(ONTOLOGY / "vocab" / "date-precision.ttl")
    prec = Namespace(SCHEMES["date-precision"])
    assert {str(g.value(prec[n], SKOS.notation)) for n in ("day", "month", "year")} == {"day", "month", "year"}


def test_event_types_are_sem_event_types() -> None:
    g = parsed(ONTOLOGY / "vocab" / "event-type.ttl")
    sem_event_type = URIRef("http://semanticweb.cs.vu.nl/2009/11/sem/EventType")
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == 14  # the 13 of DESIGN.md and return (issue 17)
    assert concepts == set(g.subjects(RDF.type, sem_event_type))


# -- tagging keywords ---------------------------------------------------------------------

# Single words that fire on unrelated text; never a keyword on their own. ("survey" is a fair
# cue for a study event, but not for the migration-data theme.)
TOO_GENERIC = {
    "health",
    "salud",
    "violence",
    "violencia",
    "integration",
    "integración",
    "trafficking",
    "tráfico",
    "trata",
    "migration",
    "migración",
    "migrants",
    "course",
    "curso",
    "report",
    "mission",
    "presented",
    "acuerdo",
    "firma",
    "gira",
    "train",
    "assistance",
    "awareness",
}
TOO_GENERIC_FOR = {"theme": TOO_GENERIC | {"research", "survey", "data"}}


def keyword_index(scheme: str) -> list[tuple[re.Pattern[str], str]]:
    g = parsed(ONTOLOGY / "vocab" / f"{scheme}.ttl")
    return [
        (re.compile(r"(?<!\w)" + re.escape(str(label)) + r"(?!\w)", re.IGNORECASE), str(c).rsplit("/", 1)[1])
        for p in (SKOS.altLabel, SKOS.hiddenLabel)
        for c, label in g.subject_objects(p)
    ]


@pytest.mark.parametrize("scheme", ["theme", "event-type"])
def test_keywords_are_not_generic_single_words(scheme: str) -> None:
    g = parsed(ONTOLOGY / "vocab" / f"{scheme}.ttl")
    bad = sorted(
        str(label)
        for p in (SKOS.altLabel, SKOS.hiddenLabel)
        for label in g.objects(None, p)
        if str(label).lower() in TOO_GENERIC_FOR.get(scheme, TOO_GENERIC)
    )
    assert not bad, bad


def seed_items() -> list[tuple[str, str]]:
    """(title, title + summary) of each item of the seed listing."""
    text = (ROOT / "data" / "news" / "news-listing-2019.txt").read_text(encoding="utf-8")
    blocks = re.split(r"^\d{1,2} \w+, \d{4}\s*$", text, flags=re.MULTILINE)[1:]
    items = []
    for block in blocks:
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        items.append((lines[0], " ".join(lines)))
    return items


def seed_themes() -> dict[str, set[str]]:
    """Themes of each seed item, from the hand-written gold (data/gold/seed.jsonl)."""
    import json

    gold = ROOT / "data" / "gold" / "seed.jsonl"
    records = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["title"]: set(r["gold"]["themes"]) for r in records}


def test_theme_keywords_tag_the_seed_items() -> None:
    index = keyword_index("theme")
    items = seed_items()
    expected_by_title = seed_themes()
    assert len(items) == len(expected_by_title)
    for title, text in items:
        expected = expected_by_title[" ".join(title.split())]
        found = {theme for pattern, theme in index if pattern.search(text)}
        assert found == expected, title


def test_spanish_false_friends() -> None:
    index = keyword_index("theme")

    def tag(text: str) -> set[str]:
        return {theme for pattern, theme in index if pattern.search(text)}

    assert tag("el tráfico ilícito de migrantes") == {"smuggling"}
    assert tag("la trata de personas") == {"trafficking"}
    assert tag("se trata de un problema") == set()
    assert tag("drug trafficking routes") == set()


# -- JSON-LD context ----------------------------------------------------------------------


def test_context_prefixes_match_the_namespaces_module() -> None:
    context = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    for prefix, iri in PREFIXES.items():
        assert context.get(prefix) == str(iri), prefix


def test_context_object_properties_are_id_coerced() -> None:
    context = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    g = parsed(ONTOLOGY_FILE)
    for key, definition in context.items():
        iri = definition["@id"] if isinstance(definition, dict) else definition
        if not isinstance(iri, str) or not iri.startswith("mk:"):
            continue
        if (MK[iri[3:]], RDF.type, OWL.ObjectProperty) in g:
            assert isinstance(definition, dict) and definition.get("@type") == "@id", key


def test_context_round_trip() -> None:
    """A graph serialised as JSON-LD with the context parses back to the same graph."""
    context = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    g = Graph().parse(ROOT / "tests" / "shapes" / "sample-guatemala-training.ttl")
    g.parse(ROOT / "tests" / "shapes" / "sample-belize-statistic.ttl")
    g.parse(ROOT / "tests" / "shapes" / "country-ok.ttl")
    text = g.serialize(format="json-ld", context=context)
    document = json.loads(text)
    assert "@context" in document
    assert "https://w3id.org/migkg/ont#" not in json.dumps(document.get("graph", document))
    back = Graph().parse(data=text, format="json-ld")
    assert isomorphic(g, back)
    quads = list(pyoxigraph.parse(text, format=pyoxigraph.RdfFormat.JSON_LD))
    assert len(quads) == len(g)
