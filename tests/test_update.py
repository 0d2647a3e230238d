"""Issue 19, section 3: a sources file and ``kg update``, against a local web site."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.store import KgStore
from kg.update import load_sources

from .conftest import Page, Site, invoke


def sources_file(tmp_path: Path, *entries: str, settings: str = "delay = 0\nretries = 0\n") -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(settings + "".join(f"\n[[source]]\n{entry}\n" for entry in entries))
    return path


def quads(store: Path) -> set[str]:
    with KgStore.open(store, write=False) as opened:
        return {str(q) for q in opened.quads()}


def feed_and_listing(site: Site) -> tuple[str, str]:
    feed = site.fixture("/feed.xml", "feed.xml", "application/rss+xml", etag='"feed-v1"')
    listing = site.fixture("/en/news", "listing-0.html", etag='"list-v1"')
    site.fixture("/en/news?page=1", "listing-1.html")
    site.fixture("/en/news?page=2", "listing-2.html")
    site.fixture("/en/news?page=3", "listing-empty.html")
    return feed, listing


def test_update_once_then_again_with_nothing_changed_costs_304s_and_writes_nothing(runner, site, tmp_path):
    feed, listing = feed_and_listing(site)
    plan = sources_file(tmp_path, f'name = "feed"\nurl = "{feed}"', f'name = "iom"\nurl = "{listing}"\nmax_pages = 5')
    store = tmp_path / "store"
    first = invoke(runner, "update", "--sources", plan, "--store", store)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == (
        "round 1: feed: new 2, changed 0, unchanged 0, failed 0; iom: new 6, changed 0, unchanged 0, failed 0\n"
    )
    seen = len(site.requests)
    cache = tmp_path / "store.fetch.json"
    before = (quads(store), cache.read_bytes(), cache.stat().st_mtime_ns)
    second = invoke(runner, "update", "--sources", plan, "--store", store)
    assert second.exit_code == 0, second.stderr
    assert second.stdout == (
        "round 1: feed: new 0, changed 0, unchanged 2 (304), failed 0; "
        "iom: new 0, changed 0, unchanged 6 (304), failed 0\n"
    )
    again = site.requests[seen:]
    assert [(path, headers.get("If-None-Match")) for path, headers in again] == [
        ("/robots.txt", None),
        ("/feed.xml", '"feed-v1"'),
        ("/en/news", '"list-v1"'),
    ]
    assert (quads(store), cache.read_bytes(), cache.stat().st_mtime_ns) == before


def test_a_changed_item_is_counted_as_changed(runner, site, tmp_path):
    text = (Path(__file__).parent / "fixtures" / "web" / "feed.xml").read_text().replace("{site}", site.url)
    url = site.serve(
        "/feed.xml",
        Page(text, "application/rss+xml", etag='"v1"'),
        Page(text.replace("met on climate change", "met twice on climate change"), "application/rss+xml", etag='"v2"'),
    )
    plan = sources_file(tmp_path, f'name = "feed"\nurl = "{url}"')
    store = tmp_path / "store"
    assert invoke(runner, "update", "--sources", plan, "--store", store).exit_code == 0
    result = invoke(runner, "update", "--sources", plan, "--store", store)
    assert result.stdout == "round 1: feed: new 0, changed 1, unchanged 1, failed 0\n"


def test_update_every_survives_a_failing_source(runner, site, tmp_path):
    feed, _ = feed_and_listing(site)
    text = (Path(__file__).parent / "fixtures" / "web" / "feed.json").read_text().replace("{site}", site.url)
    flaky = site.serve("/flaky.json", Page("down", status=500), Page(text, "application/feed+json"))
    local = tmp_path / "local.jsonl"
    local.write_text('{"date": "2019-06-15", "title": "A local item", "summary": "IOM met Guatemala."}\n')
    plan = sources_file(
        tmp_path, f'name = "flaky"\nurl = "{flaky}"', f'name = "feed"\nurl = "{feed}"', f'path = "{local}"'
    )
    store = tmp_path / "store"
    result = invoke(runner, "update", "--sources", plan, "--store", store, "--every", "0s", "--rounds", "2")
    assert result.exit_code == 0, result.stderr
    lines = [line.split(" ", 1)[1] for line in result.stdout.splitlines()]  # after the time of the round
    assert lines == [
        "round 1: flaky: new 0, changed 0, unchanged 0, failed 1; feed: new 2, changed 0, unchanged 0, failed 0; "
        f"{local}: new 1, changed 0, unchanged 0, failed 0",
        "round 2: flaky: new 1, changed 0, unchanged 0, failed 1; feed: new 0, changed 0, unchanged 2 (304), failed 0; "
        f"{local}: new 0, changed 0, unchanged 1, failed 0",
    ]
    assert result.stderr.splitlines() == [
        f"{flaky}: HTTP 500 Internal Server Error",
        f"{flaky}:2: record lacks date; every item needs both",
    ]


def test_a_missing_path_in_the_sources_fails_that_source_only(runner, site, tmp_path):
    feed, _ = feed_and_listing(site)
    plan = sources_file(tmp_path, f'path = "{tmp_path}/gone.jsonl"', f'name = "feed"\nurl = "{feed}"')
    result = invoke(runner, "update", "--sources", plan, "--store", tmp_path / "store")
    assert result.exit_code == 1
    assert "gone.jsonl: no such file or folder" in result.stderr
    assert result.stdout.endswith("feed: new 2, changed 0, unchanged 0, failed 0\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no [[source]] entries"),
        ('[[source]]\nurl = "ftp://x"\n', "is not an http(s) URL"),
        ('[[source]]\nurl = "https://x.org"\npath = "y"\n', "give either url"),
        ('[[source]]\nurl = "https://x.org"\nmaxpages = 3\n', "unknown setting 'maxpages'"),
        ('delay = "soon"\n[[source]]\nurl = "https://x.org"\n', "delay = 'soon' is not a number"),
        ("[[source]\n", "not valid TOML"),
        ('[[source]]\nurl = "https://x.org"\n[[source]]\nurl = "https://x.org"\n', "two sources are named"),
    ],
)
def test_a_wrong_sources_file_is_one_line_naming_it(runner, tmp_path, text, message):
    path = tmp_path / "sources.toml"
    path.write_text(text)
    result = invoke(runner, "update", "--sources", path, "--store", tmp_path / "store")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"kg: error: {path}") and message in result.stderr
    assert not (tmp_path / "store").exists()


def test_sources_toml_in_the_project_is_the_default(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "update", "--store", tmp_path / "store")
    assert result.exit_code == 2 and "sources.toml: no such sources file" in result.stderr
    (tmp_path / "sources.toml").write_text('[[source]]\nname = "x"\nurl = "https://example.org/feed"\n')
    assert [s.name for s in load_sources(tmp_path / "sources.toml").sources] == ["x"]


def test_every_takes_durations_and_refuses_others(runner, tmp_path):
    path = sources_file(tmp_path, 'url = "https://example.org/feed"')
    result = invoke(runner, "update", "--sources", path, "--every", "soon", "--store", tmp_path / "store")
    assert result.exit_code == 2 and "--every soon: give a duration such as 15m" in result.stderr
