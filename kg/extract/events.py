"""Events, their types and the roles of organisations in them.

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
from kg.extract.matcher import SpanIndex, is_word, may_contain, word_alternation
from kg.extract.model import Entities, Event, Mention
from kg.extract.quantities import large_gathering
from kg.extract.sentences import sentence_at, sentence_of
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


_ARTICLES = ("the", "la", "el", "los", "las")


class _WordsBefore:
    """Whether a window of text ends with one of ``words`` (a ``|``-separated list; ``[sz]`` classes
    allowed), then whitespace, then maybe an article ("the", "la", "el", "los", "las") and whitespace,
    in any case: what ``re.compile(rf"\\b(?:{words})\\s+(?:(?:the|la|el|los|las)\\s+)?$", re.I).search(window)``
    tells, read from the end
    of the window instead of tried at each of its positions. Windows that are not ASCII go to the regex
    (ignoring case, it equates some letters that lower-casing does not)."""

    def __init__(self, words: str) -> None:
        self.regex = re.compile(rf"\b(?:{words})\s+(?:(?:the|la|el|los|las)\s+)?$", re.I)
        phrases = []
        for word in words.split("|"):
            head, _, rest = word.partition("[")
            if rest:  # organi[sz]ed by
                letters, _, tail = rest.partition("]")
                phrases += [head + letter + tail for letter in letters]
            else:
                phrases.append(word)
        if not all(p.replace(" ", "").isalpha() and p.islower() and p.isascii() for p in phrases):
            raise ValueError(f"not plain lower-case words: {words!r}")
        self.phrases = tuple(phrases)

    def search(self, window: str) -> bool:
        if not window.isascii():
            return self.regex.search(window) is not None
        tail = window.rstrip()
        if len(tail) == len(window):
            return False  # the window must end in whitespace
        tail = tail.lower()
        if tail.endswith(self.phrases) and self._ends_with_word(tail):
            return True
        article = next((a for a in _ARTICLES if tail.endswith(a)), None)
        if article is None:
            return False
        before_the = tail[: -len(article)]
        words = before_the.rstrip()
        return len(words) < len(before_the) and words.endswith(self.phrases) and self._ends_with_word(words)

    def _ends_with_word(self, tail: str) -> bool:
        """Whether one of the phrases ``tail`` ends with starts a word (``\\b``)."""
        for phrase in self.phrases:
            if tail.endswith(phrase):
                start = len(tail) - len(phrase)
                if not start or not is_word(tail[start - 1]):
                    return True
        return False


_ORGANIZER_WORDS = (
    "held by|organi[sz]ed by|hosted by|convened by|led by|facilitated by|with the support of|"
    "in coordination with|in conjunction with|at the request of|trained by|implemented by|in partnership with|"
    "run by|carried out by|conducted by|"
    "organizado por|organizada por|organizados por|organizadas por|convocado por|convocada por|"
    "liderado por|liderada por|impartido por|impartida por|coordinado por|coordinada por|"
    "en coordinacion con|en alianza con|en colaboracion con|de la mano de|a cargo de"
)
_ORGANIZER_CUES = _WordsBefore(_ORGANIZER_WORDS)
# (time adverbs too: "IOM yesterday launched", "IOM this month handed over")
_SUBJECT_AUXILIARIES = ("has", "have", "had", "will", "also", "yesterday", "this month", "last month", "last week")
_SUBJECT_VERBS = (
    "provided|held|organi[sz]ed|co-organi[sz]ed|hosted|convened|facilitates|facilitated|taught|trained|"
    "launched|created|builds|strengthens|implemented|supported|delivered|distributed|carried out|ran|"
    "handed over|conducted|donated|released|published|inaugurated|"
    "organizó|organizaron|entregó|entregaron|lanzó|lanzaron|inauguró|inauguraron|realizó|realizaron|"
    "capacitó|capacitaron|impartió|brindó|donó|publicó|llevó a cabo|llevaron a cabo|distribuyó"
)
_SUBJECT_VERB = re.compile(
    r"^\s*(?:\([^)]{0,20}\))?\s*(?:,[^,.;]{0,60},)?\s*"
    rf"(?:{'|'.join(word + ' ' for word in _SUBJECT_AUXILIARIES)})?(?:{_SUBJECT_VERBS})\b",
    re.I,
)
# What _SUBJECT_VERB can read first after the whitespace: "(", "," or the first letter of an auxiliary
# or a verb, in either case (and the letters that ignoring case equates with them: tested).
_SUBJECT_FIRST = frozenset(
    "(,"
    + "".join(
        {word[0] + word[0].upper() for word in (*_SUBJECT_AUXILIARIES, *_SUBJECT_VERBS.split("|"))}
        | {"\u017f", "\u0131", "\u0130"}  # ſ (s), ı and İ (i)
    )
)


_FUNDER_WORDS = (
    "funded by|financed by|with funding from|with financial support from|with the financial support of|"
    "sponsored by|financiado por|financiada por|financiados por|financiadas por|con el apoyo financiero de|"
    "con el apoyo financiero del|apoyo financiero de|apoyo financiero del|gracias al aporte de|"
    "gracias al aporte del|con recursos de|con recursos del|con fondos de|con fondos del|"
    "con financiamiento de|con financiamiento del"
)
_FUNDER_CUES = _WordsBefore(_FUNDER_WORDS)
# "thanks to a contribution of 2 million Canadian dollars from", "un aporte de 300.000 dólares de"
_CONTRIBUTION = re.compile(
    r"\b(?:contribution|donation|grant)\s+of\s+[^.;]{1,40}?\s+from\s+(?:the\s+)?$"
    r"|\b(?:aporte|contribución|contribucion|donación|donacion)\s+de\s+[^.;]{1,40}?\s+(?:de|del)\s+(?:la\s+|el\s+)?$",
    re.I,
)
_CONTRIBUTION_WORDS = ("contribution", "donation", "grant", "aporte", "contribuci", "donaci")
# "held at the University of the West Indies": the venue is where the event is, not who attended
_VENUE_CUES = _WordsBefore("at|held at|hosted at|headquarters of|en la sede de|en la sede del|sede de|sede del")
# Joins co-organisers or co-funders named together: "organised by IOM and UNHCR", "IOM, the UN
# Migration Agency, together with …", "financed by the Government of Japan and USAID".
_LIST_GAP = re.compile(
    r"(?:\s*\([^()]{1,20}\))?(?:\s*,\s*(?:the\s+)?(?:UN|United Nations) Migration Agency\s*,?"
    r"|\s*,\s*la\s+Agencia\s+de\s+la\s+ONU\s+para\s+las\s+Migraciones\s*,?)?"
    r"\s*(?:,\s*and|,\s*y|,|and|y|e|together with|junto con|as well as|along with)\s+"
    r"(?:the\s+|la\s+|el\s+|los\s+|las\s+)?(?:Government of\s+|Gobierno de\s+)?$",
    re.I,
)
_GOVERNMENT_OF = re.compile(r"(?:\bthe\s+)?(?:Government of|Gobierno de(?:l)?)\s+$", re.I)
# "Jane Roe, a national of Chad": a person's nationality, not a country taking part
_NATIONALITY = _WordsBefore(
    "a national of|nationals of|national of|a citizen of|citizen of|nacional de|ciudadana de|ciudadano de"
)


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


def _cue_hits(text: str, mentions: list[Mention]) -> list[tuple[int, int, str]]:
    """Event-type cues in ``text``, in text order, except inside names ("Regional Conference on Migration")."""
    names = SpanIndex([(m.start, m.end) for m in mentions if m.kind in ("org", "region")])
    hits = [
        (start, end, concept)
        for concept, found in find_cues(text, "event-type").items()
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


def find_events(text: str, title: str, published: date, entities: Entities, mentions: list[Mention]) -> list[Event]:
    title_end = len(title)
    anchors: list[_Anchor] = []
    seen: dict[tuple[date | None, date | None], _Anchor] = {}
    dateline: _Anchor | None = None
    for d in find_dates(text, published):
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
    hits = _cue_hits(text, mentions)
    whole_types = _types(hits, [(0, len(text))])
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
        if types == ["workshop"] and "training" in {c for a, b, c in hits if b <= title_end}:
            types = ["training"]
        quote = " ".join(text[a:b].strip() for a, b in own)
        event = Event(types=types, quote=quote, rule=(anchor.span.rule if anchor.span else "event-cue"))
        if len(types) == 1 and types[0] == "meeting" and large_gathering(context):
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
        _roles(event, text, in_context, entities, dateline=n == 0, title_end=title_end, known=known)
        events.append(event)
    if len(anchors) > 1:
        _share_item_roles(events, anchors, text, mentions, entities, title_end, known)
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


_ACTIVE_VERB = re.compile(
    r"\b(?:provided|held|organi[sz]ed|hosted|convened|facilitated|taught|trained|launched|created|delivered|"
    r"distributed|carried out|ran|conducted|handed over|donated|inaugurated|"
    r"organizaron|entregaron|lanzaron|inauguraron|realizaron|capacitaron|llevaron a cabo)\b"
)
_CLAUSE_BREAK = re.compile(r"\b(?:which|who|whom|that|while|whereas|because|after|before)\b|;")
_PREPOSITIONS = "of|from|with|for|by|to|in|at|on|among|between|and"
_PREPOSITION_BEFORE = _WordsBefore(_PREPOSITIONS)


def _subject_verb(after: str) -> bool:
    """``_SUBJECT_VERB.match(after)``, not run where its first character rules it out."""
    return after.lstrip()[:1] in _SUBJECT_FIRST and _SUBJECT_VERB.match(after) is not None


def _clause_subject(text: str, start: int, end: int) -> bool:
    """Whether the organisation at ``start:end`` heads a list that is the subject of an active
    event verb in its sentence: "IOM, ILO and the regional team … held their first meeting"."""
    before = text[max(0, start - 12) : start]
    if _PREPOSITION_BEFORE.search(before):
        return False
    sentence = sentence_at(text, start)
    sentence_end = sentence[1] if sentence else len(text)
    gap_and_verb = text[end : min(sentence_end, end + 220)]
    verb = _ACTIVE_VERB.search(gap_and_verb)
    return verb is not None and not _CLAUSE_BREAK.search(gap_and_verb[: verb.start()])


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


def _share_item_roles(
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
    _roles(shared, text, free, entities, dateline=False, title_end=title_end, known=known)
    for event in events:
        if not event.organizers and shared.organizers:
            event.organizers = shared.organizers
            event.attendees = sorted(set(event.attendees) - set(shared.organizers))
        if not event.funders and shared.funders:
            event.funders = shared.funders


def _last_word(before: str) -> str:
    """The last word of ``before`` ("the" skipped), lower-cased: every role cue ends with one of a few
    words ("by", "from", "of", "de" …), so a name after any other word needs no cue looked up."""
    words = before[-24:].lower().split()
    if words and words[-1] in _ARTICLES:
        words.pop()
    return words[-1] if words else ""


def _cue_last_words(*cues: _WordsBefore) -> frozenset[str]:
    return frozenset(phrase.rsplit(" ", 1)[-1] for cue in cues for phrase in cue.phrases)


_ROLE_LAST_WORDS = _cue_last_words(_FUNDER_CUES, _ORGANIZER_CUES) | {"from", "de", "del", "la", "el"}
_VENUE_LAST_WORDS = _cue_last_words(_VENUE_CUES)
_NATIONALITY_LAST_WORDS = _cue_last_words(_NATIONALITY)


def _national_of(before: str) -> bool:
    """Whether ``before`` ends with "a national of" (in a few wordings and Spanish)."""
    lowered = before.lower()
    if not any(word in lowered for word in ("national", "citizen", "nacional", "ciudadan")):
        return False
    return _last_word(before) in _NATIONALITY_LAST_WORDS and _NATIONALITY.search(before) is not None


def _role_cue(text: str, start: int, before: str) -> str | None:
    """The role the words just before a name give it: "funded by X", "a contribution of … from X",
    "organised by X"."""
    if before.isascii() and _last_word(before) not in _ROLE_LAST_WORDS:
        return None
    if _FUNDER_CUES.search(before):
        return "funder"
    wider = text[max(0, start - 90) : start]
    if any(word in wider for word in _CONTRIBUTION_WORDS) and _CONTRIBUTION.search(wider):
        return "funder"
    if _ORGANIZER_CUES.search(before):
        return "organizer"
    return None


def _own_roles(text: str, m: Mention, end: int) -> tuple[str | None, str]:
    """What a name's own words say of its role, whatever the event: the cue before it ("funded by",
    or ``None``), and else what it does in its clause ("organizer" for a subject that held the event,
    "venue" after "held at", "" for neither)."""
    before = text[max(0, m.start - 45) : m.start]
    if m.kind == "country":  # "financed by the Government of Japan and USAID": Japan carries the role on
        government = _GOVERNMENT_OF.search(before)
        if government:
            before = text[max(0, m.start - len(government.group(0)) - 45) : m.start - len(government.group(0))]
        return _role_cue(text, m.start, before), ""
    cue = _role_cue(text, m.start, before)
    if cue is not None:
        return cue, ""
    if _subject_verb(text[end : end + 60]) or _clause_subject(text, m.start, end):
        return None, "organizer"
    if _last_word(before) in _VENUE_LAST_WORDS and _VENUE_CUES.search(before):
        return None, "venue"
    return None, ""


def _roles(
    event: Event,
    text: str,
    mentions: list[Mention],
    entities: Entities,
    dateline: bool,
    title_end: int = 0,
    known: dict[tuple[int, int], tuple[str | None, str]] | None = None,
) -> None:
    """Organisers ("held by X", "X provided …"), funders ("funded by X"), attendees (the rest).

    A headline's subject ("IOM strengthens dialogue …") organises only when the body names no
    organiser: the body says who held the event. ``known`` keeps what :func:`_own_roles` found for
    the item's names, which its events share.
    """
    known = {} if known is None else known
    distributed: dict[int, int] = {}  # start of an "org-distributive" list -> the end of its last name
    for m in mentions:
        if m.rule == "org-distributive":
            distributed[m.start] = max(distributed.get(m.start, m.end), m.end)
    organizers: list[str] = []
    headline_organizers: list[str] = []
    funders: list[str] = []
    attendees: list[str] = []
    # the end and role of the last organisation or country read (a country's role read only if needed)
    previous_end, previous_role, previous_country = -1, "attendee", None
    for m in mentions:
        if m.kind == "country":
            previous_end, previous_role, previous_country = m.end, "", m
            continue
        if m.kind != "org":
            continue
        end = m.end
        if m.rule == "org-distributive":  # "The Councils of A, B and C held …": read after the list
            end = distributed[m.start]
        own = known.get((m.start, end))
        if own is None:
            own = known[(m.start, end)] = _own_roles(text, m, end)
        role = own[0]
        gap = text[previous_end : m.start] if role is None and previous_role != "attendee" else ""
        if gap and len(gap) < 80 and _LIST_GAP.fullmatch(gap):  # named with the one before: the same role
            if previous_country is not None:
                previous_role = _own_roles(text, previous_country, previous_country.end)[0] or "attendee"
            role = None if previous_role == "attendee" else previous_role
        role = role or own[1] or "attendee"
        previous_end, previous_role, previous_country = end, role, None
        if role == "funder":
            funders.append(m.ref)
        elif role == "organizer":
            (headline_organizers if m.start < title_end else organizers).append(m.ref)
        elif role == "attendee":
            attendees.append(m.ref)
    if not organizers:
        organizers = headline_organizers
    else:
        attendees += headline_organizers
    event.funders = sorted(set(funders))
    event.organizers = sorted(set(organizers) - set(funders))
    event.attendees = sorted(set(attendees) - set(organizers) - set(funders))
    countries = sorted(
        {m.ref for m in mentions if m.kind == "country" and not _national_of(text[max(0, m.start - 30) : m.start])}
    )
    places = [m.ref for m in mentions if m.kind == "place"]
    if dateline and entities.dateline_place and entities.dateline_place not in places:
        places.insert(0, entities.dateline_place)
    event.places = sorted(set(places))
    location = sorted({entities.place_country[p] for p in event.places if p in entities.place_country})
    event.location_countries = location
    event.participant_countries = countries
