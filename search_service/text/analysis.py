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

import Stemmer
import pymorphy3
from anyascii import anyascii

# Letters and digits, joined by hyphens; an English possessive or contraction stays with its word.
_WORD = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)*(?:['\u2019][^\W\d_]+)?")
_HYPHENS = re.compile(r"[-\u2010\u2011]")
_CHUNK = re.compile(r"\S+")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[a-z]")

# Latin letters that look like Cyrillic ones (after lowercasing), and the reverse.
_LATIN_TO_CYRILLIC = str.maketrans("aceopxykmhtb", "асеорхукмнтв")
_CYRILLIC_TO_LATIN = str.maketrans("асеорхукмнтв", "aceopxykmhtb")
_LATIN_LOOKALIKES = set("aceopxykmhtb")
_CYRILLIC_LOOKALIKES = set("асеорхукмнтв")

# pymorphy3 can offer many guesses for one form; past a few they only add noise.
MAX_LEMMAS = 4
# A dictionary word keeps a lemma only when pymorphy3 rates it at least this share of the best one:
# `были` is быть (0.997), hardly ever the plural of быль (0.005), and indexing быль there made `быль`
# find every `были`; `стали` keeps сталь (0.03 of стать), which the steel queries need. Measured
# with bench/quality (0.01 keeps lemma accuracy at 99.4% and cuts spurious terms by 14%).
MIN_LEMMA_SHARE = 0.01
# pymorphy3's tags for first names, surnames and patronymics.
_NAME_GRAMMEMES = frozenset({"Name", "Surn", "Patr"})


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


def load_dictionaries() -> None:
    """Load pymorphy3's dictionaries now (about a second) rather than during the first word analysed."""
    _morph()


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=300_000)
def russian_lemmas(word: str) -> tuple[str, ...]:
    """Lemmas pymorphy3 offers for a normalized Russian word, best first.

    A dictionary word keeps the lemmas rated at least MIN_LEMMA_SHARE of the best. A word the
    dictionary does not know keeps every guess and the word itself, and so does a word it knows
    best as a name: for a name the best guess can be wrong (`готвальду` -> готвальда) while another
    guess (`готвальд`) or the form as written (`санжеев`, known only as a form of the name санжей)
    meets the other forms.
    """
    morph = _morph()
    parses = morph.parse(word)
    scores: dict[str, float] = {}
    for parse in parses:
        lemma = parse.normal_form.replace("ё", "е")
        scores[lemma] = scores.get(lemma, 0.0) + parse.score
    if not scores:
        return (word,)
    if not morph.word_is_known(word):
        lemmas = list(scores)[:MAX_LEMMAS]
    else:
        best = max(scores.values())
        lemmas = [lemma for lemma, score in scores.items() if score >= MIN_LEMMA_SHARE * best][:MAX_LEMMAS]
        if not _NAME_GRAMMEMES & parses[0].tag.grammemes:
            return tuple(lemmas)
    return tuple(lemmas if word in lemmas else lemmas + [word])


@lru_cache(maxsize=300_000)
def english_stem(word: str) -> str:
    """The Snowball English stem of a normalized word, its accents folded first (`norrköping` ->
    `norrkop`, as the archive's own `Norrkoping`): Snowball English stems only ASCII letters."""
    return _stemmer().stemWord(word if word.isascii() else anyascii(word).lower())


# German umlauts as English-language texts spell them when the letter is missing (Norrkoeping).
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def english_terms(word: str) -> tuple[str, ...]:
    """Stems of a Latin word; one with umlauts also as spelt without them (`köln`: koln, koeln)."""
    stems = (english_stem(word), english_stem(word.translate(_UMLAUTS)))
    return stems[:1] if stems[0] == stems[1] else stems


# Words a question is made of rather than what it asks about. English has no tagger here, so a
# short list of function words; Russian ones are told by pymorphy3's grammar (STOP_GRAMMEMES).
ENGLISH_STOP_WORDS = frozenset("""
    a an the and or but if of at by for with about to from in into on onto off over under out up
    as than then so not no nor do does did done doing be is are was were been being am have has had
    having will would shall should can could may might must i me my we us our you your he him his she
    her it its they them their this that these those there here what which who whom whose why how
    when where whether while
    """.split())
# Prepositions, conjunctions, particles, interjections, pronouns, pronominal adjectives (какой,
# этот), question adverbs (почему, где); with быть and сколько, which pymorphy3 tags as a verb and a
# plain adverb.
STOP_GRAMMEMES = frozenset({"PREP", "CONJ", "PRCL", "INTJ", "NPRO", "Apro", "Ques"})
_RUSSIAN_STOP_LEMMAS = frozenset({"быть", "сколько"})


@lru_cache(maxsize=1)
def _english_stop_terms() -> frozenset[str]:
    return frozenset(english_stem(word) for word in ENGLISH_STOP_WORDS)


@lru_cache(maxsize=100_000)
def is_stop_term(term: str) -> bool:
    """True when an index term (a Russian lemma, an English stem) is a function word: a query may
    leave it out of the words every hit must have."""
    if _CYRILLIC.search(term):
        return term in _RUSSIAN_STOP_LEMMAS or bool(STOP_GRAMMEMES & _morph().parse(term)[0].tag.grammemes)
    return term in _english_stop_terms()


@lru_cache(maxsize=300_000)
def word_terms(word: str) -> tuple[str, ...]:
    """Index terms for one normalized word without hyphens: lemmas, a stem, or the word itself."""
    if _CYRILLIC.search(word):
        return russian_lemmas(word)
    if _LATIN.search(word):
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
