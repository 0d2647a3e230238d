"""Places: cities and towns of the gazetteer resolved by the countries in play, and towns too small
for the gazetteer read where news names places.

Rules (each mention records the one that fired): ``place-name``, ``place-with-country`` ("Place,
Country"), ``place-in-country-context``, ``place-dateline``, ``place-large-city`` (over a million
people, named unambiguously), ``place-after-preposition``; towns under
:data:`~kg.extract.gazetteer.SMALL_PLACE` people: ``town-in-context``, ``town-with-country``,
``town-dateline``. What counts as a place is docs/extraction.md's: not states, provinces, islands
or regions, not a date, not a sentence's first word, not part of a longer name.
"""

from __future__ import annotations

import functools
import re
from operator import attrgetter
from typing import Any

from kg.extract.gazetteer import SMALL_PLACE, Candidate, Match, country_of, default_gazetteer, strip_accents
from kg.extract.matcher import SpanIndex
from kg.extract.model import Entities, NewEntity
from kg.geonames import places as geonames_places
from kg.reference import load

__all__ = ["SENTENCE_START", "is_place_or_country", "prefixes", "resolve_places", "small_towns"]

SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)$")
_CAPITAL_AFTER = re.compile(r"^ [A-Z]")
_NAME_BEFORE = re.compile(r"[A-Z][\w’'-]* $")
_COUNTRY_AFTER = re.compile(r"^\s*[,(]\s*(?P<c>[A-Z]\w*(?:\s(?:and\s|y\s|de\s|del\s|the\s)?[A-Z]\w*){0,3})")


def resolve_places(
    text: str, out: Entities, place_matches: list[tuple[Match, list[Candidate]]], dateline: tuple[int, int]
) -> None:
    """Add to ``out`` the places among the gazetteer's ``place_matches`` (each with its place
    candidates) that the countries in play, a country written after it, the dateline or a
    preposition resolve, then the towns named in a place's context."""
    refs = load()
    gaz = default_gazetteer()
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
            and SENTENCE_START.search(text[max(0, m.start - 3) : m.start])
            and not _COUNTRY_AFTER.match(after)
        ):
            continue  # a sentence's first word is capitalised whatever it is: "Mobile teams …"
        follow = _COUNTRY_AFTER.match(after)
        named_country = None
        if follow:
            named_country = next((iso for word in prefixes(follow.group("c")) if (iso := country_of(word))), None)

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


def is_place_or_country(name: str) -> bool:
    """Whether ``name`` is a country, a place of the gazetteer or a town."""
    return any(c.kind in ("country", "place") for c in default_gazetteer().forms.get(name, ())) or name in small_towns()


_WEIGHT = attrgetter("weight")


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
    out.add("place", key, m, rule)
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
    """One regex for where a town's name may start, searched in the reversed text: a capital after a
    comma, after a word of ``_TOWN_BEFORE``, or after "<settlement> of|de".

    Reversed, every match begins with a capital followed by a space, which the regex engine rejects
    at once at almost every position; forwards, the alternation of context words was tried at every
    word, and took 3.3x as long (55 against 16 µs an item of 600 characters, the same starts on
    20,000 bench items). A loop over every capital word in Python had taken 15% of find_entities.
    """
    words = "|".join(sorted((word[::-1] for word in _TOWN_BEFORE), key=len, reverse=True))
    settlements = "|".join(sorted((word[::-1] for word in _SETTLEMENTS), key=len, reverse=True))
    return re.compile(
        rf"(?<=[A-ZÁÉÍÓÚÑ]) (?:(?P<comma>,)|(?P<word>{words})(?![^ ])|(?:fo|ed) (?i:{settlements})(?![^ ]))"
    )


_TOWN_START = _town_start_pattern()
_LISTING_REVERSED = frozenset(word[::-1] for word in _TOWN_LISTING)


def _town_starts(text: str) -> list[tuple[int, bool]]:
    """Where a town's name may start (a capital after a context word), in text order, and whether it
    continues a list ("and", "y", a comma).

    >>> text = "Shelters in Tapachula, Tecun Uman and Ciudad Hidalgo; the town of Salcajá."
    >>> [(text[start:].split()[0], listed) for start, listed in _town_starts(text)]
    [('Tapachula,', False), ('Tecun', True), ('Ciudad', True), ('Salcajá.', False)]
    """
    size = len(text)
    starts = [
        (size - m.start(), m.group("comma") is not None or m.group("word") in _LISTING_REVERSED)
        for m in _TOWN_START.finditer(text[::-1])
    ]
    starts.reverse()
    return starts


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
        for name in prefixes(words.group(0)):
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
                next((iso for word in prefixes(follow.group("c")) if (iso := country_of(word))), None)
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


def prefixes(text: str) -> list[str]:
    words = text.split()
    return [" ".join(words[:n]) for n in range(len(words), 0, -1)]


_ISO2_TO_3: dict[str, str] = {}


def _geonames_city(key: str) -> dict[str, Any]:
    place = geonames_places().get(key)
    if place is None:
        return {"name": key, "countrycode": ""}
    return {"name": place.name, "countrycode": place.countrycode}


def _geonames_country(key: str) -> str | None:
    if not _ISO2_TO_3:
        _ISO2_TO_3.update({c.iso2: c.iso3 for c in load().countries.values()})
    return _ISO2_TO_3.get(_geonames_city(key).get("countrycode", ""))
