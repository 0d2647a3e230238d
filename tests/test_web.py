"""Issue 19, section 2: ``kg build URL`` against a local web site (tests/conftest.py ``Site``).

Every test serves its own fixture feeds and pages on 127.0.0.1; none touches the internet.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from kg import __version__
from kg.sources import NewsItem, Reject, read_sources
from kg.sources.fetch import Fetcher
from kg.store import KgStore

from .conftest import FAST, Page, Site, invoke

LISTING_TITLES = [
    "Costa Rica and Panama hold talks on labour migration",
    "IOM trains border officials in Belize",
    "Returned migrants in Guatemala receive support",
    "Honduras launches a campaign against trafficking",
    "A study of labour market information in Mexico",
    "Migrants of El Salvador share their return stories",
]


def serve_listing(site: Site, pages: int = 3) -> str:
    url = site.fixture("/en/news", "listing-0.html")
    for n in range(1, pages):
        site.fixture(f"/en/news?page={n}", f"listing-{n}.html")
    site.fixture(f"/en/news?page={pages}", "listing-empty.html")
    return url


def titles(store_path: str | Path) -> list[str]:
    with KgStore.open(store_path, write=False) as store:
        rows = store.query(
            "SELECT ?t ?u WHERE { ?i a <https://w3id.org/migkg/ont#NewsItem> ; "
            "<http://purl.org/dc/terms/title> ?t ; <http://schema.org/url> ?u } ORDER BY ?t"
        )
        return [row["t"].value for row in rows]


def summary(output: str) -> dict[str, str]:
    return {line[:16].strip(): line[16:].strip() for line in output.splitlines() if line[:16].strip()}


# -- feeds and pages by URL --


def test_a_feed_builds_by_url_and_each_item_keeps_its_url(runner, site, store_path):
    url = site.fixture("/feed.xml", "feed.xml", "application/rss+xml")
    result = invoke(runner, "build", url, "--store", store_path, "-q", *FAST)
    assert result.exit_code == 0, result.stderr
    assert summary(result.output)["loaded"] == "2"
    with KgStore.open(store_path, write=False) as store:
        urls = [r["u"].value for r in store.query("SELECT ?u WHERE { ?i <http://schema.org/url> ?u } ORDER BY ?u")]
    assert urls == [f"{site.url}/en/news/caribbean-climate", f"{site.url}/en/news/rcm-smuggling"]
    assert site.paths() == ["/robots.txt", "/feed.xml"]
    assert {headers["User-Agent"] for _, headers in site.requests} == {
        f"migkg/{__version__} (+https://w3id.org/migkg/)"
    }


def test_a_listing_of_three_pages_builds_by_url(runner, site, store_path):
    url = serve_listing(site)
    result = invoke(runner, "build", url, "--store", store_path, "-q", *FAST)
    assert result.exit_code == 0, result.stderr
    assert sorted(titles(store_path)) == sorted(LISTING_TITLES)
    assert site.paths() == ["/robots.txt", "/en/news", "/en/news?page=1", "/en/news?page=2", "/en/news?page=3"]


def test_max_pages_stops_the_listing(runner, site, store_path):
    url = serve_listing(site)
    result = invoke(runner, "build", url, "--store", store_path, "-q", "--max-pages", "2", *FAST)
    assert result.exit_code == 0, result.stderr
    assert sorted(titles(store_path)) == sorted(LISTING_TITLES[:4])
    assert "/en/news?page=2" not in site.paths()


def test_listing_items_keep_the_dates_and_categories_of_the_iom_markup(site):
    url = serve_listing(site, pages=1)
    records = list(read_sources([url], fetcher=Fetcher(delay=0), max_pages=1))
    assert [(r.title, r.published.isoformat(), r.url, r.source_file) for r in records if isinstance(r, NewsItem)] == [
        (LISTING_TITLES[0], "2019-06-11", f"{site.url}/en/news/costa-rica-labour", url),
        (LISTING_TITLES[1], "2019-06-07", f"{site.url}/en/news/belize-training", url),  # Date Publish: 06/07/2019
    ]


def test_article_pages_json_ld_and_open_graph(site):
    jsonld = site.fixture("/en/news/tapachula-centre", "article-jsonld.html")
    og = site.fixture("/es/noticias/panama-capacitacion", "article-og.html")
    records = [r for r in read_sources([jsonld, og], fetcher=Fetcher(delay=0)) if isinstance(r, NewsItem)]
    assert [(r.title, r.published.isoformat(), r.url, r.language) for r in records] == [
        ("IOM and Mexico open a migrant centre in Tapachula", "2019-06-12", jsonld, "en"),
        ("La OIM capacita a funcionarios de Panamá", "2019-06-13", og, "es"),
    ]
    assert records[0].body and "500 migrants a month" in records[0].body


def test_json_feed(runner, site, store_path):
    url = site.fixture("/feed.json", "feed.json", "application/feed+json")
    result = invoke(runner, "build", url, "--store", store_path, "-q", *FAST)
    assert result.exit_code == 1
    assert titles(store_path) == ["IOM assists displaced families in Haiti"]
    assert f"{url}:2: record lacks date" in result.stderr


# -- a graph that stays current: conditional requests --


def test_an_unchanged_feed_costs_one_304_and_writes_nothing(runner, site, store_path):
    url = site.fixture("/feed.xml", "feed.xml", "application/rss+xml", etag='"v1"')
    first = invoke(runner, "build", url, "--store", store_path, "-q", *FAST)
    assert first.exit_code == 0 and summary(first.output)["loaded"] == "2"
    cache = Path(store_path + ".fetch.json")
    assert json.loads(cache.read_text())[url]["etag"] == '"v1"'
    before = cache.stat().st_mtime_ns
    second = invoke(runner, "build", url, "--store", store_path, "-q", *FAST)
    assert second.exit_code == 0, second.stderr
    got = summary(second.output)
    assert (got["loaded"], got["unchanged"], got["not modified"], got["triples written"]) == (
        "0",
        "2",
        "1 URLs (304)",
        "0",
    )
    assert site.requests[-1][1].get("If-None-Match") == '"v1"'
    assert cache.stat().st_mtime_ns == before


def test_a_new_store_fetches_whole_though_the_cache_knows_the_feed(runner, site, tmp_path):
    url = site.fixture("/feed.xml", "feed.xml", "application/rss+xml", etag='"v1"')
    store = tmp_path / "store"
    assert invoke(runner, "build", url, "--store", store, "-q", *FAST).exit_code == 0
    again = invoke(runner, "build", url, "--store", store, "-q", "--replace", *FAST)
    assert summary(again.output)["loaded"] == "2"
    assert "If-None-Match" not in site.requests[-1][1]


def test_fetch_time_never_enters_the_item_graphs(runner, site, tmp_path):
    url = serve_listing(site, pages=1)
    exports = []
    for name in ("one", "two"):
        store = tmp_path / name
        assert invoke(runner, "build", url, "--store", store, "-q", "--max-pages", "1", *FAST).exit_code == 0
        out = tmp_path / f"{name}.nq"
        assert invoke(runner, "export", "--store", store, "--format", "nquads", "--out", out).exit_code == 0
        exports.append(sorted(out.read_text().splitlines()))
    assert exports[0] == exports[1]


# -- servers that misbehave --


def test_429_with_retry_after_is_honoured(runner, site, store_path):
    feed = (Path(__file__).parent / "fixtures" / "web" / "feed.xml").read_text().replace("{site}", site.url)
    url = site.serve(
        "/feed.xml", Page("slow down", status=429, headers={"Retry-After": "1"}), Page(feed, "application/rss+xml")
    )
    result = invoke(runner, "build", url, "--store", store_path, "-q", *FAST)
    assert result.exit_code == 0, result.stderr
    assert summary(result.output)["loaded"] == "2"
    assert site.paths().count("/feed.xml") == 2


def test_a_failing_source_is_one_line_and_the_others_still_load(runner, site, store_path):
    broken = site.serve("/broken", Page("oops", status=500))
    url = site.fixture("/feed.xml", "feed.xml", "application/rss+xml")
    result = invoke(runner, "build", broken, url, "--store", store_path, "-q", *FAST)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"{broken}: HTTP 500 Internal Server Error (tried 2 times)"]
    assert summary(result.output)["loaded"] == "2"


def test_a_slow_answer_past_the_timeout(runner, site, store_path):
    url = site.serve("/slow", Page("late", delay=3))
    result = invoke(runner, "build", url, "--store", store_path, "-q", "--fetch-timeout", "0.5", "--retries", "0")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{url}: no answer within 0.5 s (--fetch-timeout)"


def test_redirects_are_followed_and_the_source_keeps_its_name(runner, site, store_path):
    site.fixture("/feed.xml", "feed.xml", "application/rss+xml")
    old = site.serve("/old-feed", Page(status=301, headers={"Location": "/feed.xml"}))
    loop = site.serve("/loop", Page(status=302, headers={"Location": "/loop"}))
    records = list(read_sources([old, loop], fetcher=Fetcher(delay=0)))
    assert [r.source_file for r in records if isinstance(r, NewsItem)] == [old, old]
    [reject] = [r for r in records if isinstance(r, Reject)]
    assert reject.source_file == loop and "redirect" in reject.reason


def test_broken_xml_reads_what_can_be_read_and_says_so(runner, site, store_path):
    feed = (Path(__file__).parent / "fixtures" / "web" / "feed.xml").read_text().replace("{site}", site.url)
    url = site.serve("/feed.xml", Page(feed.replace("</item>\n<item>", "</item>\n<item><unclosed>", 1), "text/xml"))
    result = invoke(runner, "build", url, "--store", store_path, "-q", *FAST)
    assert "warning: broken XML" in result.stderr
    assert "Caribbean countries and IOM address climate change" in titles(store_path)
    garbage = site.serve("/garbage.xml", Page("<rss><channel><item>&&&", "text/xml"))
    result = invoke(runner, "build", garbage, "--store", store_path, "-q", *FAST)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"{garbage}:1: record lacks title and date; every item needs both"


def test_a_wrong_charset_in_the_headers_is_caught_by_the_meta_and_said(site):
    page = (Path(__file__).parent / "fixtures" / "web" / "article-og.html").read_text().replace("{site}", site.url)
    page = page.replace('<meta charset="utf-8">', '<meta charset="iso-8859-1">')
    url = site.serve("/es/noticias/panama", Page(page.encode("latin-1"), "text/html; charset=utf-8"))
    records = list(read_sources([url], fetcher=Fetcher(delay=0)))
    assert [r.title for r in records if isinstance(r, NewsItem)] == ["La OIM capacita a funcionarios de Panamá"]
    assert [str(r) for r in records if not isinstance(r, NewsItem)] == [
        f"{url}: warning: the page is not utf-8 as declared; read as iso-8859-1"
    ]


def test_robots_txt_that_disallows_is_obeyed(runner, site, store_path):
    site.serve("/robots.txt", Page("User-agent: *\nDisallow: /private/\n", "text/plain"))
    private = site.fixture("/private/feed.xml", "feed.xml", "application/rss+xml")
    public = site.fixture("/feed.xml", "feed.xml", "application/rss+xml")
    result = invoke(runner, "build", private, public, "--store", store_path, "-q", *FAST)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{private}: not fetched: the site's robots.txt disallows it for migkg"
    assert "/private/feed.xml" not in site.paths()
    assert site.paths().count("/robots.txt") == 1


def test_a_page_whose_markup_changed(runner, site, store_path):
    listing = (Path(__file__).parent / "fixtures" / "web" / "listing-0.html").read_text().replace("{site}", site.url)
    redesigned = (
        listing.replace('<div class="views-row', '<article class="card')
        .replace("</p></div></div>\n  </div>", "</p></div></div>\n  </article>")
        .replace('<h3 class="field-content">', "<h2>")
        .replace("</h3>", "</h2>")
        .replace('<span class="field-content">11 June, 2019</span>', '<time datetime="2019-06-11">11 Jun</time>')
    )
    url = site.serve("/en/news", Page(listing), Page(redesigned), Page("<html><body><p>Maintenance</p></body></html>"))
    for expected in (LISTING_TITLES[:2], LISTING_TITLES[:2]):  # the generic reader still finds the items
        records = list(read_sources([url], fetcher=Fetcher(delay=0), max_pages=1))
        assert [r.title for r in records if isinstance(r, NewsItem)] == expected
    [reject] = read_sources([url], fetcher=Fetcher(delay=0), max_pages=1)
    assert isinstance(reject, Reject) and reject.source_file == url
    assert str(reject).startswith(f"{url}: no news items found on the page")


def test_gzip_is_read_and_a_gzip_bomb_stops_at_max_bytes(runner, site, store_path):
    feed = (Path(__file__).parent / "fixtures" / "web" / "feed.xml").read_text().replace("{site}", site.url)
    url = site.serve(
        "/feed.xml", Page(gzip.compress(feed.encode()), "application/rss+xml", headers={"Content-Encoding": "gzip"})
    )
    bomb = site.serve("/bomb", Page(gzip.compress(b"<p>" + b" " * 50_000_000), headers={"Content-Encoding": "gzip"}))
    result = invoke(runner, "build", url, bomb, "--store", store_path, "-q", "--max-bytes", "1000000", *FAST)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{bomb}: the answer is over 1,000,000 bytes (--max-bytes); not read"
    assert summary(result.output)["loaded"] == "2"


@pytest.mark.slow
def test_a_50_mb_page_is_refused_at_the_default_limit(runner, site, store_path):
    url = site.serve("/huge", Page(b"<html><body>" + b"<p>news</p>" * 5_000_000))
    result = invoke(runner, "build", url, "--store", store_path, "-q", *FAST)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{url}: the answer is over 20,000,000 bytes (--max-bytes); not read"


def test_an_unreachable_host_is_one_line(runner, store_path):
    url = "http://127.0.0.1:9/feed.xml"  # the discard port: nothing listens
    result = invoke(runner, "build", url, "--store", store_path, "-q", "--retries", "0", "--delay", "0")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(url + ": not fetched: its robots.txt could not be read")
