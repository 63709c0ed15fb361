"""Near terms from the index vocabulary: archive typos, names in the other script, irregular forms.

The engine widens a query with these after its exact terms (see `index.Engine.search`), so a
record found only through one never ranks above a record found by the words as typed.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from whoosh.index import Index

from search_service.text.near_forms import irregular_stems, is_dictionary_word, max_edits, max_spelling_edits
from search_service.text.scripts import has_cyrillic, has_latin
from search_service.text.transliteration import latin_spelling, same_sound
from search_service.engine.schema import LANGUAGE_FIELDS

# A typo is rare by nature: an archive misspelling appears in a record or two. Joining a query word
# only to such rare terms keeps its real neighbours (социалист for социализм) out.
RARE_DOCUMENTS = 3
# At most this many near terms per query term: each is one more term to look up in every field.
MAX_NEAR_PER_TERM = 4
_CANDIDATES = 25  # nearest terms looked at before the rarity and sound checks


class Vocabulary:
    """The Russian and English terms of one index generation, and their spellings in Latin letters."""

    def __init__(self, index: Index) -> None:
        self._reader = reader = index.reader()
        self._reader_lock = threading.Lock()  # a Whoosh reader seeks in its files: one caller at a time
        # Choices bucketed by length: a term more letters away than the edits allowed cannot match,
        # so a lookup compares a few buckets instead of the whole vocabulary.
        self._terms: dict[str, dict[int, list[str]]] = {field: defaultdict(list) for field in LANGUAGE_FIELDS}
        self._spellings: dict[str, dict[int, list[str]]] = {field: defaultdict(list) for field in LANGUAGE_FIELDS}
        self._spelled: dict[str, dict[str, list[str]]] = {field: defaultdict(list) for field in LANGUAGE_FIELDS}
        for field in LANGUAGE_FIELDS:
            for raw in reader.lexicon(field):
                term = raw.decode("utf-8")
                spelling = latin_spelling(term) if field == "ru" else term
                self._terms[field][len(term)].append(term)
                if spelling not in self._spelled[field]:
                    self._spellings[field][len(spelling)].append(spelling)
                self._spelled[field][spelling].append(term)
        self.near_terms = lru_cache(maxsize=10_000)(self.near_terms)
        irregular_stems("went")  # loads lemminflect's tables (about a second) here rather than in a search

    def close(self) -> None:
        self._reader.close()

    def near_terms(self, term: str) -> tuple[str, ...]:
        """Terms a record may hold for query term `term`: irregular lemmas, archive typos, other-script spellings."""
        if has_cyrillic(term):
            field, other, spelling = "ru", "en", latin_spelling(term)
        elif has_latin(term):
            field, other, spelling = "en", "ru", term
        else:
            return ()
        near = list(irregular_stems(term)) if field == "en" else []
        near += self._typos(field, term)
        if not is_dictionary_word(term):
            near += self._other_script(other, term, spelling)
        unique = [t for index, t in enumerate(near) if t != term and t not in near[:index]]
        return tuple(unique[:MAX_NEAR_PER_TERM])

    def closest(self, term: str) -> str | None:
        """The term of the index nearest to `term` (a word the index lacks) within its typo distance;
        of equally near ones the most frequent. None when nothing is near enough."""
        field = "ru" if has_cyrillic(term) else "en"
        found = _nearest(term, self._terms[field], max_edits(term))
        if not found:
            return None
        best = found[0][0]
        return max((candidate for distance, candidate in found if distance == best),
                   key=lambda candidate: self._documents(field, candidate))

    def _typos(self, field: str, term: str) -> list[str]:
        """Rare terms within the typo distance for the term's length, rarer than the term itself."""
        edits = max_edits(term)
        if not edits:
            return []
        limit = min(RARE_DOCUMENTS, max(self._documents(field, term) - 1, 1))
        return [candidate for _, candidate in _nearest(term, self._terms[field], edits)
                if candidate != term and self._documents(field, candidate) <= limit]

    def _documents(self, field: str, term: str) -> int:
        with self._reader_lock:
            return self._reader.doc_frequency(field, term)

    def _other_script(self, field: str, term: str, spelling: str) -> list[str]:
        """Terms of `field` spelled like `term` in Latin letters and sounding like it: the closest only."""
        edits = max_spelling_edits(spelling)
        if not edits:
            return []
        sounding = [(distance, candidate)
                    for distance, choice in _nearest(spelling, self._spellings[field], edits)
                    for candidate in self._spelled[field][choice] if same_sound(term, candidate)]
        best = min((distance for distance, _ in sounding), default=None)
        return [candidate for distance, candidate in sounding if distance == best]


def _nearest(text: str, by_length: dict[int, list[str]], edits: int) -> list[tuple[int, str]]:
    """(distance, choice) for the choices within `edits` of `text`, nearest first."""
    choices = [choice for length in range(len(text) - edits, len(text) + edits + 1)
               for choice in by_length.get(length, ())]
    found = process.extract(text, choices, scorer=Levenshtein.distance, score_cutoff=edits, limit=_CANDIDATES)
    return sorted((distance, choice) for choice, distance, _ in found)
