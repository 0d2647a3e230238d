"""``kg eval --same``: pairwise precision and recall of same story and same event on gold pairs.

The gold (``data/gold/same.jsonl``) holds one pair of items a line: ``id``, ``kind``,
``a`` and ``b`` (``date``, ``title``, ``summary``), and whether they are the same story
(``same_story``) and report the same event (``same_event``). Every item is built, as
``kg build`` does, into one store in memory, so the items of other pairs are there too; a
pair is predicted the same story when ``mk:sameStoryAs`` links its items, the same event when
an event of each is a report of one canonical event.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.extract.score import Score
from kg.namespaces import MK, PROV

__all__ = ["PairScore", "evaluate_same", "format_same"]


@dataclass
class PairScore(Score):
    """:class:`kg.extract.score.Score` over pairs, with the true negatives counted too."""

    tn: int = 0

    def judge(self, pair: str, gold: bool, found: bool) -> None:  # type: ignore[override]
        if gold and found:
            self.tp += 1
        elif gold:
            self.fn += 1
            self.misses.append((pair, "same"))
        elif found:
            self.fp += 1
            self.false_alarms.append((pair, "same"))
        else:
            self.tn += 1


def _read(path: str | Path) -> list[dict[str, Any]]:
    pairs = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                pair = json.loads(line)
                missing = [
                    f"{side}.{key}"
                    for side in ("a", "b")
                    for key in ("date", "title", "summary")
                    if key not in pair[side]
                ]
                missing += [key for key in ("id", "same_story", "same_event") if key not in pair]
                if missing:
                    raise KeyError(", ".join(missing))
            except (ValueError, KeyError, TypeError) as exc:
                raise KgError(f"{path}:{number}: not a gold pair ({exc})") from None
            pairs.append(pair)
    return pairs


def evaluate_same(path: str | Path) -> dict[str, PairScore]:
    """Scores of ``same_story`` and ``same_event`` over the gold pairs of ``path``."""
    from kg.build import build
    from kg.namespaces import item
    from kg.store import KgStore

    pairs = _read(path)
    store = KgStore.memory()
    with tempfile.TemporaryDirectory(prefix="migkg-same-eval-") as folder:
        items = Path(folder) / "items.jsonl"
        with items.open("w", encoding="utf-8") as handle:
            for pair in pairs:
                for side in ("a", "b"):
                    record = {"id": f"{pair['id']}-{side}", **pair[side]}
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        build([items], store)
    iri = {}
    for row in store.query("SELECT ?i ?id WHERE { ?i <http://purl.org/dc/terms/identifier> ?id }"):
        iri[row["id"].value] = row["i"].value
    stories = {(r[0].value, r[1].value) for r in store.query(f"SELECT ?a ?b WHERE {{ ?a <{MK['sameStoryAs']}> ?b }}")}
    canon: dict[str, set[str]] = {}
    query = f"SELECT ?c ?i WHERE {{ ?c <{MK['hasReport']}> ?e . ?e <{PROV['wasDerivedFrom']}> ?i }}"
    for row in store.query(query):
        canon.setdefault(row["i"].value, set()).add(row["c"].value)
    scores = {"same_story": PairScore(), "same_event": PairScore()}
    for pair in pairs:
        a = iri.get(f"{pair['id']}-a", item(f"{pair['id']}-a"))
        b = iri.get(f"{pair['id']}-b", item(f"{pair['id']}-b"))
        label = f"{pair['id']} ({pair.get('kind', '')})"
        scores["same_story"].judge(label, bool(pair["same_story"]), (a, b) in stories)
        scores["same_event"].judge(label, bool(pair["same_event"]), bool(canon.get(a, set()) & canon.get(b, set())))
    return scores


def format_scores(scores: dict[str, PairScore], explain: bool = False) -> str:
    """A table of pairwise precision and recall, and with ``explain`` the pairs missed or wrongly linked."""
    lines = [f"{'relation':<12}{'pairs':>6}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}"]
    for name, s in scores.items():
        pairs = s.tp + s.fp + s.fn + s.tn
        lines.append(f"{name:<12}{pairs:>6}{s.tp:>5}{s.fp:>5}{s.fn:>5}{s.precision:>11.3f}{s.recall:>8.3f}")
    if explain:
        for name, s in scores.items():
            lines.extend(f"{name}: missed {p}" for p, _ in s.misses)
            lines.extend(f"{name}: false alarm {p}" for p, _ in s.false_alarms)
    return "\n".join(lines) + "\n"


format_same = format_scores
