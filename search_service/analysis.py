"""Text analysis shared by indexing and querying: words -> normalized index terms.

Plain Python on purpose: the engine adapts it to Whoosh, tests use it directly. Each step is a
small function; `analyze` composes them in one visible line per word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

import Stemmer
import pymorphy3

# Letters and digits, joined by hyphens; an English possessive or contraction stays with its word.
_WORD = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)*(?:['\u2019][^\W\d_]+)?")
_HYPHENS = re.compile(r"[-\u2010\u2011]")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[a-z]")

# Latin letters that look like Cyrillic ones (after lowercasing), and the reverse.
_LATIN_TO_CYRILLIC = str.maketrans("aceopxykmhtb", "асеорхукмнтв")
_CYRILLIC_TO_LATIN = str.maketrans("асеорхукмнтв", "aceopxykmhtb")
_LATIN_LOOKALIKES = set("aceopxykmhtb")
_CYRILLIC_LOOKALIKES = set("асеорхукмнтв")

# pymorphy3 can offer many guesses for one form; past a few they only add noise.
MAX_LEMMAS = 4


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


def fold_lookalikes(word: str) -> str:
    """Fold Latin letters inside a mostly Cyrillic word to Cyrillic (`Cовершенно`), and the reverse."""
    cyrillic = len(_CYRILLIC.findall(word))
    latin = len(_LATIN.findall(word))
    if not cyrillic or not latin:
        return word
    if cyrillic >= latin and all(c in _LATIN_LOOKALIKES for c in _LATIN.findall(word)):
        return word.translate(_LATIN_TO_CYRILLIC)
    if latin > cyrillic and all(c in _CYRILLIC_LOOKALIKES for c in _CYRILLIC.findall(word)):
        return word.translate(_CYRILLIC_TO_LATIN)
    return word


@lru_cache(maxsize=1)
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=300_000)
def russian_lemmas(word: str) -> tuple[str, ...]:
    """All distinct lemmas pymorphy3 offers for a normalized Russian word, best first.

    All of them, not just the best: for a name the dictionary does not know (`готвальду`) the best
    guess can be wrong (`готвальда`) while another guess meets the other forms (`готвальд`).
    """
    lemmas: list[str] = []
    for parse in _morph().parse(word):
        lemma = parse.normal_form.replace("ё", "е")
        if lemma not in lemmas:
            lemmas.append(lemma)
            if len(lemmas) == MAX_LEMMAS:
                break
    return tuple(lemmas) or (word,)


@lru_cache(maxsize=300_000)
def english_stem(word: str) -> str:
    """The Snowball English stem of a normalized word."""
    return _stemmer().stemWord(word)


@lru_cache(maxsize=300_000)
def word_terms(word: str) -> tuple[str, ...]:
    """Index terms for one normalized word without hyphens: lemmas, a stem, or the word itself."""
    if _CYRILLIC.search(word):
        return russian_lemmas(word)
    if _LATIN.search(word):
        return (english_stem(word),)
    return (word,)


def analyze(text: str, hyphen_parts: bool = True) -> Iterator[Term]:
    """Index terms of a text, in order; alternatives for one word share its position.

    A hyphenated word yields its own terms and those of each part, so `Во-первых` is found by
    `во-первых` and by `первых`. A query word leaves the parts out (`hyphen_parts=False`): the
    whole word is in the index, and its parts alone (`в`) would match nearly everything. Positions
    advance the same either way, so phrases line up.
    """
    position = 0
    for word in words(text):
        normalized = normalize(word.surface)
        for term in word_terms(normalized):
            yield Term(term, position, word.start, word.end)
        parts = _HYPHENS.split(normalized)
        if len(parts) > 1:
            if hyphen_parts:
                offset = word.start
                for index, part in enumerate(parts):
                    for term in word_terms(part):
                        yield Term(term, position + index, offset, offset + len(part))
                    offset += len(part) + 1
            position += len(parts) - 1
        position += 1
