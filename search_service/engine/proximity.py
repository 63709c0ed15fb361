"""The proximity boost, worked out for the best candidates only.

A record where the query's words stand close together, in order, gets the phrase's score added,
as `AndMaybe(q, near phrase)` would give it. Whoosh's phrase matcher
checks word positions in every record that has all the words, which was a third of a query's time;
here positions are read only for the best records by their other score that the boost could lift
onto the page (at most `RESCORE_WINDOW`, the way Elasticsearch's rescore window works).
"""

from __future__ import annotations

from bisect import bisect_left

from whoosh import query
from whoosh.matching import Matcher
from whoosh.searching import Results, Searcher

RESCORE_WINDOW = 100


class _TermsAt:
    """The postings of a phrase's terms, read at increasing record numbers.

    Positions come from unscored postings; a term's scorer (idf, lengths) is set up only when a
    record has the phrase, which most candidates do not.
    """

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._reader = searcher.reader()
        self._postings: dict[query.Term, Matcher | None] = {}
        self._scored: dict[query.Term, Matcher] = {}

    def positions(self, term: query.Term, docnum: int) -> list[int] | None:
        """The term's positions in record `docnum`, or None when the record lacks the term."""
        if term not in self._postings:
            key = (term.fieldname, term.text)
            self._postings[term] = self._reader.postings(*key) if key in self._reader else None
        matcher = _moved_to(self._postings[term], docnum)
        return matcher.value_as("positions") if matcher else None

    def score(self, term: query.Term, docnum: int) -> float:
        """What the term scores in record `docnum` (which has it)."""
        if term not in self._scored:
            self._scored[term] = term.matcher(self.searcher)
        matcher = _moved_to(self._scored[term], docnum)
        return matcher.score() if matcher else 0.0


def _moved_to(matcher: Matcher | None, docnum: int) -> Matcher | None:
    """`matcher` skipped forward to `docnum`; None when it does not hold that record."""
    if matcher is None:
        return None
    if matcher.is_active() and matcher.id() < docnum:
        matcher.skip_to(docnum)
    return matcher if matcher.is_active() and matcher.id() == docnum else None


def rescore(searcher: Searcher, results: Results, near: query.Query, limit: int) -> None:
    """Add the proximity score of `near` (phrases, see `querying.proximity_query`) to the hits of
    `results` that could reach its first `limit` with it, and put those hits in order again.

    The phrase's words are the query's own, so its score in a record is at most the record's score
    for the query: only a hit scoring at least half the `limit`-th best can climb into the first
    `limit`. At most RESCORE_WINDOW hits are looked at.
    """
    ranked = results.top_n
    if not ranked:
        return
    threshold = ranked[min(limit, len(ranked)) - 1][0] / 2
    window = [item for item in ranked[:RESCORE_WINDOW] if item[0] >= threshold]
    terms = _TermsAt(searcher)
    boosted = {docnum: score + _score(near, terms, docnum) for score, docnum in sorted(window, key=lambda item: item[1])}
    # Ties keep their earlier order (Whoosh breaks them by record number).
    ranked[:len(window)] = sorted(((boosted[docnum], docnum) for _, docnum in window), key=lambda item: -item[0])


def _score(q: query.Query, terms: _TermsAt, docnum: int) -> float:
    """What `q` scores at `docnum` (0 when it does not match), as Whoosh's matchers would score it."""
    if isinstance(q, query.Sequence):
        steps = []
        for step in q.subqueries:
            found = {term: positions for term in _alternatives(step)
                     if (positions := terms.positions(term, docnum)) is not None}
            if not found:
                return 0.0
            steps.append((step, found))
        if not _in_order([{p for positions in found.values() for p in positions} for _, found in steps], q.slop):
            return 0.0
        return q.boost * sum(_boost(step) * sum(terms.score(term, docnum) for term in found) for step, found in steps)
    if isinstance(q, query.Or):
        return q.boost * sum(_score(child, terms, docnum) for child in q.subqueries)
    if isinstance(q, query.Term):
        return terms.score(q, docnum) if terms.positions(q, docnum) is not None else 0.0
    return 0.0


def _boost(step: query.Query) -> float:
    # A term's own boost is in its matcher's score already.
    return step.boost if isinstance(step, query.Or) else 1.0


def _alternatives(step: query.Query) -> list[query.Term]:
    """The terms of one word of a phrase: a term, or an Or of its alternatives (lemmas, hyphen parts)."""
    children = step.subqueries if isinstance(step, query.Or) else [step]
    return [child for child in children if isinstance(child, query.Term)]


def _in_order(steps: list[set[int]], slop: int) -> bool:
    """True when one position of each step follows one of the step before by 1 to `slop`."""
    reached = sorted(steps[0])
    for positions in steps[1:]:
        # Positions of this step with a reached one in [p - slop, p - 1].
        reached = [p for p in sorted(positions) if bisect_left(reached, p) > bisect_left(reached, p - slop)]
        if not reached:
            return False
    return True
