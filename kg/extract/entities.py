"""Countries, regions, organisations and places: gazetteer matches resolved in context.

Rules (each mention records the one that fired):

- ``country-name`` / ``country-demonym``: a country by name, alias or demonym. Traps:
  "New Mexico" (preceded by *New*), "Panama hats", "Central American" (a demonym after
  *Central/North/South/Latin*), languages ("in Spanish"), "Georgia" without Georgian context,
  person names ("Michael Jordan", "Chad Smith"), "Dominican" (DOM unless Dominica is in play).
- ``region-name``: a named grouping or M49 region; groupings put their members in scope.
- ``org-name`` / ``org-acronym``: the registry; ``org-definition``: "Full Name (ACR)";
  ``org-defined-acronym``: later bare uses; ``org-head-noun``: Ministry of …, … University,
  … Committee, … Council, Government of X …; ``org-distributive``: "Councils of A, B and C".
- ``place-name``: a city or town whose country is in play, written "Place, Country",
  a dateline, or a large city (over a million people) named unambiguously.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from kg.extract.gazetteer import Candidate, Match, default_gazetteer, strip_accents
from kg.extract.matcher import SpanIndex, is_word, word_alternation
from kg.extract.model import Mention, NewEntity
from kg.geonames import places as geonames_places
from kg.namespaces import slugify
from kg.reference import load

__all__ = ["Entities", "find_entities"]

_NOT_COUNTRY_BEFORE = re.compile(r"(?:\bNew|\bNueva|\bNuevo)\s$")
_NOT_COUNTRY_AFTER = re.compile(r"^\s?(?:hats?\b|City\b|Canal\b|Papers\b|dollars?\b|\$)")
_DEMONYM_QUALIFIED = re.compile(r"(?:\bCentral|\bNorth|\bSouth|\bLatin|\bMeso|\bPan|\bIbero)[\s-]$")
_LANGUAGE_BEFORE = re.compile(r"(?:\bin|\bspeak|\bspeaks|\bspoken|\bspeaking|\binto|\bfrom)\s$", re.I)
_LANGUAGE_AFTER = re.compile(r"^(?:-speaking|\s+(?:language|version|translation|subtitles|speakers))")
_CURRENCY_AFTER = re.compile(r"^\s(?:dollars?|pesos?|d[oó]lares)\b")
_LANGUAGES_ES = frozenset(
    ("español", "francés", "portugués", "alemán", "italiano", "ruso", "chino", "japonés", "neerlandés", "árabe")
)
_LANGUAGE_BEFORE_ES = re.compile(r"(?:\ben|\bal|\bdel|\bidioma|\blengua|\bhabla|\bhablan|\bhablar)\s$", re.I)
_PERSON_NAMES = {"Jordan", "Chad", "Israel", "Georgia", "Kenya", "India", "Jamaica", "Chile"}
_GEORGIA_CONTEXT = re.compile(r"\b(?:Tbilisi|Georgian|Caucasus|Abkhazia|Ossetia|Republic of Georgia)\b")
_DOMINICA = re.compile(r"\bDominica\b(?!n)")

_UPPER = "[A-ZÁÉÍÓÚÑ]"
_CAP = rf"{_UPPER}[\w’'&-]*"
_CONNECT = r"(?:of|for|on|and|the|in|de|del|la|las|los|el|y|para|en|to|a|al|contra|sobre|por)"
_MORE_CAPS = rf"(?:[ ](?:{_CONNECT}[ ])*{_CAP})*"
_PHRASE = rf"{_CAP}{_MORE_CAPS}"
_DEFINITION = re.compile(rf"(?P<name>{_PHRASE})\s+\((?P<acr>[A-Z][A-Za-z0-9&.]{{1,11}})\)")
_DEFINITION_REACH = 14  # a definition ends at most this far after its "(": "(" + 12-character acronym + ")"
# Characters no capitalised phrase (nor a definition) runs across, so the regexes need not read
# past one; the commonest two are enough to look back for.
_BREAK = re.compile(r'[.,;:()"!?]')
_COMMON_BREAKS = ".,"
_HEADS = (
    "Ministry|Ministerio|Secretariat|Secretaría|Department|University|Universidad|Institute|Instituto|"
    "Committee|Comité|Council|Consejo|Commission|Comisión|Agency|Agencia|Office|Directorate|Dirección|"
    "Foundation|Fundación|Association|Asociación|Network|Red|Bureau|Authority|Autoridad|Service|Servicio|"
    "Organization|Organisation|Organización|Federation|Programme|Center|Centre|Centro|Observatory|Court|"
    "Parliament|Congress|Congreso|Assembly|Police|Policía|Embassy|Embajada|Consulate|Consulado|Chamber|Cámara|"
    "Bank|Banco|Union|Guard|Guardia|Process|Proceso|Superintendence|Superintendencia|Defensoría|Cancillería|Gendarmería|"
    "Prefectura|Cross|Crescent|Roja|Academy|Academia|Unit|Unidad|Ombudsman"
)
# \b(?P<name>{_PHRASE}), with the \b after the first capital ((?<!\w.)) so that the regex engine
# can jump from one capital to the next.
_HEAD_PHRASE = re.compile(rf"(?P<name>{_UPPER}(?<!\w.)[\w’'&-]*{_MORE_CAPS})")
_HEAD_WORD = re.compile(rf"\b(?:{_HEADS})\b")
# _HEAD_WORD without its first \b (see _head_starts), as a trie the regex engine can jump through
_HEAD_AT = re.compile(word_alternation(_HEADS.split("|")) + r"\b")
_AND = re.compile(r" (?:and|y) ")
_GOVERNMENT = re.compile(r"\b(?:the )?Government of (?P<country>[A-Z][\w ]+?)(?=[,.;)]|\s+(?:and|to|in|on)\b|$)")
_DISTRIBUTIVE = re.compile(
    rf"(?P<head>(?:{_CAP} )+)(?P<plural>Councils|Committees|Ministries|Institutes|Offices|Governments)"
    rf" of (?P<list>[^.;:]+?(?:,? and|,? y) {_CAP}(?: {_CAP})*)"
)
_SINGULAR = {
    "Councils": "Council",
    "Committees": "Committee",
    "Ministries": "Ministry",
    "Institutes": "Institute",
    "Offices": "Office",
    "Governments": "Government",
}
_PREVIOUS_NAME = re.compile(r"([A-Z][a-z]+)\s$")
_NEXT_NAME = re.compile(r"^\s([A-Z][a-z]+)")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)$")
_DATELINE = re.compile(
    r"^(?:[A-Z][\w ,.-]*?\d{4}\.\s+)?(?P<place>[A-ZÁÉÍÓÚ][^.\n–—-]{1,40}?)(?:\s[-–—]\s|\.\s|,\s[A-Z\d])"
)
_CAPITAL_AFTER = re.compile(r"^ [A-Z]")
_NAME_BEFORE = re.compile(r"[A-Z][\w’'-]* $")
_COUNTRY_AFTER = re.compile(r"^\s*[,(]\s*(?P<c>[A-Z]\w*(?:\s(?:and\s|y\s|de\s|del\s|the\s)?[A-Z]\w*){0,3})")
_LEADING = re.compile(
    r"^(?:(?:[Tt]he|El|La|Los|Las|el|la|los|las|A|An|This|These|Its|Their|Both|of the|of|de la|del|de|a la|al|a)\s+"
    r"|(?:Staff|Officials|Officers|Personnel|Representatives?|Members?|Delegates?|Delegations?|Experts?|Heads?"
    r"|Directors?(?:-General)?|Director General|Chief|Ministers?|Secretary|Coordinators?|Teams?|Funcionarios"
    r"|Representantes|Personal|Equipos?|Director[a]?) (?:of|from|at|de|del) (?:the |la |el |los |las )?)+"
)
# A head noun followed by one of these is a job title ("Programme Officer Jane Roe"), not a body.
_JOB_AFTER_HEAD = re.compile(
    r"\s(?:Officers?|Coordinators?|Managers?|Specialists?|Assistants?|Advisers?|Advisors?|Analysts?|Associates?"
    r"|Consultants?|Heads?|Chiefs?|Leads?|Directors?|Oficial|Coordinador[a]?|Especialista|Asistente)\b"
)
# What a name is about when its head (English: the last word before "of", "for", "in", …; Spanish: the
# first word) is one of these: programmes, plans, tools, platforms, clusters, funds and facilities
# are not organisations (docs/extraction.md).
_NOT_ORG_HEADS = frozenset(
    [
        "Programme",
        "Programmes",
        "Program",
        "Programs",
        "Programa",
        "Plan",
        "Plans",
        "Project",
        "Projects",
        "Proyecto",
        "Initiative",
        "Iniciativa",
        "Strategy",
        "Estrategia",
        "Platform",
        "Plataforma",
        "Cluster",
        "Matrix",
        "Matriz",
        "Tool",
        "Tools",
        "System",
        "Systems",
        "Sistema",
        "Hub",
        "Hubs",
        "Shelter",
        "Shelters",
        "Albergue",
        "Fund",
        "Fondo",
        "Framework",
        "Indicators",
        "Campaign",
        "Campaña",
        "Mechanism",
        "Facility",
        "Facilities",
        "Route",
        "Roadmap",
        "Agenda",
        "Compact",
        "Pacto",
        "Response",
        "Respuesta",
        "Survey",
        "Encuesta",
        "Report",
        "Informe",
        "Policy",
        "Política",
        "Law",
        "Ley",
        "Protocol",
        "Protocolo",
        "Portal",
        "Database",
        "Dashboard",
        "Toolkit",
        "Guide",
        "Manual",
        "Diploma",
        "Indicadores",
        "Gestión",
    ]
)
# Centres are facilities (attention, reception, transit centres) unless the name says research.
# Coordination platforms and their groups are no organisations: "Interagency Group on Mixed Migration Flows".
_COORDINATION = re.compile(r"\b(?:Inter-?[Aa]gency|Interagencial|Working Group|Grupo de Trabajo)\b")
_CENTRE_HEADS = frozenset(("Centre", "Center", "Centro", "Centres", "Centers", "Centros"))
_RESEARCH = re.compile(r"\b(?:Studies|Research|Estudios|Investigaci[oó]n|Investigaciones|Law|Derecho|Documentation)\b")
_CONNECTORS = frozenset(("of", "for", "in", "on", "to", "and", "the", "at", "against", "de", "del", "para"))
_SPANISH_FIRST = frozenset(("Fondo", "Programa", "Plan", "Proyecto", "Iniciativa", "Estrategia", "Plataforma",
                            "Matriz", "Sistema", "Albergue", "Centro", "Centros", "Red", "Mesa", "Campaña", "Pacto",
                            "Protocolo", "Ley", "Política", "Encuesta", "Informe", "Diplomado", "Indicadores",
                            "Gestión"))  # fmt: skip
_POSSESSIVE = re.compile(r"^(?P<country>[A-Z][\w .-]*?)['’]s\s+")
_LEADING_COUNTRY = re.compile(r"^(?P<country>UK|US|U\.S\.|USA|EU)\s+")
_COUNTRY_AND = re.compile(r"^(?P<country>[A-Z][\w ]*?),? (?:y|and)(?: el| la| los| las| the)? ")
# what separates names in a list: ", ", "and (of) the", "y (de) la", "y del"
_SEPARATOR = r"(?:,? and(?: of)?(?: the)?|,? y(?: de)?(?: la| el| los| las)?|,? y del|,)"
_LIST_END = re.compile(rf"{_SEPARATOR} $")
_LIST_START = re.compile(rf"{_SEPARATOR} ")  # used with .match(text, pos): no "^", which would only match at 0
# "IOM and the National Statistics Institute (NSI)": the acronym defines the name after the list word
_DEFINED_AFTER = re.compile(r" (?:and the|y el|y la|y los|y las) ")
# where a body acted, after its name: "the Border Police in Tacna", "la Policía Federal en Pacaraima"
_WHERE_AFTER = re.compile(r" (?:in|en) (?:the |el |la )?(?P<where>[A-ZÁÉÍÓÚÑ][\w’'-]*(?: (?:de |del )?[A-ZÁÉÍÓÚÑ][\w’'-]*)*)$")
_MISSIONS = re.compile(r"\b(?:Embassy|Embajada|Consulate|Consulado|Mission|Misión)\b")  # named with their seat
_COMMA_NAME = re.compile(
    rf"(?:, {_CAP}(?: (?:of|for|and|the|de|y) {_CAP}| {_CAP})*)*"
    rf",? (?:and|y) {_CAP}(?: (?:of|for|the|de) {_CAP}| {_CAP})*(?![\w’'-]| [A-Z])"
)
_IN_COUNTRY = re.compile(r"\b(?:in|en) (?:the |el |la )?(?P<c>[A-Z][\w ]+)$")
_STOP_ACRONYMS = {"COVID", "UN", "US", "USA", "UK", "EU", "ID", "TV", "PDF"}


@dataclass
class Entities:
    mentions: list[Mention] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)  # named in the text
    scope: list[str] = field(default_factory=list)  # the item is about
    regions: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    place_country: dict[str, str] = field(default_factory=dict)
    new: dict[str, NewEntity] = field(default_factory=dict)
    dateline_place: str | None = None
    # countries named inside organisation names ("Embassy of Canada in Honduras"): mentioned, with
    # evidence, but kept apart from ``mentions`` so that the event rules do not read them as taking part
    in_names: list[Mention] = field(default_factory=list)


def _not_country_before(before: str) -> bool:
    """``_NOT_COUNTRY_BEFORE.search(before)``, not run when neither "New" nor "Nuev" occurs."""
    return ("New" in before or "Nuev" in before) and _NOT_COUNTRY_BEFORE.search(before) is not None


def _country_ok(text: str, m: Match, iso3: str) -> bool:
    before, after = text[max(0, m.start - 12) : m.start], text[m.end : m.end + 12]
    if _not_country_before(before) or _NOT_COUNTRY_AFTER.match(after):  # (the regex starts with ^)
        return False
    if m.text == "Georgia" and not _GEORGIA_CONTEXT.search(text):
        return False
    if m.text in _PERSON_NAMES:
        prev = _PREVIOUS_NAME.search(before)
        if prev and not _SENTENCE_START.search(text[: m.start]):
            return False
        if m.text in {"Chad", "Jordan"} and _NEXT_NAME.match(after):
            return False
    return True


def _demonym_ok(text: str, m: Match) -> bool:
    before, after = text[max(0, m.start - 12) : m.start], text[m.end : m.end + 14]
    if m.text.lower() in _LANGUAGES_ES and (_LANGUAGE_BEFORE_ES.search(before) or after.startswith("hablante")):
        return False  # "en español", "traducido al francés"
    if _CURRENCY_AFTER.match(after):
        return False  # "Canadian dollars": money, not a country
    return not (_DEMONYM_QUALIFIED.search(before) or _LANGUAGE_BEFORE.search(before) or _LANGUAGE_AFTER.match(after))


def _dateline(text: str, title_len: int) -> tuple[int, int]:
    """Span of the summary's dateline ("Port of Spain - ", "Mexico City. ", "May 9-10, 2019. Willemstad,")."""
    start = title_len + 2 if title_len else 0
    m = _DATELINE.match(text[start : start + 80])
    if not m:
        return (0, 0)
    return (start + m.start("place"), start + m.end("place"))


def find_entities(text: str, title_len: int = 0) -> Entities:
    """Resolve the gazetteer matches of ``text`` (an item's title + summary + body)."""
    refs = load()
    gaz = default_gazetteer()
    out = Entities()
    matches, inner = gaz.matches_and_inner(text, ("country", "demonym"))
    dominica = "Dominica" in text and bool(_DOMINICA.search(text))
    dateline = _dateline(text, title_len)
    org_spans: list[tuple[int, int]] = []

    def add(kind: str, ref: str, m: Match | tuple[int, int, str], rule: str) -> None:
        # a Match starts with the same three fields: start, end, surface text
        out.mentions.append(Mention(kind, ref, m[0], m[1], m[2], rule))

    # -- organisations found by pattern, before names that may sit inside them --
    defined: dict[str, str] = {}
    not_orgs: set[str] = set()
    new_acronyms: dict[str, str] = {}
    at_span: dict[tuple[int, int], list[Match]] = {}
    for gm in matches:
        at_span.setdefault((gm.start, gm.end), []).append(gm)
    org_starts = [(gm.start, gm.end) for gm in matches if "org" in gm.first]
    org_matches = SpanIndex(org_starts)
    for dm in _definitions(text):
        name = _LEADING.sub("", dm.group("name"))
        listed = [m.end() for m in _DEFINED_AFTER.finditer(name)]
        if listed and _HEAD_WORD.search(name, listed[-1]):
            name = name[listed[-1] :]  # "la OIM y el Instituto Nacional de Estadística (INE)": the Instituto
        acr = dm.group("acr").rstrip(".")
        start = dm.start("name") + (len(dm.group("name")) - len(name))
        end = dm.end("name")
        registry = next(
            (c.ref for m in at_span.get((start, end), ()) for c in m.candidates if c.kind == "org"),
            None,
        )
        if registry is None and not _names_a_body(name) and len(name.split()) > 1:
            not_orgs.add(acr)  # "Indicadores de Gobernanza de la Migración (IGM)": not the IGM of the registry
            continue
        registry = registry or next((c.ref for c in gaz.forms.get(acr, []) if c.kind == "org"), None)
        if registry is None:
            if len(name.split()) < 2 or acr in _STOP_ACRONYMS or not _names_a_body(name):
                continue
            slug = _slug(name)
            out.new.setdefault(slug, NewEntity("org", slug, name, acronym=acr))
            registry = slug
            add("org", slug, (start, end, name), "org-definition")
            out.orgs.append(slug)
            org_spans.append((start, end))
            new_acronyms[acr] = slug
        defined[acr] = registry
    for acr, slug in new_acronyms.items():
        for am in re.finditer(rf"(?<![\w(]){re.escape(acr)}(?![\w)])", text):
            add("org", slug, (am.start(), am.end(), acr), "org-defined-acronym")
            org_spans.append((am.start(), am.end()))
    plural = any(word in text for word in _SINGULAR)
    for dist in _DISTRIBUTIVE.finditer(text) if plural else ():
        head = _LEADING.sub("", dist.group("head"))
        singular = _SINGULAR[dist.group("plural")]
        for cm in matches:
            if cm.start >= dist.start("list") and cm.end <= dist.end("list"):
                iso = next((c.ref for c in cm.candidates if c.kind == "country"), None)
                if iso is None:
                    continue
                label = f"{head}{singular} of {cm.text}"
                known = next((c.ref for c in gaz.forms.get(label, []) if c.kind == "org"), None)
                slug = known or _slug(label)
                if not known:
                    out.new.setdefault(slug, NewEntity("org", slug, label, country=iso))
                add(
                    "org",
                    slug,
                    (dist.start(), cm.end, text[dist.start() : cm.end]),  # "… Councils of Aruba, Curaçao"
                    "org-distributive",
                )
                out.orgs.append(slug)
        org_spans.append((dist.start(), dist.end("plural")))
    found_orgs = SpanIndex(org_spans)
    head_reach = -1  # head phrases come in text order: one overlaps an earlier one if it starts before this
    for phrase_start, name in _head_phrases(text):
        trimmed = _LEADING.sub("", name)
        start = phrase_start + len(name) - len(trimmed)
        end = phrase_start + len(name)
        owner = None
        possessive = _POSSESSIVE.match(trimmed)
        if possessive:  # "Honduras's National Migration Institute": the Institute, of Honduras
            owner = _country_of(possessive.group("country"))
            if owner:
                start += possessive.end()
                trimmed = _LEADING.sub("", trimmed[possessive.end() :])
                start = end - len(trimmed)
        else:
            lead = _LEADING_COUNTRY.match(trimmed)  # "the UK Home Office": the Home Office, of the UK
            if lead and (owner := _country_of(lead.group("country"))) and len(trimmed.split()) > 2:
                trimmed = trimmed[lead.end() :]
                start = end - len(trimmed)
            listed = _COUNTRY_AND.match(trimmed)  # "Argentina y el Ministerio de la Mujer": the Ministry
            if listed and _country_of(listed.group("country")):
                trimmed = trimmed[listed.end() :]
                start = end - len(trimmed)
        if org_matches.overlaps(start, end):
            # "the General Directorate of Migration and IOM", "la OIM y la Universidad Andina": the
            # name is the part of the phrase beside the known one
            piece = _beside_known(text, start, end, org_starts)
            if piece is None or org_matches.overlaps(*piece):
                continue  # the registry knows it, or it joins several known names
            start, end = piece
            trimmed = text[start:end]
        elif _joins_name(text, end, matches, org_matches):
            # "Ministry of Labour, Employment and Social Security": one name across its commas
            end = _COMMA_NAME.match(text, end).end()  # type: ignore[union-attr]
            trimmed = text[start:end]
        where = _WHERE_AFTER.search(trimmed) if " " in trimmed and not _MISSIONS.search(trimmed) else None
        if where and _is_place_or_country(where.group("where")):
            owner = owner or _country_of(where.group("where"))
            end = start + where.start()  # "la Policía Federal en Pacaraima": the Policía Federal
            trimmed = trimmed[: where.start()]
        if len(trimmed.split()) < 2 or found_orgs.overlaps(start, end) or head_reach > start:
            continue
        if _GOVERNMENT.match(trimmed) or not _names_a_body(trimmed) or _person_title(trimmed):
            continue  # the Government of X is X; programmes, facilities and job titles are no bodies
        country = owner or _country_in_name(trimmed)
        slug = _slug(f"{trimmed} of {refs.countries[owner].name_en}" if owner else trimmed)
        out.new.setdefault(slug, NewEntity("org", slug, trimmed, country=country))
        add("org", slug, (start, end, trimmed), "org-head-noun")
        out.orgs.append(slug)
        org_spans.append((start, end))
        head_reach = max(head_reach, end)

    # -- gazetteer matches --
    place_matches: list[tuple[Match, list[Candidate]]] = []
    found_orgs = SpanIndex(org_spans)
    in_names: list[Match] = []  # country names and demonyms inside organisation names
    for m in matches:
        if org_spans and found_orgs.overlaps(m.start, m.end):
            if found_orgs.encloses(m.start, m.end):
                in_names.append(m)
            continue
        first = m.first
        if "org" in first and m.text not in not_orgs:
            c = first["org"]
            add("org", c.ref, m, c.rule)
            out.orgs.append(c.ref)
            in_names += [im for im in inner if m.start <= im.start and im.end <= m.end]
            continue
        if m.text in defined:
            add("org", defined[m.text], m, "org-defined-acronym")
            out.orgs.append(defined[m.text])
            continue
        if "country" in first:
            c = first["country"]
            if _country_ok(text, m, c.ref):
                add("country", c.ref, m, c.rule)
                out.countries.append(c.ref)
                continue
            if "place" not in first:
                continue
        if "region" in first:
            c = first["region"]
            add("region", c.ref, m, c.rule)
            out.regions.append(c.ref)
            continue
        if "demonym" in first:
            c = first["demonym"]
            if _demonym_ok(text, m):
                iso3 = c.ref
                if m.text.startswith("Dominican") and c.ref in ("DOM", "DMA"):
                    iso3 = "DMA" if dominica else "DOM"
                add("country", iso3, m, "country-demonym")
                out.countries.append(iso3)
            continue
        if "place" in first:
            place_matches.append((m, [c for c in m.candidates if c.kind == "place"]))

    # -- countries inside organisation names and job titles ("the Embassy of Canada in Honduras") --
    if org_spans:
        in_names += [im for im in inner if found_orgs.encloses(im.start, im.end)]
    for m in in_names:
        named = _named_country(text, m, dominica)
        if named:
            out.in_names.append(Mention("country", named, m.start, m.end, m.text, "country-in-name"))
            out.countries.append(named)

    # -- places, resolved by the countries in play --
    in_play = set(out.countries)
    for m, places in place_matches:
        after = text[m.end : m.end + 40]
        if _CAPITAL_AFTER.match(after) or _NAME_BEFORE.search(text[max(0, m.start - 20) : m.start]):
            continue  # part of a longer proper name the gazetteer does not know
        if m.text in _CALENDAR or _NUMBER_AFTER.match(after):
            continue  # "in March 2019", "May 3": a date
        before = text[max(0, m.start - 60) : m.start]
        if _ADMIN_AFTER.match(after) or _ADMIN_BEFORE.search(before) or _OF_NAME.search(before):
            continue  # "the provinces of Salta and Jujuy", "Ha Tinh province", "the Gulf of Aden"
        if _OF_AFTER.match(after):
            continue  # "Horn of Africa"
        in_dateline = dateline[0] <= m.start and m.end <= dateline[1] + 1
        if (
            " " not in m.text
            and not in_dateline
            and _SENTENCE_START.search(text[max(0, m.start - 3) : m.start])
            and not _COUNTRY_AFTER.match(after)
        ):
            continue  # a sentence's first word is capitalised whatever it is: "Mobile teams …"
        follow = _COUNTRY_AFTER.match(after)
        named_country = None
        if follow:
            named_country = next(
                (
                    c.ref
                    for word in _prefixes(follow.group("c"))
                    for c in default_gazetteer().forms.get(word, [])
                    if c.kind == "country"
                ),
                None,
            )

        chosen: Candidate | None = None
        rule = "place-name"
        if named_country:
            chosen = max((c for c in places if _place_country(c.ref) == named_country), key=_WEIGHT, default=None)
            rule = "place-with-country"
        if chosen is None:
            chosen = max((c for c in places if _place_country(c.ref) in in_play), key=_WEIGHT, default=None)
            rule = "place-in-country-context" if chosen else rule
        if chosen is None and in_dateline:
            chosen = max(places, key=_WEIGHT)
            rule = "place-dateline"
        if chosen is None and len(places) == 1 and places[0].weight >= 1_000_000:
            chosen = places[0]
            rule = "place-large-city"
        if chosen is None and (town := _town_in_play(m.text, in_play)):
            # "Orán" (Argentina) in an item about Argentina, not Oran (Algeria)
            _add_place(out, refs, town[0], town[1], m, "town-in-context", in_dateline)
            continue
        if (
            chosen is None
            and len(places) == 1
            and places[0].weight >= SMALL_PLACE
            and _PREPOSITION_BEFORE.search(text[max(0, m.start - 8) : m.start])
            and m.text not in small_towns()
        ):
            chosen = places[0]  # "talks continued in Tegucigalpa": a city, and the only place of that name
            rule = "place-after-preposition"
        if chosen is None:
            continue
        place_iso3 = _place_country(chosen.ref)
        _add_place(out, refs, chosen.ref, place_iso3, m, rule, in_dateline)

    # -- a dateline in capitals ("BOGOTÁ –"), or one that names a city after its country ("Djibouti –") --
    if dateline[1] > dateline[0] and out.dateline_place is None:
        written = text[dateline[0] : dateline[1]]
        form = written.title() if written.isupper() else written
        places = [c for c in gaz.forms.get(form, ()) if c.kind == "place"]
        if places:
            chosen = max(places, key=_WEIGHT)
            _add_place(out, refs, chosen.ref, _place_country(chosen.ref), (*dateline, written), "place-dateline", True)

    # -- towns (under SMALL_PLACE people): only in a place's context --
    _find_towns(text, out, refs, in_play, dateline)

    # -- scope: named countries and the countries of places; a region is itself, not its members --
    scope = list(out.countries) + list(out.place_country.values())
    out.countries = sorted(set(out.countries))
    out.scope = sorted(set(scope))
    out.regions = sorted(set(out.regions))
    out.orgs = sorted(set(out.orgs))
    out.places = sorted(set(out.places))
    out.mentions.sort(key=attrgetter("start", "end"))
    return out


def _beside_known(text: str, start: int, end: int, known: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The span of a phrase before or after the known names inside it, when "and", "y" or a comma
    separates them and it holds a head noun."""
    inside = [(a, b) for a, b in known if start <= a and b <= end]
    if not inside:
        return None
    first, last = inside[0][0], inside[-1][1]
    sep = _LIST_END.search(text, start, first) if first > start else None
    if sep and _HEAD_WORD.search(text, start, sep.start()):
        return (start, sep.start())
    sep = _LIST_START.match(text, last, end) if last < end else None
    if sep and _HEAD_WORD.search(text, sep.end(), end):
        return (sep.end(), end)
    return None


def _joins_name(text: str, end: int, matches: list[Match], org_matches: SpanIndex) -> bool:
    """Whether ", A and B" after a name (no body, country or head noun in it) continues the name."""
    more = _COMMA_NAME.match(text, end)
    if more is None:
        return False
    # "…, Seguridad Social y Migraciones de España": the name's own "of COUNTRY" may end it
    title = more.end() - len(more.group(0)) + max(more.group(0).rfind(" de "), more.group(0).rfind(" of "))
    return (
        not org_matches.overlaps(end, more.end())
        and not _HEAD_WORD.search(more.group(0))
        and not any(
            "country" in gm.first
            for gm in matches
            if end <= gm.start < more.end() and not (gm.start > title >= end and gm.end == more.end())
        )
    )


def _head_of(name: str) -> str:
    """The head noun of a name: in Spanish its first word ("Fondo Central para …"), in English the
    last capitalised word before the first connector ("Migrant Reception Centre in Rivera")."""
    words = name.split()
    if words[0] in _SPANISH_FIRST:
        return words[0]
    head = words[0]
    for word in words[1:]:
        if word in _CONNECTORS:
            break
        head = word
    return head


def _names_a_body(name: str) -> bool:
    """Whether a capitalised name is an organisation's rather than a programme's, plan's, tool's,
    platform's, cluster's, fund's or facility's (docs/extraction.md)."""
    head = _head_of(name)
    if head in _NOT_ORG_HEADS or _COORDINATION.search(name):
        return False
    return head not in _CENTRE_HEADS or _RESEARCH.search(name) is not None


def _person_title(name: str) -> bool:
    """Whether a head noun in the name is followed by a job title ("Programme Officer Ana Ruiz")."""
    return any(_JOB_AFTER_HEAD.match(name, m.end()) for m in _HEAD_WORD.finditer(name))


def _is_place_or_country(name: str) -> bool:
    """Whether ``name`` is a country, a place of the gazetteer or a town."""
    return any(c.kind in ("country", "place") for c in default_gazetteer().forms.get(name, ())) or name in small_towns()


def _country_of(name: str) -> str | None:
    """ISO3 of a country name or alias (or None)."""
    return next((c.ref for c in default_gazetteer().forms.get(name, []) if c.kind == "country"), None)


def _country_in_name(name: str) -> str | None:
    """The country an organisation's name ties it to: where it is ("Embassy of Japan in Peru" is
    in Peru), else the first country or demonym it names ("Ministry of Health of Chile")."""
    where = _IN_COUNTRY.search(name)
    if where:
        for prefix in _prefixes(where.group("c")):
            if iso3 := _country_of(prefix):
                return iso3
    for m in default_gazetteer().matches_and_inner(name, ("country", "demonym"))[1] + default_gazetteer().matches(name):
        for kind in ("country", "demonym"):
            if kind in m.first and (kind == "country" or m.text not in _AMERICAN):
                return m.first[kind].ref
    return None


_AMERICAN = frozenset(("American", "Americans"))


def _named_country(text: str, m: Match, dominica: bool) -> str | None:
    """The country a name or demonym inside an organisation's name stands for, if any."""
    if "country" in m.first:
        return m.first["country"].ref if _country_ok(text, m, m.first["country"].ref) else None
    if "demonym" in m.first and m.text not in _AMERICAN and _demonym_ok(text, m):
        iso3 = m.first["demonym"].ref
        if m.text.startswith("Dominican") and iso3 in ("DOM", "DMA"):
            iso3 = "DMA" if dominica else "DOM"
        return iso3
    return None


_WEIGHT = attrgetter("weight")
_slug = functools.lru_cache(maxsize=4096)(slugify)  # organisation names recur from item to item


@functools.cache
def _place_country(key: str) -> str | None:
    """ISO3 of the country a place (reference or GeoNames) lies in."""
    places = load().places
    if key in places:
        return places[key].country
    return _geonames_country(key)


def _add_place(
    out: Entities, refs: Any, key: str, iso3: str | None, m: Match | tuple[int, int, str], rule: str, dateline: bool
) -> None:
    out.mentions.append(Mention("place", key, m[0], m[1], m[2], rule))
    out.places.append(key)
    if iso3:
        out.place_country[key] = iso3
    if dateline:
        out.dateline_place = key
    if key not in refs.places:
        name = _geonames_city(key)["name"]
        # a place is named as written: "Ciudad de Panamá" (GeoNames: Panama City), but "Bogota" is Bogotá
        label = m[2] if strip_accents(m[2]) != strip_accents(name) else name
        out.new.setdefault(key, NewEntity("place", key, label, country=iso3, geonames_id=key))


_TOWN_WORD = r"[A-ZÁÉÍÓÚÑ][\w’'-]*"
# What comes before a town's name where news names places: a preposition, "and" / "y" or a comma in a
# list, a few verbs of movement, or "the town of" / "el municipio de".
_TOWN_BEFORE = frozenset(
    [
        "in",
        "at",
        "from",
        "to",
        "near",
        "via",
        "between",
        "through",
        "en",
        "desde",
        "hacia",
        "entre",
        "and",
        "y",
        "visited",
        "reached",
        "left",
    ]
)
_TOWN_LISTING = frozenset(("and", "y"))
_SETTLEMENTS = frozenset(
    [
        "city",
        "cities",
        "town",
        "towns",
        "village",
        "villages",
        "municipality",
        "municipalities",
        "community",
        "communities",
        "district",
        "ciudad",
        "ciudades",
        "municipio",
        "municipios",
        "comunidad",
        "comunidades",
        "localidad",
        "localidades",
        "pueblo",
        "distrito",
    ]
)


def _town_start_pattern() -> re.Pattern[str]:
    """One regex for where a town's name may start: a capital after a comma, after a word of
    ``_TOWN_BEFORE``, or after "<settlement> of|de" (a loop over every capital word in Python took
    15% of find_entities)."""
    words = "|".join(sorted(_TOWN_BEFORE, key=len, reverse=True))
    settlements = "|".join(sorted(_SETTLEMENTS, key=len, reverse=True))
    return re.compile(
        rf"(?:(?P<comma>,)|(?<![^ ])(?P<word>{words})|(?<![^ ])(?i:{settlements}) (?:of|de)) (?=[A-ZÁÉÍÓÚÑ])"
    )


_TOWN_START = _town_start_pattern()


def _town_starts(text: str) -> list[tuple[int, bool]]:
    """Where a town's name may start (a capital after a context word) and whether it continues a
    list ("and", "y", a comma)."""
    return [
        (m.end(), m.group("comma") is not None or m.group("word") in _TOWN_LISTING)
        for m in _TOWN_START.finditer(text)
    ]


_LIST_REACH = 6  # "Lethem, Mabaruma and Port Kaituma": a town right after a place continues the list


def _find_towns(text: str, out: Entities, refs: Any, in_play: set[str], dateline: tuple[int, int]) -> None:
    """Towns too small for the gazetteer, read where news names places: after a preposition, in a
    list of places, before ", Country" or in the dateline, and only in a country the item names
    (or the one written after it)."""
    spans = SpanIndex((mm.start, mm.end) for mm in out.mentions)
    starts = _town_starts(text)
    if dateline[1] > dateline[0] and not spans.overlaps(*dateline):
        starts.insert(0, (dateline[0], False))
    if not starts:
        return
    towns = small_towns()
    place_ends = [mm.end for mm in out.mentions if mm.kind == "place"]
    for start, listed in starts:
        if spans.holds(start):
            continue
        words = _TOWN_SPAN.match(text, start)
        if not words:
            continue
        for name in _prefixes(words.group(0)):
            found = towns.get(name)
            if not found or name in _CALENDAR:
                continue
            end = start + len(name)
            after = text[end : end + 40]
            if _NUMBER_AFTER.match(after) or _CAPITAL_AFTER.match(after):
                break
            if listed and not any(0 <= start - e <= _LIST_REACH for e in place_ends):
                break  # "Brazil and Hope": "and" continues a list of places only
            follow = _COUNTRY_AFTER.match(after)
            named = (
                next((iso for word in _prefixes(follow.group("c")) if (iso := _country_of(word))), None)
                if follow
                else None
            )
            in_dateline = (start, end) == (dateline[0], min(end, dateline[1]))
            pick = [t for t in found if t[1] == named] if named else [t for t in found if t[1] in in_play]
            if not pick and in_dateline:
                pick = list(found)
            if not pick:
                break
            key, iso3, _ = max(pick, key=lambda t: t[2])
            rule = (
                "town-with-country"
                if named
                else ("town-dateline" if in_dateline and iso3 not in in_play else "town-in-context")
            )
            _add_place(out, refs, key, iso3, (start, end, name), rule, in_dateline)
            place_ends.append(end)
            break


_TOWN_SPAN = re.compile(rf"{_TOWN_WORD}(?:\s(?:(?:de|del|do|da|dos|das|la|el|los|las)\s)?{_TOWN_WORD}){{0,3}}")
_PREPOSITION_BEFORE = re.compile(r"\b(?:in|at|from|to|near|en|desde|hacia)\s$")
_ADMIN = (
    r"(?:provinces?|departments?|states?|regions?|governorates?|districts?|counties|county|provincias?"
    r"|departamentos?|estados?|regi[oó]n|regiones)"
)
_ADMIN_AFTER = re.compile(rf"^\s{_ADMIN}\b")
_ADMIN_BEFORE = re.compile(
    rf"\b{_ADMIN} (?:of|de) (?:the |la |los )?(?:{_TOWN_WORD}(?: {_TOWN_WORD})*(?:, | and | y ))*$"
)
_OF_NAME = re.compile(
    r"\b(?:Gulf|Horn|Bay|Cape|Sea|Strait|Lake|River|Isle|Island|Islands|Golfo|Río|Lago) of (?:the )?$"
)
_OF_AFTER = re.compile(r"^ of [A-Z]")


def _town_in_play(name: str, in_play: set[str]) -> tuple[str, str] | None:
    """The largest town of that name in a country the item names."""
    found = [t for t in small_towns().get(name, ()) if t[1] in in_play]
    if not found:
        return None
    key, iso3, _ = max(found, key=lambda t: t[2])
    return key, iso3


_NUMBER_AFTER = re.compile(r"^\s?\d")
_CALENDAR = frozenset(
    (
        *("January", "February", "March", "April", "May", "June", "July", "August", "September", "October"),
        *("November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        *("Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto", "Septiembre", "Setiembre"),
        *("Octubre", "Noviembre", "Diciembre", "Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado"),
        "Domingo",
    )
)


@functools.cache
def small_towns() -> dict[str, tuple[tuple[str, str, int], ...]]:
    """Name -> (GeoNames id, ISO3, population) of the towns under ``SMALL_PLACE`` people
    (:mod:`kg.geonames`: down to 500 people), accents stripped as well."""
    iso2_to_3 = {c.iso2: c.iso3 for c in load().countries.values()}
    towns: dict[str, list[tuple[str, str, int]]] = {}
    for key, v in geonames_places().items():
        population = v.population
        if population >= SMALL_PLACE:
            continue
        iso3 = iso2_to_3.get(v.countrycode)
        if iso3 is None:
            continue
        name = v.name
        town = (key, iso3, population)
        found = towns.get(name)
        if found is None:
            towns[name] = [town]
        else:
            found.append(town)
        if not name.isascii() and (plain := strip_accents(name)) != name:
            towns.setdefault(plain, []).append(town)
    return {name: tuple(found) for name, found in towns.items()}


def _head_phrases(text: str) -> list[tuple[int, str]]:
    """Capitalised phrases holding an institutional head noun; "A Ministry and B University" are two."""
    found: list[tuple[int, str]] = []
    done = 0
    for head in _head_starts(text):
        if head < done:
            continue
        # no phrase runs across a break: read only the stretch between the breaks around the head noun
        start = max(done, 1 + _last_break(text, 0, head))
        next_break = _BREAK.search(text, head)
        done = next_break.start() if next_break else len(text)
        for hm in _HEAD_PHRASE.finditer(text, start, done):
            name = hm.group("name")
            if not _HEAD_WORD.search(name):
                continue
            if " and " not in name and " y " not in name:
                found.append((hm.start(), name))  # one part
                continue
            cuts = [0, *(x for m in _AND.finditer(name) for x in (m.start(), m.end())), len(name)]
            parts = [(cuts[i], name[cuts[i] : cuts[i + 1]]) for i in range(0, len(cuts), 2)]
            if sum(1 for _, p in parts if _HEAD_WORD.search(p)) >= 2:
                found += [(hm.start() + offset, p) for offset, p in parts if _HEAD_WORD.search(p)]
            else:
                found.append((hm.start(), name))
    return found


def _head_starts(text: str) -> list[int]:
    """Where ``_HEAD_WORD`` matches: ``_HEAD_AT`` matches that do not follow a word character."""
    return [m.start() for m in _HEAD_AT.finditer(text) if not m.start() or not is_word(text[m.start() - 1])]


def _last_break(text: str, start: int, end: int) -> int:
    """The offset of the last "." or "," in ``text[start:end]``, or -1."""
    return max(text.rfind(_COMMON_BREAKS[0], start, end), text.rfind(_COMMON_BREAKS[1], start, end))


def _definitions(text: str) -> Iterator[re.Match[str]]:
    """``_DEFINITION.finditer(text)``, reading only the stretch before each "(" back to a break."""
    pos = 0
    while (paren := text.find("(", pos)) >= 0:
        start = max(pos, 1 + _last_break(text, pos, paren))
        m = _DEFINITION.search(text, start, paren + _DEFINITION_REACH)
        if m is None:
            pos = paren + 1
            continue
        yield m
        pos = m.end()


def _prefixes(text: str) -> list[str]:
    words = text.split()
    return [" ".join(words[:n]) for n in range(len(words), 0, -1)]


_ISO2_TO_3: dict[str, str] = {}


#: Towns below this population are read only in a place's context (see ``_small_place_ok``).
SMALL_PLACE = 15_000


@functools.cache
def _cities() -> dict[str, dict[str, Any]]:
    """GeoNames cities of ``SMALL_PLACE`` people or more (:mod:`kg.geonames`), with the other
    Latin-script names of the larger ones; towns are looked up in context (:func:`small_towns`)."""
    return {
        key: {
            "geonameid": int(p.geonameid),
            "name": p.name,
            "countrycode": p.countrycode,
            "population": p.population,
            "aliases": p.aliases,
        }
        for key, p in geonames_places().items()
        if p.population >= SMALL_PLACE
    }


def _geonames_city(key: str) -> dict[str, Any]:
    place = geonames_places().get(key)
    if place is None:
        return {"name": key, "countrycode": ""}
    return {"name": place.name, "countrycode": place.countrycode}


def _geonames_country(key: str) -> str | None:
    if not _ISO2_TO_3:
        _ISO2_TO_3.update({c.iso2: c.iso3 for c in load().countries.values()})
    return _ISO2_TO_3.get(_geonames_city(key).get("countrycode", ""))
