"""Countries, regions, organisations and places: gazetteer matches resolved in context.

:func:`find_entities` runs over an item's text once: the gazetteer's matches (:mod:`kg.extract.gazetteer`),
the organisations found by pattern (:mod:`kg.extract.orgs`), then countries, regions and the
registry's organisations here, and places last (:mod:`kg.extract.places`), as they are resolved by the
countries in play. Rules (each mention records the one that fired):

- ``country-name`` / ``country-demonym``: a country by name, alias or demonym. Traps:
  "New Mexico" (preceded by *New*), "Panama hats", "Central American" (a demonym after
  *Central/North/South/Latin*), languages ("in Spanish"), "Georgia" without Georgian context,
  person names ("Michael Jordan", "Chad Smith"), "Dominican" (DOM unless Dominica is in play).
- ``country-in-name``: a country named inside an organisation's name or a job title ("the Embassy
  of Canada in Honduras"): mentioned, kept apart from the mentions the event rules read.
- ``region-name``: a named grouping or M49 region; an item about a region is not about its members.
- ``org-name`` / ``org-acronym``: the registry's names and acronyms.
"""

from __future__ import annotations

import re
from operator import attrgetter

from kg.extract.gazetteer import AMERICAN, Candidate, Match, default_gazetteer
from kg.extract.matcher import SpanIndex
from kg.extract.model import Entities, Mention
from kg.extract.orgs import find_orgs
from kg.extract.places import SENTENCE_START, resolve_places

__all__ = ["find_entities"]

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
_PREVIOUS_NAME = re.compile(r"([A-Z][a-z]+)\s$")
_NEXT_NAME = re.compile(r"^\s([A-Z][a-z]+)")
_DATELINE = re.compile(
    r"^(?:[A-Z][\w ,.-]*?\d{4}\.\s+)?(?P<place>[A-ZÁÉÍÓÚ][^.\n–—-]{1,40}?)(?:\s[-–—]\s|\.\s|,\s[A-Z\d])"
)


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
        if prev and not SENTENCE_START.search(text[: m.start]):
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
    out = Entities()
    matches, inner = default_gazetteer().matches_and_inner(text, ("country", "demonym"))
    dominica = "Dominica" in text and bool(_DOMINICA.search(text))
    dateline = _dateline(text, title_len)
    org_spans, defined, not_orgs = find_orgs(text, matches, out)

    # -- gazetteer matches --
    place_matches: list[tuple[Match, list[Candidate]]] = []
    found_orgs = SpanIndex(org_spans)
    in_names: list[Match] = []  # country names and demonyms inside organisation names
    inner_spans = SpanIndex((im.start, im.end) for im in inner)
    for m in matches:
        if org_spans and found_orgs.overlaps(m.start, m.end):
            if found_orgs.encloses(m.start, m.end):
                in_names.append(m)
            continue
        first = m.first
        if "org" in first and m.text not in not_orgs:
            c = first["org"]
            out.add("org", c.ref, m, c.rule)
            out.orgs.append(c.ref)
            in_names += [inner[k] for k in inner_spans.inside(m.start, m.end)]
            continue
        if m.text in defined:
            out.add("org", defined[m.text], m, "org-defined-acronym")
            out.orgs.append(defined[m.text])
            continue
        if "country" in first:
            c = first["country"]
            if _country_ok(text, m, c.ref):
                out.add("country", c.ref, m, c.rule)
                out.countries.append(c.ref)
                continue
            if "place" not in first:
                continue
        if "region" in first:
            c = first["region"]
            out.add("region", c.ref, m, c.rule)
            out.regions.append(c.ref)
            continue
        if "demonym" in first:
            c = first["demonym"]
            if _demonym_ok(text, m):
                iso3 = c.ref
                if m.text.startswith("Dominican") and c.ref in ("DOM", "DMA"):
                    iso3 = "DMA" if dominica else "DOM"
                out.add("country", iso3, m, "country-demonym")
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

    resolve_places(text, out, place_matches, dateline)

    # -- scope: named countries and the countries of places; a region is itself, not its members --
    scope = list(out.countries) + list(out.place_country.values())
    out.countries = sorted(set(out.countries))
    out.scope = sorted(set(scope))
    out.regions = sorted(set(out.regions))
    out.orgs = sorted(set(out.orgs))
    out.places = sorted(set(out.places))
    out.mentions.sort(key=attrgetter("start", "end"))
    return out


def _named_country(text: str, m: Match, dominica: bool) -> str | None:
    """The country a name or demonym inside an organisation's name stands for, if any."""
    if "country" in m.first:
        return m.first["country"].ref if _country_ok(text, m, m.first["country"].ref) else None
    if "demonym" in m.first and m.text not in AMERICAN and _demonym_ok(text, m):
        iso3 = m.first["demonym"].ref
        if m.text.startswith("Dominican") and iso3 in ("DOM", "DMA"):
            iso3 = "DMA" if dominica else "DOM"
        return iso3
    return None
