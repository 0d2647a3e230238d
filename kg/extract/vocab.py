"""Cue phrases from the SKOS schemes in ontology/vocab: what the taggers match.

Each concept's ``skos:prefLabel``, ``skos:altLabel`` and ``skos:hiddenLabel`` (English and
Spanish) become case-insensitive, word-bounded patterns, compiled once per process.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from pyoxigraph import RdfFormat, parse

from kg.namespaces import SCHEMES, SKOS
from kg.reference import ONTOLOGY_DIR

__all__ = ["CueSet", "cues"]

_LABELS = {SKOS["prefLabel"], SKOS["altLabel"], SKOS["hiddenLabel"]}


@dataclass(frozen=True)
class CueSet:
    """Concept id -> compiled pattern of its cue phrases, and the concepts' mappings."""

    patterns: dict[str, re.Pattern[str]]
    phrases: dict[str, tuple[str, ...]]
    matches: dict[str, tuple[str, ...]]  # concept id -> mapped concept IRIs (exact/close/broad)

    def find(self, text: str) -> dict[str, list[re.Match[str]]]:
        found: dict[str, list[re.Match[str]]] = {}
        for concept, pattern in self.patterns.items():
            hits = list(pattern.finditer(text))
            if hits:
                found[concept] = hits
        return found


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
    patterns = {}
    for local, labels in sorted(phrases.items()):
        if not labels:
            continue
        alternation = "|".join(re.escape(x) for x in sorted(labels, key=lambda x: (-len(x), x)))
        patterns[local] = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", re.IGNORECASE)
    return CueSet(
        patterns,
        {k: tuple(sorted(v)) for k, v in phrases.items()},
        {k: tuple(sorted(v)) for k, v in matches.items()},
    )
