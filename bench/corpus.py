"""A deterministic generator of realistic migration news items, at any size.

Titles and 400-900-character summaries are composed from varied sentence patterns filled
with the reference data (``data/reference/*.csv``: countries, demonyms, organisations and
their acronyms, places), date phrases of every form the extractor reads, theme keywords
(``skos:altLabel`` of ``ontology/vocab/theme.ttl``), counts and quoted statistics.

Item ``i`` of seed ``s`` depends on ``(s, i)`` only, so any slice of a corpus can be made
on its own, and the writers stream: a million items never sit in memory.

Usage: ``python -m bench.corpus N OUT.txt|OUT.jsonl [--seed S]``

>>> a = list(items(3, seed=7))
>>> a == list(items(3, seed=7)), len({item["title"] for item in a})
(True, 3)
>>> all(400 <= len(item["summary"]) <= 900 for item in items(50))
True
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

__all__ = ["Vocabulary", "item", "items", "vocabulary", "write", "write_jsonl", "write_listing"]

HOME = Path(__file__).resolve().parent.parent
FIRST_DAY = date(2000, 1, 1)
DAYS = (date(2024, 12, 31) - FIRST_DAY).days + 1  # 9,132 publication days
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]  # fmt: skip


@dataclass(frozen=True)
class Vocabulary:
    """The names the generator draws from, read once from the reference data."""

    countries: tuple[tuple[str, str], ...]  # (name, demonym) with a demonym
    orgs: tuple[tuple[str, str], ...]  # (full name, acronym)
    places: tuple[tuple[str, str], ...]  # (place, country name)
    themes: tuple[str, ...]  # English theme keywords


@functools.cache
def vocabulary() -> Vocabulary:
    ref = HOME / "data" / "reference"
    with (ref / "countries.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = {row["iso3"]: row["name_en"] for row in rows}
    countries = tuple((row["name_en"], row["demonym_en"].split("|")[0]) for row in rows if row["demonym_en"])
    with (ref / "organizations.csv").open(encoding="utf-8") as f:
        orgs = tuple(
            (row["name_en"], row["acronyms_en"].split("|")[0])
            for row in csv.DictReader(f)
            if row["acronyms_en"] and row["type"] != "grouping"
        )
    with (ref / "places.csv").open(encoding="utf-8") as f:
        places = tuple(
            (row["name"], names[row["country_iso3"]]) for row in csv.DictReader(f) if row["country_iso3"] in names
        )
    theme_text = (HOME / "ontology" / "vocab" / "theme.ttl").read_text(encoding="utf-8")
    themes: list[str] = []
    for block in re.findall(r"skos:altLabel (.*?) ;", theme_text, re.S):
        themes += re.findall(r'"([^"]+)"@en', block)
    return Vocabulary(countries, orgs, places, tuple(sorted(set(themes))))


# -- date phrases: every form kg.extract.dates reads --


def _date_phrase(rnd: random.Random, published: date) -> str:
    day = published - timedelta(days=rnd.randint(1, 40))
    d, m, y = day.day, MONTHS[day.month - 1], day.year
    nxt = min(d + rnd.randint(1, 2), 28) if d < 27 else d
    form = rnd.randrange(12)
    if form == 0:
        return f"on {d} {m}"
    if form == 1:
        return f"on {m} {d}, {y}"
    if form == 2:
        return f"on {d} and {nxt} {m}" if nxt > d else f"on {d} {m} {y}"
    if form == 3:
        return f"during {m} {d} and {nxt}" if nxt > d else f"on {m} {d}"
    if form == 4:
        return f"on {m} {d}-{nxt}" if nxt > d else f"on {m} {d}"
    if form == 5:
        return f"from {d} to {nxt} {m} {y}" if nxt > d else f"on {d} {m} {y}"
    if form == 6:
        return f"in {m} {y}"
    if form == 7:
        return f"in {y - rnd.randint(0, 2)}"
    if form == 8:
        return rnd.choice(["yesterday", "last week", "this week"])
    if form == 9:
        return f"on {published.strftime('%A')}"
    if form == 10:
        return f"between {d} and {nxt} {m}" if nxt > d else f"on {d} {m}"
    return f"on {m} {d}"


# -- sentence patterns --

_TITLES = [
    "{org} and {country} strengthen cooperation on {theme}",
    "{count} {demonym} officials trained by {acr} on {theme}",
    "{acr} supports {country} in addressing {theme}",
    "{country} and {org} launch campaign on {theme}",
    "Regional workshop in {place} on {theme} with {org}",
    "{demonym} and {demonym2} authorities meet with {acr} on {theme}",
    "{org} presents study on {theme} in {country}",
    "Migrants from {country} share their stories with {acr}",
]
_OPENERS = [
    "{place}, {pcountry} - {org} ({acr}) held a workshop on {theme} {date} with {count} participants.",
    "{org} ({acr}) organized a regional meeting {date} in {place}, {pcountry}, to discuss {theme}.",
    "Representatives of {country}, {country2} and {country3} met {date} in {place} for a dialogue on {theme}.",
    "{acr} trained {count} {demonym} officials {date} on {theme} and {theme2}.",
    "The Government of {country} and {acr} signed an agreement {date} on {theme}.",
    "{count} {demonym} migrants took part in a training {date}, organized by {acr} in {place}, {pcountry}.",
]
_MIDDLES = [
    "The event was funded by {org2} and brought together {count} representatives of governments,"
    " civil society and international organizations.",
    "Participants from {country2} and {country3} shared good practices on {theme2}.",
    "Of the {count} participants, {count2} were women.",
    "According to {acr}, migrants make up {pct}% of the population of {country}.",
    "The {demonym} delegation presented its national plan on {theme}.",
    "{acr2} and {acr} will follow up with a second meeting in {place2} {date2}.",
    "The initiative is part of a regional programme on {theme2} supported by {org2} ({acr2}).",
    "More than {count} people have benefited from the project since {year}.",
    "The conference also addressed {theme} and {theme2} in the countries of the region.",
    "Officials of {country} highlighted the importance of {theme2} for migrants and their families.",
]
_CLOSERS = [
    "{acr} will continue to support {country} in this work.",
    "The next meeting will take place in {place2}, {p2country}.",
    "The activity was carried out within the framework of the {org2}.",
    "The results will be presented to the authorities of {country2} and {country3}.",
]


def _fill(pattern: str, slots: dict[str, str]) -> str:
    return pattern.format(**slots)


def item(i: int, seed: int = 2019) -> dict[str, str]:
    """Item ``i`` of the corpus of ``seed``: a JSON Lines record (``id``, ``date``, ``title``, ...).

    The publication day cycles through 2000-2024. The item's main organisation and country pair
    differs from day to day, and on one day from item to item (``i // DAYS`` steps through the
    pairs), so (date, title) pairs, hence item keys, are unique.
    """
    v = vocabulary()
    rnd = random.Random(seed * 1_000_003 + i)
    day = i % DAYS
    published = FIRST_DAY + timedelta(days=day)
    pairs = len(v.orgs) * len(v.countries)
    pair = (day * 7919 + i // DAYS) % pairs  # one day's items: distinct pairs (for i < DAYS * pairs)
    org, acr = v.orgs[pair // len(v.countries)]
    country, demonym = v.countries[pair % len(v.countries)]
    org2, acr2 = rnd.choice(v.orgs)
    (country2, demonym2), (country3, _) = rnd.sample(v.countries, 2)
    place, pcountry = rnd.choice(v.places)
    place2, p2country = rnd.choice(v.places)
    theme, theme2 = rnd.sample(v.themes, 2)
    slots = {
        "org": org,
        "acr": acr,
        "org2": org2,
        "acr2": acr2,
        "country": country,
        "country2": country2,
        "country3": country3,
        "demonym": demonym,
        "demonym2": demonym2,
        "place": place,
        "pcountry": pcountry,
        "place2": place2,
        "p2country": p2country,
        "theme": theme,
        "theme2": theme2,
        "count": str(rnd.choice([12, 25, 30, 45, 60, 80, 120, 150, 200, 350])),
        "count2": str(rnd.randint(5, 11)),
        "pct": f"{rnd.randint(1, 30)}.{rnd.randint(0, 9)}",
        "year": str(published.year - rnd.randint(1, 5)),
        "date": _date_phrase(rnd, published),
        "date2": _date_phrase(rnd, published),
    }
    title = _fill(_TITLES[(i // 7 + rnd.randrange(len(_TITLES))) % len(_TITLES)], slots)
    target = rnd.randint(400, 900)
    sentences = [_fill(rnd.choice(_OPENERS), slots)]
    middles = rnd.sample(_MIDDLES, len(_MIDDLES))
    closer = _fill(rnd.choice(_CLOSERS), slots)
    length = len(sentences[0])
    for pattern in middles:
        sentence = _fill(pattern, slots)
        if length + 1 + len(sentence) + 1 + len(closer) > 900:
            continue
        sentences.append(sentence)
        length += 1 + len(sentence)
        if length + 1 + len(closer) >= target:
            break
    sentences.append(closer)
    summary = " ".join(sentences)
    while len(summary) < 400:  # rare: short sentences drawn; pad with another closer
        summary += " " + _fill(_CLOSERS[len(summary) % len(_CLOSERS)], slots)
    return {
        "id": f"bench-{seed}-{i:07d}",
        "date": published.isoformat(),
        "title": title,
        "summary": summary[:900].rstrip(),
        "url": f"https://news.example.org/{published.year}/bench-{seed}-{i:07d}",
        "language": "en",
    }


def items(n: int, seed: int = 2019, start: int = 0) -> Iterator[dict[str, str]]:
    """Items ``start`` … ``start + n - 1`` of the corpus of ``seed``, one at a time."""
    for i in range(start, start + n):
        yield item(i, seed)


def _listing_date(published: date, i: int) -> str:
    form = i % 3
    if form == 0:
        return f"{published.day} {MONTHS[published.month - 1]}, {published.year}"
    if form == 1:
        return f"{MONTHS[published.month - 1]} {published.day}, {published.year}"
    return published.isoformat()


def write_listing(out: TextIO, n: int, seed: int = 2019) -> None:
    """The listing text format of news pages (no ``id`` or ``url``: keys come from date + title)."""
    for i, record in enumerate(items(n, seed)):
        published = date.fromisoformat(record["date"])
        blanks = "\n" * (1 + i % 3)
        out.write(f"{_listing_date(published, i)}\n{blanks}{record['title']}\n{blanks}{record['summary']}\n\n")


def write_jsonl(out: TextIO, n: int, seed: int = 2019) -> None:
    """JSON Lines, one object per item."""
    for record in items(n, seed):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


def write(path: str | Path, n: int, seed: int = 2019) -> Path:
    """Write ``n`` items to ``path``; ``.jsonl`` gives JSON Lines, anything else the listing format."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        (write_jsonl if path.suffix == ".jsonl" else write_listing)(out, n, seed)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate a synthetic migration news corpus.")
    parser.add_argument("n", type=int, help="number of items")
    parser.add_argument("out", help="OUT.txt (listing format), OUT.jsonl, or - for JSON Lines on stdout")
    parser.add_argument("--seed", type=int, default=2019)
    args = parser.parse_args(argv)
    if args.out == "-":
        write_jsonl(sys.stdout, args.n, args.seed)
    else:
        write(args.out, args.n, args.seed)


if __name__ == "__main__":
    main()
