"""Answers sent in pieces under a budget: all answers in flight together hold at most a set number
of bytes (:class:`AnswerBudget`), and each goes out in pieces of :data:`CHUNK`, so that a slow
client holds no second copy of its answer."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from kg.serve.jobs import Answer

__all__ = ["CHUNK", "AnswerBudget", "PerSnapshot", "answered"]

CHUNK = 256 << 10  # answers go out in pieces of this size, so a slow client holds no second copy


class AnswerBudget:
    """Bytes of answers being sent, at most ``limit`` at once: a client that reads slowly (or not
    at all) holds its answer in memory until it has read it or its connection is dropped, so
    answers wait here for room (until ``patience`` seconds, then 503) instead of piling up."""

    def __init__(self, limit: int, patience: float = 10.0) -> None:
        self.limit = limit
        self.patience = patience
        self.taken = 0
        self._room = asyncio.Condition()

    async def take(self, size: int) -> bool:
        size = min(size, self.limit)
        async with self._room:
            try:
                async with asyncio.timeout(self.patience):
                    await self._room.wait_for(lambda: self.taken + size <= self.limit)
            except TimeoutError:
                return False
            self.taken += size
            return True

    async def give(self, size: int) -> None:
        async with self._room:
            self.taken -= min(size, self.limit)
            self._room.notify_all()


class _Answered(Response):
    """An answer sent in :data:`CHUNK`-sized pieces once the :class:`AnswerBudget` has room for it."""

    def __init__(self, body: bytes, budget: AnswerBudget, **options: Any) -> None:
        super().__init__(body, **options)
        self.budget = budget

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        size = len(self.body)
        if not await self.budget.take(size):
            busy = PlainTextResponse(
                "the server is busy sending other answers; try again shortly\n",
                status_code=503,
                headers={"Retry-After": "5"},
            )
            await busy(scope, receive, send)
            return
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            view = memoryview(self.body)
            for start in range(0, max(size, 1), CHUNK):
                piece = bytes(view[start : start + CHUNK])
                await send({"type": "http.response.body", "body": piece, "more_body": start + CHUNK < size})
        finally:
            await self.budget.give(size)


def answered(answer: Answer, max_rows: int, max_bytes: int, budget: AnswerBudget) -> Response:
    headers = {"Vary": "Accept", "Server-Timing": f"query;dur={answer.seconds * 1000:.1f}"}
    if answer.rows is not None:
        headers["X-Migkg-Rows"] = str(answer.rows)
        headers["X-Migkg-Truncated"] = "true" if answer.truncated else "false"
        headers["X-Migkg-Row-Limit"] = str(max_rows)
        headers["X-Migkg-Byte-Limit"] = str(max_bytes)
    return _Answered(answer.body, budget, media_type=answer.format.content_type, headers=headers)


class PerSnapshot:
    """Answers kept for the snapshot they were computed from (networks, counts): keyed by
    ``(snapshot, …)``, at most ``size`` of them, all dropped once another snapshot is served.

    >>> kept = PerSnapshot(2)
    >>> kept.put((1, "a"), b"A"); kept.put((1, "b"), b"B"); kept.get((1, "a"))
    b'A'
    >>> kept.put((2, "a"), b"A2"); kept.get((1, "b")) is None
    True
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.kept: dict[tuple[object, ...], bytes] = {}

    def get(self, key: tuple[object, ...]) -> bytes | None:
        return self.kept.get(key) if key[0] is not None else None

    def put(self, key: tuple[object, ...], body: bytes) -> None:
        if key[0] is None:  # no snapshot (a store in memory): nothing to key it on
            return
        if len(self.kept) >= self.size or any(k[0] != key[0] for k in self.kept):
            self.kept.clear()
        self.kept[key] = body
