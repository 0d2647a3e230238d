"""Cue phrases from the SKOS schemes in ontology/vocab: what the taggers match.

Each concept's ``skos:altLabel`` and ``skos:hiddenLabel`` (English and Spanish) become
case-insensitive whole-word phrases, indexed once per process as word n-grams: one dictionary
lookup per word instead of one regular expression per concept.

>>> sorted(cues("theme").find("A workshop on Human Trafficking and migrant smuggling."))
['smuggling', 'trafficking']
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import NamedTuple

from pyoxigraph import RdfFormat, parse

from kg.namespaces import SCHEMES, SKOS
from kg.reference import ONTOLOGY_DIR

__all__ = ["CueSet", "Hit", "cues", "words"]

_LABELS = {SKOS["prefLabel"], SKOS["altLabel"], SKOS["hiddenLabel"]}


_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


class Hit(NamedTuple):
    start: int
    end: int


@functools.lru_cache(maxsize=16)
def words(text: str) -> list[tuple[int, int, str]]:
    """Lower-cased word tokens with their offsets (hyphenated compounds stay one token)."""
    return [(m.start(), m.end(), m.group(0).lower()) for m in _WORD.finditer(text)]


@dataclass(frozen=True)
class CueSet:
    """Cue phrases of a scheme, looked up as word n-grams (case-insensitive, whole words)."""

    phrases: dict[str, tuple[str, ...]]
    matches: dict[str, tuple[str, ...]]  # concept id -> mapped concept IRIs (exact/close/broad)
    index: dict[str, tuple[str, ...]]  # normalised phrase -> concept ids
    starts: frozenset[str]  # first words of the phrases
    longest: int  # words in the longest phrase

    def find(self, text: str, tokens: list[tuple[int, int, str]] | None = None) -> dict[str, list[Hit]]:
        """Concept id -> hits of its phrases in ``text`` (overlapping phrases all count)."""
        tokens = words(text) if tokens is None else tokens
        found: dict[str, list[Hit]] = {}
        n_tokens = len(tokens)
        for i in range(n_tokens):
            first = tokens[i][2]
            if first not in self.starts:
                continue
            key = first
            for j in range(i, min(n_tokens, i + self.longest)):
                if j > i:
                    key = key + " " + tokens[j][2]
                concepts = self.index.get(key)
                if concepts:
                    for concept in concepts:
                        found.setdefault(concept, []).append(Hit(tokens[i][0], tokens[j][1]))
        return found


def _normalise(phrase: str) -> str:
    return " ".join(w for _, _, w in words(phrase))


@functools.cache
def cues(scheme: str) -> CueSet:
    """The cue set of ``scheme`` (e.g. ``theme``), from ``ontology/vocab/{scheme}.ttl``."""
    path = ONTOLOGY_DIR / "vocab" / f"{scheme}.ttl"
    ns = SCHEMES[scheme]
    phrases: dict[str, set[str]] = {}
    matches: dict[str, set[str]] = {}
    mapping = {SKOS["exactMatch"], SKOS["closeMatch"], SKOS["broadMatch"]}
    if path.exists():
        for t in parse(path=str(path), format=RdfFormat.TURTLE):
            s = t.subject.value
            if not s.startswith(ns) or s.endswith("/scheme"):
                continue
            local = s[len(ns) :]
            if t.predicate.value in _LABELS and t.predicate.value != SKOS["prefLabel"]:
                phrases.setdefault(local, set()).add(t.object.value)
            elif t.predicate.value == SKOS["prefLabel"]:
                phrases.setdefault(local, set())
            elif t.predicate.value in mapping:
                matches.setdefault(local, set()).add(t.object.value)
    index: dict[str, set[str]] = {}
    for local, labels in phrases.items():
        for label in labels:
            key = _normalise(label)
            if key:
                index.setdefault(key, set()).add(local)
    return CueSet(
        phrases={k: tuple(sorted(v)) for k, v in phrases.items()},
        matches={k: tuple(sorted(v)) for k, v in matches.items()},
        index={k: tuple(sorted(v)) for k, v in index.items()},
        starts=frozenset(k.split(" ", 1)[0] for k in index),
        longest=max((k.count(" ") + 1 for k in index), default=1),
    )
