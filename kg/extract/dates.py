"""Event dates in news text: ranges, lists, months, years and relative days.

Missing years come from the publication date: a day more than four months after
publication is taken to be in the previous year ("on 28 December" in an item of 5 January).

The month names and the words that gate some patterns are looked up in a pass over the lower-cased
text (:class:`kg.extract.lowercase.LowerCasePass`) that holds :func:`date_word_table`: the one the
extractor shares among its rule families, or one of this table alone.

>>> from datetime import date
>>> from kg.extract.lowercase import LowerCasePass
>>> shared, pub = LowerCasePass([date_word_table]), date(2019, 6, 11)
>>> [(d.start.isoformat(), d.end.isoformat(), d.precision) for d in find_dates("during June 6 and 7", pub, shared)]
[('2019-06-06', '2019-06-07', 'day')]
>>> [(d.start.isoformat(), d.end.isoformat()) for d in find_dates("On May 22 and 27, officials met", pub, shared)]
[('2019-05-22', '2019-05-22'), ('2019-05-27', '2019-05-27')]
>>> [(d.start.isoformat(), d.precision) for d in find_dates("on 28 December", date(2020, 1, 5), shared)]
[('2019-12-28', 'day')]
"""

from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from kg.extract.lowercase import LowerCasePass
from kg.extract.matcher import digit_runs, folded, matches_from, word_alternation, word_ends_at, word_starts_at
from kg.sources.dates import MONTHS

__all__ = ["DateSpan", "date_word_table", "find_dates"]

_MONTH_NAMES = sorted(MONTHS, key=len, reverse=True)
# The lookahead rejects most positions at once: every month name starts with one of these letters.
_FIRST = "".join(sorted({m[0] for m in MONTHS} | {m[0].upper() for m in MONTHS}))
M = rf"(?=[{_FIRST}])(?P<m>{word_alternation(_MONTH_NAMES)})\.?"
M2 = rf"(?=[{_FIRST}])(?P<m2>{word_alternation(_MONTH_NAMES)})\.?"
D1 = r"(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?"
D2 = r"(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?"
Y = r"(?:,?\s+(?:de\s+)?(?P<y>(?:19|20)\d\d))?"
SEP = r"\s*(?P<sep>-|–|and|y|to|al|a|through|until)\s*(?:el\s+)?"
_YEAR_WORDS = ("in", "en", "during", "durante", "throughout", "a lo largo de")
WEEKDAYS = {name: i for i, name in enumerate(calendar.day_name)}
_WEEKDAYS_ES = {
    "lunes": 0,
    "martes": 1,
    "miércoles": 2,
    "miercoles": 2,
    "jueves": 3,
    "viernes": 4,
    "sábado": 5,
    "sabado": 5,
    "domingo": 6,
}
_EN_DAY = "|".join(calendar.day_name)
_ES_DAY = "|".join(_WEEKDAYS_ES)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # from 18 to 20 December 2019 / between 3 and 5 March 2020 / 4 and 5 June / 16-17 May
    ("day-range-dm", re.compile(rf"\b{D1}(?:\s+(?:de\s+)?{M2})?{SEP}{D2}\s+(?:de\s+)?{M}{Y}\b", re.I)),
    # June 6 and 7 / May 9-10, 2019 / from May 16 to 17 / May 30 to June 2
    ("day-range-md", re.compile(rf"\b{M}\s+{D1}{SEP}(?:{M2}\s+)?{D2}\b(?!\s*%){Y}", re.I)),
    # 11 June 2019 / 11 de junio de 2019
    ("day-dm", re.compile(rf"\b{D1}\s+(?:de\s+)?{M}{Y}\b", re.I)),
    # June 11, 2019 / June 11
    ("day-md", re.compile(rf"\b{M}\s+{D1}\b(?![\d%])(?!\s*(?:percent|per cent)){Y}", re.I)),
    # from November 2019 to October 2020 / From March to June 2022 / entre agosto y octubre de 2021
    (
        "month-range",
        re.compile(
            rf"\b{M}(?:,?\s+(?:de\s+)?(?P<y1>(?:19|20)\d\d))?\s*(?P<sep>-|–|to|and|y|a|through|until|hasta)\s*"
            rf"{M2}\s+(?:de\s+|of\s+)?(?P<y>(?:19|20)\d\d)\b",
            re.I,
        ),
    ),
    # In October 2018 / en octubre de 2018
    ("month", re.compile(rf"\b{M}\s+(?:de\s+|of\s+)?(?P<y>(?:19|20)\d\d)\b", re.I)),
    # In August, … / Since January … / en marzo (the word before is checked in _resolve)
    ("month-bare", re.compile(rf"\b{M}\b(?![\s,]*(?:de\s+|of\s+)?\d)", re.I)),
    # in 2018 (only next to an event verb; see find_dates)
    ("year", re.compile(r"\b(?:" + "|".join(_YEAR_WORDS) + r")\s+(?P<y>(?:19|20)\d\d)\b(?![-–/]\d)", re.I)),
    (
        "relative",
        re.compile(
            r"\b(?:yesterday|today|last week|this week|last month|this month|ayer|hoy|la semana pasada|"
            r"esta semana|el mes pasado|este mes)\b",
            re.I,
        ),
    ),
    # on Tuesday / on Tuesday and Wednesday (not "on Tuesday, 3 May": the day-month rule reads that)
    (
        "weekday",
        re.compile(rf"\bon\s+(?P<wd>{_EN_DAY})(?:\s+(?:and|to|through)\s+(?P<wd2>{_EN_DAY}))?\b(?![\s,]*\d)", re.I),
    ),
    # el martes / el pasado martes / el martes pasado / el lunes y el martes
    (
        "weekday-es",
        re.compile(
            rf"\bel\s+(?:pasado\s+)?(?P<wd>{_ES_DAY})(?:\s+pasado)?(?:\s+y\s+(?:el\s+)?(?P<wd2>{_ES_DAY}))?\b"
            r"(?![\s,]*\d)",
            re.I,
        ),
    ),
]


_MONTH_AT = re.compile(rf"\b(?=[{_FIRST}])(?:" + "|".join(_MONTH_NAMES) + r")\b", re.I)
_MONTH_FIRST = {"day-range-md", "day-md", "month-range", "month", "month-bare"}
_DAY_FIRST = {"day-range-dm", "day-dm"}
_BETWEEN = re.compile(r"\b(?:between|entre|from|del)\s+(?:el\s+)?$", re.I)
# A month named alone dates an activity after these words ("In August, IOM …"); "since" and
# "desde" give only its start.
_BARE_MONTH_BEFORE = re.compile(
    r"\b(?:in|during|throughout|since|early|late|mid-|en|durante|desde|a lo largo de|a (?:principios|finales) de)"
    r"(?:\s+|(?<=-))(?:el mes de\s+)?$",
    re.I,
)
_ENDED = re.compile(
    r"\b(?:ended|ending|concluded|closed|finished|finalizó|finalizo|concluyó|concluyo|culminó|culmino|terminó|termino)"
    r"\s+(?:on\s+|el\s+)?$",
    re.I,
)
_SINCE = re.compile(r"\b(?:since|desde)\s+$", re.I)
_KEYWORDS = {
    "relative": (
        "yesterday",
        "today",
        "last week",
        "this week",
        "last month",
        "this month",
        "ayer",
        "hoy",
        "la semana pasada",
        "esta semana",
        "el mes pasado",
        "este mes",
    ),
    "weekday": tuple(f"on {day.lower()}" for day in calendar.day_name),
    "weekday-es": (*(f"el {day}" for day in _WEEKDAYS_ES), "el pasado"),
    "year": ("in 1", "in 2", "en 1", "en 2", "during", "durante", "throughout", "a lo largo de"),
}


_KEYWORD_WORDS = frozenset(word for words in _KEYWORDS.values() for word in words)


def date_word_table() -> dict[str, tuple[str, ...]]:
    """Month names ("month") and the words of ``_KEYWORDS`` (their rule): a table of
    :class:`kg.extract.lowercase.LowerCasePass`."""
    tags: dict[str, list[str]] = {name: ["month"] for name in MONTHS}
    for rule, words in _KEYWORDS.items():
        for word in words:
            tags.setdefault(word, []).append(rule)
    return {word: tuple(t) for word, t in tags.items()}


@dataclass(slots=True)  # not frozen: quicker to make, and a span is never changed nor hashed
class DateSpan:
    start: date | None  # None when only the end is known ("the course, which ended on 9 May")
    end: date | None  # None when only the start is known ("since January")
    precision: str  # day | month | year
    offset: int
    end_offset: int
    text: str
    rule: str


def _month(text: str | None) -> int | None:
    return MONTHS.get(text.lower().rstrip(".")) if text else None


def _year_for(month: int, day: int, published: date) -> int:
    year = published.year
    try:
        candidate = date(year, month, day)
    except ValueError:
        return year
    if candidate - published > timedelta(days=120):
        return year - 1
    return year


def _day(year: int | None, month: int, day: int, published: date) -> date | None:
    try:
        return date(year if year else _year_for(month, day, published), month, day)
    except ValueError:
        return None


def _last_weekday(target: int, published: date) -> date:
    """The last ``target`` weekday (0 is Monday) on or before ``published``."""
    return published - timedelta(days=(published.weekday() - target) % 7)


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def find_dates(text: str, published: date, shared: LowerCasePass) -> list[DateSpan]:
    """Date expressions in ``text``, left to right, overlaps resolved by the first pattern (``shared``:
    a pass that holds :func:`date_word_table`)."""
    # the spans taken, disjoint and sorted: their ends grow as their starts do
    taken_starts: list[int] = []
    taken_ends: list[int] = []
    spans: list[DateSpan] = []

    def free(a: int, b: int) -> bool:
        """Whether ``a:b`` overlaps no span taken: the last one to start before ``b`` ends by ``a``."""
        i = bisect.bisect_left(taken_starts, b)
        return i == 0 or taken_ends[i - 1] <= a

    month_at, keywords = _month_starts_and_keywords(text, shared)
    # a day-first date ends with a month name: its day comes before the last one
    day_at = _day_starts(text, month_at[-1]) if month_at else []
    for rule, pattern in _PATTERNS:
        candidates: Iterable[re.Match[str]]
        if rule in _MONTH_FIRST:
            # These patterns start with a month name: try them only where one stands, not yet taken.
            candidates = (m for pos in month_at if free(pos, pos + 1) and (m := pattern.match(text, pos)))
        elif rule in _KEYWORDS and rule not in keywords:
            continue
        elif rule in _DAY_FIRST:
            candidates = matches_from(pattern, text, day_at)
        elif rule == "year":
            candidates = matches_from(pattern, text, _year_word_starts(text))
        else:
            candidates = pattern.finditer(text)
        for m in candidates:
            if not free(m.start(), m.end()):
                continue
            found = _resolve(rule, m, published, text)
            if found:
                i = bisect.bisect_left(taken_starts, m.start())
                taken_starts.insert(i, m.start())
                taken_ends.insert(i, m.end())
                spans.extend(DateSpan(s, e, p, m.start(), m.end(), m.group(0), f"date-{rule}") for s, e, p in found)
    return sorted(spans, key=lambda d: (d.offset, d.start or d.end))


def _month_starts_and_keywords(text: str, shared: LowerCasePass) -> tuple[list[int], set[str]]:
    """Where ``_MONTH_AT`` matches, and the rules of ``_KEYWORDS`` with a word in the lower-cased text."""
    lowered = folded(text)
    if lowered is None:
        lowered = text.lower()
        rules = {rule for rule, words in _KEYWORDS.items() if any(word in lowered for word in words)}
        return [m.start() for m in _MONTH_AT.finditer(text)], rules
    starts: set[int] = set()
    keywords: set[str] = set()
    for start, end, tags in shared.hits(text, date_word_table):
        for tag in tags:
            if tag != "month":
                # as written: the shared pass reads a line break as a space, and "en\n2019" must not
                # run the year rule where the plain lookup ("en 2" in the text) would not
                if lowered[start:end] in _KEYWORD_WORDS:
                    keywords.add(tag)
            elif word_starts_at(lowered, start) and word_ends_at(lowered, end):
                starts.add(start)  # a word as \b reads it, as in _MONTH_AT
    return sorted(starts), keywords


def _day_starts(text: str, end: int) -> list[int]:
    """Where the day-first patterns can match: the digit runs that start a word and have fewer than
    three digits before ``end`` (``re.finditer(r"\\d(?<!\\w\\d)(?!\\d\\d)", text, 0, end)``'s starts)."""
    return [
        start
        for start, stop in digit_runs(text)
        if start < end and min(stop, end) - start < 3 and word_starts_at(text, start)
    ]


def _year_word_starts(text: str) -> list[int]:
    """Where "in 2018" / "durante 2019" can start: a word of ``_YEAR_WORDS`` ending where the
    whitespace before a 19xx or 20xx number begins."""
    starts: set[int] = set()
    for space in _year_spaces(text):
        while space and text[space - 1].isspace():
            space -= 1
        starts.update(space - len(word) for word in _YEAR_WORDS if space >= len(word))
    return sorted(starts)


def _year_spaces(text: str) -> list[int]:
    """Where "in 2018" ends: the whitespace before a run of four digits that starts with 19 or 20
    and ends a word (``re.finditer(r"\\s(?:19|20)\\d\\d\\b", text)``'s starts)."""
    return [
        start - 1
        for start, stop in digit_runs(text)
        if stop - start == 4
        and start
        and text[start - 1].isspace()
        and text.startswith(("19", "20"), start)
        and word_ends_at(text, stop)
    ]


def _resolve(rule: str, m: re.Match[str], published: date, text: str) -> list[tuple[date | None, date | None, str]]:
    groups = m.groupdict()
    year = int(groups["y"]) if groups.get("y") else None
    if rule in ("day-range-dm", "day-range-md"):
        month = _month(groups["m"])
        month1 = _month(groups.get("m2")) if rule == "day-range-dm" and groups.get("m2") else month
        month2 = _month(groups.get("m2")) if rule == "day-range-md" and groups.get("m2") else month
        if month is None or month1 is None or month2 is None:
            return []
        d1, d2 = int(groups["d1"]), int(groups["d2"])
        start = _day(year, month1, d1, published)
        end = _day(year or (start.year if start else None), month2, d2, published)
        if start is None or end is None or end < start:
            return []
        sep = groups["sep"].lower()
        between = _BETWEEN.search(text[max(0, m.start() - 12) : m.start()])
        if sep in ("and", "y") and (end - start).days > 1 and not between:
            return [(start, start, "day"), (end, end, "day")]  # "May 22 and 27": two days
        return [(start, end, "day")]
    if rule in ("day-dm", "day-md"):
        month = _month(groups["m"])
        if month is None:
            return []
        day = _day(year, month, int(groups["d1"]), published)
        before = text[max(0, m.start() - 24) : m.start()]
        if day and _ENDED.search(before):
            return [(None, day, "day")]  # "the course, which ended on 9 May": its start is not known
        if day and _SINCE.search(before):
            return [(day, None, "day")]  # "since 24 February": still going on
        return [(day, day, "day")] if day else []
    if rule == "month":
        month = _month(groups["m"])
        if month is None or year is None:
            return []
        return [(*_month_span(year, month), "month")]
    if rule == "month-range":
        first, last = _month(groups["m"]), _month(groups["m2"])
        if first is None or last is None or year is None:
            return []
        first_year = int(groups["y1"]) if groups.get("y1") else (year if first <= last else year - 1)
        start, _ = _month_span(first_year, first)
        _, end = _month_span(year, last)
        return [(start, end, "month")] if start < end else []
    if rule == "month-bare":
        month = _month(groups["m"])
        before = text[max(0, m.start() - 24) : m.start()]
        if month is None or not _BARE_MONTH_BEFORE.search(before):
            return []
        # a reported month after the publication month is last year's
        start, end = _month_span(published.year - (month > published.month), month)
        return [(start, None if _SINCE.search(before) else end, "month")]
    if rule == "year":
        assert year is not None
        return [(date(year, 1, 1), date(year, 12, 31), "year")]
    if rule == "relative":
        word = " ".join(m.group(0).lower().split())
        if word in ("yesterday", "ayer"):
            day = published - timedelta(days=1)
            return [(day, day, "day")]
        if word in ("today", "hoy"):
            return [(published, published, "day")]
        if word in ("this month", "este mes"):
            return [(*_month_span(published.year, published.month), "month")]
        if word in ("last month", "el mes pasado"):
            previous = published.replace(day=1) - timedelta(days=1)
            return [(*_month_span(previous.year, previous.month), "month")]
        if word in ("last week", "la semana pasada"):
            start = published - timedelta(days=published.weekday() + 7)
            return [(start, start + timedelta(days=6), "day")]
        start = published - timedelta(days=published.weekday())
        return [(start, start + timedelta(days=6), "day")]
    if rule in ("weekday", "weekday-es"):
        names = WEEKDAYS if rule == "weekday" else _WEEKDAYS_ES
        key = str.capitalize if rule == "weekday" else str.lower
        first = names[key(m.group("wd"))]
        last = names[key(m.group("wd2"))] if m.group("wd2") else first
        end = _last_weekday(last, published)
        start = end - timedelta(days=(last - first) % 7)
        return [(start, end, "day")]
    return []
