"""Publication dates as news sources write them.

>>> parse_date("11 June, 2019")
datetime.date(2019, 6, 11)
>>> parse_date("June 11, 2019")
datetime.date(2019, 6, 11)
>>> parse_date("2019-06-11"), parse_date("2019/06/11")
(datetime.date(2019, 6, 11), datetime.date(2019, 6, 11))
>>> parse_date("11 de junio de 2019"), parse_date("Junio 11, 2019")
(datetime.date(2019, 6, 11), datetime.date(2019, 6, 11))

The numeric dates of IOM's regional pages carry a label that says the order of month and day:
the English sites' ``Date Publish:`` is month/day/year, the Spanish sites' ``Fecha de
publicación:`` day/month/year. A bare ``06/11/2019`` is ambiguous and is not a date line.

>>> parse_date("Date Publish: 06/11/2019"), parse_date("Fecha de publicación: 06/11/2019")
(datetime.date(2019, 6, 11), datetime.date(2019, 11, 6))
>>> looks_like_date("06/11/2019")
False
>>> looks_like_date("31 February, 2019"), parse_date("31 February, 2019")
(True, None)
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["MONTHS", "looks_like_an_attempt", "looks_like_date", "parse_date"]

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
    re.compile(r"^(?P<year>\d{4})([-/])(?P<month>\d{1,2})\2(?P<day>\d{1,2})$"),
    # IOM's English regional sites: "Date Publish: 06/11/2019" is month/day/year
    re.compile(r"^date\s+publish(?:ed)?\s*:?\s*(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})$", re.I),
    # and the Spanish ones: "Fecha de publicación: 11/06/2019" is day/month/year
    re.compile(r"^fecha\s+de\s+publicaci[oó]n\s*:?\s*(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})$", re.I),
]

#: A line that names a year, a numeric date or a month name and little else: meant as a date line.
_ATTEMPT = re.compile(r"^(?=.*(?:\b(?:1[89]|20)\d{2}\b|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}))[\w\s.,:/-]{4,40}$", re.UNICODE)


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


def looks_like_an_attempt(text: str) -> bool:
    """Whether ``text`` is a short line that names a year or a numeric date, as a date line does,
    though it may not be one migkg reads.

    >>> looks_like_an_attempt("31 Juneteenth, 2019"), looks_like_an_attempt("11.06.2019")
    (True, True)
    >>> looks_like_an_attempt("IOM met in Panama on 3 June 2019 with the ministers of five countries.")
    False
    """
    text = " ".join(text.split())
    return bool(_ATTEMPT.match(text))


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
