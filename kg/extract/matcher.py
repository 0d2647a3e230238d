"""Whole-word multi-phrase matching with an Aho–Corasick automaton (pyahocorasick).

One pass over the text finds every phrase of a gazetteer or cue scheme, whatever their
number; matches that start or end inside a word are dropped. Whitespace characters
(newlines, no-break spaces) count as plain spaces, so offsets stay those of the text.

>>> m = PhraseMatcher({"mexico": 1, "mexico city": 2, "city": 3})
>>> [(s, e, v) for s, e, v in m.find("in mexico city, not mexicocity")]
[(3, 9, 1), (3, 14, 2), (10, 14, 3)]
>>> [(s, e, v) for s, e, v in longest_first(m.find("in mexico city"))]
[(3, 14, 2)]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Generic, TypeVar

import ahocorasick

__all__ = ["PhraseMatcher", "longest_first", "spaces_to_blanks"]

V = TypeVar("V")

_OTHER_SPACE = re.compile(r"[^\S ]")  # whitespace that is not a plain space
_JOINERS = "’'.-"


def spaces_to_blanks(text: str) -> str:
    """Every whitespace character as a plain space (same length, same offsets)."""
    return _OTHER_SPACE.sub(" ", text) if _OTHER_SPACE.search(text) else text


def _inside_word(text: str, i: int) -> bool:
    """Whether position ``i`` (a boundary between characters) falls inside a token."""
    if i <= 0 or i >= len(text):
        return False
    before, after = text[i - 1], text[i]
    if (before.isalnum() or before == "_") and (after.isalnum() or after == "_"):
        return True
    # "Curaçao-based", "x-Men", "U.S.-led": a joiner between word characters keeps one token
    if after in _JOINERS and (before.isalnum()) and i + 1 < len(text) and text[i + 1].isalnum():
        return True
    return before in _JOINERS and i >= 2 and text[i - 2].isalnum() and (after.isalnum())


class PhraseMatcher(Generic[V]):
    """Phrases (already in the form they are searched in) -> values, matched as whole words."""

    def __init__(self, phrases: Mapping[str, V]) -> None:
        self._automaton = ahocorasick.Automaton()
        for phrase, value in phrases.items():
            self._automaton.add_word(phrase, (len(phrase), value))
        if len(self._automaton):
            self._automaton.make_automaton()

    def find(self, text: str) -> Iterator[tuple[int, int, V]]:
        """``(start, end, value)`` of every whole-word match, by start then length."""
        if not len(self._automaton):
            return iter(())
        found = []
        for last, (length, value) in self._automaton.iter(text):
            start, end = last - length + 1, last + 1
            if not _inside_word(text, start) and not _inside_word(text, end):
                found.append((start, end, value))
        found.sort(key=lambda hit: (hit[0], hit[1]))
        return iter(found)


def longest_first(hits: Iterable[tuple[int, int, V]]) -> Iterator[tuple[int, int, V]]:
    """Leftmost-longest, non-overlapping matches."""
    ordered = sorted(hits, key=lambda hit: (hit[0], hit[0] - hit[1]))
    taken = 0
    for start, end, value in ordered:
        if start >= taken:
            taken = end
            yield start, end, value
