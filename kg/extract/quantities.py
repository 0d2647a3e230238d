"""Counted participation ("80 officials", "representatives of eleven countries") and quoted statistics."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from itertools import accumulate
from operator import attrgetter

import ahocorasick

from kg.extract.entities import Entities
from kg.extract.matcher import (
    digit_runs,
    folded,
    is_word,
    lower_case_hits,
    matches_from,
    may_contain,
    share_lower_case,
    word_alternation,
)
from kg.extract.model import Event, Mention, Participation, Statistic
from kg.extract.sentences import sentence_text
from kg.sources.dates import MONTHS

__all__ = ["GROUPS", "NUMBER_WORDS", "count_value", "find_participations", "find_statistics", "large_gathering"]

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a hundred": 100,
}  # fmt: skip


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


_PERCENT = ("%", "percent", "per cent")


_STATISTIC = re.compile(  # \d\d* (not \d+) lets the regex engine jump from digit to digit
    r"(?P<value>\d\d*(?:\.\d+)?)\s?(?:%|percent|per cent)\s+of\s+(?:its|the|their|his|her)?\s*"
    r"(?P<what>population|labou?r force|workforce|residents|inhabitants)",
    re.I,
)


def count_value(m: re.Match[str]) -> int | None:
    """The number a ``_QUANTITY`` match counts ("1,200", "80", "Eighteen")."""
    raw = m.group("num").lower().replace(",", "")
    return int(raw.replace(".", "")) if raw[0].isdigit() else NUMBER_WORDS.get(raw)


_LARGE_GROUPS = ("countries", "organizations", "organisations")


def large_gathering(context: str) -> bool:
    """A meeting of ten or more counted states or organisations is a conference."""
    if not may_contain(context, _LARGE_GROUPS):
        return False
    for m in quantity_matches(context):
        value = count_value(m) or 0
        if value >= 10 and m.group("noun").lower().split()[0] in _LARGE_GROUPS:
            return True
    return False


_DETERMINER_BEFORE = re.compile(r"\b(?:the|both|these|those|its|their)\s$", re.I)


_MONTH_BEFORE = re.compile(rf"\b{word_alternation(MONTHS)}\.?\s$", re.I)


_AND_TERRITORIES = re.compile(r"\s+and territories")


_FROM_OF = re.compile(r"\s+(?:from|of)\s+(?:the\s+)?$")


def find_participations(text: str, events: list[Event], entities: Entities, mentions: list[Mention]) -> None:
    """Counted groups ("80 Guatemalan government officials") attached to the event they belong to."""
    if not events:
        return
    found: list[Participation] = []
    agents = sorted((x for x in mentions if x.kind in ("country", "org")), key=attrgetter("start"))
    agent_starts = [x.start for x in agents]
    for m in quantity_matches(text):
        start, end = m.span()
        before = text[max(0, start - 12) : start]
        if _DETERMINER_BEFORE.search(before):
            continue  # "the three countries of …" describes, it does not count
        if _MONTH_BEFORE.search(before):
            continue  # "June 6 …" is a date
        value = count_value(m)
        if value is None or 1800 <= value <= 2100:
            continue
        noun = m.group("noun").lower()
        if noun == "countries" and _AND_TERRITORIES.match(text[end : end + 16]):
            noun = "countries and territories"
        agent = next(
            (
                agents[i]
                for i in range(bisect.bisect_left(agent_starts, start), len(agents))
                if agents[i].start >= end + 45 or agents[i].start < end or _FROM_OF.match(text[end : agents[i].start])
            ),
            None,
        )
        if agent is not None and agent.start >= end + 45:
            agent = None
        part = Participation(
            role="participant",
            count=value,
            group=GROUPS[noun],
            agent_kind=agent.kind if agent else None,
            agent=agent.ref if agent else None,
            quote=sentence_text(text, start),
        )
        found.append(part)
    holder = _first_holders([part.quote for part in found], [ev.quote for ev in events])
    for part in found:
        event = events[holder.get(part.quote, 0)]  # the first event whose quote holds the count's sentence
        if "training" in event.types:
            part.role = "trainee"
        event.participations.append(part)
    for event in events:
        parts = event.participations
        largest: dict[str | None, int] = {}  # group -> the first of its parts with the largest count
        for j, part in enumerate(parts):
            if part.group not in largest or (part.count or 0) > (parts[largest[part.group]].count or 0):
                largest[part.group] = j
        for part in parts:
            j = largest[part.group]
            if (parts[j].count or 0) > (part.count or 0):
                part.subset_of = j


def _first_holders(needles: list[str], quotes: list[str]) -> dict[str, int]:
    """For each non-empty needle found in a quote, the index of the first quote that holds it: one
    pass of an automaton over the quotes, however many needles.

    >>> _first_holders(["b c", "x", "c"], ["a b", "a b c d", "c"])
    {'b c': 1, 'c': 1}
    """
    distinct = {needle for needle in needles if needle}
    if not distinct or not quotes:
        return {}
    automaton = ahocorasick.Automaton()
    for needle in distinct:
        automaton.add_word(needle, needle)
    automaton.make_automaton()
    joined = "\x00".join(quotes)  # no sentence holds a NUL, so no needle spans two quotes
    starts = list(accumulate((len(q) + 1 for q in quotes[:-1]), initial=0))
    first: dict[str, int] = {}
    for end, needle in automaton.iter(joined):
        if needle not in first:
            first[needle] = bisect.bisect_right(starts, end - len(needle) + 1) - 1
    return first


_APPROX_FIRST = {"over", "more", "about", "around", "nearly", "almost", "some", "at", "a"}


_COUNT_WORDS = sorted(set(NUMBER_WORDS) | _APPROX_FIRST, key=len, reverse=True)


_QUANTITY_START = re.compile(r"(?<![\w.,])(?:\d|(?:" + "|".join(_COUNT_WORDS) + r")\b)", re.I)


# The words ``_QUANTITY`` can start with, as they stand in the folded text (kg.extract.matcher.folded):
# _COUNT_WORDS, except that "a", "at" and "more" start a quantity only in "a hundred", "at least" and
# "more than" (found in one pass; a digit run is the other kind of start).
def _count_phrases() -> dict[str, None]:
    return dict.fromkeys((set(_COUNT_WORDS) - {"a", "at", "more"}) | {"a hundred", "at least", "more than"})


share_lower_case("count-words", _count_phrases)  # found in the pass the cue and date words share


def _quantity_starts(text: str) -> list[int]:
    """Where ``_QUANTITY`` can match in ``text``: every start of a match of ``_QUANTITY.finditer(text)``,
    and other places where it fails or that a match covers (``quantity_matches`` skips them)."""
    lowered = folded(text)
    if lowered is None:
        return [m.start() for m in _QUANTITY_START.finditer(text)]
    size = len(lowered)
    starts = {start for start, _ in digit_runs(text)}
    starts.update(
        start for start, end, _ in lower_case_hits(text)["count-words"] if end == size or not is_word(lowered[end])
    )
    return sorted(p for p in starts if not p or (not is_word(lowered[p - 1]) and lowered[p - 1] not in ".,"))


def quantity_matches(text: str) -> list[re.Match[str]]:
    """``list(_QUANTITY.finditer(text))``, ``_QUANTITY`` tried only where a number, number word or
    "over"/"about"… starts a word."""
    found: list[re.Match[str]] = []
    end = -1
    for start in _quantity_starts(text):
        if start < end:
            continue
        m = _QUANTITY.match(text, start)
        if m:
            found.append(m)
            end = m.end()
    return found


_MIGRANTS = re.compile(r"\b(?:migrants?|immigrants?|foreign-born|refugees)\b", re.I)


def _statistic_matches(text: str) -> Iterator[re.Match[str]]:
    """``_STATISTIC.finditer(text)``, tried only where a run of digits starts: where the pattern fails at
    the start of a run it fails inside the run too (from the start it can read the same digits)."""
    return matches_from(_STATISTIC, text, (start for start, _ in digit_runs(text)))


def find_statistics(text: str, mentions: list[Mention]) -> list[Statistic]:
    stats: list[Statistic] = []
    lowered = folded(text) or text.lower()
    if not any(word in lowered for word in _PERCENT):
        return stats
    countries = sorted((x for x in mentions if x.kind == "country"), key=attrgetter("end"))
    country_ends = [x.end for x in countries]
    for m in _statistic_matches(text):
        before = bisect.bisect_right(country_ends, m.start())  # the countries that end before it
        if not before:
            continue
        what = m.group("what").lower()
        sentence = sentence_text(text, m.start())
        migrants = _MIGRANTS.search(sentence)
        if not migrants:
            continue
        indicator = "migrant-share-of-labour-force" if "force" in what else "migrant-share-of-population"
        stats.append(
            Statistic(float(m.group("value")), indicator, "country", countries[before - 1].ref, "percent", sentence)
        )
    return stats
