"""The page of ``kg serve`` in a real headless Chromium (Debian's package), driven by Playwright.

The browser is Debian's ``chromium`` at /usr/bin/chromium: when it is missing, the session
fixture installs it with apt-get (as root; CI runs as root), else the tests are skipped with the
reason. Playwright's own browser download is never used. The screenshot is kept as a test
artifact in tests/artifacts/serve.png; ``MIGKG_UPDATE_SCREENSHOT=1`` also copies it to
docs/serve.png for the README.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.network import country_network
from kg.queries import query as named_query

from .conftest import ROOT, Server, running_server

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
PAGE_EVENTS: dict[str, list[str]] = {}  # what the page did besides what the tests look at
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, installed on first use when this process may install packages."""
    if not CHROMIUM.exists():
        if os.geteuid() != 0:
            pytest.skip("the browser tests need Debian's chromium: run `apt-get install -y chromium` as root")
        install = subprocess.run(
            "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium",
            shell=True,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert install.returncode == 0 and CHROMIUM.exists(), install.stdout[-2000:] + install.stderr[-2000:]
    return CHROMIUM


@pytest.fixture(scope="module")
def server(sample_store: str) -> Iterator[Server]:
    with running_server(sample_store) as s:
        yield s


@pytest.fixture(scope="module")
def page(chromium: Path, server: Server):  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tempfile.mkdtemp(prefix="migkg-chromium-")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(chromium),
            args=ARGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            tab = context.new_page()
            tab.set_default_timeout(20_000)
            errors: list[str] = []
            tab.on("pageerror", lambda error: errors.append(str(error)))
            outside: list[str] = []
            tab.on("request", lambda r: None if r.url.startswith((server.url, "data:")) else outside.append(r.url))
            tab.goto(server.url + "/")
            PAGE_EVENTS.update(errors=errors, outside=outside)
            yield tab
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def test_a_named_query_runs_in_one_click(page, sample_store):
    page.click("button[data-query=events_by_country]")
    page.wait_for_selector("#results-table tbody tr")
    expected = named_query("events_by_country", store=sample_store, country="GTM")
    rows = page.locator("#results-table tbody tr")
    assert rows.count() == len(expected) > 0
    first = rows.nth(0).inner_text()
    event = expected[0]["event"].rsplit("/", 1)[1]
    assert f"ev:{event}" in first and expected[0]["title"] in first
    assert "Parameter columns (country, since, until) are left out here" in page.inner_text("#results")
    assert page.input_value("#params input[name=country]") == "GTM"
    assert page.inner_text("#query-mode") == "named query: events_by_country"
    assert page.inner_text("#status").startswith(f"{len(expected)} rows")
    links = {a.inner_text(): a.get_attribute("href") for a in page.locator("#downloads a").all()}
    assert {"CSV", "JSON"} <= set(links)
    csv = page.request.get(page.url + links["CSV"])
    assert csv.ok and csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text().strip().splitlines()) == 1 + len(expected)


def test_parameters_are_edited_and_bad_ones_explained(page, sample_store):
    page.click("button[data-query=events_by_country]")
    page.wait_for_selector("#results-table tbody tr")
    honduras = named_query("events_by_country", store=sample_store, country="HND", since="2019-05-25")
    page.fill("#params input[name=country]", "hnd")
    page.fill("#params input[name=since]", "2019-05-25")
    page.press("#params input[name=country]", "Enter")
    page.wait_for_function(f"document.querySelectorAll('#results-table tbody tr').length === {len(honduras)}")
    assert honduras[0]["title"] in page.locator("#results-table tbody tr").nth(0).inner_text()
    page.fill("#params input[name=country]", "XXXX")
    page.click("#run")
    page.wait_for_selector(".notice.error")
    assert "is not an ISO 3166-1 alpha-3 code" in page.inner_text("#notice")


def test_an_ad_hoc_query_and_a_syntax_error(page):
    page.click("#new-query")
    page.evaluate("window.migkg.editor.setValue('SELECT ?c WHERE { ?c a mk:Country ; mk:iso3166Alpha3 \"GTM\" }')")
    page.click("#run")
    page.wait_for_selector("#results-table tbody tr")
    assert page.inner_text("#results-table tbody").strip().endswith("ctry:GTM")
    assert page.inner_text("#query-mode") == "ad-hoc query"
    page.evaluate("window.migkg.editor.setValue('SELECT ?x WHERE {\\n  ?x ?y\\n')")
    page.click("#run")
    page.wait_for_selector(".notice.error")
    assert "400 Bad Request: SPARQL syntax error at line 3" in page.inner_text("#notice")
    assert page.locator(".CodeMirror .error-line").count() == 1


def test_new_query_clears_what_belonged_to_the_previous_one(page):
    page.click("button[data-query=events_by_country]")
    page.wait_for_selector("#results-table tbody tr")
    page.fill("#params input[name=country]", "XXXX")
    page.click("#run")
    page.wait_for_selector(".notice.error")
    page.click("#new-query")
    assert page.locator("#params input").count() == 0
    assert page.locator("#results *").count() == 0 and page.locator("#downloads a").count() == 0
    assert page.locator("#notice").is_hidden()
    assert page.inner_text("#status").strip() == ""


def test_a_node_shows_its_full_name_on_hover(page):
    page.wait_for_function("window.migkg && window.migkg.cy && window.migkg.cy.nodes().length > 0")
    page.evaluate("window.migkg.cy.getElementById('https://w3id.org/migkg/id/country/CUW').emit('mouseover') && null")
    assert page.get_attribute("#network", "title").startswith("Curaçao (CUW) · ")


def test_the_network_is_drawn_and_a_country_shows_its_partners(page, embedded):
    graph = country_network(embedded)
    page.wait_for_function("window.migkg && window.migkg.cy && window.migkg.cy.nodes().length > 0")
    assert page.evaluate("window.migkg.cy.nodes().length") == graph.number_of_nodes()
    assert page.evaluate("window.migkg.cy.edges().length") == graph.number_of_edges()
    assert page.locator("#network canvas").count() >= 1
    box = page.locator("#network").bounding_box()
    assert box["width"] > 400 and box["height"] > 300
    gtm = "https://w3id.org/migkg/id/country/GTM"
    page.evaluate(f"window.migkg.cy.getElementById('{gtm}').emit('tap') && null")
    info = page.inner_text("#node-info")
    assert info.startswith("Guatemala") and f"{graph.degree(gtm)} partners" in info


def test_screenshot_and_nothing_fetched_from_outside(page):
    page.click("button[data-query=events_by_country]")
    page.wait_for_selector("#results-table tbody tr")
    page.evaluate("window.migkg.cy.getElementById('https://w3id.org/migkg/id/country/GTM').emit('tap') && null")
    page.wait_for_timeout(300)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "serve.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    if os.environ.get("MIGKG_UPDATE_SCREENSHOT"):  # 256 colours: a third of the bytes, the same to the eye
        from PIL import Image

        picture = Image.open(shot).convert("RGB").quantize(256, Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        picture.save(ROOT / "docs" / "serve.png", optimize=True)
    assert PAGE_EVENTS["outside"] == [], "the page works with no network"
    assert PAGE_EVENTS["errors"] == []
