"""Whole-word multi-phrase matching with an Aho–Corasick automaton (pyahocorasick).

One pass over the text finds every phrase of a gazetteer or cue scheme, whatever their
number; matches that start or end inside a token (:func:`inside_token`) are dropped. Whitespace
characters (newlines, no-break spaces) count as plain spaces, so offsets stay those of the text.

>>> m = PhraseMatcher({"mexico": 1, "mexico city": 2, "city": 3})
>>> [(s, e, v) for s, e, v in m.find("in mexico city, not mexicocity")]
[(3, 9, 1), (3, 14, 2), (10, 14, 3)]
>>> [(s, e, v) for s, e, v in longest_first(m.find("in mexico city"))]
[(3, 14, 2)]

The module also holds helpers that keep the per-item regular expressions cheap:
:func:`word_alternation` writes a word list as a trie, :func:`folded` gives the lower-cased
text that case-sensitive patterns can scan instead of running ``re.IGNORECASE`` ones, and
:func:`digit_runs` gives the runs of digits, where the number and date patterns can start, and
:func:`matches_from` tries a pattern only at such starts.

Where a word ends has two meanings here, on purpose:

- **a token**, for phrases (names, cue phrases): :func:`inside_token`. Words joined by ’ ' . -
  are one token, so "Curaçao" is not found in "Curaçao-based" nor "June" in "mid-June", while a
  possessive ("Peru's") and a hyphen between capitalised names ("Ecuador-Peru") end one.
- **a word as** ``re`` **reads it**, for the shortcuts that stand for a regular expression and
  must find exactly what it finds: :func:`is_word_char` is ``\\w``, :func:`word_starts_at` and
  :func:`word_ends_at` are ``(?<!\\w)`` and ``(?!\\w)``. So the date rules read "June" in
  "mid-June" ("in mid-June 2019" dates an event to its month).

>>> [(s, e) for s, e, _ in PhraseMatcher({"june": 6}).find("mid-june")], word_starts_at("mid-june", 4)
([], True)
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from operator import itemgetter
from typing import Generic, TypeVar

import ahocorasick

__all__ = [
    "PhraseMatcher",
    "SpanIndex",
    "digit_runs",
    "folded",
    "inside_token",
    "is_word_char",
    "longest_first",
    "matches_from",
    "may_contain",
    "spaces_to_blanks",
    "whole_words",
    "word_alternation",
    "word_ends_at",
    "word_starts_at",
]

V = TypeVar("V")

_OTHER_SPACE = re.compile(r"[^\S ]")  # whitespace that is not a plain space
_ASCII_OTHER_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"  # what _OTHER_SPACE matches in ASCII
_JOINERS = "’'.-"
# Characters next to which no match is inside a word: neither word characters nor _JOINERS.
_BREAKS = frozenset(' ,;:()"!?\n')
_DIGITS = re.compile(r"\d+")
# The only characters for which str.lower() and re.IGNORECASE disagree on ASCII letters (ı, ſ), or
# str.lower() changes the length (İ); tests/test_extract_fastpaths.py checks that on all of Unicode.
_UNFOLDABLE = "\u0130\u0131\u017f"


@functools.lru_cache(maxsize=16)
def spaces_to_blanks(text: str) -> str:
    """Every whitespace character as a plain space (same length, same offsets; cached: the gazetteer
    and every cue scheme ask for the same item's)."""
    if text.isascii():  # str.replace is much quicker than a regex
        for space in _ASCII_OTHER_SPACE:
            if space in text:
                text = text.replace(space, " ")
        return text
    return _OTHER_SPACE.sub(" ", text) if _OTHER_SPACE.search(text) else text


@functools.lru_cache(maxsize=16)
def folded(text: str) -> str | None:
    """``text.lower()`` when it can stand for ``text`` under ``re.IGNORECASE``, else ``None``.

    Offsets agree, and a case-sensitive pattern of lower-case ASCII words, ``\\w``, ``\\s``, ``\\d``,
    ``\\b`` and punctuation matches the folded text exactly where the same pattern with
    ``re.IGNORECASE`` matches ``text``. Only İ, ı and ſ break that; texts holding them get ``None``.
    """
    if not text.isascii() and any(c in text for c in _UNFOLDABLE):  # (ASCII text holds none of them)
        return None
    return text.lower()


@functools.lru_cache(maxsize=16)
def digit_runs(text: str) -> list[tuple[int, int]]:
    """Spans of the runs of digits in ``text``: ``[m.span() for m in re.finditer(r"\\d+", text)]`` (cached:
    the date and quantity rules read the same item's).

    In Latin-1 text (ASCII included) the digits are 0-9, found with ``str.find``: quicker than a regex
    over every character.
    """
    if not text.isascii() and not _latin1(text):
        return [m.span() for m in _DIGITS.finditer(text)]
    found = []
    for digit in "0123456789":
        i = text.find(digit)
        while i >= 0:
            found.append(i)
            i = text.find(digit, i + 1)
    if not found:
        return []
    found.sort()
    runs = []
    start = previous = found[0]
    for i in found[1:]:
        if i != previous + 1:
            runs.append((start, previous + 1))
            start = i
        previous = i
    runs.append((start, previous + 1))
    return runs


def matches_from(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern that can only match at one of ``starts`` (ascending)."""
    end = 0
    for start in starts:
        if start >= end and (m := pattern.match(text, start)):
            end = m.end()
            yield m


def _latin1(text: str) -> bool:
    """Whether every character of ``text`` is below U+0100 (where 0-9 are the only digits)."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def word_alternation(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first, written as a trie.

    It matches what ``"|".join(sorted(words, key=len, reverse=True))`` matches, trying the same
    lengths in the same order, but the regex engine follows one branch per character instead of
    trying every word at every position.

    >>> word_alternation(["a", "at", "about", "one"])
    '(?:a(?:t|bout)?|one)'
    """
    trie: dict[str, dict] = {}
    for word in filter(None, words):
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def branch(node: dict[str, dict]) -> str:
        alternatives = [re.escape(ch) + branch(child) for ch, child in node.items() if ch]
        if not alternatives:
            return ""
        if len(alternatives) > 1:
            body = "(?:" + "|".join(alternatives) + ")"
            return body + "?" if "" in node else body
        single = alternatives[0]
        if "" not in node:
            return single
        return f"{single}?" if len(single) == 1 else f"(?:{single})?"

    alternation = branch(trie)
    return alternation if len(trie) > 1 else f"(?:{alternation})"


def is_word_char(c: str) -> bool:
    """Whether the character ``c`` is a word character (what ``\\w`` matches)."""
    return c.isalnum() or c == "_"


def word_starts_at(text: str, i: int) -> bool:
    """Whether no word character comes before position ``i`` of ``text``: ``(?<!\\w)``."""
    return not i or not is_word_char(text[i - 1])


def word_ends_at(text: str, i: int) -> bool:
    """Whether no word character comes at position ``i`` of ``text``: ``(?!\\w)``."""
    return i == len(text) or not is_word_char(text[i])


def inside_token(text: str, i: int) -> bool:
    """Whether position ``i`` (a boundary between characters) falls inside a token: what a phrase
    match may not start or end at."""
    if i <= 0 or i >= len(text):
        return False
    before, after = text[i - 1], text[i]
    if (before.isalnum() or before == "_") and (after.isalnum() or after == "_"):
        return True
    # "Curaçao-based", "x-Men", "U.S.-led": a joiner between word characters keeps one token; but a
    # possessive ("Peru's") ends the word before it, and a hyphen between two capitalised names
    # ("Ecuador-Peru", "El Salvador-Honduras") separates them
    if after in _JOINERS and (before.isalnum()) and i + 1 < len(text) and text[i + 1].isalnum():
        return not (_possessive(text, i) or (after == "-" and text[i + 1].isupper() and _capitalised_word(text, i)))
    if before in _JOINERS and i >= 2 and text[i - 2].isalnum() and (after.isalnum()):
        return not (before == "-" and after.isupper() and _capitalised_word(text, i - 1))
    return False


def _possessive(text: str, i: int) -> bool:
    """Whether ``text[i:]`` starts with "'s" or "’s" that ends a word."""
    return text[i] in "'’" and text[i + 1] == "s" and (i + 2 == len(text) or not text[i + 2].isalnum())


def _capitalised_word(text: str, end: int) -> bool:
    """Whether the word that ends at ``end`` starts with a capital."""
    start = end
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    return start < end and text[start].isupper()


# The order in which the automaton's root looks characters up. pyahocorasick scans the children of a
# node one by one, in the order they were added, and most characters of a text are read at the root:
# the phrases are added by first character in this order, and each of these characters that starts no
# phrase gets a child of its own (a seed: the character and _SEED_END, which is not a phrase), so that
# frequent characters are found at once instead of after every first character of a phrase. The order
# changes neither which phrases are found nor where.
_ROOT_ORDER = " etaoinsrhldcumfpgwybvkxjqz.,ACSTMPBIDNERGLHFOUVWKJYZQX0123456789-()'\"’%"
_SEED_END = "\x00"
_SEED = object()


class PhraseMatcher(Generic[V]):
    """Phrases (already in the form they are searched in) -> values, matched as whole words: neither
    end inside a token (:func:`inside_token`)."""

    def __init__(self, phrases: Mapping[str, V]) -> None:
        self._automaton = ahocorasick.Automaton()
        self._empty = not phrases
        if self._empty:
            return
        by_first: dict[str, list[str]] = {}
        for phrase in phrases:
            by_first.setdefault(phrase[:1], []).append(phrase)
        for first in _ROOT_ORDER:
            if first not in by_first:
                self._automaton.add_word(first + _SEED_END, (2, _SEED))
            for phrase in by_first.pop(first, ()):
                self._automaton.add_word(phrase, (len(phrase), phrases[phrase]))
        for rest in by_first.values():
            for phrase in rest:
                self._automaton.add_word(phrase, (len(phrase), phrases[phrase]))
        self._automaton.make_automaton()

    def _hits(self, text: str) -> Iterator[tuple[int, tuple[int, V]]]:
        """The automaton's ``(last offset, (length, value))`` for every phrase in ``text``."""
        hits = self._automaton.iter(text)
        if _SEED_END in text:  # only then can a seed be found
            return (hit for hit in hits if hit[1][1] is not _SEED)
        return hits

    def find(self, text: str) -> Iterator[tuple[int, int, V]]:
        """``(start, end, value)`` of every whole-word match, by start then length."""
        found = self._whole_words(text)
        found.sort()  # no two matches share (start, end), so values are never compared
        return iter(found)

    def occurrences(self, text: str) -> Iterator[tuple[int, int, V]]:
        """``(start, end, value)`` of every occurrence, whole word or not, by end."""
        if self._empty:
            return iter(())
        return ((last - length + 1, last + 1, value) for last, (length, value) in self._hits(text))

    def longest(self, text: str) -> list[tuple[int, int, V]]:
        """Leftmost-longest, non-overlapping whole-word matches: ``longest_first(self.find(text))``."""
        return _leftmost_longest(self._whole_words(text))

    def whole_word_hits(self, text: str) -> list[tuple[int, int, V]]:
        """Every whole-word match, unordered (``find`` sorts them; ``longest`` keeps the longest)."""
        return self._whole_words(text)

    def _whole_words(self, text: str) -> list[tuple[int, int, V]]:
        if self._empty:
            return []
        size = len(text)
        found = []
        for last, (length, value) in self._hits(text):
            start, end = last - length + 1, last + 1
            # next to a space or a break (or an end of the text) a match is never inside a word
            if (start == 0 or text[start - 1] in _BREAKS or not inside_token(text, start)) and (
                end == size or text[end] in _BREAKS or not inside_token(text, end)
            ):
                found.append((start, end, value))
        return found


def whole_words(text: str, hits: Iterable[tuple[int, int, V]]) -> list[tuple[int, int, V]]:
    """The ``(start, end, value)`` of ``hits`` (occurrences in ``text``) that are whole words, by start
    then length: what :meth:`PhraseMatcher.find` keeps of :meth:`PhraseMatcher.occurrences`."""
    size = len(text)
    found = [
        hit
        for hit in hits
        if (hit[0] == 0 or text[hit[0] - 1] in _BREAKS or not inside_token(text, hit[0]))
        and (hit[1] == size or text[hit[1]] in _BREAKS or not inside_token(text, hit[1]))
    ]
    found.sort()  # no two hits of one table share (start, end), so values are never compared
    return found


def longest_first(hits: Iterable[tuple[int, int, V]]) -> Iterator[tuple[int, int, V]]:
    """Leftmost-longest, non-overlapping matches."""
    return iter(_leftmost_longest(list(hits)))


def _leftmost_longest(hits: list[tuple[int, int, V]]) -> list[tuple[int, int, V]]:
    """``longest_first`` on a list, which it sorts in place."""
    hits.sort(key=itemgetter(1), reverse=True)
    hits.sort(key=itemgetter(0))  # stable: by start, then longest first
    taken = 0
    kept = []
    for hit in hits:
        if hit[0] >= taken:
            taken = hit[1]
            kept.append(hit)
    return kept


def may_contain(text: str, words: Iterable[str]) -> bool:
    """Whether ``text`` holds one of ``words`` in any case (or may: ``folded`` cannot tell)."""
    lowered = folded(text)
    return lowered is None or any(word in lowered for word in words)


class SpanIndex:
    """Spans of text, asked whether one of them encloses a span, overlaps it or holds an offset, in
    log time (a loop over them made extraction quadratic in the length of an item).

    >>> spans = SpanIndex([(10, 20), (0, 5), (12, 30)])
    >>> spans.encloses(13, 25), spans.encloses(4, 11), spans.holds(20), spans.holds(6)
    (True, False, True, False)
    >>> spans.overlaps(5, 10), spans.overlaps(4, 6), spans.overlaps(29, 40)
    (False, True, True)
    >>> spans.inside(0, 25), spans.inside(11, 40)
    ([0, 1], [2])
    """

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        self.given = list(spans)
        self._by_start: list[int] | None = None  # positions in ``given``, by start (made when asked)
        ordered = sorted(self.given)
        self.starts = [a for a, _ in ordered]
        self.reach: list[int] = []  # the furthest end of the spans up to each one
        furthest = -1
        for _, b in ordered:
            furthest = max(furthest, b)
            self.reach.append(furthest)

    def encloses(self, start: int, end: int) -> bool:
        """Whether ``start:end`` lies inside one of the spans."""
        i = bisect.bisect_right(self.starts, start)
        return i > 0 and self.reach[i - 1] >= end

    def holds(self, offset: int) -> bool:
        """Whether ``offset`` falls inside one of the spans (``a <= offset < b``)."""
        i = bisect.bisect_right(self.starts, offset)
        return i > 0 and self.reach[i - 1] > offset

    def overlaps(self, start: int, end: int) -> bool:
        """Whether one of the spans overlaps ``start:end`` (``a < end and start < b``)."""
        i = bisect.bisect_left(self.starts, end)
        return i > 0 and self.reach[i - 1] > start

    def inside(self, start: int, end: int) -> list[int]:
        """The positions in ``given`` of the spans that lie inside ``start:end``, ascending: only
        the spans that start there are looked at."""
        if self._by_start is None:
            self._by_start = sorted(range(len(self.given)), key=lambda k: self.given[k][0])
        lo = bisect.bisect_left(self.starts, start)
        hi = bisect.bisect_right(self.starts, end)
        return sorted(k for k in self._by_start[lo:hi] if self.given[k][1] <= end)
