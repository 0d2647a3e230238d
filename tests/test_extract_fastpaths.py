"""The extractor's shortcuts find exactly what the plain regular expressions they stand for find.

Each rule keeps its reference regex; the quick path (a trie, a folded text, candidate positions, a
stretch of text between breaks) must agree with it on any text, odd characters included.
"""

from __future__ import annotations

import re
import sys
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kg.extract import LOWER_CASE_PASS, dates, entities, matcher, numbers, orgs, quantities, roles
from kg.extract.gazetteer import default_gazetteer, first_of_each_kind
from kg.extract.lowercase import LowerCasePass
from kg.extract.matcher import SpanIndex
from kg.sources.dates import MONTHS

# -- the premises of kg.extract.matcher.folded and friends, checked against all of Unicode --

_EVERY_CHAR = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)


def test_lower_keeps_length_except_unfoldable() -> None:
    assert {c for c in _EVERY_CHAR if len(c.lower()) != 1} <= set(matcher._UNFOLDABLE)


def test_lower_agrees_with_ignorecase_on_ascii_letters() -> None:
    matched = set(re.findall("[a-z]", _EVERY_CHAR, re.I))
    lowered_to_letter = {c for c in _EVERY_CHAR if len(c.lower()) == 1 and "a" <= c.lower() <= "z"}
    assert matched ^ lowered_to_letter <= set(matcher._UNFOLDABLE)
    assert all(re.fullmatch(c.lower(), c, re.I) for c in lowered_to_letter)


@pytest.mark.parametrize("pattern", [r"\w", r"\s", r"\d", r"[.,!?]"])
def test_lower_keeps_character_classes(pattern: str) -> None:
    text = "".join(c for c in _EVERY_CHAR if c not in matcher._UNFOLDABLE)
    lowered = text.lower()
    assert len(lowered) == len(text)
    regex = re.compile(pattern)
    assert [m.start() for m in regex.finditer(text)] == [m.start() for m in regex.finditer(lowered)]


def test_breaks_are_neither_word_characters_nor_joiners() -> None:
    assert not any(matcher.is_word_char(c) or c in matcher._JOINERS for c in matcher._BREAKS)


def test_is_word_char_is_backslash_w() -> None:
    assert {c for c in _EVERY_CHAR if matcher.is_word_char(c)} == set(re.findall(r"\w", _EVERY_CHAR))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ9_ é-.’'\n\u0130\u00b2", max_size=12))
def test_word_starts_and_ends_as_re_reads_them(text: str) -> None:
    for i in range(len(text) + 1):
        assert matcher.word_starts_at(text, i) == bool(re.compile(r"(?<!\w)").match(text, i))
        assert matcher.word_ends_at(text, i) == bool(re.compile(r"(?!\w)").match(text, i))


def test_ascii_other_spaces() -> None:
    ascii_other_spaces = "".join(re.findall(r"[^\S ]", "".join(map(chr, range(128)))))
    assert ascii_other_spaces == matcher._ASCII_OTHER_SPACE


# -- texts full of what the rules look for --

_PIECES = [
    *MONTHS,
    "June",
    "MAY",
    "Sept.",
    "18",
    "3",
    "31st",
    "2019",
    "1,200",
    "1.5",
    "150",
    "a hundred",
    "A",
    "at least",
    "more than",
    "some",
    "twelve",
    "officials",
    "countries and territories",
    "young people",
    "migrants",
    "in",
    "the",
    "of",
    "and",
    "y",
    "to",
    "-",
    "–",
    "from",
    "between",
    "during",
    "durante",
    "en",
    "on Monday",
    "today",
    "last week",
    "Ministry of Health",
    "University",
    "Red",
    "Council of Ministers and National Police",
    "Association of Caribbean States (ACS)",
    "(IOM)",
    "(U.S.)",
    "(2019)",
    "Government",
    "Ministerio de Salud",
    "Comité",
    "%",
    "percent",
    "per cent",
    "14.8%",
    "population",
    "labour force",
    "its",
    "Xmay",
    "mayor",
    "İ",
    "ı",
    "ſ",
    "K",
    "é",
    "_",
    "’s",
    "18 June",
    "18 de junio de 2019",
    "June 6 and 7",
    "May 9-10, 2019",
    "from 18 to 20 December 2019",
    "between 3 and 5 March",
    "22nd May",
    "in October 2018",
    "in 2018",
    "80 Guatemalan government officials",
    "more than 150 people",
    "the three countries of",
    "Regional Conference on Migration (RCM)",
    "٣",
    "12٣",
    "\u00b2",
    "20١9",
    "2019th",
    "12345",
    "1999_",
    "19",
    "20",
    "more than",
    "at leastwise",
    "government",
    "someone",
    "a hundred",
    "A HUNDRED",
    "over 80",
    "120.5",
    "\u2019",
]
_GLUE = [" ", " ", " ", "  ", "", "\n", "\t", "\u00a0", "\u2003", "\x1c", ", ", ". ", "(", ")", "-", "'", "; "]


def _joined(
    pieces: list[str], min_size: int = 0, max_size: int = 40, glue_first: bool = False
) -> st.SearchStrategy[str]:
    """Texts of ``pieces`` joined by spaces, other whitespace and punctuation (``_GLUE``)."""
    pairs = st.tuples(st.sampled_from(pieces), st.sampled_from(_GLUE))
    if glue_first:
        pairs = st.tuples(st.sampled_from(_GLUE), st.sampled_from(pieces))
    return st.lists(pairs, min_size=min_size, max_size=max_size).map(lambda parts: "".join(a + b for a, b in parts))


texts = _joined(_PIECES, min_size=3)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_spaces_to_blanks(text: str) -> None:
    assert matcher.spaces_to_blanks(text) == matcher._OTHER_SPACE.sub(" ", text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "at", "about", "a b", "one", "on", "o", "b"]), min_size=1), texts)
def test_word_alternation_tries_the_same_words_in_the_same_order(words: list[str], text: str) -> None:
    plain = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    trie = matcher.word_alternation(words)
    for shape in (r"\b(?:{})\b", r"(?P<w>{})\s+\w", r"(?:{})(?:ut)?$"):
        expected = [m.span() for m in re.finditer(shape.format(plain), text, re.I)]
        assert [m.span() for m in re.finditer(shape.format(trie), text, re.I)] == expected


@settings(max_examples=300, deadline=None)
@given(texts)
def test_digit_runs(text: str) -> None:
    assert matcher.digit_runs(text) == [m.span() for m in re.finditer(r"\d+", text)]


# The plain patterns the date shortcuts stand for: a number of one or two digits that starts a word
# (where day-first dates can match), and whitespace before a year (where "in 2018" ends).
DAY_AT = re.compile(r"\d(?<!\w\d)(?!\d\d)")
YEAR_AT = re.compile(r"\s(?:19|20)\d\d\b")


@settings(max_examples=300, deadline=None)
@given(texts)
def test_day_and_year_starts(text: str) -> None:
    for end in {0, 1, len(text) // 2, len(text) - 1, len(text)}:
        assert dates._day_starts(text, end) == [m.start() for m in DAY_AT.finditer(text, 0, end)]
    assert dates._year_spaces(text) == [m.start() for m in YEAR_AT.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(texts)
def test_quantity_matches(text: str) -> None:
    expected = [m.span() for m in quantities._QUANTITY.finditer(text)]
    assert {start for start, _ in expected} <= set(quantities._quantity_starts(text, LOWER_CASE_PASS))
    assert [m.span() for m in quantities.quantity_matches(text, LOWER_CASE_PASS)] == expected


# The plain form of the places a number can start: a digit or a number word (EN, ES) at the start
# of a word, not after a decimal point or a thousands separator.
NUMBER_AT = re.compile(rf"(?<![\w.,])(?:\d|{matcher.word_alternation(numbers.WORD_NUMBERS)}\b)", re.I)


@settings(max_examples=300, deadline=None)
@given(texts)
@example("Forty-two officers, cuarenta y cinco funcionarios, 1.200 personas; 27,5 % and 3.25% of them.")
@example("Doscientas MUJERES, two hundred and fifty PEOPLE, x12 y3 .4 ,5")
def test_number_starts(text: str) -> None:
    expected = {m.start() for m in NUMBER_AT.finditer(text) if numbers.NUMBER.match(text, m.start())}
    assert expected <= set(quantities._number_starts(text, LOWER_CASE_PASS))


@settings(max_examples=300, deadline=None)
@given(texts)
def test_month_starts_and_keywords(text: str) -> None:
    def keywords_in(lowered: str) -> set[str]:
        return {rule for rule, words in dates._KEYWORDS.items() if any(w in lowered for w in words)}

    month_at = [m.start() for m in dates._MONTH_AT.finditer(text)]
    starts, keywords = dates._month_starts_and_keywords(text, LOWER_CASE_PASS)
    assert starts == month_at
    # As written: the shared pass reads "in\n2019" as "in 2019", the plain lookup does not.
    assert keywords == keywords_in(text.lower())


def _find_dates_plainly(text: str, published: date) -> list[dates.DateSpan]:
    """find_dates as it reads without the shortcuts: every pattern over the whole text."""
    taken: list[tuple[int, int]] = []
    spans: list[dates.DateSpan] = []
    lowered = text.lower()
    month_at = [m.start() for m in dates._MONTH_AT.finditer(text)]
    for rule, pattern in dates._PATTERNS:
        if rule in dates._MONTH_FIRST:
            candidates = [m for m in (pattern.match(text, pos) for pos in month_at) if m]
        elif rule in dates._KEYWORDS and not any(word in lowered for word in dates._KEYWORDS[rule]):
            continue
        else:
            candidates = list(pattern.finditer(text))
        for m in candidates:
            if not all(m.end() <= s or m.start() >= e for s, e in taken):
                continue
            found = dates._resolve(rule, m, published, text)
            if found:
                taken.append((m.start(), m.end()))
                spans += [dates.DateSpan(s, e, p, m.start(), m.end(), m.group(0), f"date-{rule}") for s, e, p in found]
    return sorted(spans, key=lambda d: (d.offset, d.start))


@settings(max_examples=400, deadline=None)
@given(texts)
@example("january en\n2019 ")  # a year word before a line break: found by hypothesis
def test_find_dates(text: str) -> None:
    assert dates.find_dates(text, date(2019, 6, 11), LOWER_CASE_PASS) == _find_dates_plainly(text, date(2019, 6, 11))


@settings(max_examples=300, deadline=None)
@given(texts)
def test_definitions(text: str) -> None:
    expected = [m.span() for m in orgs._DEFINITION.finditer(text)]
    assert [m.span() for m in orgs._definitions(text)] == expected


_HEAD_PHRASE_PLAIN = re.compile(rf"\b(?P<name>{orgs._PHRASE})")


def _head_phrases_plainly(text: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for hm in _HEAD_PHRASE_PLAIN.finditer(text):
        name = hm.group("name")
        if not orgs._HEAD_WORD.search(name):
            continue
        cuts = [0, *(x for m in re.finditer(r" (?:and|y) ", name) for x in (m.start(), m.end())), len(name)]
        parts = [(cuts[i], name[cuts[i] : cuts[i + 1]]) for i in range(0, len(cuts), 2)]
        if sum(1 for _, p in parts if orgs._HEAD_WORD.search(p)) >= 2:
            found += [(hm.start() + offset, p) for offset, p in parts if orgs._HEAD_WORD.search(p)]
        else:
            found.append((hm.start(), name))
    return found


@settings(max_examples=300, deadline=None)
@given(texts)
def test_head_phrases(text: str) -> None:
    assert orgs._head_starts(text) == [m.start() for m in orgs._HEAD_WORD.finditer(text)]
    assert orgs._head_phrases(text) == _head_phrases_plainly(text)


# -- kg.extract.matcher.PhraseMatcher: the characters its root is seeded with change nothing it finds --

_PHRASES = [
    "e",
    "et",
    "Mexico",
    "Mexico City",
    "City",
    "a b",
    " x",
    "x\x00",
    "\x00",
    "é",
    "6 de",
    ".",
    "ab.",
    "’s",
    "Zz",
]
_PHRASE_TEXTS = st.text(alphabet="etaxbMeicoCity zZ6d.,;:()!?_\"\x00\u00e9\u2019s-'\n\t", max_size=60)


def _plain_occurrences(text: str, phrases: list[str]) -> list[tuple[int, int, str]]:
    found = []
    for phrase in phrases:
        i = text.find(phrase)
        while i >= 0:
            found.append((i, i + len(phrase), phrase))
            i = text.find(phrase, i + 1)
    return sorted(found)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PHRASES), min_size=1, unique=True), _PHRASE_TEXTS)
def test_phrase_matcher(phrases: list[str], text: str) -> None:
    m = matcher.PhraseMatcher({p: p for p in phrases})
    plain = _plain_occurrences(text, phrases)
    assert sorted(m.occurrences(text)) == plain
    whole = [(s, e, v) for s, e, v in plain if not matcher.inside_token(text, s) and not matcher.inside_token(text, e)]
    assert list(m.find(text)) == whole
    assert m.longest(text) == list(matcher.longest_first(whole))


def test_gazetteer_first_of_each_kind() -> None:
    text = "Mexico City, San José, Dominican Republic, Georgia, IOM, the Caribbean and Panama."
    matches = default_gazetteer().matches(text)
    assert matches
    for m in matches:
        assert m.first == first_of_each_kind(m.candidates)


_AROUND_COUNTRY = st.lists(
    st.sampled_from(
        ["New", "Nueva", "Nuevo", "Nuev", "new", "xNew", " ", "\n", "\t", "hat", "hats", "City", "Canal", "Papers", "s"]
    ),
    max_size=6,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_AROUND_COUNTRY)
def test_not_country_before_and_after(window: str) -> None:
    assert entities._not_country_before(window) == bool(entities._NOT_COUNTRY_BEFORE.search(window))
    assert bool(entities._NOT_COUNTRY_AFTER.match(window)) == bool(entities._NOT_COUNTRY_AFTER.search(window))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 9), st.integers(0, 9), st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=4))
def test_spans_enclose_hold_and_lie_inside_as_a_loop_over_them_tells(start: int, end: int, spans: list[tuple[int, int]]) -> None:
    indexed = SpanIndex(spans)
    assert indexed.encloses(start, end) == any(a <= start and end <= b for a, b in spans)
    assert indexed.holds(start) == any(a <= start < b for a, b in spans)
    assert indexed.overlaps(start, end) == any(a < end and start < b for a, b in spans)
    if all(a <= b for a, b in spans):  # as text spans are
        assert indexed.inside(start, end) == [k for k, (a, b) in enumerate(spans) if start <= a and b <= end]


_ROLE_PIECES = [
    *roles._ORGANIZER_WORDS.replace("[sz]", "z").split("|"),
    "Organised By",
    "HELD BY",
    *roles._FUNDER_WORDS.split("|"),
    *roles._PREPOSITIONS.split("|"),
    "the",
    "la",
    "Los",
    "The",
    "THE",
    "thee",
    "xheld by",
    "ofthe",
    "IOM",
    "UNICEF",
    "_",
    "ſponsored by",
    "İn",
    "\u212aed by",
    "é",
]


@settings(max_examples=500, deadline=None)
@given(_joined(_ROLE_PIECES, max_size=6))
def test_words_before(window: str) -> None:
    for words, cues in (
        (roles._ORGANIZER_WORDS, roles._ORGANIZER_CUES),
        (roles._FUNDER_WORDS, roles._FUNDER_CUES),
        (roles._PREPOSITIONS, roles._PREPOSITION_BEFORE),
    ):
        plain = re.compile(rf"\b(?:{words})\s+(?:(?:the|la|el|los|las)\s+)?$", re.I)
        assert cues.search(window) == (plain.search(window) is not None), (words, window)


def test_subject_first_characters() -> None:
    words = (*roles._SUBJECT_AUXILIARIES, *roles._SUBJECT_VERBS.split("|"))
    first = re.compile("[(," + "".join({w[0] for w in words}) + "]", re.I)
    assert {c for c in map(chr, range(sys.maxunicode + 1)) if first.match(c)} == roles._SUBJECT_FIRST


_SUBJECT_PIECES = [
    *roles._SUBJECT_AUXILIARIES,
    *roles._SUBJECT_VERBS.replace("[sz]", "s").split("|"),
    "HELD",
    "Organized",
    "(IOM)",
    "(the International Organization for Migration)",
    ", the UN agency,",
    ",",
    "met",
    "and",
    "ſupported",
    "İ",
]


@settings(max_examples=500, deadline=None)
@given(_joined(_SUBJECT_PIECES, max_size=5, glue_first=True))
def test_subject_verb_gate(after: str) -> None:
    assert roles._subject_verb(after) == (roles._SUBJECT_VERB.match(after) is not None)


def _zebras() -> dict[str, str]:
    return {"zebra crossings": "z", "workshop": "w"}


# The extractor's tables and one more, each also in a pass of its own (automata made on first use).
_WITH_ZEBRAS = LowerCasePass([*LOWER_CASE_PASS.tables, _zebras])
_ALONE = {table: LowerCasePass([table]) for table in _WITH_ZEBRAS.tables}


def test_a_table_shared_with_others_finds_its_phrases() -> None:
    text = "On 5 June, over 80 officials met in a Workshop on zebra crossings."
    assert _WITH_ZEBRAS.hits(text, _zebras) == [(38, 46, "w"), (50, 65, "z")]
    assert [(s, e) for s, e, _ in _WITH_ZEBRAS.hits(text, quantities.count_word_table)] == [(11, 15)]  # "over"


@settings(max_examples=200, deadline=None)
@given(texts)
@example("On 5 June, over 80 officials met in a Workshop on zebra crossings.")
def test_each_table_of_a_shared_pass_finds_what_it_finds_alone(text: str) -> None:
    for table, alone in _ALONE.items():
        assert _WITH_ZEBRAS.hits(text, table) == alone.hits(text, table), table.__name__
        if table in LOWER_CASE_PASS.tables:
            assert LOWER_CASE_PASS.hits(text, table) == alone.hits(text, table), table.__name__
