"""The proximity boost: a record where the query's words stand close together, in order, scores higher.

The record gets the score of the phrase `querying.proximity_query` builds (the words in order, each
at most `slop` positions after the one before, in one field) added to its own, as
`AndMaybe(q, phrase)` would give it. Whoosh's phrase matcher reads word positions in every record
that has all the words, a third of a query's time; here they are read from the query's own term
matchers, which already stand on the record being collected, and only for a record whose score
could still reach the page with the boost (see `collecting.PageCollector`).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from whoosh import query
from whoosh.matching import Matcher

Leaves = dict[tuple[str, bytes], Matcher]  # (field, term) -> the query's matcher of that term


@dataclass(frozen=True)
class Phrase:
    """The query's words in one field: each word's alternative terms (lemmas, hyphen parts)."""

    field: str
    boost: float  # the field's weight
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
            found.append(Phrase(fields.pop(), sequence.boost, sequence.slop, tuple(words)))
    return found


def bonus(found: list[Phrase], leaves: Leaves, docnum: int) -> float:
    """The phrases' score in record `docnum`: in each field where the words stand in order close
    together, the field's weight times the words' scores there. The phrase's words are the query's,
    so this is at most the record's own score for the query."""
    total = 0.0
    for phrase in found:
        matchers = []
        for alternatives in phrase.words:
            here = [leaf for text in alternatives
                    if (leaf := leaves.get((phrase.field, text))) is not None and leaf.is_active() and leaf.id() == docnum]
            if not here:
                break
            matchers.append(here)
        else:
            # Positions are decoded only once every word is known to be in the field.
            positions = [{p for leaf in here for p in leaf.value_as("positions")} for here in matchers]
            if _in_order(positions, phrase.slop):
                total += phrase.boost * sum(leaf.score() for here in matchers for leaf in here)
    return total


def _in_order(words: list[set[int]], slop: int) -> bool:
    """True when one position of each word follows one of the word before by 1 to `slop`."""
    reached = sorted(words[0])
    for positions in words[1:]:
        # Positions of this word with a reached one in [p - slop, p - 1].
        reached = [p for p in sorted(positions) if bisect_left(reached, p) > bisect_left(reached, p - slop)]
        if not reached:
            return False
    return True
