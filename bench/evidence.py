"""The mention-evidence representations considered for issue 21, measured on the same items.

For each representation: the item graph's quads per item, its N-Quads bytes per item, and the
time pyoxigraph's ``bulk_load`` takes for the N-Quads of all the items into an empty on-disk
store (the floor every build pays), as a ratio against the mention nodes item graphs had before.
The graphs differ only in the mention lines; the rest is what :func:`kg.rdf.item_nquads` writes.

``python -m bench.evidence [CORPUS.jsonl] [N]``, or ``python -m bench.lean --alternatives``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from kg import namespaces as ns
from kg.evidence import KINDS, encode
from kg.extract.model import Extraction, Mention
from kg.rdf import _node, _text, item_nquads

_EVIDENCE = f"<{ns.MK['evidence']}>"
_INT = f"^^<{ns.XSD['integer']}>"


def _nodes7(node: str, key: str, end: str, mentions: list[Mention]) -> list[str]:
    """Before issue 21: one mk:Mention node of seven triples per mention."""
    lines = []
    for m in mentions:
        s = f"<{ns.ID}mention/{key}/{m.start}-{m.end}>"
        lines += [
            f"{s} <{ns.RDF['type']}> <{ns.MK['Mention']}>{end}",
            f"{s} <{ns.MK['mentionIn']}> {node}{end}",
            f"{s} <{ns.MK['mentionOf']}> {_node(m.kind, m.ref)}{end}",
            f"{s} <{ns.MK['mentionText']}> {_text(m.text)}{end}",
            f'{s} <{ns.MK["startOffset"]}> "{m.start}"{_INT}{end}',
            f'{s} <{ns.MK["endOffset"]}> "{m.end}"{_INT}{end}',
            f"{s} <{ns.MK['extractionRule']}> {_text(m.rule)}{end}",
        ]
    return lines


def _nodes3(node: str, key: str, end: str, mentions: list[Mention]) -> list[str]:
    """Mention nodes of three triples: the item and the offsets only in the node's IRI."""
    lines = []
    for m in mentions:
        s = f"<{ns.ID}mention/{key}/{m.start}-{m.end}>"
        lines += [
            f"{s} <{ns.MK['mentionOf']}> {_node(m.kind, m.ref)}{end}",
            f"{s} <{ns.MK['mentionText']}> {_text(m.text)}{end}",
            f"{s} <{ns.MK['extractionRule']}> {_text(m.rule)}{end}",
        ]
    return lines


def _line_each(node: str, key: str, end: str, mentions: list[Mention]) -> list[str]:
    """One evidence literal per mention on the item."""
    return [f"{node} {_EVIDENCE} {_text(encode([m]))}{end}" for m in mentions]


def _one_literal(node: str, key: str, end: str, mentions: list[Mention]) -> list[str]:
    """One evidence literal per item (what kg.rdf writes)."""
    text = encode(mentions)
    return [f"{node} {_EVIDENCE} {_text(text)}{end}"] if text else []


REPRESENTATIONS: dict[str, Callable[[str, str, str, list[Mention]], list[str]]] = {
    "mk:Mention nodes, 7 triples each (before)": _nodes7,
    "mention nodes, 3 triples each (offsets in the IRI)": _nodes3,
    "one mk:evidence literal per mention": _line_each,
    "one mk:evidence literal per item (chosen)": _one_literal,
}


def _render(items: list[tuple[object, Extraction]], represent: Callable[..., list[str]]) -> bytes:
    out = []
    for item, ex in items:
        key = item.key  # type: ignore[attr-defined]
        base = item_nquads(item, ex)  # type: ignore[arg-type]
        evidence = f"<{ns.item(key)}> {_EVIDENCE} "
        out.append("".join(line for line in base.splitlines(True) if not line.startswith(evidence)))
        end = f" <{ns.item_graph(key)}> .\n"
        mentions = [m for m in ex.mentions if m.kind in KINDS]
        out.append("".join(represent(f"<{ns.item(key)}>", key, end, mentions)))
    return "".join(out).encode()


def _load_seconds(data: bytes, work: Path, repeats: int = 3) -> float:
    from pyoxigraph import RdfFormat, Store

    times = []
    for _ in range(repeats):
        folder = Path(tempfile.mkdtemp(dir=work))
        start = time.perf_counter()
        store = Store(str(folder))
        store.bulk_load(data, format=RdfFormat.N_QUADS)
        store.flush()
        del store
        times.append(time.perf_counter() - start)
        shutil.rmtree(folder, ignore_errors=True)
    return sorted(times)[len(times) // 2]


def compare(corpus: Path, work: Path, n: int) -> None:
    from bench.child import _extracted

    items = _extracted(str(corpus), n)
    print(f"mention evidence, {n:,} items of {corpus.name} (bulk_load: median of 3, on-disk store):")
    base = None
    for name, represent in REPRESENTATIONS.items():
        data = _render(items, represent)
        quads = data.count(b"\n")
        seconds = _load_seconds(data, work)
        base = base or seconds
        print(
            f"  {name:<52} {quads / n:6.1f} quads/item  {len(data) / n:7,.0f} bytes/item  "
            f"load {seconds:5.2f} s ({seconds / base:.2f}x)"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("bench/work/corpus-10000/news-0000.jsonl")
    compare(corpus, Path(tempfile.gettempdir()), int(sys.argv[2]) if len(sys.argv) > 2 else 2000)
