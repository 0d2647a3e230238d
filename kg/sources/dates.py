"""Publication dates as news sources write them.

>>> parse_date("11 June, 2019")
datetime.date(2019, 6, 11)
>>> parse_date("June 11, 2019")
datetime.date(2019, 6, 11)
>>> parse_date("2019-06-11")
datetime.date(2019, 6, 11)
>>> looks_like_date("31 February, 2019"), parse_date("31 February, 2019")
(True, None)
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["MONTHS", "looks_like_date", "parse_date"]

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan", "enero", "ene"),
            ("february", "feb", "febrero"),
            ("march", "mar", "marzo"),
            ("april", "apr", "abril", "abr"),
            ("may", "mayo"),
            ("june", "jun", "junio"),
            ("july", "jul", "julio"),
            ("august", "aug", "agosto", "ago"),
            ("september", "sep", "sept", "septiembre", "setiembre"),
            ("october", "oct", "octubre"),
            ("november", "nov", "noviembre"),
            ("december", "dec", "diciembre", "dic"),
        ],
        start=1,
    )
    for name in names
}

_MONTH = r"(?P<month>[A-Za-zé]+)\.?"
_PATTERNS = [
    re.compile(r"^(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:de\s+)?" + _MONTH + r",?\s+(?:de\s+)?(?P<year>\d{4})$", re.I),
    re.compile(r"^" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})$", re.I),
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$"),
]


def _match(text: str) -> re.Match[str] | None:
    text = " ".join(text.split())
    for pattern in _PATTERNS:
        m = pattern.match(text)
        if m and (m.group("month").isdigit() or m.group("month").lower() in MONTHS):
            return m
    return None


def looks_like_date(text: str) -> bool:
    """Whether ``text`` has the shape of a date line, valid or not."""
    return _match(text) is not None


def parse_date(text: str) -> date | None:
    """The date ``text`` names, or ``None`` when it is not a real calendar date."""
    m = _match(text)
    if m is None:
        return None
    month_text = m.group("month")
    month = int(month_text) if month_text.isdigit() else MONTHS[month_text.lower()]
    try:
        return date(int(m.group("year")), month, int(m.group("day")))
    except ValueError:
        return None


def parse_iso_or_text(value: str) -> date | None:
    """ISO dates and datetimes (``2019-06-11T10:00:00Z``) and the text forms above."""
    value = value.strip()
    m = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$", value)
    if m:
        return parse_date(m.group(1))
    return parse_date(value)
