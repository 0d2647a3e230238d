"""One event, many reports: near-duplicate items (same story) and reports of one event (same event).

:mod:`kg.same.story` finds copies of a story with MinHash LSH; :mod:`kg.same.events` groups the
reports of one event; :mod:`kg.same.derive` writes both as derived graphs after every build.
"""

from kg.same.derive import LinkReport, item_fingerprints, link, linked_before, linked_counts
from kg.same.events import Report, canonical_iri, group_reports
from kg.same.story import same_stories

__all__ = [
    "LinkReport",
    "Report",
    "canonical_iri",
    "group_reports",
    "item_fingerprints",
    "link",
    "linked_before",
    "linked_counts",
    "same_stories",
]
