"""Text analysis shared by indexing and querying: words -> normalized index terms.

Plain Python on purpose: the engine adapts it to Whoosh, tests use it directly. Each step is a
small function; `analyze` composes them in one visible line per word.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

from search_service.text.morphology import english_terms, russian_lemmas
from search_service.text.scripts import fold_lookalikes, has_cyrillic, has_latin

# Letters and digits, joined by hyphens; an English possessive or contraction stays with its word.
_WORD = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)*(?:['\u2019][^\W\d_]+)?")
_HYPHENS = re.compile(r"[-\u2010\u2011]")
_CHUNK = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Term:
    """One index term: `text` at word `position`, found at characters `start:end` of the input."""

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


def normalize(word: str) -> str:
    """Lowercase, fold ё to е, typographic apostrophes to ', and look-alike letters of the other script."""
    return fold_lookalikes(word.lower().replace("ё", "е").replace("\u2019", "'"))


@lru_cache(maxsize=300_000)
def word_terms(word: str) -> tuple[str, ...]:
    """Index terms for one normalized word without hyphens: lemmas, a stem, or the word itself."""
    if has_cyrillic(word):
        return russian_lemmas(word)
    if has_latin(word):
        return english_terms(word)
    return (word,)


@dataclass(frozen=True, slots=True)
class WordTerms:
    """Index terms of one written word, relative to the word; worked out once per distinct spelling."""

    whole: tuple[str, ...]  # terms of the whole word
    parts: tuple[tuple[str, int, int, int], ...]  # (term, position offset, start, end) of each hyphen part's terms
    width: int  # positions the word takes: one per hyphen part


@lru_cache(maxsize=300_000)
def analyze_word(surface: str) -> WordTerms:
    """Terms of a word as written; cached, because a corpus repeats its words many times over."""
    normalized = normalize(surface)
    parts = _HYPHENS.split(normalized)
    part_terms = []
    if len(parts) > 1:
        offset = 0
        for index, part in enumerate(parts):
            part_terms.extend((term, index, offset, offset + len(part)) for term in word_terms(part))
            offset += len(part) + 1
    return WordTerms(word_terms(normalized), tuple(part_terms), len(parts))


def analyze(text: str, hyphen_parts: bool = True) -> Iterator[Term]:
    """Index terms of a text, in order; alternatives for one word share its position.

    A hyphenated word yields its own terms and those of each part, so `Во-первых` is found by
    `во-первых` and by `первых`. A query word leaves the parts out (`hyphen_parts=False`): the
    whole word is in the index, and its parts alone (`в`) would match nearly everything. Positions
    advance the same either way, so phrases line up.
    """
    position = 0
    for match in _WORD.finditer(text):
        word = analyze_word(match.group())
        start, end = match.span()
        for term in word.whole:
            yield Term(term, position, start, end)
        if hyphen_parts:
            for term, offset, part_start, part_end in word.parts:
                yield Term(term, position + offset, start + part_start, start + part_end)
        position += word.width


# What indexing hands the engine for one term: its (position, start, end) in the text, in order.
Occurrences = list[tuple[int, int, int]]


@lru_cache(maxsize=200_000)
def _chunk_terms(chunk: str) -> tuple[tuple[tuple[str, int, int, int], ...], int]:
    """`analyze` of one whitespace-free chunk, as (term, position, start, end) tuples, and its width."""
    terms = tuple((term.text, term.position, term.start, term.end) for term in analyze(chunk))
    return terms, sum(analyze_word(surface).width for surface in _WORD.findall(chunk))


def index_terms(text: str) -> dict[str, Occurrences]:
    """Every term of `analyze(text)` with its occurrences, grouped by term: the indexing hot path.

    Works chunk by chunk between whitespace (no word spans whitespace, so the words and their
    order are the same), so that a chunk seen before costs one cache look-up instead of a regex
    scan and an object per term.
    """
    occurrences: dict[str, Occurrences] = defaultdict(list)
    position = 0
    for match in _CHUNK.finditer(text):
        terms, width = _chunk_terms(match.group())
        if terms:
            start = match.start()
            for term, offset, term_start, term_end in terms:
                occurrences[term].append((position + offset, start + term_start, start + term_end))
        position += width
    return occurrences
