"""What forgiving queries cost (issue 9): query time with and without near terms, and the first
query's vocabulary build, over the quality harness's judged queries on its cached archive index.

    .venv/bin/python -m bench.forgiving [--set archive|ntrex] [--rounds 3]

Uses the index `bench.quality.run` builds and caches in bench/out/quality-index/ (run that first;
this script says so when the index is absent). Prints per-query milliseconds (median, p95, mean)
for `search()` as served and with the second tier switched off, the share of queries whose
second tier ran, and the vocabulary's build time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from unittest import mock

from bench.quality import run as quality
from bench.quality.judgments import load_queries


def _timings(search, engine, queries, rounds: int) -> list[float]:
    from search_service.service.search import SearchOptions

    per_query = []
    for text in queries:
        best = float("inf")
        for _ in range(rounds):
            started = time.perf_counter()
            search(engine, SearchOptions(query=text, per_page=10))
            best = min(best, time.perf_counter() - started)
        per_query.append(best * 1000)
    return per_query


def _line(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"  {name:<22} median {statistics.median(values):7.1f} ms  p95 {p95:7.1f} ms  mean {statistics.mean(values):7.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="name", default="archive", choices=sorted(quality.QUERY_SETS))
    parser.add_argument("--rounds", type=int, default=3, help="runs per query; the fastest counts")
    args = parser.parse_args(argv)
    query_set = quality.QUERY_SETS[args.name]
    from search_service.engine import Engine, querying
    from search_service.errors import QueryError
    from search_service.engine.tiers import NEAR_WHEN_FEWER_THAN, fields_for
    from search_service.engine.vocabulary import Vocabulary

    sources = quality.index_sources()
    from search_service.service.search import search

    index_dir = quality.CACHE / f"{query_set.name}-{quality.inputs_hash(query_set.records, sources)}"
    if not index_dir.is_dir():
        print(f"no cached index at {index_dir}: run `.venv/bin/python -m bench.quality.run --set {args.name}` first")
        return 1
    engine = Engine.open(index_dir)
    started = time.perf_counter()
    vocabulary = engine.index.vocabulary()
    print(f"{query_set.name}: {engine.count():,} records; vocabulary built in {time.perf_counter() - started:.2f} s")
    texts = [query.text for query in load_queries(query_set.queries)]
    widened = second_tier = 0
    searcher = engine.index.searcher()
    for text in texts:
        try:
            q = querying.parse(searcher.schema, text, fields_for(None), all_words=True)
        except QueryError:
            continue
        if vocabulary.widen(q) is not None:
            widened += 1
            second_tier += len(searcher.search(q, limit=1)) < NEAR_WHEN_FEWER_THAN
    print(f"  {len(texts)} queries: {widened} have near terms, {second_tier} of them search the second tier "
          f"(fewer than {NEAR_WHEN_FEWER_THAN} exact matches)")
    forgiving = _timings(search, engine, texts, args.rounds)
    with mock.patch.object(Vocabulary, "widen", lambda self, q: None):
        exact = _timings(search, engine, texts, args.rounds)
    print(_line("exact tier only", exact))
    print(_line("with forgiving tier", forgiving))
    return 0


if __name__ == "__main__":
    sys.exit(main())
