"""What grouping knew after its last run, kept beside an on-disk store in ``STORE.same.sqlite``:
each item's facts (:class:`kg.same.facts.ItemFacts`) under the content hash and extraction run of
its graph, and the groups made from them: per report, its connected group and its canonical
event; the same-story pairs; the organisations that were no evidence.

The next grouping reads the facts of the items a build did not write from here instead of from
the store, and regroups only the connected groups that the written or removed items touch
(:mod:`kg.same.derive`).

What is trusted: a row of facts only while the store holds its item's graph with the same content
hash and run (the graph is then the same, and so are its facts); the groups only while the store's
events graph holds exactly their canonical events. The file is written in one SQLite transaction
after the derived graphs, so a kill leaves it as it was, describing the store as the last
grouping left it, and whatever was written since differs from it by content hash. A file that is
missing, unreadable or from another version of migkg counts as empty: the facts are read from the
store and the file is written anew. Deleting it is always safe.

>>> import tempfile
>>> from datetime import date
>>> path = Path(tempfile.mkdtemp()) / "store.same.sqlite"
>>> facts = ItemFacts("http://x/i", date(2019, 6, 11), None, b"", "[]")
>>> with Kept.open(path) as kept:
...     kept.save(Grouped({"http://x/i": ("sha256:1", "run")}, {}, frozenset(), []), {"http://x/i": facts})
>>> with Kept.open(path) as kept:
...     rows, state = kept.load({"http://x/i": ("sha256:1", "run")})
...     rows["http://x/i"] == facts, state.seen
(True, {'http://x/i': ('sha256:1', 'run')})
>>> with Kept.open(path) as kept:  # the store holds another version of the item: not trusted
...     kept.load({"http://x/i": ("sha256:2", "run")})[0]
{}
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kg.same.facts import ItemFacts

__all__ = ["SUFFIX", "Grouped", "Kept"]

#: The file beside the store ``STORE``: ``STORE.same.sqlite``.
SUFFIX = ".same.sqlite"
#: Bump when what is kept changes meaning: a file of another format is emptied.
FORMAT = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS facts (
  item TEXT PRIMARY KEY, hash TEXT NOT NULL, run TEXT NOT NULL, published TEXT NOT NULL,
  signature BLOB, shingles BLOB NOT NULL, reported TEXT NOT NULL, merged TEXT);
CREATE TABLE IF NOT EXISTS reports (
  iri TEXT PRIMARY KEY, item TEXT NOT NULL, component TEXT NOT NULL, canonical TEXT);
"""
_CHUNK = 500  # IRIs per IN (...) list


@dataclass(frozen=True)
class Grouped:
    """What a grouping saw and made."""

    seen: Mapping[str, tuple[str, str]]  # item IRI -> (content hash, run) of its graph
    reports: Mapping[str, tuple[str, str, str | None]]  # report IRI -> (item, connected group, canonical event)
    common: frozenset[str]  # organisations that were no evidence
    stories: list[tuple[str, str]]  # same-story pairs
    quads: int = 0  # triples of the events graph written from them

    def canonical(self) -> set[str]:
        return {c for _, _, c in self.reports.values() if c is not None}


class Kept:
    """The SQLite file of one store's grouping; :meth:`open` it, then :meth:`load` and :meth:`save`."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.db = connection

    @classmethod
    def open(cls, path: Path) -> Kept | None:
        """The file at ``path``, made when missing and emptied when unreadable or of another
        format; None when it cannot be written (a folder we may not write to)."""
        for attempt in range(2):
            try:
                db = sqlite3.connect(path)
                try:
                    db.execute("PRAGMA page_size = 16384")  # rows of ~3 KB: 5 a page, where 4 KB pages hold 1
                    with db:
                        db.executescript(_SCHEMA)
                        row = db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
                        if row is None or row[0] != FORMAT:
                            db.executescript("DELETE FROM facts; DELETE FROM reports; DELETE FROM meta;")
                            db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
                    return cls(db)
                except sqlite3.DatabaseError:
                    db.close()
                    raise
            except sqlite3.DatabaseError:  # not a database (a torn or foreign file): start again
                if attempt or not path.is_file():
                    return None
                with contextlib.suppress(OSError):
                    path.unlink()
        return None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Kept:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def load(self, seen: Mapping[str, tuple[str, str]]) -> tuple[dict[str, ItemFacts], Grouped | None]:
        """The facts kept of the items that ``seen`` (item -> content hash and run in the store)
        holds in the same version (without :attr:`ItemFacts.merged`: see :meth:`merged`), and what
        the last grouping saw and made (None if nothing was kept)."""
        rows: dict[str, ItemFacts] = {}
        before: dict[str, tuple[str, str]] = {}
        query = "SELECT item, hash, run, published, signature, shingles, reported FROM facts"
        for item, h, run, published, signature, held, reported in self.db.execute(query):
            before[item] = (h, run)
            if seen.get(item) == (h, run):
                rows[item] = ItemFacts(item, date.fromisoformat(published), signature, held, reported, None)
        meta = dict(self.db.execute("SELECT name, value FROM meta"))
        if "common" not in meta:
            return rows, None
        reports = {iri: (item, c, e) for iri, item, c, e in self.db.execute("SELECT * FROM reports")}
        stories = [(a, b) for a, b in json.loads(meta["stories"])]
        common = frozenset(json.loads(meta["common"]))
        return rows, Grouped(before, reports, common, stories, int(meta.get("quads", -1)))

    def merged(self, items: Iterable[str]) -> dict[str, str | None]:
        """:attr:`ItemFacts.merged` of ``items`` (those kept)."""
        found: dict[str, str | None] = {}
        wanted = sorted(set(items))
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(self.db.execute(f"SELECT item, merged FROM facts WHERE item IN ({marks})", chunk))
        return found

    def save(
        self,
        grouped: Grouped,
        facts: Mapping[str, ItemFacts],
        before: Grouped | None = None,
        until: Callable[[], int] | None = None,
    ) -> None:
        """Keep ``grouped`` and the facts of its items, in one transaction: the rows of ``facts``
        whose item ``before`` (what :meth:`load` gave) did not hold in the same version are
        written, the rows of items no longer seen are removed. ``until`` gives the triples of the
        events graph once it is written (else :attr:`Grouped.quads` is kept): it is called before
        the transaction is committed, and if it raises, nothing is."""
        old_seen = before.seen if before else {}
        old_reports = before.reports if before else {}
        with self.db:
            if before is None:
                self.db.executescript("DELETE FROM facts; DELETE FROM reports;")
            gone = [(item,) for item in old_seen if item not in grouped.seen]
            self.db.executemany("DELETE FROM facts WHERE item = ?", gone)
            self.db.executemany(
                "INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (item, *grouped.seen[item], f.published.isoformat(), f.signature, f.shingles, f.reported, f.merged)
                    for item, f in sorted(facts.items())
                    if item in grouped.seen and old_seen.get(item) != grouped.seen[item]
                ),
            )
            self.db.executemany(
                "DELETE FROM reports WHERE iri = ?", ((iri,) for iri in old_reports if iri not in grouped.reports)
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?)",
                ((iri, *row) for iri, row in sorted(grouped.reports.items()) if old_reports.get(iri) != row),
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [("common", json.dumps(sorted(grouped.common))), ("stories", json.dumps(grouped.stories))],
            )
            quads = until() if until is not None else grouped.quads
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('quads', ?)", (str(quads),))
