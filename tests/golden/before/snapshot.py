"""Snapshot of every named query before issue 21 (run once at 9261299; never regenerate)."""

import csv
import io
import json
from pathlib import Path

from pyoxigraph import QueryResultsFormat

import tests.conftest as tq
from kg import queries as kq
from kg.build import build
from kg.store import KgStore

ROOT = Path(".")
OUT = ROOT / "tests/golden/before"
params = json.loads((ROOT / "tests/golden/sample/params.json").read_text())["queries"]
GP = tq.GOLDEN_PARAMS


def snap(store, label, pmap):
    out = {}
    for q in kq.catalogue():
        p = pmap.get(q.name) or {}
        for reports in (False, True) if q.counts_events else (False,):
            res = kq.run(store, q.name, p, reports=reports)
            rows = list(csv.reader(io.StringIO(res.serialize(format=QueryResultsFormat.CSV).decode())))
            out[f"{q.name}{' --reports' if reports else ''}"] = {"params": p, "rows": rows}
    return out


# the sample
s = KgStore.memory()
build([ROOT / "data/news/news-listing-2019.txt"], s)
sample = snap(s, "sample", {k: v["params"] for k, v in params.items()})
# provenance for every entity a fact links to
ents = sorted(
    {
        r["e"].value
        for r in s.store.query(
            """SELECT DISTINCT ?e WHERE { GRAPH ?g { ?f ?p ?e } FILTER(?p IN (<https://w3id.org/migkg/ont#participantCountry>, <https://w3id.org/migkg/ont#locationCountry>, <http://schema.org/organizer>, <http://schema.org/attendee>, <http://schema.org/funder>, <https://w3id.org/migkg/ont#agent>, <http://schema.org/observationAbout>)) }"""
        )
    }
)
prov = {}
for e in ents:
    res = kq.evaluate(s, kq.load("provenance").text_for({"entity": __import__("pyoxigraph").NamedNode(e)}))
    prov[e] = list(csv.reader(io.StringIO(res.serialize(format=QueryResultsFormat.CSV).decode())))
(OUT / "sample.json").write_text(
    json.dumps({"queries": sample, "provenance": prov}, indent=1, ensure_ascii=False) + "\n"
)
# the duplicates fixture (same events: --reports differs)
d = KgStore.memory()
build([ROOT / "tests/fixtures/duplicates.jsonl"], d)
dp = {
    "provenance": {"entity": "MEX"},
    "events_by_country": {"country": "MEX"},
    "events_by_objective": {"objective": "10"},
    "events_by_theme": {"theme": "trafficking"},
    "items_mentioning": {"entity": "MEX"},
    "organization_partners": {"org": "iom"},
    "region_activity": {"region": "m49-013"},
    "timeline": {"entity": "iom"},
}
(OUT / "duplicates.json").write_text(json.dumps({"queries": snap(d, "dup", dp)}, indent=1, ensure_ascii=False) + "\n")
# the analyst fixture
a = tq.memory_store(tq.ANALYST)
(OUT / "analyst.json").write_text(json.dumps({"queries": snap(a, "analyst", GP)}, indent=1, ensure_ascii=False) + "\n")
print(len(ents), "entities;", sum(len(v["rows"]) for v in sample.values()), "sample rows")
