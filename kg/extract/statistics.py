"""Quoted statistics: "over 40,000 Venezuelans live in Trinidad and Tobago", "migrants make up 6.3%
of the population", attached to the country they are about. The numbers are :mod:`kg.extract.quantities`'s."""

from __future__ import annotations

import bisect
import re
from operator import attrgetter

from kg.extract.model import Mention, Statistic
from kg.extract.quantities import Quantity
from kg.extract.sentences import sentence_of, sentence_text

__all__ = ["find_statistics"]

_MIGRANTS = re.compile(r"\b(?:migrants?|immigrants?|foreign-born|refugees|migrantes|inmigrantes)\b", re.I)

_INDICATOR_CUES = (
    (re.compile(r"\b(?:died|dead|deaths|missing|drowned|muert[oa]s|desaparecid[oa]s|fallecid[oa]s)\b", re.I),
     "migrant-deaths"),
    (re.compile(r"\b(?:live|lives|living|settled|reside|residing|hosted|viven|residen)\b", re.I), "migrant-stock"),
    (re.compile(r"\b(?:displaced|displacement|desplazad[oa]s|desplazamiento)\b", re.I), "people-displaced"),
)  # fmt: skip


def find_statistics(text: str, mentions: list[Mention], found: list[Quantity]) -> list[Statistic]:
    """Figures quoted about the world: every percentage, and counts of people the text reports as a
    fact rather than as the activity's participants."""
    stats: list[Statistic] = []
    countries = sorted((x for x in mentions if x.kind == "country"), key=attrgetter("end"))
    country_ends = [x.end for x in countries]
    for q in found:
        if q.kind != "statistic":
            continue
        sentence = sentence_text(text, q.start)
        indicator = "share-of-group" if q.unit == "percent" else "people-count"
        what = _POPULATION.match(text, q.end)
        if what and _MIGRANTS.search(sentence):
            indicator = (
                "migrant-share-of-labour-force" if "force" in what.group(1).lower() else "migrant-share-of-population"
            )
        elif q.unit != "percent":
            tail = text[q.start : q.start + len(sentence)]
            indicator = next((ind for cue, ind in _INDICATOR_CUES if cue.search(tail)), indicator)
        before = bisect.bisect_right(country_ends, q.start)  # the countries that end before it
        # the country named before it in its sentence, else after it there, else the last one before
        about = countries[before - 1] if before else None
        first, last = sentence_of(text, q.start)
        if (about is None or about.end < first) and before < len(countries) and countries[before].start < last:
            about = countries[before]
        stats.append(
            Statistic(
                q.value,
                indicator,
                "country" if about else None,
                about.ref if about else None,
                q.unit,
                sentence,
            )
        )
    return stats


_POPULATION = re.compile(
    r"\s+(?:of|de)\s+(?:its|the|their|his|her|su|la)?\s*(population|labou?r force|workforce|población|fuerza laboral)",
    re.I,
)
