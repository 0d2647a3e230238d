"""Events and their types (the roles of organisations in them are :mod:`kg.extract.roles`').

An event is anchored on a date expression (one per distinct date span) or, when the text
has none, on the strongest event cue of the item. Its context is the sentence holding its
anchor, plus the title for the first event.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from operator import attrgetter

from kg.extract.dates import DateSpan, find_dates
from kg.extract.lowercase import LowerCasePass
from kg.extract.matcher import SpanIndex, may_contain, word_alternation
from kg.extract.model import Entities, Event, Mention
from kg.extract.quantities import count_value, quantity_matches
from kg.extract.roles import assign_roles
from kg.extract.sentences import sentence_of
from kg.extract.vocab import find_cues

__all__ = ["find_events"]

# When several types fire in one context, the first in this list wins; a follow-up workshop
# of representatives is a workshop, officials trained in workshops is a training, a survey whose
# results are presented is a publication, returnees given a meal on arrival are a return.
PRECEDENCE = [
    "training",
    "workshop",
    "conference",
    "agreement",
    "launch",
    "campaign",
    "return",
    "donation",
    "assistance",
    "visit",
    "dialogue",
    "meeting",
    "publication",
    "study",
]
_EVENT_VERBS = re.compile(
    r"\b(?:approved|adopted|signed|created|launched|held|met|organi[sz]ed|hosted|inaugurated|opened|took place|"
    r"established|founded|started|began)\b",
    re.I,
)
_AGREED = re.compile(r"\b(?:approved|adopted|signed|ratified|aprobad[oa]|firmad[oa])\b", re.I)
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
_ORDINAL = re.compile(
    rf"\b({word_alternation(_ORDINALS)})\s+(?:\w+\s+)?(?:meeting|session|edition|round|forum|conference)\b", re.I
)


_LARGE_GROUPS = ("countries", "organizations", "organisations")


def _large_gathering(context: str, shared: LowerCasePass) -> bool:
    """A meeting of ten or more counted states or organisations is a conference."""
    if not may_contain(context, _LARGE_GROUPS):
        return False
    for m in quantity_matches(context, shared):
        value = count_value(m) or 0
        if value >= 10 and m.group("noun").lower().split()[0] in _LARGE_GROUPS:
            return True
    return False


_START = attrgetter("start")


@dataclass
class _Anchor:
    span: DateSpan | None
    offset: int
    sentence: tuple[int, int]
    also: list[tuple[int, int]]  # later sentences that repeat the same dates


def _ordinal(context: str) -> re.Match[str] | None:
    """``_ORDINAL.search(context)``, not run when no ordinal word occurs."""
    return _ORDINAL.search(context) if may_contain(context, _ORDINALS) else None


def _cue_hits(text: str, mentions: list[Mention], shared: LowerCasePass) -> list[tuple[int, int, str]]:
    """Event-type cues in ``text``, in text order, except inside names ("Regional Conference on Migration")."""
    names = SpanIndex([(m.start, m.end) for m in mentions if m.kind in ("org", "region")])
    hits = [
        (start, end, concept)
        for concept, found in find_cues(text, "event-type", shared).items()
        for start, end in found
        if not names.encloses(start, end)
    ]
    hits.sort()
    return hits


def _types(hits: list[tuple[int, int, str]], ranges: list[tuple[int, int]]) -> list[str]:
    """The event type of highest precedence cued inside ``ranges``, as a one-item list (``hits`` in
    text order: those that start inside a range count, a cue cut by a window's end included)."""
    found = set()
    for a, b in ranges:
        for i in range(bisect.bisect_left(hits, (a,)), len(hits)):
            start, _, concept = hits[i]
            if start >= b:
                break
            found.add(concept)
    return [t for t in PRECEDENCE if t in found][:1]


def _in_ranges(mentions: list[Mention], starts: list[int], ranges: Iterable[tuple[int, int]]) -> list[Mention]:
    """The mentions (in text order, ``starts`` their starts) that start inside one of ``ranges``."""
    chosen: set[int] = set()
    for a, b in ranges:
        chosen.update(range(bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)))
    return [mentions[i] for i in sorted(chosen)]


def find_events(
    text: str, title: str, published: date, entities: Entities, mentions: list[Mention], shared: LowerCasePass
) -> list[Event]:
    """The events ``text`` reports (``shared``: the pass over its lower-cased text that holds the tables
    of :func:`kg.extract.dates.date_word_table`, :func:`kg.extract.quantities.count_word_table` and
    :func:`kg.extract.vocab.cue_table`)."""
    title_end = len(title)
    anchors: list[_Anchor] = []
    seen: dict[tuple[date | None, date | None], _Anchor] = {}
    dateline: _Anchor | None = None
    for d in find_dates(text, published, shared):
        sentence = sentence_of(text, d.offset)
        if (
            d.precision == "year"
            and not _THROUGHOUT.match(d.text)
            and not _EVENT_VERBS.search(text[sentence[0] : sentence[1]])
        ):
            continue
        if dateline is None and not anchors and _is_dateline(text, title_end, d):
            dateline = _Anchor(d, d.offset, sentence, [])
            continue  # it dates the activity only if the text gives it no date of its own
        if (d.start, d.end) in seen:
            seen[(d.start, d.end)].also.append(sentence)
            continue
        anchor = _Anchor(d, d.offset, sentence, [])
        seen[(d.start, d.end)] = anchor
        anchors.append(anchor)
    main = _main_anchor(anchors)
    anchors[:0] = [anchors.pop(main)] if anchors else []
    if dateline and not (anchors and _bounded(anchors[0])):
        anchors.insert(0, dateline)  # the activity has no date of its own: the dateline's is its
    hits = _cue_hits(text, mentions, shared)
    whole_types = _types(hits, [(0, len(text))])
    title_cues = {c for _, b, c in hits[: bisect.bisect_left(hits, (title_end,))] if b <= title_end}
    if not anchors:
        if not whole_types:
            return []
        first_cue = min(start for start, _, _ in hits)
        anchors.append(_Anchor(None, first_cue, sentence_of(text, first_cue), []))

    events = []
    known: dict[tuple[int, int], tuple[str | None, str]] = {}  # what each name's own words say of its role
    mentions = sorted(mentions, key=_START)
    starts = [m.start for m in mentions]
    segments = _segments(anchors)
    for n, anchor in enumerate(anchors):
        s, e = anchor.sentence
        own = [anchor.sentence, *anchor.also]
        title_range = [(0, title_end)]
        context_ranges = own + title_range if n == 0 else own
        context = " ".join(text[a:b] for a, b in context_ranges)
        window = [(max(s, anchor.offset - 80), min(e, anchor.offset + 45))] if anchor.span else []
        if anchor.span and anchor.span.precision == "year":
            window = [(max(s, anchor.offset - 45), anchor.offset)]
        # no cue, no type: an item that names no activity does not report a meeting
        types = _types(hits, window) or _types(hits, own) or _types(hits, context_ranges) or whole_types
        window_text = " ".join(text[a:b] for a, b in window)
        if anchor.span and anchor.span.precision == "year" and not _types(hits, window) and _AGREED.search(window_text):
            types = ["agreement"]  # "approved by vice ministers in 2018"
        if types == ["workshop"] and "training" in title_cues:
            types = ["training"]
        quote = " ".join(text[a:b].strip() for a, b in own)
        event = Event(types=types, quote=quote, rule=(anchor.span.rule if anchor.span else "event-cue"))
        if len(types) == 1 and types[0] == "meeting" and _large_gathering(context, shared):
            types = event.types = ["conference"]
        if anchor.span:
            event.start, event.end, event.precision = anchor.span.start, anchor.span.end, anchor.span.precision
        ordinal = _ordinal(context)
        if ordinal:
            event.ordinal = _ORDINALS[ordinal.group(1).lower()]
        in_context = mentions
        if len(anchors) > 1:
            first = anchors[0]
            with_title = n == 0 or (anchor.span and first.span and anchor.span.offset == first.span.offset)
            ranges = [segments[n], *anchor.also] + ([(0, title_end)] if with_title else [])
            in_context = _in_ranges(mentions, starts, ranges)
        assign_roles(event, text, in_context, entities, dateline=n == 0, title_end=title_end, known=known)
        events.append(event)
    if len(anchors) > 1:
        _share_itemassign_roles(events, anchors, text, mentions, entities, title_end, known)
    return events


_THROUGHOUT = re.compile(r"(?:throughout|a lo largo de)\b", re.I)
# "Lima, 12 March 2023 –" / "Quito. 3 April 2019." at the start of the summary: a place, a date, a dash
_DATELINE_PLACE = re.compile(r"\s*[^\W\d][\w'’.-]*(?:\s+[\w'’.-]+){0,4}[,.]\s*(?:\w+,\s*)?")
_DATELINE_END = re.compile(r"\s*(?:[–—-]|\.)")


def _is_dateline(text: str, title_end: int, span: DateSpan) -> bool:
    """Whether ``span`` is the date of a dateline opening the summary: the day the item was filed."""
    start = title_end
    while start < len(text) and text[start].isspace():
        start += 1
    return (
        span.offset - start < 60
        and _DATELINE_PLACE.fullmatch(text, start, span.offset) is not None
        and _DATELINE_END.match(text, span.end_offset) is not None
    )


def _bounded(anchor: _Anchor) -> bool:
    """Whether the anchor dates a bounded activity: a day or a month that ends. A year alone mostly
    dates the background ("first proposed in 2015", "in 2022, 1,200 people …"), and "since 24
    February" a state that goes on."""
    span = anchor.span
    return span is not None and span.precision != "year" and span.end is not None


def _main_anchor(anchors: list[_Anchor]) -> int:
    """The index of the anchor of the item's main reported activity: the first bounded one, else the
    first."""
    return next((i for i, anchor in enumerate(anchors) if _bounded(anchor)), 0)


def _segments(anchors: list[_Anchor]) -> list[tuple[int, int]]:
    """The part of each anchor's sentence that belongs to it: "A met on May 16-17, while B met on
    May 23-24" gives A the text up to the first date and B the rest."""
    cuts_of: dict[tuple[int, int], set[tuple[int, int]]] = {}
    for a in anchors:
        if a.span and a.span.precision == "day":
            cuts_of.setdefault(a.sentence, set()).add((a.span.offset, a.span.end_offset))
    ordered = {sentence: sorted(cuts) for sentence, cuts in cuts_of.items()}
    segments = []
    for anchor in anchors:
        s, e = anchor.sentence
        if anchor.span is None or anchor.span.precision != "day":
            segments.append((s, e))  # a background "in 2018" belongs to its whole sentence
            continue
        cuts = ordered[anchor.sentence]
        k = bisect.bisect_left(cuts, (anchor.span.offset,))
        begin = s if k == 0 else cuts[k - 1][1]
        end = e if k == len(cuts) - 1 else cuts[k][1]
        segments.append((begin, end))
    return segments


def _share_itemassign_roles(
    events: list[Event],
    anchors: list[_Anchor],
    text: str,
    mentions: list[Mention],
    entities: Entities,
    title_end: int,
    known: dict[tuple[int, int], tuple[str | None, str]],
) -> None:
    """Organisers and funders named in sentences that anchor no event ("The activity was held by
    IOM") hold for every event of the item that has none of its own."""
    anchored = SpanIndex(r for a in anchors for r in (a.sentence, *a.also))
    free = [m for m in mentions if m.start >= title_end and not anchored.holds(m.start)]
    if not free:
        return
    shared = Event()
    assign_roles(shared, text, free, entities, dateline=False, title_end=title_end, known=known)
    for event in events:
        if not event.organizers and shared.organizers:
            event.organizers = shared.organizers
            event.attendees = sorted(set(event.attendees) - set(shared.organizers))
        if not event.funders and shared.funders:
            event.funders = shared.funders
