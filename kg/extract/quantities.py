"""Counted participation ("80 officials", "representatives of eleven countries") and quoted statistics."""

from __future__ import annotations

import re
from collections.abc import Iterator

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
    agents = [x for x in mentions if x.kind in ("country", "org")]
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
                x
                for x in agents
                if start <= x.start < end + 45 and (x.start < end or _FROM_OF.match(text[end : x.start]))
            ),
            None,
        )
        part = Participation(
            role="participant",
            count=value,
            group=GROUPS[noun],
            agent_kind=agent.kind if agent else None,
            agent=agent.ref if agent else None,
            quote=sentence_text(text, start),
        )
        found.append(part)
    for part in found:
        here = part.quote  # the stripped sentence of the count
        event = next((ev for ev in events if here and here in ev.quote), events[0])
        if "training" in event.types:
            part.role = "trainee"
        event.participations.append(part)
    for event in events:
        parts = event.participations
        for part in parts:
            larger = [
                j
                for j, other in enumerate(parts)
                if other.group == part.group and (other.count or 0) > (part.count or 0)
            ]
            if larger:
                part.subset_of = max(larger, key=lambda j: parts[j].count or 0)


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
    for m in _statistic_matches(text):
        prior = [x for x in mentions if x.kind == "country" and x.end <= m.start()]
        if not prior:
            continue
        what = m.group("what").lower()
        sentence = sentence_text(text, m.start())
        migrants = _MIGRANTS.search(sentence)
        if not migrants:
            continue
        indicator = "migrant-share-of-labour-force" if "force" in what else "migrant-share-of-population"
        stats.append(Statistic(float(m.group("value")), indicator, "country", prior[-1].ref, "percent", sentence))
    return stats
