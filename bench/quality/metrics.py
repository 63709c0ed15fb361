"""Quality metrics over ranked hit lists: pure functions, no I/O.

- MRR@10: mean over queries with relevant ids of 1/rank of the first relevant id in the first 10
  hits (0 when none is there).
- recall@10: mean over the same queries of the share of relevant ids found in the first 10 hits.
- zero-hit share: share of the same queries that returned no hit at all (queries that must find
  nothing are not counted here; they pass or fail as negatives).
- negatives: queries with `must_not` ids or `*`; one passes when no must-not id is in the first 10
  hits (or, for `*`, when there is no hit at all).
- failures: every judged query whose judgment does not hold, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from bench.quality.judgments import DEPTH, Query


@dataclass(frozen=True)
class Failure:
    qid: str
    query: str
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.qid} {self.query!r}: {'; '.join(self.reasons)}"


@dataclass(frozen=True)
class Scores:
    ranked_queries: int  # queries with relevant ids (the MRR, recall and zero-hit base)
    mrr: float
    recall: float
    zero_hit_share: float
    negatives: int
    negatives_passed: int
    failures: tuple[Failure, ...]


def reciprocal_rank(hits: Sequence[str], relevant: Sequence[str], depth: int = DEPTH) -> float:
    """1/rank of the first relevant id among the first `depth` hits, else 0."""
    wanted = set(relevant)
    for rank, record_id in enumerate(hits[:depth], start=1):
        if record_id in wanted:
            return 1.0 / rank
    return 0.0


def recall(hits: Sequence[str], relevant: Sequence[str], depth: int = DEPTH) -> float:
    """Share of the relevant ids found among the first `depth` hits (1.0 when nothing is relevant)."""
    wanted = set(relevant)
    if not wanted:
        return 1.0
    return len(wanted & set(hits[:depth])) / len(wanted)


def zero_hit_share(hit_lists: Sequence[Sequence[str]]) -> float:
    """Share of hit lists that are empty (0.0 for no lists)."""
    if not hit_lists:
        return 0.0
    return sum(1 for hits in hit_lists if not hits) / len(hit_lists)


def failure_reasons(query: Query, hits: Sequence[str], depth: int = DEPTH) -> tuple[str, ...]:
    """Why `hits` break the query's judgment; empty when it holds."""
    reasons: list[str] = []
    if query.relevant and not hits:
        reasons.append("no hits")
    else:
        for record_id in query.relevant:
            rank = _rank(hits, record_id)
            if rank is None or rank > depth:
                reasons.append(f"missing {record_id}")
            elif rank > query.top:
                reasons.append(f"{record_id} at rank {rank}, want top {query.top}")
    for record_id in query.must_not:
        rank = _rank(hits, record_id)
        if rank is not None and rank <= depth:
            reasons.append(f"must not find {record_id} (rank {rank})")
    if query.expects_nothing and hits:
        reasons.append(f"should find nothing, found {len(hits)}+ (first {hits[0]})")
    return tuple(reasons)


def score(queries: Sequence[Query], hits_by_qid: Mapping[str, Sequence[str]], depth: int = DEPTH) -> Scores:
    """All metrics for one system over some queries (e.g. one language)."""
    ranked = [q for q in queries if q.relevant]
    negatives = [q for q in queries if q.must_not or q.expects_nothing]
    failures = []
    for query in queries:
        reasons = failure_reasons(query, hits_by_qid.get(query.qid, ()), depth)
        if reasons:
            failures.append(Failure(query.qid, query.text, reasons))
    return Scores(
        ranked_queries=len(ranked),
        mrr=_mean([reciprocal_rank(hits_by_qid.get(q.qid, ()), q.relevant, depth) for q in ranked]),
        recall=_mean([recall(hits_by_qid.get(q.qid, ()), q.relevant, depth) for q in ranked]),
        zero_hit_share=zero_hit_share([hits_by_qid.get(q.qid, ()) for q in ranked]),
        negatives=len(negatives),
        negatives_passed=sum(1 for q in negatives if not _negative_failed(q, hits_by_qid.get(q.qid, ()), depth)),
        failures=tuple(failures),
    )


def _negative_failed(query: Query, hits: Sequence[str], depth: int) -> bool:
    if query.expects_nothing:
        return bool(hits)
    return bool(set(query.must_not) & set(hits[:depth]))


def _rank(hits: Sequence[str], record_id: str) -> int | None:
    try:
        return list(hits).index(record_id) + 1
    except ValueError:
        return None


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
