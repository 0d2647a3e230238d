"""Errors a user can cause, each carrying the one line the command line prints."""

from __future__ import annotations

__all__ = ["KgError", "UsageError"]


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
