"""Organisations found by pattern: "Full Name (ACR)", "Councils of A, B and C", and capitalised
phrases around an institutional head noun ("Ministry of …", "… University", "Comisión …").

Rules (each mention records the one that fired): ``org-definition``: "Full Name (ACR)";
``org-defined-acronym``: later bare uses of a defined acronym; ``org-head-noun``: a phrase holding a
head noun (Ministry, Universidad, Committee, Council …); ``org-distributive``: "Councils of A, B and C".
What counts as an organisation and as its name is docs/extraction.md's: not programmes, plans,
tools, facilities or platforms, not "the Government of X", not the staff or the place around a name.
The registry's own names and acronyms are the gazetteer's (:mod:`kg.extract.gazetteer`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from kg.extract.gazetteer import AMERICAN, Match, country_of, default_gazetteer
from kg.extract.matcher import SpanIndex, word_alternation, word_starts_at
from kg.extract.model import Entities, NewEntity
from kg.extract.places import is_place_or_country, prefixes
from kg.namespaces import slugify
from kg.reference import load

__all__ = ["country_in_name", "find_orgs"]

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
_NOT_ORG_HEADS = frozenset((
    "Programme", "Programmes", "Program", "Programs", "Programa", "Plan", "Plans", "Project", "Projects", "Proyecto",
    "Initiative", "Iniciativa", "Strategy", "Estrategia", "Platform", "Plataforma", "Cluster", "Matrix", "Matriz",
    "Tool", "Tools", "System", "Systems", "Sistema", "Hub", "Hubs", "Shelter", "Shelters", "Albergue", "Fund",
    "Fondo", "Framework", "Indicators", "Campaign", "Campaña", "Mechanism", "Facility", "Facilities", "Route",
    "Roadmap", "Agenda", "Compact", "Pacto", "Response", "Respuesta", "Survey", "Encuesta", "Report", "Informe",
    "Policy", "Política", "Law", "Ley", "Protocol", "Protocolo", "Portal", "Database", "Dashboard", "Toolkit",
    "Guide", "Manual", "Diploma", "Indicadores", "Gestión",
))  # fmt: skip
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
_WHERE_AFTER = re.compile(
    r" (?:in|en) (?:the |el |la )?(?P<where>[A-ZÁÉÍÓÚÑ][\w’'-]*(?: (?:de |del )?[A-ZÁÉÍÓÚÑ][\w’'-]*)*)$"
)
_MISSIONS = re.compile(r"\b(?:Embassy|Embajada|Consulate|Consulado|Mission|Misión)\b")  # named with their seat
_COMMA_NAME = re.compile(
    rf"(?:, {_CAP}(?: (?:of|for|and|the|de|y) {_CAP}| {_CAP})*)*"
    rf",? (?:and|y) {_CAP}(?: (?:of|for|the|de) {_CAP}| {_CAP})*(?![\w’'-]| [A-Z])"
)
_IN_COUNTRY = re.compile(r"\b(?:in|en) (?:the |el |la )?(?P<c>[A-Z][\w ]+)$")
_STOP_ACRONYMS = {"COVID", "UN", "US", "USA", "UK", "EU", "ID", "TV", "PDF"}
_slug = functools.lru_cache(maxsize=4096)(slugify)  # organisation names recur from item to item


def find_orgs(text: str, matches: list[Match], out: Entities) -> tuple[list[tuple[int, int]], dict[str, str], set[str]]:
    """Add the organisations found by pattern to ``out``; return their spans, the acronyms defined
    in the text (acronym -> organisation) and the acronyms defined as something else than a body."""
    refs = load()
    gaz = default_gazetteer()
    org_spans: list[tuple[int, int]] = []

    # -- organisations found by pattern, before names that may sit inside them --
    defined: dict[str, str] = {}
    not_orgs: set[str] = set()
    new_acronyms: dict[str, str] = {}
    at_span: dict[tuple[int, int], list[Match]] = {}
    for gm in matches:
        at_span.setdefault((gm.start, gm.end), []).append(gm)
    org_matches = SpanIndex((gm.start, gm.end) for gm in matches if "org" in gm.first)
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
            out.add("org", slug, (start, end, name), "org-definition")
            out.orgs.append(slug)
            org_spans.append((start, end))
            new_acronyms[acr] = slug
        defined[acr] = registry
    for acr, slug in new_acronyms.items():
        for am in re.finditer(rf"(?<![\w(]){re.escape(acr)}(?![\w)])", text):
            out.add("org", slug, (am.start(), am.end(), acr), "org-defined-acronym")
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
                out.add(
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
            owner = country_of(possessive.group("country"))
            if owner:
                start += possessive.end()
                trimmed = _LEADING.sub("", trimmed[possessive.end() :])
                start = end - len(trimmed)
        else:
            lead = _LEADING_COUNTRY.match(trimmed)  # "the UK Home Office": the Home Office, of the UK
            if lead and (owner := country_of(lead.group("country"))) and len(trimmed.split()) > 2:
                trimmed = trimmed[lead.end() :]
                start = end - len(trimmed)
            country_first = _COUNTRY_AND.match(trimmed)  # "Argentina y el Ministerio de la Mujer": the Ministry
            if country_first and country_of(country_first.group("country")):
                trimmed = trimmed[country_first.end() :]
                start = end - len(trimmed)
        if org_matches.overlaps(start, end):
            # "the General Directorate of Migration and IOM", "la OIM y la Universidad Andina": the
            # name is the part of the phrase beside the known one
            piece = _beside_known(text, start, end, org_matches)
            if piece is None or org_matches.overlaps(*piece):
                continue  # the registry knows it, or it joins several known names
            start, end = piece
            trimmed = text[start:end]
        elif _joins_name(text, end, matches, org_matches):
            # "Ministry of Labour, Employment and Social Security": one name across its commas
            end = _COMMA_NAME.match(text, end).end()  # type: ignore[union-attr]
            trimmed = text[start:end]
        where = _WHERE_AFTER.search(trimmed) if " " in trimmed and not _MISSIONS.search(trimmed) else None
        if where and is_place_or_country(where.group("where")):
            owner = owner or country_of(where.group("where"))
            end = start + where.start()  # "la Policía Federal en Pacaraima": the Policía Federal
            trimmed = trimmed[: where.start()]
        if len(trimmed.split()) < 2 or found_orgs.overlaps(start, end) or head_reach > start:
            continue
        if _GOVERNMENT.match(trimmed) or not _names_a_body(trimmed) or _person_title(trimmed):
            continue  # the Government of X is X; programmes, facilities and job titles are no bodies
        country = owner or country_in_name(trimmed)
        slug = _slug(f"{trimmed} of {refs.countries[owner].name_en}" if owner else trimmed)
        out.new.setdefault(slug, NewEntity("org", slug, trimmed, country=country))
        out.add("org", slug, (start, end, trimmed), "org-head-noun")
        out.orgs.append(slug)
        org_spans.append((start, end))
        head_reach = max(head_reach, end)
    return org_spans, defined, not_orgs


def _beside_known(text: str, start: int, end: int, known: SpanIndex) -> tuple[int, int] | None:
    """The span of a phrase before or after the known names inside it, when "and", "y" or a comma
    separates them and it holds a head noun."""
    inside = [known.given[k] for k in known.inside(start, end)]
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


def country_in_name(name: str) -> str | None:
    """The country an organisation's name ties it to: where it is ("Embassy of Japan in Peru" is
    in Peru), else the first country or demonym it names ("Ministry of Health of Chile")."""
    where = _IN_COUNTRY.search(name)
    if where:
        for prefix in prefixes(where.group("c")):
            if iso3 := country_of(prefix):
                return iso3
    for m in default_gazetteer().matches_and_inner(name, ("country", "demonym"))[1] + default_gazetteer().matches(name):
        for kind in ("country", "demonym"):
            if kind in m.first and (kind == "country" or m.text not in AMERICAN):
                return m.first[kind].ref
    return None


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
    return [m.start() for m in _HEAD_AT.finditer(text) if word_starts_at(text, m.start())]


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
