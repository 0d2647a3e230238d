"""Errors a user can cause, each carrying the one line the command line prints."""

from __future__ import annotations

__all__ = ["KgError", "QuerySyntaxError", "UsageError", "first_line"]


class KgError(Exception):
    """A failure the user can fix; ``str(error)`` is one clear sentence, ``exit_code`` the status."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(KgError):
    """The command was called wrongly (exit status 2)."""

    exit_code = 2


class QuerySyntaxError(UsageError):
    """A query that does not parse; ``line`` and ``column`` say where, when the parser told."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (Dask's and fsspec's run to several), for a one-line error.

    >>> first_line(OSError("connection lost.\\nTraceback ..."))
    'connection lost'
    """
    return (str(exc).strip().splitlines() or ["no message"])[0].rstrip(".")
