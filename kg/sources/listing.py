"""The listing text format of news pages: a date line, a title line, a summary paragraph.

Blank lines vary; an item runs until the next date line (the forms are in :mod:`kg.sources.dates`
and docs/sources.md). A short line just above a date line ("Costa Rica", "Migrant Protection")
is the country or category line IOM's pages put there; it is kept as the next item's
``extra["category"]``, never as part of a summary.

>>> items = list(read("11 June, 2019\\n\\n\\nTitle one\\n\\nFirst.\\nStill first.\\n\\n"
...                   "7 June, 2019\\nTitle two\\nSecond.\\n", "x.txt"))
>>> [(i.title, i.summary, i.line) for i in items]
[('Title one', 'First. Still first.', 1), ('Title two', 'Second.', 9)]

After the summary, a paragraph that looks like another item (a date line migkg does not read,
or a title-like line with text after it) is reported and never appended to the item above:

>>> for r in read("10 June, 2019\\n\\nA\\n\\nText A.\\n\\n31 Juneteenth, 2019\\n\\nB\\n\\nText B.\\n", "x.txt"):
...     print(r if not isinstance(r, NewsItem) else (r.title, r.summary))
('A', 'Text A.')
x.txt:7: '31 Juneteenth, 2019' is not a date migkg reads, so the item after it ('B') was not read \
nor added to the item above; write the date as '11 June, 2019' or another form of docs/sources.md
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.sources.dates import looks_like_an_attempt, looks_like_date, parse_date
from kg.sources.model import MAX_ITEM_CHARS, NewsItem, Reject, item_key
from kg.sources.records import check

__all__ = ["read"]

_FORMS = "write the date as '11 June, 2019' or another form of docs/sources.md"
#: Prose ends a sentence; titles and category lines do not.
_SENTENCE_END = re.compile(r"[.!?:;…\"”»)]$")

Paragraph = list[tuple[int, str]]  # (line index, stripped text)


def read(text: str, source: str, max_item_chars: int = MAX_ITEM_CHARS) -> Iterator[NewsItem | Reject]:
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if looks_like_date(line.strip())]
    if not starts:
        first = next((i for i, line in enumerate(lines) if line.strip()), 0)
        yield Reject(
            source,
            first + 1,
            "no date line found; each item starts with a date such as '11 June, 2019'",
        )
        return
    leading = _paragraphs(lines, 0, starts[0])
    category = _category(leading, leading=True)
    if category is not None:
        leading = leading[:-1]
    if leading:
        yield Reject(
            source,
            leading[0][0][0] + 1,
            "text before the first date line; start the file with a date such as '11 June, 2019'",
        )
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        paragraphs = _paragraphs(lines, start + 1, end)
        next_category = _category(paragraphs) if n + 1 < len(starts) else None
        if next_category is not None:
            paragraphs = paragraphs[:-1]
        for record in _item(lines[start].strip(), start, paragraphs, source, category):
            yield check(record, max_item_chars) if isinstance(record, NewsItem) else record
        category = next_category


def _paragraphs(lines: list[str], start: int, end: int) -> list[Paragraph]:
    """The non-blank lines of ``lines[start:end]``, grouped by the blank lines between them."""
    paragraphs: list[Paragraph] = []
    current: Paragraph = []
    for i in range(start, end):
        text = " ".join(lines[i].split())
        if text:
            current.append((i, text))
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def _is_label(text: str) -> bool:
    """A country or category line: a few words, no sentence end."""
    return len(text) <= 60 and len(text.split()) <= 6 and not _SENTENCE_END.search(text)


def _is_title(text: str) -> bool:
    return len(text) <= 250 and not _SENTENCE_END.search(text)


def _category(paragraphs: list[Paragraph], leading: bool = False) -> str | None:
    """The country or category line that ends ``paragraphs`` (just above the next date line), if any."""
    if not paragraphs:
        return None
    if not leading and len(paragraphs) < 2:
        return None  # an item's own block has its title and summary before it
    last = paragraphs[-1]
    if len(last) == 1 and _is_label(last[0][1]) and not looks_like_an_attempt(last[0][1]):
        return last[0][1]
    return None


def _item(
    date_text: str, start: int, paragraphs: list[Paragraph], source: str, category: str | None
) -> Iterator[NewsItem | Reject]:
    published = parse_date(date_text)
    if published is None:
        yield Reject(source, start + 1, f"{date_text!r} is not a valid date")
        return
    if not paragraphs:
        yield Reject(source, start + 1, f"date line {date_text!r} has no title after it")
        return
    (title_line, title), *rest_of_first = paragraphs[0]
    summary_lines = [text for _, text in rest_of_first]
    more = paragraphs[1:]
    if not summary_lines:
        if not more:
            yield Reject(source, title_line + 1, f"title {title!r} has no summary after it")
            return
        summary_lines = [text for _, text in more[0]]
        more = more[1:]
    reports: list[Reject] = []  # after the item: records come in input order
    for n, paragraph in enumerate(more):
        (line, first), *_ = paragraph
        after = more[n + 1 :]
        if len(paragraph) == 1 and looks_like_an_attempt(first):
            following = repr(after[0][0][1]) if after else "none"
            reports.append(
                Reject(
                    source,
                    line + 1,
                    f"{first!r} is not a date migkg reads, so the item after it ({following}) was not read "
                    f"nor added to the item above; {_FORMS}",
                )
            )
            break
        if _is_title(first) and (len(paragraph) > 1 or after):
            reports.append(
                Reject(
                    source,
                    line + 1,
                    f"{first!r} looks like the title of an item with no date line above it; it was not read "
                    f"nor added to the item above; {_FORMS}",
                )
            )
            break
        summary_lines += [text for _, text in paragraph]  # a summary of several paragraphs
    yield NewsItem(
        key=item_key(published, title),
        published=published,
        title=title,
        summary=" ".join(summary_lines),
        source_file=source,
        line=start + 1,
        extra={"category": category} if category else {},
    )
    yield from reports
