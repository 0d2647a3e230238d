"""Readers: each format on small hand-written fixtures, and the sample listing."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.sources import InputFormat, NewsItem, Reject, listing, read_file, read_sources, read_stream
from kg.sources.dates import parse_date

from .conftest import SAMPLE

SAMPLE_ITEMS = [
    ("2019-06-11", "Caribbean countries and IOM address climate change and human mobility challenges"),
    ("2019-06-07", "North and Central American countries follow up on the Regional Plan to Combat Migrant Smuggling"),
    (
        "2019-06-06",
        "IOM builds institutional capacities at the regional level through cross-border meetings on migration in Mesoamerica",
    ),
    ("2019-06-06", "IOM and Galen University in Belize build the capacities for migration management"),
    (
        "2019-06-06",
        "IOM strengthens dialogue on labor migration and socioeconomic development in the three countries of the Dutch Caribbean",
    ),
    (
        "2019-06-06",
        "Over 100 local actors launch communication for development campaigns focused on migration in Mesoamerica",
    ),
    ("2019-06-06", "80 Guatemalan government officials trained by IOM in migration legislation and human trafficking"),
    (
        "2019-05-24",
        "Regional research team advances in the analysis of Labor Market Information Systems in Mexico, Guatemala, El Salvador and Honduras",
    ),
    ("2019-05-20", "Migrants from Caravans share their voluntary return stories"),
    ("2019-05-08", "Panama and Costa Rica hold third meeting on indigenous labor migration"),
]


def items(records):
    return [r for r in records if isinstance(r, NewsItem)]


def rejects(records):
    return [r for r in records if isinstance(r, Reject)]


def test_sample_listing_has_ten_items_with_exact_titles_and_dates():
    records = list(read_file(SAMPLE))
    assert rejects(records) == []
    got = [(i.published.isoformat(), i.title) for i in items(records)]
    assert got == SAMPLE_ITEMS


def test_sample_summaries_are_whole_paragraphs_and_lines_point_at_date_lines():
    records = items(read_file(SAMPLE))
    first, last = records[0], records[-1]
    assert first.summary.startswith("Port of Spain - The growing frequency")
    assert first.summary.endswith("in the Caribbean.")
    assert last.summary.endswith("to address and facilitate these migration flows.")
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    for item in records:
        assert parse_date(lines[item.line - 1]) == item.published
        assert item.source_file == "data/news/news-listing-2019.txt"  # relative to the working directory
    assert [i.line for i in records][:3] == [1, 8, 15]


def test_keys_are_stable_and_unique():
    first = [i.key for i in items(read_file(SAMPLE))]
    second = [i.key for i in items(read_file(SAMPLE))]
    assert first == second
    assert len(set(first)) == 10
    assert first[0].startswith("2019-06-11-caribbean-countries")


def test_listing_accepts_every_date_form_and_varying_blank_lines():
    text = (
        "June 11, 2019\nTitle A\n\n\n\nSummary A.\n"
        "2019-06-12\n\nTitle B\nSummary B line one\nline two.\n\n"
        "3 May, 2020\n\n\n\nTitle C\n\n\nSummary C.\n"
    )
    got = [(i.published, i.title, i.summary) for i in items(listing.read(text, "x.txt"))]
    assert got == [
        (date(2019, 6, 11), "Title A", "Summary A."),
        (date(2019, 6, 12), "Title B", "Summary B line one line two."),
        (date(2020, 5, 3), "Title C", "Summary C."),
    ]


def test_listing_tolerates_crlf_and_bom():
    data = "\ufeff11 June, 2019\r\nTitle\r\n\r\nSummary.\r\n".encode()
    got = items(read_stream(io.BytesIO(data), "x.txt", InputFormat.LISTING))
    assert [(i.title, i.summary) for i in got] == [("Title", "Summary.")]


def test_jsonl_reader(tmp_path: Path):
    path = tmp_path / "news.jsonl"
    path.write_text(
        '{"id": "n1", "date": "2019-06-11", "title": "T1", "summary": "S1", "url": "https://example.org/a",'
        ' "language": "es", "section": "news"}\n'
        "\n"
        '{"date": "2019-06-12T08:00:00Z", "title": "T2", "summary": "S2", "body": "B2"}\n',
        encoding="utf-8",
    )
    got = items(read_file(path))
    assert [(i.identifier, i.published, i.title, i.url, i.language, i.line) for i in got] == [
        ("n1", date(2019, 6, 11), "T1", "https://example.org/a", "es", 1),
        (None, date(2019, 6, 12), "T2", None, "en", 3),
    ]
    assert got[0].extra == {"section": "news"}
    assert got[1].body == "B2"
    assert "B2" in got[1].text


class CountingStream(io.BytesIO):
    """Counts the bytes handed out, however they are asked for."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.given = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.given += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        chunk = super().readline(size)
        self.given += len(chunk)
        return chunk

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


def test_jsonl_is_read_a_line_at_a_time():
    line = b'{"date": "2019-06-11", "title": "T", "summary": "' + b"x" * 500 + b'"}\n'
    stream = CountingStream(line * 10_000)  # 5 MB
    records = read_stream(stream, "big.jsonl", InputFormat.JSONL)
    first = next(records)
    assert isinstance(first, NewsItem) and first.line == 1
    assert stream.given < 10 * len(line)  # a million items never sit in memory
    assert sum(1 for _ in records) == 9_999


def test_jsonl_bad_bytes_reject_their_line_only_and_line_endings_are_any():
    data = (
        b'\xef\xbb\xbf{"date": "2019-06-11", "title": "One", "summary": "S"}\r\n'
        b'{"date": "2019-06-12", "title": "Caf\xe9", "summary": "latin-1"}\r'
        b'{"date": "2019-06-13", "title": "Three", "summary": "S"}'
    )
    got = list(read_stream(io.BytesIO(data), "mixed.jsonl", InputFormat.JSONL))
    assert [(type(r).__name__, r.line) for r in got] == [("NewsItem", 1), ("Reject", 2), ("NewsItem", 3)]
    assert str(got[1]) == "mixed.jsonl:2: not UTF-8 text (byte 0xe9 at column 37); re-save the file as UTF-8"
    assert [r.title for r in got if isinstance(r, NewsItem)] == ["One", "Three"]


def test_empty_jsonl_is_one_reject():
    got = list(read_stream(io.BytesIO(b"\n  \n"), "empty.jsonl", InputFormat.JSONL))
    assert [str(r) for r in got] == ["empty.jsonl:1: empty file: no news items to read"]


def test_url_gives_the_key(tmp_path: Path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"date": "2019-06-11", "title": "T", "summary": "S", "url": "https://example.org/n/x"}\n')
    again = tmp_path / "b.jsonl"
    again.write_text(
        '{"date": "2019-06-11", "title": "Other title", "summary": "S", "url": "https://example.org/n/x"}\n'
    )
    assert items(read_file(path))[0].key == items(read_file(again))[0].key


def test_csv_reader_with_quoted_multiline_field(tmp_path: Path):
    path = tmp_path / "news.csv"
    path.write_text(
        "id,date,title,summary,url\n"
        'a,2019-06-11,"Title, with comma","Summary\nover two lines",https://example.org/a\n'
        "b,2019-06-12,Second,Plain summary,\n",
        encoding="utf-8",
    )
    got = items(read_file(path))
    assert [(i.identifier, i.title, i.summary, i.line) for i in got] == [
        ("a", "Title, with comma", "Summary over two lines", 2),
        ("b", "Second", "Plain summary", 4),
    ]


def test_rss_and_atom_feeds():
    rss = items(read_file(Path(__file__).parent / "fixtures" / "feed.rss"))
    assert [(i.published, i.title, i.url) for i in rss] == [
        (
            date(2019, 6, 11),
            "Caribbean countries and IOM address climate change",
            "https://example.org/news/caribbean-climate",
        ),
        (date(2019, 6, 7), "RCM follows up on smuggling plan", "https://example.org/news/rcm"),
    ]
    assert rss[0].summary == "Port of Spain - Eighteen countries & territories gathered."
    assert rss[1].line == 16
    atom = items(read_file(Path(__file__).parent / "fixtures" / "feed.atom"))
    assert [(i.published, i.title, i.identifier) for i in atom] == [
        (date(2019, 5, 8), "Panama and Costa Rica hold third meeting", "urn:uuid:1"),
    ]


def test_folders_are_read_recursively_by_extension(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("11 June, 2019\nA\nS.\n")
    (tmp_path / "sub" / "b.jsonl").write_text('{"date": "2019-06-11", "title": "B", "summary": "S"}\n')
    (tmp_path / "README.md").write_text("# not news\n")
    (tmp_path / ".hidden.txt").write_text("garbage")
    assert [i.title for i in items(read_sources([tmp_path]))] == ["A", "B"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 ,-\nJuneMayabc\t")), max_size=200) | st.text(max_size=200))
def test_listing_reader_never_raises(text: str):
    for record in listing.read(text, "fuzz.txt"):
        assert isinstance(record, (NewsItem, Reject))
        if isinstance(record, Reject):
            assert record.line >= 1
            assert str(record).startswith("fuzz.txt:")


# -- issue 16: every record is validated where it is read --

BAD_RECORDS = [
    ('{"date": "2019-06-11", "title": "T", "summary": "S", "url": "http://exa mple.org/x"}', "url"),
    ('{"date": "2019-06-11", "title": "T", "summary": "S", "language": "en us!"}', "language"),
    ('{"date": "2019-06-11", "title": "T\\ud800", "summary": "S"}', "title"),
    ("[" * 100_000 + "]" * 100_000, "nested"),
    ('{"date": "2019-06-11", "title": "T", "summary": "' + "x" * 2_000 + '"}', "2,001 characters"),
]


@pytest.mark.parametrize(("line", "reason"), BAD_RECORDS, ids=["url", "language", "surrogate", "nesting", "size"])
def test_issue_16_a_bad_record_is_a_reject_of_its_line_and_its_neighbours_are_read(line: str, reason: str):
    good = '{"date": "2019-06-11", "title": "Good %d", "summary": "S"}'
    data = "\n".join([good % 1, line, good % 3]).encode()
    got = list(read_stream(io.BytesIO(data), "f.jsonl", InputFormat.JSONL, max_item_chars=1_000))
    assert [i.title for i in items(got)] == ["Good 1", "Good 3"]
    [reject] = rejects(got)
    assert reject.line == 2 and reason in reject.reason and "\n" not in reject.reason


def test_issue_16_csv_and_listing_and_feed_records_are_validated_too():
    csv_data = b"date,title,summary,url,language\n2019-06-11,A,S,http://exa mple.org/x,en\n2019-06-12,B,S,,pt-BR\n"
    got = list(read_stream(io.BytesIO(csv_data), "f.csv", InputFormat.CSV))
    assert [(i.title, i.language) for i in items(got)] == [("B", "pt-BR")]
    assert [(r.line, "url" in r.reason) for r in rejects(got)] == [(2, True)]
    listing_data = ("11 June, 2019\nLong\n" + "word " * 300 + "\n\n12 June, 2019\nShort\nS.\n").encode()
    got = list(read_stream(io.BytesIO(listing_data), "f.txt", InputFormat.LISTING, max_item_chars=1_000))
    assert [i.title for i in items(got)] == ["Short"]
    assert [(r.line, "over the limit of 1,000" in r.reason) for r in rejects(got)] == [(1, True)]
    rss = (
        b"<rss version='2.0'><channel><item><title>A</title><description>S</description>"
        b"<link>http://exa mple.org/x</link><pubDate>Tue, 11 Jun 2019 10:00:00 GMT</pubDate></item>"
        b"<item><title>B</title><description>S</description><pubDate>Wed, 12 Jun 2019 10:00:00 GMT</pubDate></item>"
        b"</channel></rss>"
    )
    got = list(read_stream(io.BytesIO(rss), "f.rss", InputFormat.FEED))
    assert [i.title for i in items(got)] == ["B"]
    assert len(rejects(got)) == 1


def test_issue_16_csv_cells_over_128_kib_are_read_and_an_over_long_one_rejects_its_row_only():
    big = "x" * 200_000
    huge = "y" * 400_000
    data = f'date,title,summary\n2019-06-11,Big,"{big}"\n2019-06-12,Huge,"{huge}"\n2019-06-13,After,S\n'.encode()
    got = list(read_stream(io.BytesIO(data), "f.csv", InputFormat.CSV, max_item_chars=300_000))
    assert [(i.title, len(i.summary)) for i in items(got)] == [("Big", 200_000), ("After", 1)]
    [reject] = rejects(got)
    assert reject.line == 3 and "400,004 characters" in reject.reason
