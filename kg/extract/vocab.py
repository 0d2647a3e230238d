"""Cue phrases from the SKOS schemes in ontology/vocab: what the taggers match.

Each concept's ``skos:altLabel`` and ``skos:hiddenLabel`` (English and Spanish) become
case-insensitive whole-word phrases, compiled once per process into one Aho–Corasick automaton
per scheme (:mod:`kg.extract.matcher`): a single pass over the text, however many phrases.
:func:`find_cues` reads the schemes the extractor needs in every item (themes, event types)
in the one pass over the lower-cased text that the date and count words share
(:class:`kg.extract.lowercase.LowerCasePass`; their table is :func:`cue_table`).

>>> sorted(cues("theme").find("A workshop on Human Trafficking and migrant smuggling."))
['smuggling', 'trafficking']
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import NamedTuple

from pyoxigraph import RdfFormat, parse

from kg.extract.lowercase import LowerCasePass, lower_case
from kg.extract.matcher import PhraseMatcher, whole_words
from kg.namespaces import SCHEMES, SKOS
from kg.reference import ONTOLOGY_DIR

__all__ = ["CueSet", "Hit", "cue_table", "cues", "find_cues"]

_LABELS = {SKOS["prefLabel"], SKOS["altLabel"], SKOS["hiddenLabel"]}


class Hit(NamedTuple):
    start: int
    end: int


@dataclass(frozen=True)
class CueSet:
    """Cue phrases of a scheme, matched case-insensitively as whole words in one pass."""

    phrases: dict[str, tuple[str, ...]]
    matches: dict[str, tuple[str, ...]]  # concept id -> mapped concept IRIs (exact/close/broad)
    index: dict[str, tuple[str, ...]]  # lower-cased phrase -> concept ids

    @functools.cached_property
    def matcher(self) -> PhraseMatcher[tuple[str, ...]]:
        """The phrases of ``index``, compiled into one automaton (once per scheme and process)."""
        return PhraseMatcher(self.index)

    def find(self, text: str) -> dict[str, list[Hit]]:
        """Concept id -> hits of its phrases in ``text`` (overlapping phrases all count)."""
        found: dict[str, list[Hit]] = {}
        for start, end, concepts in self.matcher.find(lower_case(text)):
            for concept in concepts:
                found.setdefault(concept, []).append(Hit(start, end))
        return found


# The schemes the extractor reads in every item: their phrases are looked up in the pass over the
# lower-cased text that the date and count words share (kg.extract.lowercase.LowerCasePass).
_READ_TOGETHER = ("theme", "event-type")


def find_cues(text: str, scheme: str, shared: LowerCasePass) -> dict[str, list[Hit]]:
    """``cues(scheme).find(text)``; the schemes the extractor reads in every item are found together,
    in ``shared``, a pass that holds :func:`cue_table` (cached per text: do not change what it returns)."""
    if scheme not in _READ_TOGETHER:
        return cues(scheme).find(text)
    return _found_together(text, shared)[scheme]


def cue_table() -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    """Lower-cased phrase -> ((scheme, concept ids), …) over the schemes the extractor reads in every
    item: a table of :class:`kg.extract.lowercase.LowerCasePass`."""
    joint: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for scheme in _READ_TOGETHER:
        for phrase, concepts in cues(scheme).index.items():
            joint.setdefault(phrase, []).append((scheme, concepts))
    return {phrase: tuple(entries) for phrase, entries in joint.items()}


@functools.lru_cache(maxsize=16)
def _found_together(text: str, shared: LowerCasePass) -> dict[str, dict[str, list[Hit]]]:
    found: dict[str, dict[str, list[Hit]]] = {scheme: {} for scheme in _READ_TOGETHER}
    for start, end, entries in whole_words(lower_case(text), shared.hits(text, cue_table)):
        hit = Hit(start, end)
        for scheme, concepts in entries:
            for concept in concepts:
                found[scheme].setdefault(concept, []).append(hit)
    return found


def _normalise(phrase: str) -> str:
    return " ".join(phrase.lower().split())


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
    concepts = {k: tuple(sorted(v)) for k, v in sorted(index.items())}
    return CueSet(
        phrases={k: tuple(sorted(v)) for k, v in phrases.items()},
        matches={k: tuple(sorted(v)) for k, v in matches.items()},
        index=concepts,
    )
