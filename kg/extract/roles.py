"""The roles of organisations and countries in an event: organisers ("held by X", "X provided …"),
funders ("funded by X", "with a contribution from X"), attendees (the rest), the event's places and
the countries taking part.

Each organisation's role is read from the words just before it (a cue such as "organised by",
"financed by", "at", "a national of") or from its being the subject of an event verb; a name listed
with the one before it ("IOM and UNHCR organised …") shares its role.
"""

from __future__ import annotations

import re

from kg.extract.matcher import word_starts_at
from kg.extract.model import Entities, Event, Mention
from kg.extract.sentences import sentence_at

__all__ = ["assign_roles"]

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
                if word_starts_at(tail, start):
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


def assign_roles(
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
