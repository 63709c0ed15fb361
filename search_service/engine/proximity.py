"""The proximity boost: a record where the query's words stand close together, in order, scores higher.

When the words of the phrase `querying.proximity_query` builds stand in order in one field of a
record, each at most `slop` positions after the one before, their scores count twice. Whoosh's
phrase matcher would read word positions in every record that has all the words (a third of a
query's time); here they are read from the query's own term matchers, which already stand on the
record being collected, and only for a record whose score could still reach the page with the
boost (see `collecting.PageCollector`). A query scored on arrays (`vectorised.py`) gets the same
boost from `Boost`, which reads the positions from the postings' blocks (see `ranking.py`).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

import numpy as np
from whoosh import query
from whoosh.matching import Matcher

from search_service.engine.postings import PostingArrays

# Occurrences of one term in one record whose positions are read: past the first few thousand
# occurrences of its words in one text, a phrase adds nothing a reader would see, and a 5 MB record
# holds tens of thousands of each.
MAX_POSITIONS = 5_000
# (field, term) -> the query's matcher of that term, and the matcher of the word it belongs to
# (`scoring.WordMatcher`: the word's score over all its fields and lemmas).
Leaves = dict[tuple[str, bytes], tuple[Matcher, Matcher]]


@dataclass(frozen=True)
class Phrase:
    """The query's words in one field: each word's alternative terms (lemmas, hyphen parts)."""

    field: str
    slop: int
    words: tuple[tuple[bytes, ...], ...]


def phrases(near: query.Query) -> list[Phrase]:
    """The per-field phrases of a `querying.proximity_query` (an Or of Sequences, one per field)."""
    found = []
    for sequence in (near.subqueries if isinstance(near, query.Or) else [near]):
        if not isinstance(sequence, query.Sequence):
            continue
        words = []
        for word in sequence.subqueries:
            terms = word.subqueries if isinstance(word, query.Or) else [word]
            words.append(tuple(term.text.encode("utf-8") for term in terms if isinstance(term, query.Term)))
        fields = {term.fieldname for term in sequence.leaves() if isinstance(term, query.Term)}
        if len(fields) == 1 and all(words):
            found.append(Phrase(fields.pop(), sequence.slop, tuple(words)))
    return found


def bonus(found: list[Phrase], leaves: Leaves, docnum: int) -> float:
    """The score of the words that stand in order close together in a field of record `docnum`
    (each word once). They are the query's own words, so this is at most the record's score."""
    near_words: dict[int, Matcher] = {}
    for phrase in found:
        steps = _on_record(phrase, leaves, docnum)
        # Positions are decoded only once every word is known to be in the field.
        if steps and in_order([{p for leaf, _ in here for p in leaf.value_as("positions")[:MAX_POSITIONS]} for here in steps],
                              phrase.slop):
            near_words.update((id(word), word) for here in steps for _, word in here)
    return sum(word.score() for word in near_words.values())


def _on_record(phrase: Phrase, leaves: Leaves, docnum: int) -> list[list[tuple[Matcher, Matcher]]] | None:
    """For each word of the phrase, the (term, word) matchers of its alternatives standing on record
    `docnum`; None when a word is not in the record's field."""
    steps = []
    for alternatives in phrase.words:
        here = [entry for text in alternatives if (entry := leaves.get((phrase.field, text))) is not None
                and entry[0].is_active() and entry[0].id() == docnum]
        if not here:
            return None
        steps.append(here)
    return steps


def in_order(words: list[set[int]], slop: int) -> bool:
    """True when one position of each word follows one of the word before by 1 to `slop`."""
    reached = sorted(words[0])
    for positions in words[1:]:
        # Positions of this word with a reached one in [p - slop, p - 1].
        reached = [p for p in sorted(positions) if bisect_left(reached, p) > bisect_left(reached, p - slop)]
        if not reached:
            return False
    return True


class Boost:
    """The proximity boost for a query scored on arrays (`vectorised.py`): positions are read from
    the postings for the few records that could reach the page, and only where some field holds
    every word of a phrase (`possible`)."""

    def __init__(self, found: list[Phrase], arrays: PostingArrays, words: dict[tuple[str, bytes], np.ndarray]
                 ) -> None:
        self._phrases, self._arrays, self._words = found, arrays, words
        self._every = []  # for each phrase, whether a record's field holds every one of its words
        for phrase in found:
            every = np.ones(arrays.size, bool)
            for alternatives in phrase.words:
                here = np.zeros(arrays.size, bool)
                for text in alternatives:
                    here[arrays.postings(phrase.field, text).docs] = True
                every &= here
            self._every.append(every)
        self.possible = np.logical_or.reduce(self._every) if self._every else np.zeros(arrays.size, bool)

    def bonus(self, docnum: int, opened: dict) -> float:
        """As `bonus`: the scores of the words standing in order close together in one of the
        record's fields. `opened` keeps the term matchers and blocks read, for the next record."""
        near_words: dict[int, np.ndarray] = {}
        arrays = self._arrays
        for phrase, every in zip(self._phrases, self._every):
            if not every[docnum]:
                continue
            # Positions are decoded only once every word is known to be in the field (`every`).
            steps = [{text: place for text in alternatives
                      if (place := arrays.place(phrase.field, text, docnum)) is not None}
                     for alternatives in phrase.words]
            if in_order([self._positions(phrase.field, here, docnum, opened) for here in steps], phrase.slop):
                near_words.update((id(scores), scores) for here in steps for text in here
                                  if (scores := self._words.get((phrase.field, text))) is not None)
        return sum(float(scores[docnum]) for scores in near_words.values())

    def _positions(self, field: str, places: dict[bytes, int], docnum: int, opened: dict) -> set[int]:
        """The positions in the record's field of a word's alternatives (term -> its posting number)."""
        return {position for text, place in places.items()
                for position in self._arrays.value(field, text, docnum, place, opened, "positions")[:MAX_POSITIONS]}
