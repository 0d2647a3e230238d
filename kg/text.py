"""Plain text for the terminal: the one text table of the command line (SPARQL results, named
queries, network metrics)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["text_table"]


def text_table(header: Sequence[str], cells: Sequence[Sequence[str]], right: Sequence[bool] = ()) -> str:
    """The one plain text table of the command line: a header line, a rule, then the rows, columns
    two spaces apart; the columns marked in ``right`` are right-aligned (numbers).

    >>> print(text_table(["code", "n"], [["GTM", "14"], ["HND", "3"]], right=[False, True]), end="")
    code   n
    ----  --
    GTM   14
    HND    3
    """
    right = list(right) or [False] * len(header)
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(header)]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)]
        return "  ".join(parts).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(row) for row in cells)]) + "\n"
