"""Issue 16: the readers never raise, whatever they are fed (hypothesis, 10,000 cases in all).

Every record a reader yields is an item the store can hold (its url an IRI, its language a tag,
its text Unicode), a reject or a warning; nothing else escapes. Marked ``slow`` (some 30 s):
``make test`` runs it, ``pytest -m 'not slow'`` leaves it out.
"""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import Literal, NamedNode

from kg.sources import InputFormat, NewsItem, Notice, Reject, read_stream
from kg.sources.records import FIELDS

pytestmark = pytest.mark.slow

CASES = 2_500  # per format
FUZZ = settings(max_examples=CASES, deadline=None, suppress_health_check=list(HealthCheck))

# every code point, lone surrogates included
ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=40)
SHAPED = st.sampled_from(
    ["2019-06-11", "11 June, 2019", "http://e.org/x", "http://exa mple.org/x", "en", "pt-BR", "en us!", "", " "]
)
VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), ANY_TEXT, SHAPED),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(ANY_TEXT, inner, max_size=3)),
    max_leaves=6,
)
RECORD = st.dictionaries(st.one_of(st.sampled_from(FIELDS), ANY_TEXT), VALUE, max_size=8)


def check_records(data: bytes, fmt: InputFormat) -> None:
    for record in read_stream(io.BytesIO(data), "fuzz", fmt, max_item_chars=200):
        assert isinstance(record, NewsItem | Reject | Notice)
        if isinstance(record, NewsItem):
            assert record.title and (record.summary or record.body)
            assert len(record.title) + len(record.summary) + len(record.body or "") <= 200
            record.text.encode("utf-8")
            record.content_hash()
            if record.url:
                NamedNode(record.url)
            Literal("", language=record.language)
        else:
            assert "\n" not in record.reason


@FUZZ
@given(st.lists(st.one_of(RECORD.map(json.dumps), ANY_TEXT, st.just("[" * 5_000)), max_size=5))
def test_jsonl_reader_never_raises(lines: list[str]) -> None:
    check_records("\n".join(lines).encode("utf-8", "surrogatepass"), InputFormat.JSONL)


CELL = st.one_of(SHAPED, st.text(st.sampled_from('ab ,;\t"\n\r\x00é'), max_size=12))


@FUZZ
@given(
    st.lists(st.sampled_from([*FIELDS, "x", ""]), max_size=8),
    st.lists(st.lists(CELL, max_size=9), max_size=5),
    st.sampled_from([",", ";", "\t"]),
)
def test_csv_reader_never_raises(header: list[str], rows: list[list[str]], delimiter: str) -> None:
    text = "\n".join(delimiter.join(row) for row in [header, *rows])
    check_records(text.encode("utf-8"), InputFormat.CSV)


LISTING_LINE = st.one_of(
    SHAPED, st.sampled_from(["31 February, 2019", "June 11, 2019", "", "Title", "Summary."]), st.text(max_size=30)
)


@FUZZ
@given(st.lists(LISTING_LINE, max_size=12))
def test_listing_reader_never_raises(lines: list[str]) -> None:
    check_records("\n".join(lines).encode("utf-8"), InputFormat.LISTING)


XML_PIECE = st.one_of(
    st.sampled_from(
        [
            "<rss version='2.0'>",
            "<channel>",
            "</channel>",
            "</rss>",
            "<item>",
            "</item>",
            '<feed xmlns="http://www.w3.org/2005/Atom">',
            "</feed>",
            "<entry>",
            "</entry>",
            "<title>T</title>",
            "<description>S &amp; more</description>",
            "<summary>S</summary>",
            "<link>http://exa mple.org/x</link>",
            "<link href='http://e.org/a'/>",
            "<language>en us!</language>",
            "<pubDate>Tue, 11 Jun 2019 10:00:00 GMT</pubDate>",
            "<updated>2019-06-11T10:00:00Z</updated>",
            "<![CDATA[x]]>",
            "&",
            "<",
            "<?xml version='1.0'?>",
        ]
    ),
    st.text(max_size=20),
)


@FUZZ
@given(st.lists(XML_PIECE, max_size=14))
def test_feed_reader_never_raises(pieces: list[str]) -> None:
    check_records("".join(pieces).encode("utf-8"), InputFormat.FEED)
