"""Same story: items whose text is a near-duplicate of another's, found with MinHash LSH.

A syndicated copy or a re-post (another title, another date line, a sentence added) shares
most of its word 3-shingles with the original. Each item's shingles are summarised by a
MinHash signature of :data:`PERMUTATIONS` values; signatures are cut into :data:`BANDS` bands
and items that agree on a whole band are candidates (locality-sensitive hashing: no all-pairs
comparison). A candidate pair is kept when the exact Jaccard similarity of the two shingle
sets is at least :data:`THRESHOLD`.

Signatures and bands are computed with numpy for many items at once. ``datasketch`` computes
the same estimator one item at a time in Python: 3.2 s per 10,000 items on this machine, the
whole budget of the build at 100,000 items (see ``bench/results.md``), where these arrays take
a tenth of that.

>>> a = "IOM trained 40 border officers in Tapachula, Mexico, on the identification of victims of trafficking."
>>> b = "Tapachula, 3 May 2021 - " + a
>>> c = "IOM and the Government of Belize launched a campaign against xenophobia in Belmopan."
>>> same_stories({"a": a, "b": b, "c": c})
[('a', 'b')]
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zlib
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from kg.same.pairs import distinct, runs, within

__all__ = [
    "BANDS",
    "PERMUTATIONS",
    "ROWS",
    "SHINGLE",
    "THRESHOLD",
    "candidates",
    "jaccard",
    "same_stories",
    "shingles",
    "signatures",
    "similar",
]

SHINGLE = 3  #: words per shingle
BANDS = 20
ROWS = 5  #: signature values per band: a pair of Jaccard 0.6 is a candidate with probability 0.86, 0.7: 0.99
PERMUTATIONS = BANDS * ROWS
THRESHOLD = 0.6  #: the Jaccard similarity of shingle sets from which two items are the same story
#: How far below the threshold the share of equal signature values may be for a candidate to be
#: checked: the share estimates the similarity with a standard error of 0.05 at 0.6, so a pair at
#: the threshold falls 0.2 below it about once in 30,000 (and the signatures, being fixed, always
#: decide the same way).
MARGIN = 0.2
MIN_SHINGLES = 8  #: a text with fewer shingles (a title alone) is too short to judge

_rng = np.random.default_rng(20190611)  # fixed: signatures must not change between runs
_A = _rng.integers(0, 1 << 32, PERMUTATIONS, dtype=np.uint32) | np.uint32(1)  # odd: a permutation of 2**32
_B = _rng.integers(0, 1 << 32, PERMUTATIONS, dtype=np.uint32)
_WORD = re.compile(r"\w+")
_CHUNK = 256  # items per numpy batch: ~30k shingles x 100 values, ~12 MB
_PAIRS = 50_000  # candidate pairs per numpy batch: two rows of signatures each, ~40 MB


@functools.cache
def _combining() -> dict[int, None]:
    """Every combining character, for ``str.translate`` to remove (one pass in C, where a loop
    over the characters in Python took a third of the time of shingling). None lies past
    plane 1 (``tests/test_same.py`` checks the whole range)."""
    return {c: None for c in range(0x20000) if unicodedata.combining(chr(c))}


def _words(text: str) -> list[str]:
    """The words of ``text``, case and accents folded.

    >>> _words("Tecún Umán, TAPACHULA")
    ['tecun', 'uman', 'tapachula']
    """
    folded = text.casefold()
    if not folded.isascii():
        folded = unicodedata.normalize("NFKD", folded).translate(_combining())
    return _WORD.findall(folded)


_P1, _P2 = np.uint32(0x9E3779B1), np.uint32(0x85EBCA77)  # odd multipliers that mix a word's position in
_word_hashes: dict[str, int] = {}  # every word's CRC-32, computed once per process


def shingles(text: str) -> NDArray[np.uint32]:
    """The word 3-shingles of ``text`` (case and accents folded) as sorted distinct 32-bit hashes.

    A shingle's hash combines its words' CRC-32s, so it depends on the text alone.

    >>> len(shingles("one two three four")), (shingles("Tapachula") == shingles("TAPACHULA")).all()
    (2, np.True_)
    """
    memo = _word_hashes
    words = np.array(
        [memo[w] if w in memo else memo.setdefault(w, zlib.crc32(w.encode())) for w in _words(text)], dtype=np.uint32
    )
    if len(words) < SHINGLE:
        return np.unique(words[:1] * _P1)
    return np.unique(words[:-2] * _P1 + words[1:-1] * _P2 + words[2:])


def jaccard(a: NDArray[np.uint32], b: NDArray[np.uint32]) -> float:
    """The Jaccard similarity of two shingle arrays from :func:`shingles`."""
    common = len(np.intersect1d(a, b, assume_unique=True))
    union = len(a) + len(b) - common
    return common / union if union else 0.0


def signatures(sets: list[NDArray[np.uint32]]) -> NDArray[np.uint32]:
    """MinHash signatures, one row per set: min over its shingles of ``(a*h + b) mod 2**32`` per
    permutation. With ``a`` odd each is a permutation of the 32-bit hashes (numpy wraps the
    arithmetic the same way on every machine).
    """
    out = np.empty((len(sets), PERMUTATIONS), dtype=np.uint32)
    for start in range(0, len(sets), _CHUNK):
        chunk = sets[start : start + _CHUNK]
        sizes = np.array([len(s) for s in chunk], dtype=np.int64)
        values = np.concatenate(chunk)
        hashed = values[:, None] * _A[None, :] + _B[None, :]
        starts = np.r_[0, np.cumsum(sizes)[:-1]]
        out[start : start + len(chunk)] = np.minimum.reduceat(hashed, starts, axis=0)
    return out


def _candidates(signed: NDArray[np.uint32]) -> NDArray[np.int64]:
    """Pairs of rows ``(i, j)``, ``i < j``, that agree on every value of at least one band,
    sorted, each once."""
    n = len(signed)
    codes = []
    for band in range(BANDS):
        block = signed[:, band * ROWS : (band + 1) * ROWS]
        order = np.lexsort(block.T[::-1])  # stable: equal rows keep their order, so i < j within a run
        starts, sizes = runs(block[order])
        codes.append(within(order.astype(np.int64), starts, sizes, n))
    found = distinct(np.concatenate(codes)) if codes else np.zeros(0, dtype=np.int64)
    return np.stack([found // n, found % n], axis=1) if n else found.reshape(0, 2)


def candidates(
    signed: NDArray[np.uint32], threshold: float = THRESHOLD, among: NDArray[np.bool_] | None = None
) -> NDArray[np.int64]:
    """The LSH candidates among the rows of ``signed`` whose signatures agree on at least
    ``threshold -`` :data:`MARGIN` of their values: pairs ``(i, j)``, ``i < j``, sorted; with
    ``among``, only the pairs with a row it marks.

    Items that share a stock sentence or two are candidates by the thousand and far from alike;
    their signatures already tell them apart, before their exact similarity is computed."""
    pairs = _candidates(signed)
    if among is not None:
        pairs = pairs[among[pairs[:, 0]] | among[pairs[:, 1]]]
    kept = [
        chunk[(signed[chunk[:, 0]] == signed[chunk[:, 1]]).mean(axis=1) >= threshold - MARGIN]
        for chunk in np.split(pairs, range(_PAIRS, len(pairs), _PAIRS))  # a copy of both rows per pair
    ]
    return np.concatenate(kept)


def same_stories(texts: Mapping[str, str], threshold: float = THRESHOLD) -> list[tuple[str, str]]:
    """The pairs of keys of ``texts`` whose texts are near-duplicates, each pair sorted, sorted.

    Texts shorter than :data:`MIN_SHINGLES` shingles are left out. The answer depends on the
    texts only, never on their order.
    """
    keys = sorted(k for k, text in texts.items())
    sets = [shingles(texts[k]) for k in keys]
    kept = [i for i, s in enumerate(sets) if len(s) >= MIN_SHINGLES]
    if len(kept) < 2:
        return []
    return similar([keys[i] for i in kept], [sets[i] for i in kept], signatures([sets[i] for i in kept]), threshold)


def similar(
    keys: list[str],
    sets: Sequence[NDArray[np.uint32]],
    signed: NDArray[np.uint32],
    threshold: float = THRESHOLD,
) -> list[tuple[str, str]]:
    """The pairs of ``keys`` (each with its shingles and its row of signatures) whose shingles
    are at least ``threshold`` alike, each pair sorted, sorted: the :func:`candidates` whose
    exact similarity reaches it."""
    found = []
    for i, j in candidates(signed, threshold).tolist():
        if jaccard(sets[i], sets[j]) >= threshold:
            found.append((keys[i], keys[j]) if keys[i] < keys[j] else (keys[j], keys[i]))
    return sorted(found)


def story_groups(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each key in ``pairs`` -> the smallest key of its connected group."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}
