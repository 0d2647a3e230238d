"""Cooperation networks (issue 6) on tests/fixtures/network.trig, every number worked out by hand.

The fixture's nine events (see its header) give this country network:

    E1  RCM workshop, 2019: the 11 members BLZ CAN CRI DOM SLV GTM HND MEX NIC PAN USA (MEX also location)
    E2  PAN CRI, 2019           E3  GTM alone, 2019          E8  GTM HND, 2019
    E4  GTM HND + SLV (location), 2018                       E5  MEX GTM, 2018
    E6  COL USA, 2018           E7  COL ECU, 2018            E9  COL ECU, undated

so the 11 RCM members form a complete graph (55 edges) to which USA-COL and COL-ECU are added.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from pyoxigraph import Literal

from kg import namespaces as ns
from kg.errors import UsageError
from kg.network import (
    EventFilter,
    NetworkFormat,
    NetworkKind,
    country_network,
    event_actor_graph,
    metrics_by_year,
    metrics_table,
    network,
    networks_by_year,
    node_metrics,
    organization_country_graph,
    organization_network,
    parse_date_bound,
    project,
    to_multidigraph,
    to_quads,
    write_network,
)
from kg.network.metrics import COLUMNS, communities, rank_changes
from kg.store import KgStore

from .conftest import FIXTURES, disk_store, invoke, memory_store

FIXTURE = FIXTURES / "network.trig"
RCM = ["BLZ", "CAN", "CRI", "DOM", "SLV", "GTM", "HND", "MEX", "NIC", "PAN", "USA"]


def C(iso3: str) -> str:
    return ns.country(iso3)


def O(slug: str) -> str:  # noqa: E743
    return ns.org(slug)


def E(key: str) -> str:
    return f"{ns.ID}event/{key}"


E1, E2, E3 = E("2019-06-07-rcm-e1"), E("2019-03-14-pan-cri-e1"), E("2019-06-06-gtm-training-e1")
E4, E5 = E("2018-11-30-northern-triangle-e1"), E("2018-11-30-northern-triangle-e2")
E6, E7, E9 = E("2018-09-10-colombia-e1"), E("2018-09-10-colombia-e2"), E("2018-09-10-colombia-e3")
E8 = E("2019-07-12-gtm-hnd-e1")


@pytest.fixture(scope="module")
def store() -> KgStore:
    return memory_store(FIXTURE)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return disk_store(tmp_path_factory, "network", FIXTURE)


@pytest.fixture(scope="module")
def countries(store: KgStore) -> nx.Graph:
    return country_network(store)


def weights(G: nx.Graph) -> dict[frozenset[str], int]:
    return {frozenset((u.rsplit("/", 1)[1], v.rsplit("/", 1)[1])): w for u, v, w in G.edges(data="weight")}


def strengths(G: nx.Graph) -> dict[str, int]:
    return {n.rsplit("/", 1)[1]: w for n, w in G.degree(weight="weight")}


# -- the country network --


def test_rcm_workshop_alone_gives_its_11_members_a_complete_graph_of_55_edges(store):
    G = country_network(store, EventFilter(event_types=("workshop",)))
    # 11 participants; MEX is also the location but is already a participant: still 11 nodes
    assert sorted(strengths(G)) == sorted(RCM)
    assert G.number_of_edges() == 55  # 11 * 10 / 2
    assert nx.density(G) == 1.0
    assert set(weights(G).values()) == {1}
    assert G.graph["event_count"] == 1


def test_every_edge_weight(countries):
    # E1 gives the 55 pairs of RCM members weight 1; on top of that:
    #   GTM-HND  E1 + E4 + E8 = 3      GTM-SLV  E1 + E4 = 2   (SLV is E4's location)
    #   HND-SLV  E1 + E4      = 2      GTM-MEX  E1 + E5 = 2
    #   PAN-CRI  E1 + E2      = 2      COL-USA  E6      = 1    COL-ECU  E7 + E9 = 2
    special = {
        frozenset(("GTM", "HND")): 3,
        frozenset(("GTM", "SLV")): 2,
        frozenset(("HND", "SLV")): 2,
        frozenset(("GTM", "MEX")): 2,
        frozenset(("PAN", "CRI")): 2,
        frozenset(("COL", "USA")): 1,
        frozenset(("COL", "ECU")): 2,
    }
    expected = {frozenset((a, b)): 1 for i, a in enumerate(RCM) for b in RCM[i + 1 :]} | special
    assert weights(countries) == expected
    assert countries.number_of_nodes() == 13 and countries.number_of_edges() == 57  # 55 + 2
    assert countries.size(weight="weight") == 64  # 57 edges + 2 + 1 + 1 + 1 + 1 + 1 extra events
    assert countries.graph["event_count"] == 9


def test_top_three_countries_by_weighted_degree(countries):
    # weighted degree = 10 from E1 for each RCM member, plus:
    #   GTM 10 + 2 (E4: HND, SLV) + 1 (E5: MEX) + 1 (E8: HND) = 14     E3 is GTM alone: + 0
    #   HND 10 + 2 (E4) + 1 (E8) = 13      SLV 10 + 2 (E4) = 12
    #   PAN, CRI 10 + 1 (E2) = 11          MEX 10 + 1 (E5) = 11    USA 10 + 1 (E6) = 11
    #   COL 1 (E6) + 1 (E7) + 1 (E9) = 3   ECU 1 (E7) + 1 (E9) = 2
    assert strengths(countries) == {
        "GTM": 14, "HND": 13, "SLV": 12, "PAN": 11, "CRI": 11, "MEX": 11, "USA": 11,
        "BLZ": 10, "CAN": 10, "DOM": 10, "NIC": 10, "COL": 3, "ECU": 2,
    }  # fmt: skip
    table = metrics_table(countries)
    assert [(r["code"], r["label"], r["weighted_degree"], r["rank"]) for r in table[:3]] == [
        ("GTM", "Guatemala", 14, 1),
        ("HND", "Honduras", 13, 2),
        ("SLV", "El Salvador", 12, 3),
    ]
    assert [r["rank"] for r in table if r["weighted_degree"] == 11] == [4, 4, 4, 4]  # ties share a rank


def test_edge_and_node_attributes(countries):
    gtm_hnd = countries[C("GTM")][C("HND")]
    assert gtm_hnd["events"] == sorted([E1, E4, E8])
    assert gtm_hnd["themes"] == [
        ns.concept("theme", t) for t in ("labour-migration", "regional-cooperation", "smuggling", "trafficking")
    ]
    assert gtm_hnd["years"] == [2018, 2019]
    assert (gtm_hnd["first"], gtm_hnd["last"]) == ("2018-10-15", "2019-07-10")
    # E9 has no date: it counts at its item's publication date, 2018-09-10 (docs/codebook.md)
    col_ecu = countries[C("COL")][C("ECU")]
    assert (col_ecu["weight"], col_ecu["years"], col_ecu["first"], col_ecu["last"]) == (
        2,
        [2018],
        "2018-09-05",
        "2018-09-10",
    )
    assert col_ecu["themes"] == []
    gtm = countries.nodes[C("GTM")]
    assert (gtm["label"], gtm["iso3"], gtm["kind"], gtm["event_count"]) == ("Guatemala", "GTM", "country", 5)
    assert C("CUB") not in countries  # in the reference graph, in no event


def test_a_country_alone_in_an_event_is_an_isolated_node(store):
    G = country_network(store, EventFilter(themes=("trafficking",), since=parse_date_bound("2019")))
    assert list(G.nodes) == [C("GTM")] and G.number_of_edges() == 0  # E3 only


def test_betweenness_and_clustering_by_hand(countries):
    m = node_metrics(countries)
    # USA is the only way from COL and ECU into the RCM clique (COL has neighbours USA and ECU only).
    # Pairs through USA: COL-X for the 10 other members, ECU-X for those 10: 20.
    # Pairs through COL: ECU-USA and ECU-X for the 10 others: 11.
    # Normalised by (n-1)(n-2)/2 = 12 * 11 / 2 = 66 pairs.
    assert m[C("USA")]["betweenness"] == pytest.approx(20 / 66)
    assert m[C("COL")]["betweenness"] == pytest.approx(11 / 66)
    assert all(m[C(c)]["betweenness"] == 0 for c in RCM if c != "USA")
    # USA's 11 neighbours: the 10 members (45 links among them) and COL (none): 45 / C(11, 2) = 45 / 55
    assert m[C("USA")]["clustering"] == pytest.approx(45 / 55)
    assert all(m[C(c)]["clustering"] == 1.0 for c in RCM if c != "USA")
    assert m[C("COL")]["clustering"] == 0.0 and m[C("ECU")]["clustering"] == 0.0
    assert nx.average_clustering(countries) == pytest.approx((10 + 45 / 55) / 13)
    assert (m[C("GTM")]["degree"], m[C("USA")]["degree"], m[C("COL")]["degree"]) == (10, 11, 2)


def test_eigenvector_centrality_ranks_the_heaviest_hub_first(countries):
    eigen = {n: v["eigenvector"] for n, v in node_metrics(countries).items()}
    ordered = sorted(eigen, key=eigen.get, reverse=True)
    assert ordered[0] == C("GTM") and ordered[-1] == C("ECU")


def test_louvain_with_a_fixed_seed_gives_the_same_partition_twice(store, countries):
    first = communities(countries, seed=42)
    again = communities(country_network(store), seed=42)
    assert first == again
    assert first[C("COL")] == first[C("ECU")]
    assert {n: v["community"] for n, v in node_metrics(countries).items()} == first


# -- filters --


@pytest.mark.parametrize(
    ("filters", "nodes", "edges", "expected"),
    [
        # 2019: E1 E2 E3 E8: the clique; GTM-HND = E1 + E8, PAN-CRI = E1 + E2
        (
            EventFilter(since=parse_date_bound("2019")),
            11,
            55,
            {("GTM", "HND"): 2, ("PAN", "CRI"): 2, ("GTM", "SLV"): 1},
        ),
        # up to 2018: E4 E5 E6 E7 E9 (undated, at its item's date 2018-09-10): GTM HND SLV MEX COL USA ECU
        (EventFilter(until=parse_date_bound("2018", end=True)), 7, 6, {("GTM", "HND"): 1, ("COL", "ECU"): 2}),
        (EventFilter(since=parse_date_bound("2018-10"), until=parse_date_bound("2018-10", end=True)), 3, 3, {}),  # E4
        # smuggling: E1 E5
        (EventFilter(themes=("smuggling",)), 11, 55, {("GTM", "MEX"): 2, ("GTM", "HND"): 1}),
        (EventFilter(themes=("theme:trafficking", "smuggling")), 11, 55, {("GTM", "HND"): 2, ("GTM", "MEX"): 2}),
        # GCM 9 <- smuggling (exactMatch): the same as the theme
        (EventFilter(gcm=("9",)), 11, 55, {("GTM", "MEX"): 2}),
        # GCM 6 <- labour-migration (closeMatch): E2 E8
        (EventFilter(gcm=("objective-6",)), 4, 2, {("PAN", "CRI"): 1, ("GTM", "HND"): 1}),
        # GCM 23 <- regional-cooperation: E1 E6
        (EventFilter(gcm=("23",)), 12, 56, {("COL", "USA"): 1}),
        (EventFilter(event_types=("dialogue",)), 4, 2, {("GTM", "MEX"): 1, ("COL", "USA"): 1}),  # E5 E6
        # Central America (by mk:inRegion and mk:memberCountry): every event but E6 E7 E9
        (EventFilter(regions=("m49-013",)), 11, 55, {("GTM", "HND"): 3, ("PAN", "CRI"): 2}),
        # a grouping known only by mk:memberCountry (GTM HND SLV): E2 drops out
        (EventFilter(regions=("north-of-central-america",)), 11, 55, {("PAN", "CRI"): 1, ("GTM", "HND"): 3}),
        (EventFilter(regions=("South America",)), 3, 2, {("COL", "ECU"): 2, ("COL", "USA"): 1}),  # E6 E7 E9, by label
        (EventFilter(regions=("Northern Triangle",)), 11, 55, {("PAN", "CRI"): 1}),  # by altLabel
        (EventFilter(themes=("smuggling",), regions=("m49-005",)), 0, 0, {}),  # filters combine with "and"
    ],
)
def test_filters_change_the_network(store, filters, nodes, edges, expected):
    G = country_network(store, filters)
    assert (G.number_of_nodes(), G.number_of_edges()) == (nodes, edges)
    found = weights(G)
    assert {pair: found[frozenset(pair)] for pair in expected} == expected
    assert G.graph["filters"] == filters.describe()


def test_unknown_filter_values_are_usage_errors(store):
    with pytest.raises(UsageError, match="unknown theme 'smugling'"):
        country_network(store, EventFilter(themes=("smugling",)))
    with pytest.raises(UsageError, match="unknown event type"):
        country_network(store, EventFilter(event_types=("party",)))
    with pytest.raises(UsageError, match="unknown region 'Atlantis'"):
        country_network(store, EventFilter(regions=("Atlantis",)))
    with pytest.raises(UsageError, match="GCM objective '24'"):
        country_network(store, EventFilter(gcm=("24",)))
    with pytest.raises(UsageError, match="is after"):
        EventFilter(since=parse_date_bound("2020"), until=parse_date_bound("2019"))
    with pytest.raises(UsageError, match="does not exist"):
        parse_date_bound("2019-02-30")


# -- organisations and bipartite graphs --


def test_organization_network(store):
    G = organization_network(store)
    # E1 rcm iom | E2 iom ilo | E3 iom igm | E4 iom usdos | E5 iom | E6 usdos | E8 iom ilo usdos
    assert weights(G) == {
        frozenset(("rcm", "iom")): 1,  # E1
        frozenset(("iom", "ilo")): 2,  # E2 E8
        frozenset(("iom", "igm")): 1,  # E3
        frozenset(("iom", "usdos")): 2,  # E4 E8
        frozenset(("ilo", "usdos")): 1,  # E8
    }
    assert strengths(G) == {"iom": 6, "ilo": 3, "usdos": 3, "rcm": 1, "igm": 1}
    assert G.graph["event_count"] == 7  # E7 and E9 have no organisation
    assert G.nodes[O("iom")]["event_count"] == 6  # E1 E2 E3 E4 E5 E8
    m = node_metrics(G)
    # iom links rcm-ilo, rcm-igm, rcm-usdos, ilo-igm, igm-usdos (ilo-usdos are adjacent): 5 / (4 * 3 / 2)
    assert m[O("iom")]["betweenness"] == pytest.approx(5 / 6)
    assert m[O("iom")]["clustering"] == pytest.approx(1 / 6)  # of its 4 neighbours only ilo-usdos are linked
    labels = {n.rsplit("/", 1)[1]: (d["label"], d.get("acronym")) for n, d in G.nodes(data=True)}
    assert labels == {
        "iom": ("International Organization for Migration", "IOM"),  # @en over @es, IOM over OIM
        "rcm": ("Regional Conference on Migration", "RCM"),  # RCM over CRM: the label's initial
        "ilo": ("International Labour Organization", "ILO"),
        "igm": ("Instituto Guatemalteco de Migración", "IGM"),  # only a Spanish label, in the item graph
        "usdos": ("United States Department of State", None),  # a label without language
    }


def test_organization_country_bipartite_graph_and_its_projection(store):
    B = organization_country_graph(store)
    assert nx.is_bipartite(B)
    orgs = {n for n, side in B.nodes(data="bipartite") if side == 0}
    assert {n.rsplit("/", 1)[1] for n in orgs} == {"iom", "rcm", "ilo", "igm", "usdos"}
    # iom-GTM: E1 E3 E4 E5 E8 = 5; iom-HND: E1 E4 E8 = 3; usdos-GTM: E4 E8 = 2; usdos-COL: E6 = 1
    assert B[O("iom")][C("GTM")]["weight"] == 5
    assert B[O("iom")][C("HND")]["weight"] == 3
    assert B[O("usdos")][C("GTM")]["weight"] == 2
    assert B[O("usdos")][C("COL")]["weight"] == 1
    assert B.number_of_edges() == 11 + 11 + 4 + 1 + 5  # iom, rcm, ilo (PAN CRI GTM HND), igm (GTM), usdos
    assert B.degree(C("ECU")) == 0  # E7 and E9 have no organisation
    P = project(B, "organization")
    # shared countries: iom-rcm all 11; iom-usdos GTM HND SLV USA; ilo-usdos GTM HND
    assert (P[O("iom")][O("rcm")]["weight"], P[O("iom")][O("usdos")]["weight"], P[O("ilo")][O("usdos")]["weight"]) == (
        11,
        4,
        2,
    )


def test_event_actor_graph_projects_onto_the_country_network(store, countries):
    B = event_actor_graph(store)
    assert nx.is_bipartite(B)
    assert sum(1 for _, kind in B.nodes(data="kind") if kind == "event") == 9
    # E1: 11 countries + rcm + iom = 13 edges; MEX is participant and location on one edge
    assert B.degree(E1) == 13
    assert B[E1][C("MEX")]["roles"] == ["location", "participant"]
    assert B[E8][O("usdos")]["roles"] == ["funder"]
    P = project(B, "country")
    assert weights(P) == weights(countries)


# -- per year --


def test_networks_by_year(store):
    graphs = networks_by_year(store, "countries")
    assert sorted(graphs) == [2018, 2019]
    # 2018: E4 (GTM HND SLV) E5 (MEX GTM) E6 (COL USA) E7 (COL ECU) E9 (COL ECU, undated: its item's 2018-09-10)
    assert strengths(graphs[2018]) == {"GTM": 3, "HND": 2, "SLV": 2, "COL": 3, "MEX": 1, "USA": 1, "ECU": 2}
    # 2019: E1 (clique, 10 each) E2 (+1 PAN CRI) E8 (+1 GTM HND)
    assert strengths(graphs[2019]) == {c: 11 if c in ("GTM", "HND", "PAN", "CRI") else 10 for c in RCM}
    years, changes = rank_changes(metrics_by_year(graphs))
    ranks = {row["code"]: tuple(row[y] for y in years) for row in changes}
    assert years == [2018, 2019]
    assert ranks["GTM"] == (1, 1)
    assert ranks["SLV"] == (3, 5)  # 2018: tied third with HND and ECU, after GTM and COL; 2019: tied fifth
    assert ranks["COL"] == (1, None)
    assert ranks["PAN"] == (None, 1)
    assert changes[0]["code"] == "GTM"  # ordered by total weighted degree: 3 + 11


# -- the mirror --


def test_mirror_round_trip_loses_no_link(store):
    M = to_multidigraph(store)
    links = {q for q in store.quads() if not isinstance(q.object, Literal)}
    assert set(to_quads(M)) == links
    assert M.number_of_edges() == len({(q.subject, q.predicate, q.object) for q in links})
    gtm = M.nodes[C("GTM")]
    assert (gtm["label"], gtm["type"], gtm["mk:iso3166Alpha3"]) == ("Guatemala", ["mk:Country"], "GTM")
    # literal attributes keep distinct values (Guatemala is spelt the same in English and Spanish)
    assert gtm["rdfs:label"] == "Guatemala" and M.nodes[C("MEX")]["rdfs:label"] == ["Mexico", "México"]
    assert M.nodes[E3 + "-p1"]["mk:count"] == 45
    assert M.has_edge(E1, C("MEX"), key=ns.MK["locationCountry"])
    assert M.edges[E1, C("MEX"), ns.MK["locationCountry"]]["graphs"] == [ns.item_graph("2019-06-07-rcm")]


def test_mirror_writes_to_graphml(store, tmp_path):
    M = to_multidigraph(store, [ns.item_graph("2019-06-07-rcm")])
    back = nx.read_graphml(write_network(M, tmp_path / "mirror.graphml"), force_multigraph=True)
    assert back.is_directed() and back.number_of_edges() == M.number_of_edges()
    assert back.nodes[E1]["type"] == "mk:Event"


def test_mirror_of_chosen_graphs(store):
    graph = ns.item_graph("2018-09-10-colombia")
    M = to_multidigraph(store, [graph])
    assert set(to_quads(M)) == {q for q in store.quads(graph) if not isinstance(q.object, Literal)}
    assert C("GTM") not in M


# -- files --


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_graphml_and_gexf_parse_back_with_the_same_nodes_edges_and_weights(countries, tmp_path, suffix):
    path = write_network(countries, tmp_path / f"cooperation{suffix}")
    back = nx.read_graphml(path) if suffix == ".graphml" else nx.read_gexf(path)
    assert set(back.nodes) == set(countries.nodes)
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in countries.edges}
    assert {frozenset((u, v)): float(w) for u, v, w in back.edges(data="weight")} == {
        frozenset((u, v)): float(w) for u, v, w in countries.edges(data="weight")
    }
    assert back.nodes[C("GTM")]["label"] == "Guatemala"
    assert back.edges[C("GTM"), C("HND")]["years"] == "2018;2019"  # lists are ;-joined for Gephi


def test_node_link_json_round_trips(countries, tmp_path):
    path = write_network(countries, tmp_path / "cooperation.json")
    back = nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")), edges="edges")
    assert nx.utils.graphs_equal(back, countries)


def test_csv_edge_and_node_lists_have_headers(countries, tmp_path):
    edges = write_network(countries, tmp_path / "cooperation.csv").read_text(encoding="utf-8").splitlines()
    assert edges[0].split(",")[:9] == [
        "source", "target", "source_label", "target_label", "weight", "events", "themes", "years", "first",
    ]  # fmt: skip
    assert len(edges) == 1 + 57
    nodes = write_network(countries, tmp_path / "cooperation.nodes.csv").read_text(encoding="utf-8").splitlines()
    assert nodes[0].startswith("id,label,kind,iso3,event_count")
    assert len(nodes) == 1 + 13


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_png_of_the_stated_size_for_10_nodes(store, tmp_path):
    G = country_network(store, EventFilter(since=parse_date_bound("2019"), regions=("m49-013",)))
    G.remove_node(C("USA"))  # 10 nodes
    path = write_network(G, tmp_path / "ten.png", width=800, height=600)
    assert png_size(path) == (800, 600)


def test_png_readable_for_200_nodes(tmp_path):
    base = nx.powerlaw_cluster_graph(200, 2, 0.3, seed=7)
    G = nx.Graph(kind="countries")
    G.add_nodes_from((f"c{n}", {"label": f"Country {n}", "kind": "country"}) for n in base)
    G.add_edges_from((f"c{u}", f"c{v}", {"weight": 1 + (u + v) % 5}) for u, v in base.edges)
    path = write_network(G, tmp_path / "two-hundred.png")
    assert png_size(path) == (2400, 1800)  # the picture grows with the network (tests/test_network_draw.py)


def test_empty_network_still_draws(store, tmp_path):
    G = country_network(store, EventFilter(themes=("smuggling",), regions=("m49-005",)))
    assert png_size(write_network(G, tmp_path / "empty.png", width=300, height=200)) == (300, 200)


def test_format_from_extension():
    assert NetworkFormat.from_path("a/b.GraphML") is NetworkFormat.GRAPHML
    assert NetworkFormat.from_path("a/b.nodes.csv") is NetworkFormat.NODES_CSV
    assert NetworkFormat.from_path("a/b.csv") is NetworkFormat.CSV
    with pytest.raises(UsageError, match=r"\.xlsx"):
        NetworkFormat.from_path("b.xlsx")


def test_importing_the_package_does_not_import_matplotlib():
    code = "import sys, kg.network, kg.cli; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- the command line --


@pytest.mark.parametrize("kind", list(NetworkKind))
def test_each_kind_says_what_it_is(store, kind):
    assert network(store, kind).graph["kind"] == network(store, kind.value).graph["kind"] == kind.value


def test_cli_kinds_are_the_network_kinds():
    from kg.cli import cli

    kind = next(p for p in cli.commands["network"].params if p.name == "kind")
    assert list(kind.type.choices) == [k.value for k in NetworkKind]


def test_cli_prints_summary_and_metrics_table(runner, store_dir):
    result = invoke(runner, "network", "--store", store_dir, "--metrics")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "countries network: 13 nodes, 57 edges, total weight 64, from 9 events"
    assert COLUMNS[:6] == ("rank", "code", "label", "event_count", "degree", "weighted_degree")
    header = next(i for i, line in enumerate(lines) if line.startswith("rank"))
    assert lines[header].split() == list(COLUMNS)
    assert lines[header + 1].startswith("----")
    assert lines[header + 2].split()[:3] == ["1", "GTM", "Guatemala"]


def test_cli_filters_and_by_year(runner, store_dir):
    result = invoke(runner, "network", "--store", store_dir, "--event-type", "workshop", "--top", "3")
    assert result.output.splitlines()[:2] == [
        "countries network: 11 nodes, 55 edges, total weight 55, from 1 events",
        "filters: event type workshop",
    ]
    result = invoke(runner, "network", "--store", store_dir, "--by-year", "--until", "2019-06")
    assert "== 2018: 7 nodes, 6 edges, 5 events ==" in result.output  # E9 at its item's date
    assert "== 2019: 11 nodes, 55 edges, 3 events ==" in result.output  # E2 E1 E3 (E8 is in July)
    assert "== rank by weighted degree, year by year (- = absent) ==" in result.output


def test_cli_writes_files_with_metrics(runner, store_dir, tmp_path):
    outs = [tmp_path / f"cooperation.{ext}" for ext in ("graphml", "gexf", "png")]
    args = [arg for out in outs for arg in ("-o", str(out))]
    result = invoke(runner, "network", "--store", store_dir, "--metrics", *args)
    assert result.exit_code == 0
    assert all(out.exists() for out in outs)
    assert not list(tmp_path.glob("*.part"))
    back = nx.read_graphml(outs[0])
    assert back.nodes[C("GTM")]["weighted_degree"] == 14
    assert png_size(outs[2]) == (1600, 1200)


def test_cli_usage_errors(runner, store_dir, tmp_path):
    cases = [
        ("--out", str(tmp_path / "x.xlsx")),
        ("--since", "June 2019"),
        ("--theme", "nothing-like-it"),
        ("--by-year", "--kind", "bipartite"),
    ]
    for args in cases:
        result = invoke(runner, "network", "--store", store_dir, *args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("kg: error: "), result.output


def test_cli_on_the_sample_build_prints_a_metrics_table(runner, sample_store):
    result = invoke(runner, "network", "--store", sample_store, "--metrics")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("countries network: ")
    assert any(line.split()[:3] == ["rank", "code", "label"] for line in result.output.splitlines())


def test_sample_rcm_workshop_alone_is_a_complete_graph_of_55_edges(sample_store):
    # The RCM follow-up workshop (item of 7 June 2019) names its 11 member states.
    from kg.network.cooperation import country_network
    from kg.network.filters import EventFilter
    from kg.store import open_store

    with open_store(sample_store) as store:
        g = country_network(store, EventFilter(event_types=("workshop",)))
    assert (g.number_of_nodes(), g.number_of_edges(), g.graph["event_count"]) == (11, 55, 1)
