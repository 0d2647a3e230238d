"""Mention evidence: every recognised span of an item, as one ``mk:evidence`` literal.

An item graph keeps its mentions (entity, surface text, offsets, rule) in one plain string on
the news item, one line per mention, ordered by offsets::

    START END KIND:REF RULE TEXT

``KIND:REF`` is the entity or concept in the short form ``kg query`` takes (``country:GTM``,
``org:iom``, ``place:3573890``, ``region:m49-013``, ``theme:smuggling``, ``event-type:meeting``,
``group:officials``); :func:`entity_iri` gives its IRI. ``TEXT`` is the span of ``NewsItem.text``
from ``START`` to ``END`` (character offsets), with backslash and newline escaped as ``\\\\`` and
``\\n``. One quad per item instead of seven per mention: docs/exports.md explains the choice.

>>> from kg.extract.model import Mention
>>> text = encode([Mention("org", "iom", 56, 59, "IOM", "org-acronym"),
...                Mention("country", "GTM", 3, 13, "Guatemalan", "country-demonym")])
>>> print(text)
3 13 country:GTM country-demonym Guatemalan
56 59 org:iom org-acronym IOM
>>> [(m.kind, m.ref, m.start, m.end, m.text, m.rule) for m in decode(text)][0]
('country', 'GTM', 3, 13, 'Guatemalan', 'country-demonym')
>>> entity_iri("country:GTM")
'https://w3id.org/migkg/id/country/GTM'
"""

from __future__ import annotations

from collections.abc import Iterable

from kg import namespaces as ns
from kg.extract.model import Mention

__all__ = ["KINDS", "decode", "encode", "entity_iri"]

#: The kinds of mention an item graph keeps as evidence (dates and quantities are kept on the
#: events and statistics they support instead).
KINDS = frozenset(("country", "org", "place", "region", "theme", "event-type", "group"))

_ESCAPE = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r"})


def encode(mentions: Iterable[Mention]) -> str:
    """The ``mk:evidence`` text of ``mentions`` (those of :data:`KINDS`), one line each, in order.

    Two mentions with the same line are kept once; the empty string means no mention.
    """
    lines = {(m.start, m.end, m.kind, m.ref, m.rule, m.text) for m in mentions if m.kind in KINDS}
    return "\n".join(
        f"{start} {end} {kind}:{ref} {rule or '-'} {text.translate(_ESCAPE)}"
        for start, end, kind, ref, rule, text in sorted(lines)
    )


def decode(evidence: str) -> list[Mention]:
    """The mentions an ``mk:evidence`` text holds (the inverse of :func:`encode`).

    >>> decode("0 6 country:PAN gazetteer Panama\\n10 14 org:iom - IOM\\\\n")[1].text
    'IOM\\n'
    """
    mentions = []
    for line in evidence.split("\n") if evidence else ():
        start, end, entity, rule, text = line.split(" ", 4)
        kind, _, ref = entity.partition(":")
        mentions.append(Mention(kind, ref, int(start), int(end), _unescape(text), "" if rule == "-" else rule))
    return mentions


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out, chars = [], iter(text)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            out.append({"n": "\n", "r": "\r"}.get(nxt, nxt))
        else:
            out.append(char)
    return "".join(out)


def entity_iri(entity: str) -> str:
    """The IRI of a ``KIND:REF`` entity of an evidence line."""
    kind, _, ref = entity.partition(":")
    if kind == "country":
        return ns.country(ref)
    if kind == "org":
        return ns.org(ref)
    if kind == "place":
        return ns.place(ref)
    if kind == "region":
        return ns.region(ref)
    return ns.concept(kind, ref)
