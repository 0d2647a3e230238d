"""One rule for undated events (issue 20): an event the text gives no date is dated by its
item's publication date, in the named queries, the networks, the events table and the page."""

from __future__ import annotations

from kg.export.events import PUBLICATION, event_rows
from kg.network import EventFilter, network, networks_by_year, parse_date_bound
from kg.queries import query
from kg.store import KgStore

GTM = "https://w3id.org/migkg/id/country/GTM"


def test_guatemala_has_five_events_in_2019_by_every_route(embedded: KgStore):
    named = {
        r["event"]
        for r in query("events_by_country", store=embedded, country="GTM", since="2019-01-01", until="2019-12-31")
    }
    assert len(named) == 5  # one of them, the launch of 6 June, is undated in the text
    by_year = networks_by_year(embedded, "countries")
    assert by_year[2019].nodes[GTM]["event_count"] == 5  # was 4: the undated launch was left out
    since = network(
        embedded, "countries", EventFilter(since=parse_date_bound("2019"), until=parse_date_bound("2019", end=True))
    )
    assert since.nodes[GTM]["event_count"] == 5
    rows = [
        r
        for r in event_rows(embedded)
        if r["startDate"].startswith("2019")
        and any(c["iso3"] == "GTM" for c in r["participantCountries"] + r["locationCountries"])
    ]
    assert {r["id"] for r in rows} == named


def test_an_undated_event_takes_its_items_date_with_the_precision_marked(embedded: KgStore):
    undated = [r for r in event_rows(embedded) if r["datePrecision"] == PUBLICATION]
    assert len(undated) == 3
    assert all(r["startDate"] == r["endDate"] == r["source"]["date"] for r in undated)
    assert "2019-06-06-over-100-local-actors-launch-1495f0-e1" in {r["id"].rsplit("/", 1)[1] for r in undated}
