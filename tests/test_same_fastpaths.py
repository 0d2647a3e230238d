"""Grouping's fast paths (issue 23) against their plain forms, held equal by hypothesis: the
candidate pairs and groups of kg.same.grouping against kg.same.events.group_reports, which
compares reports one pair at a time; the LSH candidates of kg.same.story against the pairs that
agree on a whole band, found by comparing every pair; kg.same.pairs against networkx."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import namespaces as ns
from kg.same import story
from kg.same.events import Report, group_reports
from kg.same.grouping import Links, join
from kg.same.pairs import components, distinct, runs, within

DAY = date(2021, 5, 1)
COUNTRIES = ["GTM", "MEX", "HND", "SLV"]
PLACES = [ns.place(p) for p in ("GTM-flores", "MEX-tapachula", "HND-copan")]
ORGS = [ns.org(o) for o in ("iom", "unhcr", "sica", "rcm")]
TYPES = ["meeting", "workshop", "training", "launch", "campaign", "conference", "visit"]

reports = st.builds(
    lambda n, item, types, start, days, precision, hosts, countries, places, orgs: Report(
        f"e:{n:03d}",
        f"i:{item}",
        DAY + timedelta(days=40),
        frozenset(types),
        None if precision is None else DAY + timedelta(days=start),
        None if precision is None else DAY + timedelta(days=start + days),
        precision,
        frozenset(hosts),
        frozenset(hosts) | frozenset(countries),
        frozenset(places),
        frozenset(orgs),
    ),
    st.integers(0, 999),
    st.integers(0, 12),
    st.sets(st.sampled_from(TYPES), max_size=2),
    st.integers(0, 70),
    st.sampled_from([0, 1, 3, 400, 900]),  # over two years: blocked on its first 24 months only
    st.sampled_from(["day", "month", "year", None]),
    st.sets(st.sampled_from(COUNTRIES), max_size=1),
    st.sets(st.sampled_from(COUNTRIES), max_size=2),
    st.sets(st.sampled_from(PLACES), max_size=1),
    st.sets(st.sampled_from(ORGS), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(reports, max_size=40, unique_by=lambda r: r.iri), st.dictionaries(st.integers(0, 12), st.integers(0, 3))
)
def test_the_fast_grouping_groups_as_the_rules_do(rs, story_of):
    """The same groups, whatever the reports: typed or not, dated to the day, month or year or
    not at all, several of one item, copies of one story."""
    stories = {f"i:{item}": f"i:{root}" for item, root in story_of.items()}
    ordered = sorted(rs, key=lambda r: r.iri)
    assert join(ordered, Links.of(ordered, stories)) == group_reports(rs, stories)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), min_size=story.PERMUTATIONS, max_size=story.PERMUTATIONS), max_size=30))
def test_lsh_candidates_are_the_pairs_that_agree_on_a_whole_band(rows):
    signed = np.array(rows, dtype=np.uint32).reshape(-1, story.PERMUTATIONS)
    plain = sorted(
        (i, j)
        for i, j in itertools.combinations(range(len(signed)), 2)
        if any(
            (signed[i, b : b + story.ROWS] == signed[j, b : b + story.ROWS]).all()
            for b in range(0, story.PERMUTATIONS, story.ROWS)
        )
    )
    assert story._candidates(signed).tolist() == [list(p) for p in plain]


@given(st.lists(st.integers(0, 9), max_size=40))
def test_pairs_within_runs_and_distinct_values(values):
    keys = np.sort(np.array(values, dtype=np.int64))
    starts, sizes = runs(keys)
    members = np.arange(len(keys), dtype=np.int64)
    made = sorted(divmod(int(c), max(len(keys), 1)) for c in within(members, starts, sizes, len(keys)))
    assert made == [(i, j) for i, j in itertools.combinations(range(len(keys)), 2) if keys[i] == keys[j]]
    assert distinct(np.array(values, dtype=np.int64)).tolist() == sorted(set(values))


@given(
    st.integers(1, 30).flatmap(
        lambda n: st.tuples(st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))))
    )
)
def test_connected_groups_are_networkx_connected_components(case):
    n, links = case
    i = np.array([a for a, _ in links], dtype=np.int64)
    j = np.array([b for _, b in links], dtype=np.int64)
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(links)
    expected = np.zeros(n, dtype=np.int64)
    for group in nx.connected_components(graph):
        expected[sorted(group)] = min(group)
    assert components(n, i, j).tolist() == expected.tolist()
