"""Sentence spans of an item's text, shared by the event, role and quantity rules."""

from __future__ import annotations

import bisect
import functools
import re

__all__ = ["sentence_at", "sentence_of", "sentence_text", "sentences"]

# A sentence runs to a [.!?] followed by whitespace (so "14.8%" and "U.S." stay inside).
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+(?![\s.!?]|$)[^.!?\n]*)*[.!?]*")


@functools.lru_cache(maxsize=16)
def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` (cached: every rule family asks for the same item's)."""
    return [m.span() for m in _SENTENCE.finditer(text) if not m.group(0).isspace()]


@functools.lru_cache(maxsize=16)
def _sentence_index(text: str) -> tuple[list[int], list[tuple[int, int]]]:
    """The sentences' starts and spans (one cached lookup for :func:`sentence_at`, called per mention)."""
    spans = sentences(text)
    return [s for s, _ in spans], spans


def sentence_at(text: str, offset: int) -> tuple[int, int] | None:
    """The sentence span of ``text`` holding ``offset`` (spans are sorted and disjoint)."""
    starts, spans = _sentence_index(text)
    i = bisect.bisect_right(starts, offset) - 1
    if i >= 0:
        span = spans[i]
        if offset < span[1]:
            return span
    return None


def sentence_of(text: str, offset: int) -> tuple[int, int]:
    return sentence_at(text, offset) or (offset, offset)


def sentence_text(text: str, offset: int) -> str:
    s, e = sentence_of(text, offset)
    return text[s:e].strip()
