"""UTF-8 text from bytes and streams, with a :class:`~kg.sources.model.Reject` naming the line of a bad byte."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

from kg.sources.model import Reject

__all__ = ["decode", "text_lines"]


def decode(data: bytes, source: str) -> tuple[str | None, Reject | None]:
    """UTF-8 text (a BOM is dropped, newlines normalised) or a reject naming the bad byte's line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, Reject(
            source,
            line,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); re-save the file as UTF-8",
        )
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def text_lines(stream: BinaryIO, source: str) -> Iterator[tuple[int, str] | Reject]:
    r"""The lines of a UTF-8 stream, numbered from 1, read one at a time (a 1 GB file never sits
    in memory). A BOM is dropped and ``\r\n`` or ``\r`` end a line as ``\n`` does; a line that
    is not UTF-8 is a reject naming it, and the lines after it are still read.

    >>> import io
    >>> for line in text_lines(io.BytesIO(b"\xef\xbb\xbfa\r\nb\xed\nc\rd"), "f"):
    ...     print(line)
    (1, 'a')
    f:2: not UTF-8 text (byte 0xed at column 2); re-save the file as UTF-8
    (3, 'c')
    (4, 'd')
    """
    number = 0
    for raw in stream:
        if number == 0 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        text = raw.decode("utf-8", "surrogateescape")  # a bad byte becomes a lone surrogate
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        parts = text.split("\n")
        if text.endswith("\n"):
            parts.pop()
        for part in parts:
            number += 1
            try:
                part.encode("utf-8")
            except UnicodeEncodeError as exc:
                byte = ord(part[exc.start]) - 0xDC00
                yield Reject(
                    source,
                    number,
                    f"not UTF-8 text (byte 0x{byte:02x} at column {exc.start + 1}); re-save the file as UTF-8",
                )
                continue
            yield number, part
