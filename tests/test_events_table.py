"""The events table analysts expect (issue 20): one row per event as CSV, JSON and Parquet."""

from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq
import pytest

from tests.conftest import invoke

EV = "https://w3id.org/migkg/id/event/"
TRAINING = EV + "2019-06-06-80-guatemalan-government-officials-12ed3d-e1"  # 80 trained, 45 of them from the IGM
CURACAO = EV + "2019-06-06-iom-strengthens-dialogue-on-labor-67b8b8-e1"  # in Willemstad

# Pinned: analysts' scripts read these names. Add new columns at the end; never rename or drop one.
COLUMNS = [
    "id",
    "types",
    "startDate",
    "endDate",
    "datePrecision",
    "places",
    "locationCountries",
    "locationCountryNames",
    "participantCountries",
    "participantCountryNames",
    "organizers",
    "themes",
    "gcmObjectives",
    "gcmObjectiveTitles",
    "sourceTitle",
    "sourceDate",
    "sourceUrl",
    "sourceItem",
    "sourceGraph",
    "attendees",
    "funders",
    "peopleCounted",
    "latitude",
    "longitude",
    "quote",
    "rule",
]


@pytest.fixture(scope="module")
def tables(sample_store, tmp_path_factory):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    folder = tmp_path_factory.mktemp("table")
    runner = CliRunner()
    for name in ("events.csv", "events.json", "events.parquet"):
        result = invoke(runner, "export", "--store", sample_store, "--frame", "events", "--out", folder / name)
        assert result.exit_code == 0, result.output
        assert f"wrote 13 rows to {folder / name}" in result.output
    with (folder / "events.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {
        "csv": rows,
        "header": next(csv.reader((folder / "events.csv").open(encoding="utf-8"))),
        "json": json.loads((folder / "events.json").read_text(encoding="utf-8")),
        "parquet": pq.read_table(folder / "events.parquet"),
    }


def test_the_columns_are_pinned(tables):
    assert tables["header"] == COLUMNS
    assert tables["parquet"].column_names == COLUMNS


def test_one_row_per_event_in_every_format(tables):
    ids = [row["id"] for row in tables["csv"]]
    assert len(ids) == len(set(ids)) == 13
    assert [row["id"] for row in tables["json"]] == ids
    assert tables["parquet"].column("id").to_pylist() == ids


def test_people_counted_skips_the_breakdowns(tables):
    row = {r["id"]: r for r in tables["csv"]}[TRAINING]
    assert row["peopleCounted"] == "80"  # not 125: the 45 from the IGM are a subset of the 80
    assert row["attendees"] == "Guatemalan Migration Institute"
    assert row["organizers"] == "International Organization for Migration"
    assert row["participantCountries"] == "GTM"
    assert row["rule"] == "date-day-range-md"
    assert row["quote"].startswith("On May 22 and 27, 45 officials")


def test_the_place_comes_with_its_coordinates(tables):
    row = {r["id"]: r for r in tables["csv"]}[CURACAO]
    assert (row["places"], row["latitude"], row["longitude"]) == ("Willemstad", "12.12246", "-68.88641")
    parquet = {r["id"]: r for r in tables["parquet"].to_pylist()}[CURACAO]
    assert parquet["latitude"] == pytest.approx(12.12246)
    assert parquet["participantCountries"] == ["ABW", "CUW", "SXM"]
    assert str(parquet["startDate"]) == "2019-05-09"


def test_parquet_columns_are_typed(tables):
    types = {field.name: str(field.type) for field in tables["parquet"].schema}
    assert types["startDate"] == types["sourceDate"] == "date32[day]"
    assert types["peopleCounted"] == "int64"
    assert types["latitude"] == "double"
    assert types["gcmObjectives"] == "list<element: int64>"
    assert types["locationCountries"] == "list<element: string>"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--frame", "events", "--out", "ev.ttl"], "--frame events writes .json, .csv or .parquet, not ev.ttl"),
        (["--frame", "events", "--format", "csv", "--out", "ev.json"], "--format csv does not match ev.json"),
        (["--format", "turtle", "--out", "kg.trig"], "--format turtle does not match kg.trig"),
        (["--out", "kg.csv"], "kg.csv is a table: add --frame events"),
        (["--frame", "events", "--format", "parquet"], "Parquet is binary: write it to a file"),
    ],
)
def test_an_extension_that_does_not_match_the_format_is_refused(
    runner, sample_store, tmp_path, monkeypatch, args, message
):
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "export", "--store", sample_store, *args)
    assert result.exit_code == 2
    assert result.output.startswith(f"kg: error: {message}")
    assert len(result.output.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir()), "nothing is written"
