"""The page of a query scored over every record (`vectorised.py`): the best hits in the filters,
with the proximity boost for those that could reach the page, and which records matched.

What `collecting.PageCollector` does match by match, done on arrays: the matches are taken in
record order up to the deadline (read every `CHECK_CLOCK_EVERY` of them, as the collector reads
it), the filters are one mask, and the boost is worked out best-first for the records whose score,
doubled, could still beat the page's last hit.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
import numpy as np

from search_service.deadline import Deadline
from search_service.engine.collecting import CHECK_CLOCK_EVERY
from search_service.engine.proximity import Boost
from search_service.engine.vectorised import Scored

# Records past the page's end whose proximity boost is worked out. Without a cap, a query whose
# words stand together in thousands of records (`Secretary of State` in FRUS) read positions in
# each of them, and the work grew with the archive (p95 3.2x from 11,855 to 47,420 records).
RESCORE_WINDOW = 400
Ranking = list[tuple[float, int]]  # (score, record number), best first; ties: lower record number first


@dataclass
class Ranked:
    top: Ranking  # the best hits in the filters (up to the page's end)
    hits: np.ndarray  # every hit in the filters, record numbers ascending
    matched: np.ndarray  # every match, the filters left out, ascending
    timed_out: bool


def rank(scored: Scored, limit: int, deadline: Deadline, allowed: np.ndarray | None = None,
         boost: Boost | None = None) -> Ranked:
    """The `limit` best of `scored`'s matches that `allowed` (a mask by record number) lets
    through; with `boost`, a hit's proximity boost is added to its score where it could matter."""
    matched, timed_out = _until_deadline(np.flatnonzero(scored.matches), deadline)
    hits = matched[allowed[matched]] if allowed is not None else matched
    scores = scored.scores[hits]
    if boost is None:
        return Ranked(best(hits, scores, limit), hits, matched, timed_out)
    top, late = _boosted(hits, scores, limit, boost, deadline)
    return Ranked(top, hits, matched, timed_out or late)


def _until_deadline(matched: np.ndarray, deadline: Deadline) -> tuple[np.ndarray, bool]:
    """The matches before the deadline, in record order: a search cut short answers with those."""
    for start in range(CHECK_CLOCK_EVERY, len(matched), CHECK_CLOCK_EVERY):
        if deadline.passed():
            return matched[:start], True
    return matched, False


def best(docs: np.ndarray, scores: np.ndarray, limit: int) -> Ranking:
    """The `limit` best records by score (ties: the lower record number), best first."""
    if len(docs) > limit:
        kth = np.partition(scores, len(scores) - limit)[len(scores) - limit]  # the limit-th best score
        above = np.flatnonzero(scores > kth)
        tied = np.flatnonzero(scores == kth)[:limit - len(above)]
        keep = np.concatenate([above, tied])
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))
    return [(float(scores[i]), int(docs[i])) for i in order]


def _boosted(docs: np.ndarray, scores: np.ndarray, limit: int, boost: Boost, deadline: Deadline
             ) -> tuple[Ranking, bool]:
    """The `limit` best by score plus proximity boost, the boost worked out best first for the
    first `limit + RESCORE_WINDOW` records by score, as Elasticsearch rescores a window of the top
    hits. The boost at most doubles a score, so once the page is full, a record whose doubled score
    cannot beat its last hit ends the work; a record where no field holds every word of a phrase
    is not looked at."""
    if not len(docs):
        return [], False
    kth = np.partition(scores, max(0, len(scores) - limit))[max(0, len(scores) - limit)]
    # The page's last hit scores at least `kth`: only these could enter it.
    possible = boost.possible[docs]
    candidates = np.flatnonzero((scores >= kth) | (possible & (2 * scores > kth)))
    order = candidates[np.lexsort((docs[candidates], -scores[candidates]))][:limit + RESCORE_WINDOW]
    page: list[tuple[float, int]] = []  # a heap of (score, -record number): its first is the page's last hit
    opened: dict = {}  # the term matchers and blocks read for positions, shared by the records
    timed_out = False
    for count, i in enumerate(order.tolist()):
        score, docnum = float(scores[i]), int(docs[i])
        if len(page) == limit and 2 * score <= page[0][0]:
            break
        if count % CHECK_CLOCK_EVERY == CHECK_CLOCK_EVERY - 1 and not timed_out and deadline.passed():
            timed_out = True  # the rest keep the score they have without the boost
        entry = (score + boost.bonus(docnum, opened) if possible[i] and not timed_out else score, -docnum)
        if len(page) < limit:
            heapq.heappush(page, entry)
        elif entry > page[0]:
            heapq.heapreplace(page, entry)
    return [(score, -negated) for score, negated in sorted(page, reverse=True)], timed_out
