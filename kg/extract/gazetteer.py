"""A case-sensitive gazetteer over capitalised token spans, compiled once per process.

Surface forms of countries, regions, organisations and places map to candidate entities;
:func:`Gazetteer.scan` finds the longest match starting at each capitalised token, so
"Mexico City" is a place (not the country Mexico) and "US Department of State" an
organisation (not the United States). Ambiguous forms ("San José", "Dominican") keep all
their candidates; :mod:`kg.extract.entities` resolves them with the rest of the item.

>>> gaz = Gazetteer()
>>> gaz.add("Mexico", Candidate("country", "MEX", "country-name"))
>>> gaz.add("Mexico City", Candidate("place", "3530597", "place-name"))
>>> [(m.text, m.candidates[0].kind) for m in gaz.scan("From Mexico City to Mexico.")]
[('Mexico City', 'place'), ('Mexico', 'country')]
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from kg.extract.matcher import PhraseMatcher, longest_first, spaces_to_blanks
from kg.geonames import places as geonames_places

__all__ = [
    "SMALL_PLACE",
    "Candidate",
    "Gazetteer",
    "Match",
    "country_of",
    "default_gazetteer",
    "first_of_each_kind",
    "fold",
]

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Whitespace normalised; accents kept (matching is accent-sensitive, variants are added)."""
    return _SPACES.sub(" ", text).strip()


def strip_accents(text: str) -> str:
    if text.isascii():  # most names: nothing to strip (the gazetteer strips 250,000 names as it loads)
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class Candidate:
    kind: str  # country | demonym | region | org | place
    ref: str
    rule: str
    weight: float = 0.0  # population for places, to break ties


_new_match = tuple.__new__  # a Match from its five fields, without the Python frame of Match.__new__


class Match(NamedTuple):
    """A gazetteer form found in a text (a tuple: one is built for every form an item names)."""

    start: int
    end: int
    text: str
    candidates: tuple[Candidate, ...]
    first: Mapping[str, Candidate]  # kind -> its first candidate (made with the form)


def first_of_each_kind(candidates: Iterable[Candidate]) -> dict[str, Candidate]:
    """The first candidate of each kind."""
    first: dict[str, Candidate] = {}
    for c in candidates:
        first.setdefault(c.kind, c)
    return first


class Gazetteer:
    def __init__(self) -> None:
        self.forms: dict[str, list[Candidate]] = {}
        self._matcher: PhraseMatcher[tuple[tuple[Candidate, ...], dict[str, Candidate]]] | None = None

    def add(self, surface: str, candidate: Candidate, lower: bool = False) -> None:
        """Add a form; forms start with a capital or a digit unless ``lower`` (Spanish demonyms)."""
        surface = fold(surface)
        if not surface or not (lower or surface[0].isupper() or surface[0].isdigit()):
            return
        for form in {surface, strip_accents(surface)}:
            bucket = self.forms.setdefault(form, [])
            if candidate not in bucket:
                bucket.append(candidate)
        self._matcher = None

    def scan(self, text: str) -> Iterator[Match]:
        """Leftmost-longest whole-word matches of the forms, in text order."""
        return iter(self.matches(text))

    def matches(self, text: str) -> list[Match]:
        """``list(self.scan(text))``."""
        return self.matches_and_inner(text, ())[0]

    def matches_and_inner(self, text: str, kinds: Iterable[str]) -> tuple[list[Match], list[Match]]:
        """The leftmost-longest matches, and the shorter forms of one of ``kinds`` that they hide
        ("Peru" inside "Embassy of Peru in Chile"), from one pass over the text."""
        if self._matcher is None:
            self._matcher = PhraseMatcher({form: (tuple(c), first_of_each_kind(c)) for form, c in self.forms.items()})
        if not kinds:
            longest = self._matcher.longest(spaces_to_blanks(text))
            inner = []
        else:
            every = self._matcher.whole_word_hits(spaces_to_blanks(text))
            longest = list(longest_first(list(every)))
            kept = {(h[0], h[1]) for h in longest}
            wanted = frozenset(kinds)
            inner = [
                _new_match(Match, (start, end, text[start:end], candidates, first))
                for start, end, (candidates, first) in every
                if (start, end) not in kept and not wanted.isdisjoint(first)
            ]
        return [
            _new_match(Match, (start, end, text[start:end], candidates, first))
            for start, end, (candidates, first) in longest
        ], inner


def _plurals(word: str) -> list[str]:
    if word.endswith(("s", "sh", "ch", "x", "z")):
        return [word]
    return [word + "s"]


# Spanish demonyms that are also ordinary words or name people of a city: "indio", "sanpedrino"
_NOT_DEMONYMS_ES = frozenset(("indio", "india", "sanpedrino", "sanpedrina", "granadino", "granadina", "vaticano"))


def _plurals_es(word: str) -> list[str]:
    """ "venezolano" -> "venezolanos"; "francés" -> "franceses"; "alemán" -> "alemanes"; "iraquí" -> "iraquíes"."""
    if " " in word:
        return []
    if word.endswith(("a", "o", "e")):
        return [word + "s"]
    unaccent = str.maketrans("áéíóú", "aeiou")
    if word.endswith(("és", "án", "ín", "ón")):
        return [word[:-2] + word[-2:].translate(unaccent) + "es"]
    if word.endswith(("í", "ú")):
        return [word + "es", word + "s"]
    return [word + "es"]


@functools.cache
def default_gazetteer() -> Gazetteer:
    """Countries, regions, organisations (data/reference) and places (kg.geonames + places.csv)."""
    from kg.reference import load

    refs = load()
    gaz = Gazetteer()
    for c in refs.countries.values():
        for name in (c.name_en, c.name_es, c.official_name_en, *c.aliases_en, *c.aliases_es):
            if name:
                gaz.add(name, Candidate("country", c.iso3, "country-name"))
                if name.startswith("the "):
                    gaz.add(name[4:], Candidate("country", c.iso3, "country-name"))
        for demonym in c.demonyms_en:
            for form in (demonym, *_plurals(demonym)):
                gaz.add(form, Candidate("demonym", c.iso3, "country-demonym"))
        for demonym in c.demonyms_es:  # written in lower case in Spanish: "venezolanos", "la Cancillería peruana"
            if demonym in _NOT_DEMONYMS_ES:
                continue
            for form in (demonym, *_plurals_es(demonym)):
                gaz.add(form, Candidate("demonym", c.iso3, "country-demonym"), lower=True)
                gaz.add(form[0].upper() + form[1:], Candidate("demonym", c.iso3, "country-demonym"))
    for r in refs.regions.values():
        for name in (r.label_en, r.label_es, *r.aliases_en, *r.aliases_es):
            for form in (name, name[4:] if name.lower().startswith("the ") else ""):
                if form:
                    gaz.add(form, Candidate("region", r.id, "region-name"))
    for o in refs.organizations.values():
        for name in (o.name_en, o.name_es, *o.aliases):
            if name:
                gaz.add(name, Candidate("org", o.slug, "org-name"))
        for acronym in (*o.acronyms_en, *o.acronyms_es):
            gaz.add(acronym, Candidate("org", o.slug, "org-acronym"))
    for p in refs.places.values():
        for name in (p.name, *p.alt_names):
            gaz.add(name, Candidate("place", p.key, "place-name", 1.0))
    taken = set(gaz.forms)  # a city's other names never stand for a country, region or organisation
    for city in _cities().values():
        if city["population"] < SMALL_PLACE:
            continue  # towns are looked up in a place's context only (kg.extract.places.small_towns)
        candidate = Candidate("place", str(city["geonameid"]), "place-name", float(city["population"]))
        gaz.add(city["name"], candidate)
        for alias in city["aliases"]:
            if alias not in taken:
                gaz.add(alias, candidate)
    return gaz


# "American" names the people of a continent as often as those of the United States
AMERICAN = frozenset(("American", "Americans"))


def country_of(name: str) -> str | None:
    """ISO3 of a country name or alias (or None)."""
    return next((c.ref for c in default_gazetteer().forms.get(name, []) if c.kind == "country"), None)


#: Towns below this population are read only in a place's context (:func:`kg.extract.places.small_towns`).
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
