"""Forms of a query word that the index analysis does not produce, for forgiving queries.

Plain Python, used by the engine to widen a query after its exact terms: how many typing errors a
word may carry, whether it is a dictionary word (translated, so never joined to a look-alike in the
other script; see `transliteration` for names), and English irregular lemmas (`withdrew` ->
`withdraw`, `left` -> `leave`) that the Snowball stemmer cannot join.
"""

from __future__ import annotations

from functools import lru_cache

from lemminflect import getAllLemmas

from search_service.text.morphology import english_stem, is_russian_dictionary_word
from search_service.text.scripts import has_cyrillic

# Edit distance a word of this length may differ by, as the better engines do (Elasticsearch's
# AUTO:5,9, Typesense, Meilisearch): none for short words, where one letter makes another word.
_ONE_EDIT_FROM, _TWO_EDITS_FROM = 5, 9
# Parts of speech whose irregular forms join: verbs (withdrew, left) and nouns (children, men).
# Not adjectives: lemminflect gives `better` -> `good`, a different word to a searcher.
_LEMMA_POS = ("VERB", "NOUN")


def max_edits(word: str) -> int:
    """Typing errors a word of this length may carry and still be the same word: 0, 1 or 2."""
    if len(word) >= _TWO_EDITS_FROM:
        return 2
    return 1 if len(word) >= _ONE_EDIT_FROM else 0


def max_spelling_edits(word: str) -> int:
    """Edits allowed between two spellings of one name in Latin letters (Gotvald / Gottwald, two):
    transliteration schemes differ by a letter or two, so two from 7 letters; none below 5."""
    if len(word) >= 7:
        return 2
    return 1 if len(word) >= _ONE_EDIT_FROM else 0


@lru_cache(maxsize=100_000)
def irregular_stems(word: str) -> tuple[str, ...]:
    """Stems of the lemmas of an English word that its own stem misses: `left` -> ('leav',).

    Only lemmas from lemminflect's dictionary (no guessing for unknown words, which would turn
    `news` into `new`), and only those whose stem differs from the word's own.
    """
    own = english_stem(word)
    stems: list[str] = []
    for pos, lemmas in getAllLemmas(word).items():
        for lemma in lemmas if pos in _LEMMA_POS else ():
            stem = english_stem(lemma.lower())
            if stem != own and stem not in stems:
                stems.append(stem)
    return tuple(stems)


@lru_cache(maxsize=100_000)
def is_dictionary_word(term: str) -> bool:
    """True for a word of its own language's dictionary that is not a name (`совет`, `aggressor`).

    Such a word is translated, not transliterated, so a look-alike in the other script is a false
    friend (совет / Soviet); a name (`прага`, `хрущев`) or a word no dictionary knows (`gotvald`,
    `sovet`: Russian typed in Latin letters) is what transliteration joins.
    """
    if has_cyrillic(term):
        return is_russian_dictionary_word(term)
    return bool(getAllLemmas(term))
