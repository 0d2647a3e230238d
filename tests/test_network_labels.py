"""Labels of network nodes (issue 20): an acronym several organisations share labels none of them."""

from __future__ import annotations

from kg.network import network
from kg.store import KgStore


def test_organisations_sharing_an_acronym_keep_their_full_names(embedded: KgStore):
    """The three Social Economic Councils are all "SER": as labels they would be one node thrice."""
    from kg.network.metrics import metrics_table

    G = network(embedded, "organizations")
    councils = [n for n in G if "/org/ser-" in n]
    assert len(councils) == 3 and not any("acronym" in G.nodes[n] for n in councils)
    codes = {row["code"] for row in metrics_table(G) if row["label"].startswith("Social Economic Council")}
    assert codes == {"ser-aruba", "ser-curacao", "ser-sint-maarten"}
    assert G.nodes["https://w3id.org/migkg/id/org/iom"]["acronym"] == "IOM"
