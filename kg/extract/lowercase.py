"""One pass over an item's lower-cased text for the tables of several rule families.

Every automaton pass over a text costs some 10 µs however few phrases it holds. The cue schemes,
the date words and the count words are all looked up in the lower-cased text, so
:mod:`kg.extract` makes one :class:`LowerCasePass` of their tables and hands it to the rule
families; each reads the hits of its own table, which are those a pass of that table alone finds.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kg.extract.matcher import PhraseMatcher, spaces_to_blanks

__all__ = ["LowerCasePass", "Table", "lower_case"]

#: A table of a pass: a function that returns lower-cased phrases (whitespace as plain spaces) ->
#: values, called when the pass is first used.
Table = Callable[[], Mapping[str, Any]]


@functools.lru_cache(maxsize=16)
def lower_case(text: str) -> str:
    """``text`` with plain spaces for whitespace, lower-cased: what a pass looks its tables up in
    (cached: several rule families read the same item's)."""
    return spaces_to_blanks(text).lower()


class LowerCasePass:
    """The phrases of ``tables``, found in one pass over a text's :func:`lower_case`.

    >>> def numbers(): return {"two": 2, "twenty": 20}
    >>> def cues(): return {"workshop": "w", "two": "pair"}
    >>> shared = LowerCasePass([numbers, cues])
    >>> text = "Twenty-Two at a\\nWorkshop"
    >>> shared.hits(text, numbers), shared.hits(text, cues)
    ([(0, 6, 20), (7, 10, 2)], [(7, 10, 'pair'), (16, 24, 'w')])
    """

    def __init__(self, tables: Iterable[Table]) -> None:
        self.tables = tuple(tables)
        self._found = functools.lru_cache(maxsize=16)(self._every_table)

    @functools.cached_property
    def _matcher(self) -> PhraseMatcher[tuple[tuple[Table, Any], ...]]:
        joint: dict[str, list[tuple[Table, Any]]] = {}
        for table in self.tables:
            for phrase, value in table().items():
                joint.setdefault(phrase, []).append((table, value))
        return PhraseMatcher({phrase: tuple(entries) for phrase, entries in joint.items()})

    def hits(self, text: str, table: Table) -> list[tuple[int, int, Any]]:
        """``(start, end, value)`` of every occurrence, whole word or not, of the phrases of ``table``
        (one of this pass's) in ``lower_case(text)``, ordered by end (cached per text: do not change
        what it returns)."""
        return self._found(text)[table]

    def _every_table(self, text: str) -> dict[Table, list[tuple[int, int, Any]]]:
        found: dict[Table, list[tuple[int, int, Any]]] = {table: [] for table in self.tables}
        for start, end, entries in self._matcher.occurrences(lower_case(text)):
            for table, value in entries:
                found[table].append((start, end, value))
        return found
