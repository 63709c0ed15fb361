"""What a word is in its language: Russian lemmas and word classes from pymorphy3, English stems
from Snowball, and the function words a query may leave out.

The only module that talks to pymorphy3; it takes normalized words (see `analysis.normalize`).
"""

from __future__ import annotations

from functools import lru_cache

import Stemmer
import pymorphy3
from anyascii import anyascii

from search_service.text.scripts import has_cyrillic

# pymorphy3 can offer many guesses for one form; past a few they only add noise.
MAX_LEMMAS = 4
# A dictionary word keeps a lemma only when pymorphy3 rates it at least this share of the best one:
# `были` is быть (0.997), hardly ever the plural of быль (0.005), and indexing быль there made `быль`
# find every `были`; `стали` keeps сталь (0.03 of стать), which the steel queries need. Measured
# with bench/quality (0.01 keeps lemma accuracy at 99.4% and cuts spurious terms by 14%).
MIN_LEMMA_SHARE = 0.01
# pymorphy3's tags for people's names (first names, surnames, patronymics): forms whose best
# lemma is often a wrong guess, so their other guesses and the form itself are kept.
_PERSON_NAME_GRAMMEMES = frozenset({"Name", "Surn", "Patr"})
# pymorphy3's tags for proper names of any kind: people, places, organisations, trade marks.
_PROPER_NAME_GRAMMEMES = _PERSON_NAME_GRAMMEMES | {"Geox", "Orgn", "Trad"}

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

# German umlauts as English-language texts spell them when the letter is missing (Norrkoeping).
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


@lru_cache(maxsize=1)
def _analyzer() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


def load_dictionaries() -> None:
    """Load pymorphy3's dictionaries now (about a second) rather than during the first word analysed."""
    _analyzer()


def _parses(word: str) -> list:
    """pymorphy3's parses of a word; none for a word holding a character Unicode gives no name (it
    classifies a word's shape by its characters' names, and fails on those: `𗀀а`)."""
    try:
        return _analyzer().parse(word)
    except ValueError:
        return []


@lru_cache(maxsize=300_000)
def russian_lemmas(word: str) -> tuple[str, ...]:
    """Lemmas pymorphy3 offers for a normalized Russian word, best first.

    A dictionary word keeps the lemmas rated at least MIN_LEMMA_SHARE of the best. A word the
    dictionary does not know keeps every guess and the word itself, and so does a word it knows
    best as a name: for a name the best guess can be wrong (`готвальду` -> готвальда) while another
    guess (`готвальд`) or the form as written (`санжеев`, known only as a form of the name санжей)
    meets the other forms.
    """
    morph = _analyzer()
    parses = _parses(word)
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
        if not _PERSON_NAME_GRAMMEMES & parses[0].tag.grammemes:
            return tuple(lemmas)
    return tuple(lemmas if word in lemmas else lemmas + [word])


def is_russian_dictionary_word(word: str) -> bool:
    """True for a Russian word pymorphy3's dictionary knows and never reads as a proper name
    (`совет`; not `прага`, `хрущев`, nor a word it only guesses at)."""
    morph = _analyzer()
    return morph.word_is_known(word) and not any(
        _PROPER_NAME_GRAMMEMES & parse.tag.grammemes for parse in _parses(word))


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=300_000)
def english_stem(word: str) -> str:
    """The Snowball English stem of a normalized word, its accents folded first (`norrköping` ->
    `norrkop`, as the archive's own `Norrkoping`): Snowball English stems only ASCII letters."""
    return _stemmer().stemWord(word if word.isascii() else anyascii(word).lower())


def english_terms(word: str) -> tuple[str, ...]:
    """Stems of a Latin word; one with umlauts also as spelt without them (`köln`: koln, koeln)."""
    stems = (english_stem(word), english_stem(word.translate(_UMLAUTS)))
    return stems[:1] if stems[0] == stems[1] else stems


@lru_cache(maxsize=1)
def _english_stop_terms() -> frozenset[str]:
    return frozenset(english_stem(word) for word in ENGLISH_STOP_WORDS)


@lru_cache(maxsize=100_000)
def is_stop_term(term: str) -> bool:
    """True when an index term (a Russian lemma, an English stem) is a function word: a query may
    leave it out of the words every hit must have."""
    if has_cyrillic(term):
        parses = _parses(term)
        return term in _RUSSIAN_STOP_LEMMAS or bool(parses and STOP_GRAMMEMES & parses[0].tag.grammemes)
    return term in _english_stop_terms()
