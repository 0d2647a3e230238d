"""Cooperation networks from shards (:mod:`kg.shards`): the Parquet event tables, with Dask dataframes.

No store is read: each partition's event table (a row per event–actor link, see
:data:`kg.shards.EVENT_COLUMNS`) is a Dask dataframe partition; the members of each event are
paired by a merge on the event and the pairs grouped, so the work spreads over as many
partitions as the build made. Items read twice count once, in the version ``kg load`` keeps.
Same nodes, edges and weights as :func:`kg.network.country_network` on the store the shards
load into; edges carry ``weight``, ``first`` and ``last`` (the earliest and latest start date).
Node labels come from the shards' reference graph. The shards folder is a path or any fsspec
URL (:mod:`kg.shardfs`); the Parquet files are read through its filesystem.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import UsageError
from kg.network.events import country_attrs, new_graph, node_attrs, organization_attrs
from kg.network.filters import EventFilter
from kg.network.table import COUNTRY_ROLES, ORGANIZATION_ROLES
from kg.shardfs import ShardFolder, open_folder
from kg.shards import SHARED, chosen_items, read_manifest
from kg.store import KgStore

__all__ = ["shard_network"]

_ROLES = {"countries": set(COUNTRY_ROLES.values()), "organizations": set(ORGANIZATION_ROLES.values())}


def shard_network(
    folder: str | Path | ShardFolder, kind: str = "countries", filters: EventFilter | None = None
) -> nx.Graph:
    """The ``countries`` or ``organizations`` co-participation network of the shards in ``folder``
    (a path or a URL).

    Of the filters, the date range (``since``, ``until``) applies; the others need the store.
    """
    import dask
    import dask.dataframe as dd

    filters = filters or EventFilter()
    if kind not in _ROLES:
        raise UsageError(f"--shards builds the countries and organizations networks, not {kind}")
    if filters.themes or filters.gcm or filters.event_types or filters.regions:
        raise UsageError("with --shards, only --since and --until filter events; load the shards for the others")
    root = open_folder(folder)
    manifest = read_manifest(root)
    metas = manifest["metas"]
    chosen, _, _ = chosen_items(metas)
    keep: list[set[int]] = [set() for _ in metas]
    for position, ordinal in chosen.values():
        keep[position].add(ordinal)
    jobs = [(root.location, f"{meta['partition']['id']}.parquet", keep[i]) for i, meta in enumerate(metas)]
    if not jobs:
        links = dd.from_pandas(_empty(), npartitions=1)
    else:
        links = dd.from_map(_links, jobs, roles=_ROLES[kind], filters=filters, meta=_empty())
    members = links.drop_duplicates(subset=["event", "actor"])
    pairs = members.merge(members, on="event", suffixes=("_a", "_b"))
    pairs = pairs[pairs["actor_a"] < pairs["actor_b"]]
    edges = pairs.groupby(["actor_a", "actor_b"]).agg(
        weight=("event", "count"), first=("date_a", "min"), last=("date_a", "max")
    )
    counts = members.groupby("actor")["event"].count()
    n_events = members["event"].nunique()
    # threads in this process, whatever Dask client an earlier build left as the default
    edges_df, counts_s, n = dask.compute(edges, counts, n_events, scheduler="threads")

    known = _actor_attrs(root, kind)
    node_kind = "country" if kind == "countries" else "organization"
    G = new_graph(kind, filters, int(n))
    for actor, count in sorted(counts_s.items()):
        G.add_node(actor, **{**node_attrs(actor, known, node_kind), "event_count": int(count)})
    for (a, b), row in sorted(edges_df.iterrows()):
        attrs: dict[str, Any] = {"weight": int(row["weight"])}
        if isinstance(row["first"], str):
            attrs["first"], attrs["last"] = row["first"], row["last"]
        G.add_edge(a, b, **attrs)
    return G


def _empty() -> Any:
    import pandas as pd

    return pd.DataFrame({name: pd.Series(dtype="string") for name in ("event", "actor", "date")})


def _links(job: tuple[str, str, set[int]], roles: set[str], filters: EventFilter) -> Any:
    """One partition's (event, actor, date) rows in the roles asked for, of the items kept."""
    import pandas as pd
    import pyarrow.parquet as pq

    location, name, ordinals = job
    folder = open_folder(location)  # a URL's filesystem is made once per process and reused
    columns = ["event", "ordinal", "date", "actor", "role"]
    frame = pq.read_table(folder.file(name), columns=columns, filesystem=folder.fs).to_pandas()
    frame = frame[frame["ordinal"].isin(ordinals) & frame["role"].isin(roles)]
    if filters.has_dates:
        verdicts = {d: filters.accepts_date(d) for d in frame["date"].dropna().unique()}
        undated = filters.accepts_date(None)
        mask = [verdicts[d] if isinstance(d, str) else undated for d in frame["date"]]
        frame = frame[pd.Series(mask, index=frame.index, dtype=bool)]
    return frame[["event", "actor", "date"]].astype("string").reset_index(drop=True)


def _actor_attrs(root: ShardFolder, kind: str) -> dict[str, dict[str, object]]:
    """Labels (and ISO codes, acronyms) of the actors, from the shards' reference graph."""
    from pyoxigraph import RdfFormat

    store = KgStore.memory()
    if root.exists(SHARED):
        store.store.load(gzip.decompress(root.read(SHARED)), format=RdfFormat.N_QUADS)
    return country_attrs(store) if kind == "countries" else organization_attrs(store)
