"""Quantities: numbers of people, countries and organisations, and percentages, as news writes
them ("80 officials", "representatives of eleven countries", "6.3%"), each with its kind
(participation, statistic, target); :mod:`kg.extract.participation` attaches them to events and
:mod:`kg.extract.statistics` to countries."""

from __future__ import annotations

import re
from typing import NamedTuple

from kg.extract.lowercase import LowerCasePass
from kg.extract.matcher import digit_runs, folded, is_word_char, word_alternation, word_ends_at
from kg.extract.model import Mention
from kg.extract.numbers import NUMBER, UNITS_EN, WORD_NUMBERS, number_value
from kg.sources.dates import MONTHS

__all__ = [
    "GROUPS",
    "NUMBER_WORDS",
    "Quantity",
    "count_value",
    "count_word_table",
    "find_quantities",
    "number_word_table",
]

#: English number words the counts read ("eighteen officials", "a hundred participants").
NUMBER_WORDS = {**UNITS_EN, "hundred": 100, "a hundred": 100}


# Word lists go into the regexes as tries (kg.extract.matcher.word_alternation): the same matches,
# longest word first, for less work per position.
_NUM = rf"(?P<num>\d{{1,3}}(?:[,.]\d{{3}})+|\d+|{word_alternation(NUMBER_WORDS)})"


GROUPS = {
    "officials": "government-officials",
    "countries and territories": "states-and-territories",
    "countries": "states-and-territories",
    "organizations": "international-organizations",
    "organisations": "international-organizations",
    "actors": "local-actors",
    "migrants": "migrants",
    "returnees": "returnees",
    "people": "migrants",
    "persons": "migrants",
    "participants": "representatives",
    "representatives": "representatives",
    "students": "researchers",
    "researchers": "researchers",
    "children": "children",
    "women": "women",
    "young people": "youth",
    "youth": "youth",
    "journalists": "journalists",
    "leaders": "local-actors",
    "families": "migrants",
}


_APPROX = ("over", "more than", "about", "around", "nearly", "almost", "some", "at least")


_NOT_MODIFIER = ("in", "the", "of", "on", "at", "to", "for", "from", "with")


_QUANTITY = re.compile(
    rf"(?<![\w.,])(?:(?P<approx>{word_alternation(_APPROX)})\s+)?{_NUM}\s+"
    rf"(?P<mods>(?:(?!{word_alternation(_NOT_MODIFIER)}\b)[\w-]+\s+){{0,3}}?)(?P<noun>{word_alternation(GROUPS)})\b",
    re.I,
)


def count_value(m: re.Match[str]) -> int | None:
    """The number a ``_QUANTITY`` match counts ("1,200", "80", "Eighteen")."""
    raw = m.group("num").lower().replace(",", "")
    return int(raw.replace(".", "")) if raw[0].isdigit() else NUMBER_WORDS.get(raw)


_DETERMINER_BEFORE = re.compile(r"\b(?:the|both|these|those|its|their)\s$", re.I)


_MONTH_BEFORE = re.compile(rf"\b{word_alternation(MONTHS)}\.?\s$", re.I)


class Quantity(NamedTuple):
    """A number the text states about people, countries or organisations (docs/extraction.md)."""

    value: float
    kind: str  # participation | statistic | target
    unit: str  # percent | people | countries | organizations
    group: str | None  # participant-group concept id of the counted noun
    start: int
    end: int
    part_of_previous: bool  # "…, 54 of them women": a subset of the count before it


def _words(words: str) -> list[str]:
    return words.split()


def _each(words: str, group: str) -> dict[str, str]:
    return dict.fromkeys(_words(words), group)


# Plural nouns that count people, countries and organisations -> participant-group concept.
_PEOPLE_GROUPS: dict[str, str] = {
    **_each(
        "officials officers agents inspectors prosecutors judges police policemen policewomen guards "
        "consuls diplomats authorities civil servants funcionarios funcionarias oficiales agentes inspectores "
        "fiscales jueces policías servidores públicos cónsules autoridades",
        "government-officials",
    ),
    **_each("countries states governments nations países estados gobiernos naciones", "states-and-territories"),
    **_each(
        "organizations organisations agencies institutions partners bodies ngos organizaciones "
        "organismos agencias instituciones socios entidades ong",
        "international-organizations",
    ),
    **_each("companies employers businesses enterprises empresas empleadores", "private-sector"),
    **_each("journalists reporters periodistas comunicadores", "journalists"),
    **_each(
        "students researchers academics teachers scholars estudiantes investigadores docentes profesores académicos",
        "researchers",
    ),
    **_each("children boys girls adolescents minors teenagers niños niñas adolescentes menores", "children"),
    **_each("women mujeres", "women"),
    **_each("youth youths jóvenes", "youth"),
    **_each("returnees deportees retornados retornadas", "returnees"),
    **_each(
        "participants representatives delegates delegations members participantes representantes delegados "
        "delegadas delegaciones miembros",
        "representatives",
    ),
    **_each(
        "actors leaders volunteers experts staff professionals workers doctors nurses firefighters "
        "paramedics facilitators trainers specialists practitioners líderes lideresas actores voluntarios "
        "voluntarias expertos expertas profesionales médicos enfermeras enfermeros bomberos facilitadores "
        "especialistas",
        "local-actors",
    ),
    **_each(
        "people persons individuals migrants immigrants emigrants refugees families households nationals "
        "citizens residents travellers travelers passengers survivors victims beneficiaries patients "
        "deaths users applicants entrepreneurs farmers fishers personas migrantes inmigrantes emigrantes "
        "refugiados refugiadas familias hogares nacionales ciudadanos ciudadanas residentes viajeros "
        "pasajeros sobrevivientes víctimas beneficiarios beneficiarias pacientes usuarios usuarias "
        "solicitantes emprendedores emprendedoras agricultores trabajadores trabajadoras desplazados "
        "desplazadas",
        "migrants",
    ),
    "young people": "youth",
    "member states": "states-and-territories",
    "asylum seekers": "migrants",
    "job seekers": "migrants",
    "health workers": "local-actors",
    "idps": "migrants",
}

# Words that end a noun phrase before its head: a count reads "N [modifiers] NOUN", and these
# words start another phrase ("3,000 kits for 200 families" counts the families, not the kits).
_NOT_MODIFIER_ES_EN = (
    "in", "the", "of", "on", "at", "to", "for", "from", "with", "by", "into", "than", "per", "who", "which",
    "en", "el", "la", "los", "las", "de", "del", "a", "al", "para", "por", "con", "que", "se", "su", "sus",
)  # fmt: skip

_PERCENT_SIGN = r"%|per\s?cent\b|percent\b|por\s?ciento\b"

_COUNT = re.compile(
    rf"(?:\s*(?P<pct>{_PERCENT_SIGN})"
    r"|(?:\s+de)?(?P<of>\s+(?:of|de)\s+(?:them|those|these|the|ellos|ellas|esos|esas|estos|estas|los|las))?\s+"
    rf"(?P<mods>(?:(?!{word_alternation(_NOT_MODIFIER_ES_EN)}\b)(?!\d)[\w’'-]+,?\s+){{0,4}}?)"
    rf"(?P<noun>{word_alternation(_PEOPLE_GROUPS)})\b)",
    re.I,
)

# A plural demonym after a number counts people ("40,000 Venezuelans", "5 millones de venezolanos"):
# English ones are country mentions; Spanish plurals are read by their endings.
_DEMONYM_ES = re.compile(
    r"(?:\s+de)?\s+(?P<noun>[a-záéíóúñü]+(?:anos|anas|enos|enas|inos|inas|eños|eñas|enses|ecos|ecas|yos|yas))\b"
)

# The words of a count's clause that say what kind of count it is (matched as whole lower-case
# words; the phrases of several words as substrings of the lower-cased clause).
_TARGET_WORDS = frozenset(
    _words(
        "will would shall aim aims aiming aimed plan plans planned planning expect expects expected intend "
        "intends seek seeks target targets targeted targeting goal projected prevé prevén previsto prevista "
        "espera esperan busca buscan pretende pretenden meta objetivo"
    )
)
_TARGET_AFTER = re.compile(r"\W*(?:(?:are|is|were|was)\s+)?(?:expected|projected|planned|targeted|previst)", re.I)
_FUTURE_ES = re.compile(r"\w(?:rá|rán)\b")  # Spanish future tense: "beneficiará", "alcanzarán"

_ACTIVITY_WORDS = frozenset(
    _words(
        "assisted trained reached reaching interviewed surveyed supported benefited benefitted served gathered "
        "convened equipped registered received welcomed atendió capacitó capacitaron asistió entrevistó "
        "encuestó encuestaron benefició reunió convocó alcanzó apoyó"
    )
)

_STATISTIC_AFTER_WORDS = frozenset(
    _words(
        "live lives living lived settled reside resided residing hosted displaced died dead missing drowned "
        "arrived crossed cross entered went deployed remain remained face recorded since viven vive residen "
        "llegaron ingresaron cruzaron cruzan muertos muertas muerto muerta desaparecidos desaparecidas "
        "desaparecido desaparecida permanecen salieron desde"
    )
)
_STATISTIC_AFTER_PHRASES = (
    "have returned", "had returned", "returned from", "have left", "have reached", "work in", "han retornado",
    "han salido",
)  # fmt: skip
_STATISTIC_BEFORE_WORDS = frozenset(
    _words("estimate estimates estimated hosts figures según estima estiman alberga acoge hay")
)
_STATISTIC_BEFORE_PHRASES = ("according to", "there are", "there were", "home to", "se estima")

_LOWER_WORD = re.compile(r"\w+")

_YEAR = re.compile(r"\b(?:in|en|during|durante)\s+((?:19|20)\d\d)\b", re.I)

# Where a clause ends: its words say what the count in it is.
_CLAUSE_STOPS = (". ", "; ", ": ", "? ", "! ")

_MONEY_BEFORE = re.compile(r"(?:[$€£]|\b(?:USD|US|EUR|CHF|CAD)\s?)$")


def _number_starts(text: str, shared: LowerCasePass) -> list[int]:
    """Where a number can start a word: runs of digits and number words (EN, ES)."""
    lowered = folded(text)
    starts = {start for start, _ in digit_runs(text)}
    if lowered is None:
        starts.update(m.start() for m in _NUMBER_WORD_START.finditer(text))
    else:
        starts.update(start for start, end, _ in shared.hits(text, number_word_table) if word_ends_at(lowered, end))
    return sorted(p for p in starts if not p or (not is_word_char(text[p - 1]) and text[p - 1] not in ".,"))


_NUMBER_WORD_START = re.compile(rf"(?<![\w.,]){word_alternation(WORD_NUMBERS)}\b", re.I)


def number_word_table() -> dict[str, None]:
    """The number words (EN, ES): a table of :class:`kg.extract.lowercase.LowerCasePass`."""
    return dict.fromkeys(WORD_NUMBERS)


def find_quantities(text: str, mentions: list[Mention], year: int, shared: LowerCasePass) -> list[Quantity]:
    """The counts and percentages of ``text``, each with its kind (``year``: of publication; ``shared``:
    a pass that holds :func:`number_word_table`)."""
    demonyms = {x.start for x in mentions if x.kind == "country" and x.rule == "country-demonym"}
    found: list[Quantity] = []
    end = -1
    for start in _number_starts(text, shared):
        if start < end:
            continue
        number = NUMBER.match(text, start)
        if number is None:
            continue
        value = number_value(number)
        pct, part_of, noun = False, False, ""
        m = _COUNT.match(text, number.end())
        if m:
            pct, part_of, noun = bool(m.group("pct")), bool(m.group("of")), (m.group("noun") or "").lower()
            stop = m.end()
        elif d := _DEMONYM_ES.match(text, number.end()):
            stop = d.end()
        elif (after := _english_demonym(text, number.end(), demonyms)) is not None:
            stop = after
        else:
            continue
        scaled = bool(number.group("scale"))
        if not pct and (value < 2 or (value != int(value) and not scaled)):
            continue  # "one migrant", "2.5 officials"
        if not pct and 1800 <= value <= 2100 and not number.group("sep") and not scaled:
            continue  # a year
        before = text[max(0, start - 12) : start]
        if _DETERMINER_BEFORE.search(before) or _MONTH_BEFORE.search(before) or _MONEY_BEFORE.search(before):
            continue  # "the three countries", "June 6", "US$ 300"
        end = stop
        group = None if pct else _PEOPLE_GROUPS.get(" ".join(noun.split()), "migrants")
        unit = "percent" if pct else _UNITS.get(group or "", "people")
        kind = "statistic" if pct else _kind(text, start, stop, value, year)
        found.append(Quantity(value, kind, unit, group, start, stop, part_of))
    return found


_UNITS = {"states-and-territories": "countries", "international-organizations": "organizations"}


def _english_demonym(text: str, after: int, demonyms: set[int]) -> int | None:
    """Where "40,000 Venezuelans" or "2,000 young Haitians" ends: a plural demonym (a country
    mention) within three words of the number."""
    pos = after
    for _ in range(3):
        while pos < len(text) and text[pos] == " ":
            pos += 1
        word = _WORD_AT.match(text, pos)
        if word is None:
            return None
        if pos in demonyms and word.group().endswith(("s", "ese")):
            return word.end()
        pos = word.end()
    return None


_WORD_AT = re.compile(r"[\w’'-]+")


def _kind(text: str, start: int, stop: int, value: float, year: int) -> str:
    """Target, statistic or participation, from the clause the count stands in."""
    clause = text[max(0, start - 90) : start]
    before = clause[max(clause.rfind(stop_) for stop_ in _CLAUSE_STOPS) + 1 :]
    after = text[stop : stop + 70]
    after = after[: min((i for i in (after.find(stop_) for stop_ in _CLAUSE_STOPS) if i >= 0), default=70)]
    before = before.lower()
    words_before = _LOWER_WORD.findall(before)
    after_lower = after.lower()
    if (
        not _TARGET_WORDS.isdisjoint(words_before)
        or "set to" in before
        or ("rá" in before and _FUTURE_ES.search(before))
        or _TARGET_AFTER.match(after)
    ):
        return "target"
    if not _STATISTIC_AFTER_WORDS.isdisjoint(_LOWER_WORD.findall(after_lower)) or any(
        phrase in after_lower for phrase in _STATISTIC_AFTER_PHRASES
    ):
        return "statistic"
    if not _STATISTIC_BEFORE_WORDS.isdisjoint(words_before) or any(p in before for p in _STATISTIC_BEFORE_PHRASES):
        return "statistic"
    if ("19" in after or "20" in after) and any(int(y) < year for y in _YEAR.findall(after)):
        return "statistic"  # a count dated before the item is background, not the reported activity
    if value >= 100_000 and _ACTIVITY_WORDS.isdisjoint(words_before[-4:]) and "brought together" not in before:
        return "statistic"
    return "participation"


_APPROX_FIRST = {"over", "more", "about", "around", "nearly", "almost", "some", "at", "a"}


_COUNT_WORDS = sorted(set(NUMBER_WORDS) | _APPROX_FIRST, key=len, reverse=True)


_QUANTITY_START = re.compile(r"(?<![\w.,])(?:\d|(?:" + "|".join(_COUNT_WORDS) + r")\b)", re.I)


def count_word_table() -> dict[str, None]:
    """The words ``_QUANTITY`` can start with, as they stand in the folded text (kg.extract.matcher.folded):
    ``_COUNT_WORDS``, except that "a", "at" and "more" start a quantity only in "a hundred", "at least"
    and "more than" (a digit run is the other kind of start). A table of
    :class:`kg.extract.lowercase.LowerCasePass`."""
    return dict.fromkeys((set(_COUNT_WORDS) - {"a", "at", "more"}) | {"a hundred", "at least", "more than"})


def _quantity_starts(text: str, shared: LowerCasePass) -> list[int]:
    """Where ``_QUANTITY`` can match in ``text``: every start of a match of ``_QUANTITY.finditer(text)``,
    and other places where it fails or that a match covers (``quantity_matches`` skips them)."""
    lowered = folded(text)
    if lowered is None:
        return [m.start() for m in _QUANTITY_START.finditer(text)]
    starts = {start for start, _ in digit_runs(text)}
    starts.update(start for start, end, _ in shared.hits(text, count_word_table) if word_ends_at(lowered, end))
    return sorted(p for p in starts if not p or (not is_word_char(lowered[p - 1]) and lowered[p - 1] not in ".,"))


def quantity_matches(text: str, shared: LowerCasePass) -> list[re.Match[str]]:
    """``list(_QUANTITY.finditer(text))``, ``_QUANTITY`` tried only where a number, number word or
    "over"/"about"… starts a word (``shared``: a pass that holds :func:`count_word_table`)."""
    found: list[re.Match[str]] = []
    end = -1
    for start in _quantity_starts(text, shared):
        if start < end:
            continue
        m = _QUANTITY.match(text, start)
        if m:
            found.append(m)
            end = m.end()
    return found
