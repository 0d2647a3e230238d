"""Country pairs for N synthetic events: pairing in Python vs a SPARQL GROUP BY self-join.

Usage: .venv/bin/python bench/network_pairs.py [--events 100000] [--store DIR] [--projection]

Builds (once, then reuses) an on-disk store of synthetic events shaped like migkg item graphs
(one named graph per item, two events per item, 1-11 countries per event, a date, a theme, a
type, an organisation), then times, on a warm store:

- ``country_network``: the library path, all edge attributes: first with no saved event table
  (three flat SELECTs read the table from the store, which is then saved beside it, as on the
  first network after each build), then from the saved table, pairs counted with numpy;
- ``python pairs``: only the rows plus ``itertools.combinations`` (weights, no attributes);
- ``sparql self-join``: the pairs and weights counted by the store (``GROUP BY ?a ?b``);
- with ``--projection``: NetworkX's ``bipartite.weighted_projected_graph`` (slow: ~20 s at 100k).

Each figure is the best of three runs. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, Store

from kg import namespaces as ns
from kg.network import country_network
from kg.store import KgStore

RDF_TYPE = NamedNode(ns.RDF["type"])
EVENT = NamedNode(ns.MK["Event"])
PARTICIPANT = NamedNode(ns.MK["participantCountry"])
LOCATION = NamedNode(ns.MK["locationCountry"])
START = NamedNode(ns.SCHEMA["startDate"])
SUBJECT = NamedNode(ns.DCTERMS["subject"])
EVENT_TYPE = NamedNode(ns.SEM["eventType"])
ORGANIZER = NamedNode(ns.SCHEMA["organizer"])
XSD_DATE = NamedNode(ns.XSD["date"])

ISO3 = [
    "ARG", "ATG", "BHS", "BLZ", "BOL", "BRA", "BRB", "CAN", "CHL", "COL", "CRI", "CUB", "CUW", "DMA", "DOM",
    "ECU", "GRD", "GTM", "GUY", "HND", "HTI", "JAM", "KNA", "LCA", "MEX", "NIC", "PAN", "PER", "PRI", "PRY",
    "SLV", "SUR", "TTO", "URY", "USA", "VCT", "VEN", "ABW", "SXM", "BES", "ESP", "ITA", "FRA", "DEU", "GBR",
    "NLD", "CHN", "JPN", "KOR", "IND", "PHL", "NGA", "GHA", "SEN", "MAR", "TUR", "UKR", "AFG", "SYR", "VNM",
]  # fmt: skip
THEMES = ["smuggling", "trafficking", "labour-migration", "regional-cooperation", "climate-disasters", "return"]
TYPES = ["meeting", "workshop", "training", "conference", "dialogue", "campaign"]


def synthetic_quads(n_events: int, seed: int = 6) -> Iterator[Quad]:
    rnd = random.Random(seed)
    for i in range(n_events):
        item = f"bench-{i // 2:06d}"
        g = NamedNode(ns.item_graph(item))
        e = NamedNode(ns.event(item, i % 2 + 1))
        size = rnd.choices([1, 2, 3, 4, 5, 8, 11], weights=[25, 30, 18, 10, 8, 5, 4])[0]
        countries = rnd.sample(ISO3, size)
        yield Quad(e, RDF_TYPE, EVENT, g)
        yield Quad(e, START, Literal(f"{rnd.randint(2015, 2024)}-{rnd.randint(1, 12):02d}-15", datatype=XSD_DATE), g)
        yield Quad(e, EVENT_TYPE, NamedNode(ns.concept("event-type", rnd.choice(TYPES))), g)
        yield Quad(e, SUBJECT, NamedNode(ns.concept("theme", rnd.choice(THEMES))), g)
        yield Quad(e, ORGANIZER, NamedNode(ns.org(f"org-{rnd.randint(1, 300)}")), g)
        yield Quad(e, LOCATION, NamedNode(ns.country(countries[0])), g)
        for iso3 in countries:
            yield Quad(e, PARTICIPANT, NamedNode(ns.country(iso3)), g)


def build(path: Path, n_events: int) -> None:
    marker = path / f".bench-{n_events}"
    if marker.exists():
        return
    path.mkdir(parents=True, exist_ok=True)
    store = Store(str(path))
    store.clear()
    start = time.perf_counter()
    store.bulk_extend(synthetic_quads(n_events))
    store.optimize()
    print(f"built {n_events:,} events, {len(store):,} quads in {time.perf_counter() - start:.1f} s")
    del store
    marker.touch()


# A report of a canonical event (kg.same) is left out, as the network leaves it out: the
# canonical event counts once.
_NOT_A_REPORT = f"FILTER NOT EXISTS {{ ?canonical <{ns.MK['hasReport']}> ?e }}"
ROWS = f"""SELECT ?e ?c WHERE {{
  VALUES ?p {{ <{PARTICIPANT.value}> <{LOCATION.value}> }} ?e ?p ?c . {_NOT_A_REPORT}
}}"""
SELF_JOIN = f"""SELECT ?a ?b (COUNT(DISTINCT ?e) AS ?w) WHERE {{
  ?e <{PARTICIPANT.value}>|<{LOCATION.value}> ?a .
  ?e <{PARTICIPANT.value}>|<{LOCATION.value}> ?b .
  FILTER(STR(?a) < STR(?b))
  {_NOT_A_REPORT}
}} GROUP BY ?a ?b"""


def python_pairs(store: KgStore) -> Counter[tuple[str, str]]:
    members: dict[str, set[str]] = {}
    for row in store.query(ROWS):
        members.setdefault(row[0].value, set()).add(row[1].value)
    weights: Counter[tuple[str, str]] = Counter()
    for countries in members.values():
        weights.update(combinations(sorted(countries), 2))
    return weights


def sparql_pairs(store: KgStore) -> Counter[tuple[str, str]]:
    return Counter({(row[0].value, row[1].value): int(row[2].value) for row in store.query(SELF_JOIN)})


def projection_pairs(store: KgStore) -> Counter[tuple[str, str]]:
    import networkx as nx
    from networkx.algorithms import bipartite

    B = nx.Graph()
    for row in store.query(ROWS):
        B.add_edge(row[0].value, row[1].value)
    countries = {row[1].value for row in store.query(ROWS)}
    P = bipartite.weighted_projected_graph(B, countries)
    return Counter({tuple(sorted((u, v))): w for u, v, w in P.edges(data="weight")})


def best_of(fn: Callable[[], Any], runs: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--store", type=Path, default=Path(".kg/bench-network"))
    parser.add_argument("--projection", action="store_true", help="also time networkx's bipartite projection")
    args = parser.parse_args()
    build(args.store, args.events)
    with KgStore.open(args.store, write=False) as store:
        python_pairs(store)  # warm the store's caches
        Path(f"{args.store}.events.npz").unlink(missing_ok=True)
        t_cold, _ = best_of(lambda: country_network(store), runs=1)
        t_lib, G = best_of(lambda: country_network(store))
        t_py, py = best_of(lambda: python_pairs(store))
        t_sq, sq = best_of(lambda: sparql_pairs(store))
        assert py == sq, "the two ways disagree"
        assert {tuple(sorted(e)): w for *e, w in G.edges(data="weight")} == dict(py)
        print(f"{args.events:,} events: {G.number_of_nodes()} countries, {len(py):,} pairs, {sum(py.values()):,} links")
        print(f"  country_network, first after a build       {t_cold:6.2f} s")
        print(f"  country_network (library, all attributes)  {t_lib:6.2f} s")
        print(f"  python pairs (rows + combinations)         {t_py:6.2f} s")
        print(f"  sparql GROUP BY self-join                  {t_sq:6.2f} s")
        if args.projection:
            t_pr, pr = best_of(lambda: projection_pairs(store), runs=1)
            assert pr == py
            print(f"  networkx weighted_projected_graph          {t_pr:6.2f} s")


if __name__ == "__main__":
    main()
