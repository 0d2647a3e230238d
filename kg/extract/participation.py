"""Counted participation attached to events: "80 Guatemalan government officials" took part,
"representatives of eleven countries" attended, a programme "will reach 20,000 young people" (a
target, kept apart from the people counted). The counts are :mod:`kg.extract.quantities`'s."""

from __future__ import annotations

import bisect
import re
from itertools import accumulate
from operator import attrgetter

import ahocorasick

from kg.extract.model import Entities, Event, Mention, Participation
from kg.extract.quantities import Quantity
from kg.extract.sentences import sentence_text

__all__ = ["find_participations"]

_AND_TERRITORIES = re.compile(r"\s+and territories")
_FROM_OF = re.compile(r"\s+(?:from|of)\s+(?:the\s+)?$")


def find_participations(
    text: str, events: list[Event], entities: Entities, mentions: list[Mention], found: list[Quantity]
) -> None:
    """Counted groups ("80 Guatemalan government officials") and targets ("will reach 20,000 young
    people") attached to the event they belong to."""
    if not events:
        return
    parts: list[tuple[Participation, bool]] = []
    agents = sorted((x for x in mentions if x.kind in ("country", "org")), key=attrgetter("start"))
    agent_starts = [x.start for x in agents]
    for q in found:
        if q.kind == "statistic":
            continue
        start, end = q.start, q.end
        group = q.group
        if group == "states-and-territories" and _AND_TERRITORIES.match(text[end : end + 16]):
            group = "states-and-territories"
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
            role="target" if q.kind == "target" else "participant",
            count=int(q.value),
            group=group,
            agent_kind=agent.kind if agent else None,
            agent=agent.ref if agent else None,
            quote=sentence_text(text, start),
        )
        parts.append((part, q.part_of_previous))
    holder = _first_holders([part.quote for part, _ in parts], [ev.quote for ev in events])
    previous: dict[int, int] = {}  # event index -> index of its last participation
    for part, part_of in parts:
        n = holder.get(part.quote, 0)  # the first event whose quote holds the count's sentence
        event = events[n]
        if "training" in event.types and part.role == "participant":
            part.role = "trainee"
        if part_of and n in previous:
            part.subset_of = previous[n]
        previous[n] = len(event.participations)
        event.participations.append(part)
    for event in events:
        ps = event.participations
        largest: dict[tuple[str | None, str], int] = {}  # group -> the first of its parts with the largest count
        for j, part in enumerate(ps):
            key = (part.group, part.role)
            if key not in largest or (part.count or 0) > (ps[largest[key]].count or 0):
                largest[key] = j
        for part in ps:
            j = largest[(part.group, part.role)]
            if part.subset_of is None and (ps[j].count or 0) > (part.count or 0):
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
