"""The page of ``kg serve`` in a real headless Chromium (Debian's package), driven by Playwright.

Marked ``browser`` and left out of ``make test`` (a fresh CI machine has no Chromium): ``make
test-browser`` runs them. The browser is Debian's ``chromium`` at /usr/bin/chromium; when it is
missing the tests are skipped with the command that installs it (``apt-get install chromium``).
Playwright's own browser download is never used. Screenshots are kept as test artifacts in
tests/artifacts/; ``MIGKG_UPDATE_SCREENSHOT=1`` also writes them, in 256 colours, to docs/ for the
README and docs/serve.md.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.network import country_network
from kg.queries import query as named_query

from .conftest import ROOT, Server, running_server

pytestmark = [pytest.mark.slow, pytest.mark.browser]

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
    """Debian's Chromium; these tests never install or download a browser."""
    if not CHROMIUM.exists():
        pytest.skip("the browser tests need Chromium at /usr/bin/chromium: run `apt-get install chromium` (as root)")
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


def map_ready(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the map, the timeline and the network show the current filters."""
    page.wait_for_selector("body[data-map-ready=true][data-network-nodes]", state="attached")


def test_the_map_draws_the_countries_with_their_counts(page, embedded):
    from kg.serve.counts import event_counts
    from kg.serve.world import world_shapes

    map_ready(page)
    counts = {c["iso3"]: c for c in event_counts(embedded)["countries"]}
    drawn = {s["iso3"] for s in world_shapes()["countries"]} & set(counts)
    assert page.locator("#map path.country").count() == len(world_shapes()["countries"])
    shaded = page.eval_on_selector_all("#map path.counted", "ps => ps.map(p => [p.dataset.iso3, +p.dataset.events])")
    assert dict(shaded) == {iso3: counts[iso3]["events"] for iso3 in drawn}
    labels = page.eval_on_selector_all("#map text.count", "ts => ts.map(t => [t.dataset.iso3, t.textContent])")
    assert dict(labels) == {iso3: str(counts[iso3]["events"]) for iso3 in drawn}
    assert dict(labels)["GTM"] == "7"
    fill = page.eval_on_selector("#map path[data-iso3=GTM]", "p => p.getAttribute('fill')")
    assert fill != page.eval_on_selector("#map path[data-iso3=BRA]", "p => p.getAttribute('fill')")
    chips = page.eval_on_selector_all("#map-small .chip", "cs => cs.map(c => c.dataset.iso3)")
    assert sorted(chips) == sorted(set(counts) - drawn)  # Aruba, Curaçao, Sint Maarten: too small at 1:110m
    page.check("input[name=measure][value=items]")
    labels = page.eval_on_selector_all("#map text.count", "ts => ts.map(t => [t.dataset.iso3, t.textContent])")
    assert dict(labels)["GTM"] == str(counts["GTM"]["items"]) == "5"
    page.check("input[name=measure][value=events]")


def test_clicking_a_country_lists_its_events_and_its_months(page, embedded):
    map_ready(page)
    rows = named_query("events_by_country", store=embedded, country="HND")
    page.click("#map path[data-iso3=HND]")
    page.wait_for_function("document.querySelector('#params input[name=country]')?.value === 'HND'")
    page.wait_for_function(f"document.querySelectorAll('#results-table tbody tr').length === {len(rows)}")
    events = {r["event"].rsplit("/", 1)[1] for r in rows}
    shown = {
        t.removeprefix("ev:")
        for t in page.locator("#results-table tbody td a.iri").all_inner_texts()
        if t.startswith("ev:")
    }
    assert shown == events
    page.wait_for_function("document.getElementById('timeline-scope').textContent.includes('HND')")
    months = page.eval_on_selector_all("#timeline g.month", "gs => gs.map(g => +g.dataset.events)")
    assert sum(months) == len(events) == 4
    assert page.inner_text("#map-status").startswith("Honduras: 4 events")
    assert page.locator("#map path.chosen").get_attribute("data-iso3") == "HND"
    page.click("#clear-filters")
    page.wait_for_function("document.getElementById('timeline-scope').textContent.includes('all countries')")
    map_ready(page)


def test_a_month_of_the_timeline_filters_the_map(page, embedded):
    from kg.network import EventFilter, parse_date_bound
    from kg.serve.counts import event_counts

    map_ready(page)
    page.click("#timeline g.month[data-month='2019-06'] rect.bar")
    page.wait_for_function("document.getElementById('map-status').textContent.includes('since 2019-06-01')")
    june = EventFilter(since=parse_date_bound("2019-06"), until=parse_date_bound("2019-06", end=True))
    expected = {c["iso3"]: c["events"] for c in event_counts(embedded, june)["countries"]}
    shaded = page.eval_on_selector_all("#map path.counted", "ps => ps.map(p => [p.dataset.iso3, +p.dataset.events])")
    assert dict(shaded) == {k: v for k, v in expected.items() if k in dict(shaded)} and len(shaded) > 0
    assert page.input_value("#view-filters input[name=since]") == "2019-06"
    page.click("#clear-filters")
    page.wait_for_function("!document.getElementById('map-status').textContent.includes('since')")
    map_ready(page)


def test_the_network_has_a_legend_and_is_in_the_first_screen(page, embedded):
    graph = country_network(embedded)
    map_ready(page)
    communities = {c for _, c in page.evaluate("window.migkg.cy.nodes().map(n => [n.id(), n.data('community')])")}
    entries = page.locator("#legend li")
    assert entries.count() == len(communities) > 1
    assert sum(int(t.split(" · ")[1].split()[0]) for t in entries.all_inner_texts()) == graph.number_of_nodes()
    box = page.locator("#network").bounding_box()
    assert box["y"] + box["height"] <= 1000, "the network is above the fold of a 1400x1000 window"
    map_box = page.locator("#map").bounding_box()
    assert map_box["y"] + map_box["height"] <= 1000


def _keep(shot: Path, name: str) -> None:
    """Copy a screenshot into docs/img/ in 256 colours: a third of the bytes, the same to the eye."""
    from PIL import Image

    picture = Image.open(shot).convert("RGB").quantize(256, Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    target = ROOT / "docs" / "img" / name
    target.parent.mkdir(exist_ok=True)
    picture.save(target, optimize=True)


def test_screenshot_and_nothing_fetched_from_outside(page):
    map_ready(page)
    page.click("#map path[data-iso3=GTM]")
    page.wait_for_selector("#results-table tbody tr")
    page.wait_for_function("document.getElementById('timeline-scope').textContent.includes('GTM')")
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shots = {
        "serve.png": lambda path: page.screenshot(path=path),
        "map.png": lambda path: page.locator(".map-panel").screenshot(path=path),
        "network.png": lambda path: page.locator(".network-panel").screenshot(path=path),
        "results.png": lambda path: page.locator(".results-panel").screenshot(path=path),
    }
    for name, take in shots.items():
        shot = ARTIFACTS / name
        take(str(shot))
        assert shot.stat().st_size > 20_000, name
        if os.environ.get("MIGKG_UPDATE_SCREENSHOT"):
            _keep(shot, name)
    assert PAGE_EVENTS["outside"] == [], "the page works with no network"
    assert PAGE_EVENTS["errors"] == []
