"""Near terms from the index vocabulary (archive typos, names in the other script, irregular forms),
and a query widened with them.

The engine searches the widened query after the exact one (see `tiers.search`), so a record
found only through a near term never ranks above a record found by the words as typed.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from functools import lru_cache
from heapq import nlargest
from typing import Callable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from whoosh import query
from whoosh.index import Index

from search_service.engine import querying
from search_service.engine.schema import FIELD_BOOSTS, LANGUAGE_FIELDS
from search_service.engine.scoring import CombinedTerm
from search_service.text.near_forms import irregular_stems, is_dictionary_word, max_edits, max_spelling_edits
from search_service.text.scripts import has_cyrillic, has_latin
from search_service.text.transliteration import latin_spelling, sound_skeleton

# A typo is rare by nature: an archive misspelling appears in a record or two. Joining a query word
# only to such rare terms keeps its real neighbours (социалист for социализм) out.
RARE_DOCUMENTS = 3
# At most this many near terms per query term: each is one more term to look up in every field.
MAX_NEAR_PER_TERM = 4
_CANDIDATES = 25  # nearest terms looked at before the rarity check
# Shorter words are not joined across scripts: three letters sound like too many others.
MIN_NAME_CHARS = 4
LONG_SKELETON = 5  # consonants that make a sound match strong enough for a loose spelling


class Vocabulary:
    """The Russian and English terms of one index generation, in order, by length, by the sound they
    share across scripts, and how many records hold each."""

    def __init__(self, index: Index) -> None:
        reader = index.reader()
        self._sorted: dict[str, list[str]] = {field: [] for field in LANGUAGE_FIELDS}  # the lexicon's order
        self._records: dict[str, dict[str, int]] = {field: {} for field in LANGUAGE_FIELDS}
        # Choices bucketed by length: a term more letters away than the edits allowed cannot match,
        # so a lookup compares a few buckets instead of the whole vocabulary.
        self._terms: dict[str, dict[int, list[str]]] = {field: defaultdict(list) for field in LANGUAGE_FIELDS}
        # Terms by the consonant skeleton they sound like in any script (Рузвельт, Roosevelt: rsvlt).
        self._sounds: dict[str, dict[str, list[str]]] = {field: defaultdict(list) for field in LANGUAGE_FIELDS}
        for field in LANGUAGE_FIELDS:
            for raw, info in reader.iter_field(field):
                term = raw.decode("utf-8")
                self._sorted[field].append(term)
                self._records[field][term] = info.doc_frequency()
                self._terms[field][len(term)].append(term)
                if len(term) >= MIN_NAME_CHARS:
                    self._sounds[field][sound_skeleton(term)].append(term)
        reader.close()
        self.near_terms = lru_cache(maxsize=10_000)(self.near_terms)
        irregular_stems("went")  # loads lemminflect's tables (about a second) here rather than in a search

    def widen(self, q: query.Query) -> query.Query | None:
        """`q` with its terms' near terms as alternatives (see `widen`)."""
        return widen(q, self.near_terms)

    def near_terms(self, term: str) -> tuple[str, ...]:
        """Terms a record may hold for query term `term`: irregular lemmas, archive typos, other-script spellings."""
        field = "ru" if has_cyrillic(term) else "en" if has_latin(term) else None
        if field is None:
            return ()
        # The other script's spelling first: a name has one, and the typo slots must not crowd it out.
        near = list(self.other_script(term))
        near += irregular_stems(term) if field == "en" else ()
        near += self._typos(field, term)
        unique = [t for index, t in enumerate(near) if t != term and t not in near[:index]]
        return tuple(unique[:MAX_NEAR_PER_TERM])

    def other_script(self, term: str) -> tuple[str, ...]:
        """The other language's terms that spell query term `term` in its script (a name: Готвальд and
        Gottwald); none for a dictionary word, which has a translation instead."""
        if is_dictionary_word(term):
            return ()
        if has_cyrillic(term):
            return tuple(self._other_script("en", term, latin_spelling(term)))
        return tuple(self._other_script("ru", term, term)) if has_latin(term) else ()

    def closest(self, term: str) -> str | None:
        """The term of the index nearest to `term` (a word the index lacks) within its typo distance;
        of equally near ones the most frequent. None when nothing is near enough."""
        field = "ru" if has_cyrillic(term) else "en"
        found = _nearest(term, self._terms[field], max_edits(term))
        if not found:
            return None
        best = found[0][0]
        return max((candidate for distance, candidate in found if distance == best),
                   key=lambda candidate: self.records(field, candidate))

    def _typos(self, field: str, term: str) -> list[str]:
        """Rare terms within the typo distance for the term's length, rarer than the term itself."""
        edits = max_edits(term)
        if not edits:
            return []
        limit = min(RARE_DOCUMENTS, max(self.records(field, term) - 1, 1))
        return [candidate for _, candidate in _nearest(term, self._terms[field], edits)
                if candidate != term and self.records(field, candidate) <= limit]

    def starting_with(self, field: str, prefix: str, count: int) -> list[tuple[str, int]]:
        """The `count` terms of `field` most records hold that start with `prefix` or that `prefix`
        has already passed (`securi` is past the stem `secur` of security), with their record counts."""
        terms = self._sorted[field]
        first = bisect_left(terms, prefix)
        last = bisect_left(terms, prefix + "\U0010ffff", lo=first)
        found = {term: self._records[field][term] for term in terms[first:last]}
        for end in range(len(prefix) - 1, 2, -1):
            if prefix[:end] in self._records[field]:
                found.setdefault(prefix[:end], self._records[field][prefix[:end]])
        return nlargest(count, found.items(), key=lambda item: (item[1], -len(item[0])))

    def records(self, field: str, term: str) -> int:
        """How many records hold `term` in `field`."""
        return self._records[field].get(term, 0)

    def _other_script(self, field: str, term: str, spelling: str) -> list[str]:
        """Terms of `field` that sound like `term` (the same consonant skeleton) and are spelled alike in
        Latin letters, the closest only: within a transliteration scheme's few letters (`bezopasnosti`
        for безопасность, Gotvald / Gottwald), or, for a name that no dictionary holds and whose five
        or more consonants agree, half the letters (ruzvelt / roosevelt)."""
        skeleton = sound_skeleton(term)
        if len(term) < MIN_NAME_CHARS or len(skeleton) < 2:
            return []
        sounding = []
        for candidate in self._sounds[field].get(skeleton, ()):
            distance = Levenshtein.distance(spelling, latin_spelling(candidate))
            if distance <= max_spelling_edits(spelling) or (
                    len(skeleton) >= LONG_SKELETON and distance <= max(len(spelling), len(candidate)) // 2
                    and not is_dictionary_word(candidate)):
                sounding.append((distance, candidate))
        best = min((distance for distance, _ in sounding), default=None)
        return [candidate for distance, candidate in sounding if distance == best]


def _nearest(text: str, by_length: dict[int, list[str]], edits: int) -> list[tuple[int, str]]:
    """(distance, choice) for the choices within `edits` of `text`, nearest first."""
    choices = [choice for length in range(len(text) - edits, len(text) + edits + 1)
               for choice in by_length.get(length, ())]
    found = process.extract(text, choices, scorer=Levenshtein.distance, score_cutoff=edits, limit=_CANDIDATES)
    return sorted((distance, choice) for choice, distance, _ in found)


# Near terms a whole query may add (a query has at most a few dozen words; each near term is looked
# up in every field searched).
MAX_NEAR_TERMS = 40


def widen(q: query.Query, near_terms: Callable[[str], tuple[str, ...]]) -> query.Query | None:
    """`q` with each term's near terms (`near_terms(text) -> tuple[str, ...]`) as alternatives to it,
    matching only records that hold at least one near term.

    A record without any near term matches the widened query only if it matches `q`, and the
    engine searches for the others (the records `q` misses); requiring a near term lets Whoosh walk
    the few records with one instead of every record `q` matches.

    None when no term has any, or when the query excludes something: a widened NOT would silently
    drop records the user did not exclude.
    """
    if querying.has_negation(q):
        return None
    budget = MAX_NEAR_TERMS
    chosen: dict[str, tuple[str, ...]] = {}
    added: list[query.Query] = []  # the near alternatives alone

    def near(text: str) -> tuple[str, ...]:
        nonlocal budget
        if text not in chosen:
            chosen[text] = near_terms(text)[:max(budget, 0)]
            budget -= len(chosen[text])
        return chosen[text]

    def widen_term(node: query.Query) -> query.Query:
        if isinstance(node, CombinedTerm):
            more = tuple(dict.fromkeys(t for text in node.texts for t in near(text) if t not in node.texts))
            if not more:
                return node
            added.append(node.with_texts(more))
            return node.with_texts(node.texts + more)
        if isinstance(node, query.Term) and node.fieldname in FIELD_BOOSTS and near(node.text):
            alternatives = [query.Term(node.fieldname, text, boost=node.boost) for text in near(node.text)]
            added.extend(alternatives)
            return query.Or([node] + alternatives)
        return node

    widened = q.accept(widen_term)
    return query.Require(widened, query.Or(added)) if added else None
