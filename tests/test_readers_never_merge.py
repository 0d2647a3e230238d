"""Issue 19, section 1: readers that never merge or drop items silently.

Each bad input gives ``FILE:LINE: reason``; nothing is appended to the item before it, and every
valid item around it is still read.
"""

from __future__ import annotations

import io
from datetime import date

import pytest

from kg.sources import InputFormat, NewsItem, Reject, listing, read_stream
from kg.sources.dates import parse_date

from .conftest import invoke


def items(records):
    return [r for r in records if isinstance(r, NewsItem)]


def rejects(records):
    return [r for r in records if isinstance(r, Reject)]


ISSUE_EXAMPLE = """10 June, 2019

A IOM Panama

IOM met in Panama on 3 June.

{date}

B UNHCR Belize

UNHCR visited Belize on 10 June.
"""


def test_issue_19_the_two_item_example_reads_two_items():
    got = list(listing.read(ISSUE_EXAMPLE.format(date="2019/06/11"), "x.txt"))
    assert [(i.published, i.title, i.summary, i.line) for i in items(got)] == [
        (date(2019, 6, 10), "A IOM Panama", "IOM met in Panama on 3 June.", 1),
        (date(2019, 6, 11), "B UNHCR Belize", "UNHCR visited Belize on 10 June.", 7),
    ]
    assert rejects(got) == []


@pytest.mark.parametrize("bad", ["31 Juneteenth, 2019", "Juneteenth 2019", "11.06.2019", "June 2019"])
def test_issue_19_an_item_without_a_recognised_date_is_reported_never_appended(bad):
    got = list(listing.read(ISSUE_EXAMPLE.format(date=bad), "x.txt"))
    [a] = items(got)
    assert (a.title, a.summary) == ("A IOM Panama", "IOM met in Panama on 3 June.")
    [reject] = rejects(got)
    assert reject.line == 7
    assert repr(bad) in reject.reason
    assert "not a date" in reject.reason and "B UNHCR Belize" in reject.reason


def test_issue_19_an_item_block_with_no_date_line_at_all_is_reported():
    text = "10 June, 2019\n\nA\n\nFirst summary.\n\nB UNHCR Belize\n\nUNHCR visited Belize on 10 June.\n"
    got = list(listing.read(text, "x.txt"))
    assert [(i.title, i.summary) for i in items(got)] == [("A", "First summary.")]
    [reject] = rejects(got)
    assert reject.line == 7 and "'B UNHCR Belize'" in reject.reason and "no date line" in reject.reason


def test_issue_19_the_cli_reports_file_line_and_exits_1(runner, tmp_path):
    news = tmp_path / "news.txt"
    news.write_text(ISSUE_EXAMPLE.format(date="31 Juneteenth, 2019"))
    result = invoke(runner, "build", news, "--store", ":memory:", "-q")
    assert result.exit_code == 1
    assert f"{news}:7: '31 Juneteenth, 2019' is not a date" in result.stderr
    assert "items read        1" not in result.output
    assert "items read      1\n" in result.output and "rejected        1\n" in result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11 June, 2019", date(2019, 6, 11)),
        ("June 11, 2019", date(2019, 6, 11)),
        ("Date Publish: 06/11/2019", date(2019, 6, 11)),  # the English sites write month/day
        ("Date Publish: 12/31/2019", date(2019, 12, 31)),
        ("11 de junio de 2019", date(2019, 6, 11)),
        ("Junio 11, 2019", date(2019, 6, 11)),
        ("11 de Junio, 2019", date(2019, 6, 11)),
        ("Fecha de publicación: 11/06/2019", date(2019, 6, 11)),  # the Spanish sites write day/month
        ("2019/06/11", date(2019, 6, 11)),
        ("2019-06-11", date(2019, 6, 11)),
    ],
)
def test_issue_19_date_forms_of_the_iom_regional_pages(text, expected):
    assert parse_date(text) == expected


def test_issue_19_country_and_category_lines_between_items_are_not_part_of_any_summary():
    text = (
        "Costa Rica\n\n11 June, 2019\n\nFirst\n\nFirst summary.\n\n"
        "Migrant Protection\n12 de junio de 2019\nSegundo\nResumen.\n\n"
        "Panamá\n\nJunio 13, 2019\n\nTercero\n\nOtro resumen.\n"
    )
    got = list(listing.read(text, "x.txt"))
    assert rejects(got) == []
    assert [(i.title, i.summary, i.line, i.extra.get("category")) for i in items(got)] == [
        ("First", "First summary.", 3, "Costa Rica"),
        ("Segundo", "Resumen.", 10, "Migrant Protection"),
        ("Tercero", "Otro resumen.", 16, "Panamá"),
    ]


def test_issue_19_a_summary_of_several_paragraphs_stays_one_summary():
    text = "11 June, 2019\n\nTitle\n\nFirst paragraph of a long story.\n\nSecond paragraph, also prose.\n"
    [item] = listing.read(text, "x.txt")
    assert isinstance(item, NewsItem)
    assert item.summary == "First paragraph of a long story. Second paragraph, also prose."


# -- CSV: an unclosed quote --


def test_issue_19_csv_unclosed_quote_names_its_line_and_the_records_it_swallowed():
    data = b'title,date,summary\nA,2019-06-11,fine\nB,2019-06-12,"unclosed\nC,2019-06-13,fine\nD,2019-06-14,fine\n'
    got = list(read_stream(io.BytesIO(data), "f.csv", InputFormat.CSV))
    assert [i.title for i in items(got)] == ["A", "C", "D"]
    [reject] = rejects(got)
    assert reject.line == 3
    assert "quote" in reject.reason and "2 records" in reject.reason and "has no summary" not in reject.reason
    assert "summary" in reject.reason and "not closed before the end of the file" in reject.reason


def test_issue_19_csv_quote_closed_later_by_another_quote_is_caught_too():
    data = (
        b'title,date,summary\nB,2019-06-12,"unclosed\nC,2019-06-13,fine\nD,2019-06-14,"closed here"\nE,2019-06-15,ok\n'
    )
    got = list(read_stream(io.BytesIO(data), "f.csv", InputFormat.CSV))
    assert [i.title for i in items(got)] == ["C", "D", "E"]
    [reject] = rejects(got)
    assert reject.line == 2 and "closed on line 4" in reject.reason and "2 records" in reject.reason


# -- standard input --


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ('{"date": "2019-06-11", "title": "From JSON Lines", "summary": "S"}\n', "From JSON Lines"),
        (
            "<rss version='2.0'><channel><item><title>From a feed</title><description>S</description>"
            "<pubDate>Tue, 11 Jun 2019 10:00:00 GMT</pubDate></item></channel></rss>",
            "From a feed",
        ),
        ("11 June, 2019\n\nFrom a listing\n\nS.\n", "From a listing"),
        ("date,title,summary\n2019-06-11,From CSV,S\n", "From CSV"),
    ],
    ids=["jsonl", "feed", "listing", "csv"],
)
def test_issue_19_standard_input_is_sniffed(runner, text, title):
    result = invoke(runner, "build", "-", "--store", ":memory:", "-q", input=text)
    assert result.exit_code == 0, result.stderr
    assert "items read      1\n" in result.output


def test_issue_19_standard_input_of_unknown_shape_names_the_input_format(runner, tmp_path):
    store = tmp_path / "store"
    result = invoke(runner, "build", "-", "--store", store, "-q", input="Some prose without a date.\n")
    assert result.exit_code == 2
    assert "--input-format" in result.stderr and "<stdin>" in result.stderr
    assert not store.exists()


def test_issue_19_a_missing_path_stops_the_build_before_anything_is_written(runner, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("11 June, 2019\nA\nS.\n")
    store = tmp_path / "store"
    result = invoke(runner, "build", good, tmp_path / "typo.txt", "--store", store)
    assert result.exit_code == 2
    assert "typo.txt: no such file or folder" in result.stderr
    assert not store.exists()
