"""Numbers as news writes them, in English and Spanish: "1,200", "5.000", "2.5 million",
"1,5 millones", "27,5", "forty-two", "two hundred", "cuarenta y cinco", "doscientas".

>>> [number_value(m) for m in (NUMBER.match(t) for t in ("1,200", "5.000", "1,5 millones", "12.5"))]
[1200.0, 5000.0, 1500000.0, 12.5]
>>> [number_value(NUMBER.match(t)) for t in ("Forty-two", "two hundred and fifty", "cuarenta y cinco")]
[42.0, 250.0, 45.0]
>>> number_value(NUMBER.match("doscientas mil"))
200000.0
"""

from __future__ import annotations

import re

from kg.extract.matcher import word_alternation

__all__ = ["NUMBER", "SCALES", "UNITS_EN", "WORD_NUMBERS", "number_value"]

UNITS_EN = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip

_UNITS_ES = {
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10,
    "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciséis": 16, "diecisiete": 17,
    "dieciocho": 18, "diecinueve": 19, "veinte": 20, "veintiún": 21, "veintiuno": 21, "veintiuna": 21,
    "veintidós": 22, "veintitrés": 23, "veinticuatro": 24, "veinticinco": 25, "veintiséis": 26,
    "veintisiete": 27, "veintiocho": 28, "veintinueve": 29, "treinta": 30, "cuarenta": 40, "cincuenta": 50,
    "sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90, "cien": 100, "ciento": 100,
    "doscientos": 200, "doscientas": 200, "trescientos": 300, "trescientas": 300, "cuatrocientos": 400,
    "cuatrocientas": 400, "quinientos": 500, "quinientas": 500, "seiscientos": 600, "seiscientas": 600,
    "setecientos": 700, "setecientas": 700, "ochocientos": 800, "ochocientas": 800, "novecientos": 900,
    "novecientas": 900,
}  # fmt: skip

#: Words that multiply what comes before them ("two hundred", "cuarenta mil", "1.5 million").
SCALES = {
    "hundred": 100, "thousand": 1000, "million": 1_000_000, "millions": 1_000_000, "billion": 1_000_000_000,
    "mil": 1000, "millón": 1_000_000, "millones": 1_000_000,
}  # fmt: skip

#: Words that start a number written in words ("uno", "una", "un" only continue one: "treinta y una").
WORD_NUMBERS = {**UNITS_EN, **_UNITS_ES, "hundred": 100}

_ALL_WORDS = {**WORD_NUMBERS, **SCALES, "uno": 1, "una": 1}

_WORD = word_alternation(WORD_NUMBERS)
_NEXT = word_alternation(_ALL_WORDS)
_SCALE = word_alternation(SCALES)

# A separator followed by exactly three digits groups thousands ("1,200", "5.000"); otherwise it is
# the decimal mark ("2.5", "1,5", "27,5"), as English and Spanish news write them.
NUMBER = re.compile(
    rf"(?:(?P<digits>\d{{1,3}}(?P<sep>[,.])\d{{3}}(?:(?P=sep)\d{{3}})*(?![\d])(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
    rf"(?:\s+(?P<scale>{_SCALE})\b)?"
    rf"|(?P<words>{_WORD}(?:(?:-|\s+(?:and\s+|y\s+)?){_NEXT}(?![\w-]))*)(?![\w-]))",
    re.I,
)

_JOIN = re.compile(r"[-\s]+(?:(?:and|y)\s+)?", re.I)


def number_value(m: re.Match[str]) -> float:
    """The value of a ``NUMBER`` match."""
    if m.group("digits"):
        raw, sep = m.group("digits"), m.group("sep")
        if sep:
            head, _, tail = raw.partition(sep)
            grouped = head + tail.replace(sep, "")
            if len(grouped) != len(raw) - raw.count(sep) or "," in grouped or "." in grouped:
                # a decimal part after the groups ("1,200.5")
                whole, _, frac = raw.replace(sep, "").replace(",", ".").partition(".")
                value = float(f"{whole}.{frac}") if frac else float(whole)
            else:
                value = float(grouped)
        else:
            value = float(raw.replace(",", "."))
        scale = m.group("scale")
        return value * SCALES[scale.lower()] if scale else value
    total, current = 0, 0
    for word in _JOIN.split(m.group("words").lower()):
        n = _ALL_WORDS.get(word, 0)
        if word == "hundred":
            current = max(current, 1) * 100
        elif n >= 1000:
            total += max(current, 1) * n
            current = 0
        else:
            current += n
    return float(total + current)
