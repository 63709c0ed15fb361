"""Text analysis shared by indexing and querying: words -> normalized index terms.

Read as Whoosh reads an analyzer, a chain `tokenizer | filter | filter`: the tokenizer turns a text
into terms, and each filter takes terms and yields terms. `INDEX_CHAIN` and `QUERY_CHAIN` compose
the steps, in one place; queries run them as they stand (`analyze_query`). Indexing takes a faster
road to the same terms: a corpus repeats its words, so `analyze_word` calls the same steps once per
distinct written word (cached), and `analyze` and `index_terms` put its terms in place; the tests
hold the two roads equal. Plain Python: the engine adapts it to Whoosh, tests use it directly.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from search_service.text import scripts
from search_service.text.morphology import english_terms, russian_lemmas

# Letters and digits, joined by hyphens; an English possessive or contraction stays with its word.
_WORD = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)*(?:['\u2019][^\W\d_]+)?")
_HYPHENS = re.compile(r"[-\u2010\u2011]")


class Term(NamedTuple):
    """One index term: `text` at word `position`, found at characters `start:end` of the input.

    A named tuple: analysis makes one per term of every text it reads, and a tuple is the cheapest
    immutable object to make.
    """

    text: str
    position: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Word:
    """A word as written (`surface`) and where it stands in the input."""

    surface: str
    start: int
    end: int


def words(text: str) -> Iterator[Word]:
    """Split text into words of letters and digits; hyphenated words stay whole."""
    for match in _WORD.finditer(text):
        yield Word(match.group(), match.start(), match.end())


def _width(surface: str) -> int:
    """Positions a word takes: one per hyphen part, so that a phrase can meet a part."""
    return len(_HYPHENS.split(surface))


class Chain:
    """Steps run in order, each over what the one before yields: Whoosh's `tokenizer | filter`."""

    __slots__ = ("steps",)

    def __init__(self, *steps: Callable[[Any], Iterator[Term]]) -> None:
        self.steps = steps

    def __or__(self, other: Chain) -> Chain:
        return Chain(*self.steps, *other.steps)

    def __call__(self, value: Any) -> Iterator[Term]:
        for step in self.steps:
            value = step(value)
        return value


class _Fold:
    """A filter that rewrites each term's text and keeps its place."""

    __slots__ = ("rewrite",)

    def __init__(self, rewrite: Callable[[str], str]) -> None:
        self.rewrite = rewrite

    def __call__(self, terms: Iterable[Term]) -> Iterator[Term]:
        for term in terms:
            yield Term(self.rewrite(term.text), term.position, term.start, term.end)


def _parts(word: str) -> list[tuple[str, int]]:
    """The parts of a hyphenated word with their offsets in it; none for a word without hyphens."""
    parts = _HYPHENS.split(word)
    if len(parts) == 1:
        return []
    found, offset = [], 0
    for part in parts:
        found.append((part, offset))
        offset += len(part) + 1
    return found


@Chain
def tokenize(text: str) -> Iterator[Term]:
    """The tokenizer: each word as written, at its position and characters."""
    position = 0
    for word in words(text):
        yield Term(word.surface, position, word.start, word.end)
        position += _width(word.surface)


lowercase = Chain(_Fold(str.lower))
fold_yo = Chain(_Fold(lambda word: word.replace("ё", "е")))
fold_apostrophes = Chain(_Fold(lambda word: word.replace("\u2019", "'")))  # typographic ones, as ASCII
fold_lookalikes = Chain(_Fold(scripts.fold_lookalikes))  # `cовершенно` with a Latin c


@Chain
def hyphen_parts(terms: Iterable[Term]) -> Iterator[Term]:
    """Each word, then each part of a hyphenated one at its own position: `во-первых`, `во`, `первых`."""
    for term in terms:
        yield term
        for index, (part, offset) in enumerate(_parts(term.text)):
            yield Term(part, term.position + index, term.start + offset, term.start + offset + len(part))


@Chain
def lemmas_and_stems(terms: Iterable[Term]) -> Iterator[Term]:
    """Each word's index terms (`word_terms`) in its place; alternatives share it."""
    for term in terms:
        for text in word_terms(term.text):
            yield Term(text, term.position, term.start, term.end)


# The analysis, in one place. A query leaves hyphen parts out: the whole word is in the index, and
# its parts alone (`в`) would match nearly everything; positions advance the same, so phrases line up.
FOLDS = lowercase | fold_yo | fold_apostrophes | fold_lookalikes
INDEX_CHAIN = tokenize | FOLDS | hyphen_parts | lemmas_and_stems
QUERY_CHAIN = tokenize | FOLDS | lemmas_and_stems


@lru_cache(maxsize=10_000)
def analyze_query(text: str, phrase: bool) -> tuple[Term, ...]:
    """Terms of query text: `QUERY_CHAIN`, or `INDEX_CHAIN` for a phrase so that its hyphen parts
    line up with the index's. Cached: a query parser asks once per field, and again per tier."""
    return tuple((INDEX_CHAIN if phrase else QUERY_CHAIN)(text))


def normalize(word: str) -> str:
    """A word through the chain's folds: lowercase, ё as е, typographic apostrophes as ', and
    look-alike letters of the other script."""
    for fold in FOLDS.steps:
        word = fold.rewrite(word)
    return word


@lru_cache(maxsize=300_000)
def word_terms(word: str) -> tuple[str, ...]:
    """Index terms for one normalized word without hyphens: Russian lemmas, English stems, or the
    word itself (numbers)."""
    if scripts.has_cyrillic(word):
        return russian_lemmas(word)
    if scripts.has_latin(word):
        return english_terms(word)
    return (word,)


class WordTerms(NamedTuple):
    """`INDEX_CHAIN`'s terms for one written word, relative to it (a tuple: made once per distinct word)."""

    terms: tuple[tuple[str, int, int, int], ...]  # (term, position offset, start, end)
    width: int  # positions the word takes: one per hyphen part


@lru_cache(maxsize=300_000)
def analyze_word(surface: str) -> WordTerms:
    """`INDEX_CHAIN` over one written word, its steps called directly rather than as filters;
    cached, because a corpus repeats its words many times over."""
    word = normalize(surface)
    terms = tuple((term, 0, 0, len(surface)) for term in word_terms(word))
    parts = _parts(word)
    if not parts:
        return WordTerms(terms, 1)
    for index, (part, offset) in enumerate(parts):
        terms += tuple((term, index, offset, offset + len(part)) for term in word_terms(part))
    return WordTerms(terms, len(parts))


def analyze(text: str) -> Iterator[Term]:
    """`INDEX_CHAIN`'s terms of a text, in order, each written word analysed once per process;
    alternatives for one word share its position.

    A hyphenated word yields its own terms and those of each part, so `Во-первых` is found by
    `во-первых` and by `первых`.
    """
    position = 0
    for match in _WORD.finditer(text):
        word = analyze_word(match.group())
        start = match.start()
        for term, offset, term_start, term_end in word.terms:
            yield Term(term, position + offset, start + term_start, start + term_end)
        position += word.width


# What indexing hands the engine for one term: its (position, start, end) in the text, in order.
Occurrences = list[tuple[int, int, int]]


# Chunks whose terms are kept: past this many the cache starts again (see `_chunk_terms`).
CHUNKS_CACHED = 200_000
_chunks_analysed = 0


@lru_cache(maxsize=None)
def _chunk_terms(chunk: str) -> tuple[tuple[tuple[str, int, int, int], ...], int]:
    """`analyze` of one whitespace-free chunk, as (term, position, start, end) tuples, and its width.

    Cached without a bound, which makes a look-up a plain dict's (an indexing process makes one per
    chunk of text: a bounded cache's recency list made it twice as dear); the cache is emptied
    whenever it holds `CHUNKS_CACHED` chunks, so that its memory stays bounded.
    """
    global _chunks_analysed
    _chunks_analysed += 1
    if _chunks_analysed > CHUNKS_CACHED:
        _chunk_terms.cache_clear()
        _chunks_analysed = 1
    word = _WORD.match(chunk)
    if word and not _WORD.search(chunk, word.end()):  # most chunks are a word, perhaps with punctuation after it
        return analyze_word(word.group())
    terms = tuple((term.text, term.position, term.start, term.end) for term in analyze(chunk))
    return terms, sum(analyze_word(surface).width for surface in _WORD.findall(chunk))


def index_terms(text: str) -> dict[str, Occurrences]:
    """Every term of `analyze(text)` with its occurrences, grouped by term: the indexing hot path.

    Works chunk by chunk between whitespace (no word spans whitespace, so the words and their
    order are the same), so that a chunk seen before costs one cache look-up instead of a regex
    scan and an object per term. A chunk with terms is found in the text after the one before it:
    those between hold no word, so they cannot hold it.
    """
    occurrences: dict[str, Occurrences] = defaultdict(list)
    position = start = 0
    for chunk in text.split():
        terms, width = _chunk_terms(chunk)
        if terms:
            start = text.find(chunk, start)
            for term, offset, term_start, term_end in terms:
                occurrences[term].append((position + offset, start + term_start, start + term_end))
            start += len(chunk)
        position += width
    return occurrences
