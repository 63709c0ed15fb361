"""Facets, date order and browsing on the seed plus Stalin's works plus FRUS: `python -m bench.explore`.

Prints the time to browse the largest collection in date order (its first page, and every page),
and the median and p95 of in-process searches for the performance benchmark's keyword queries with
the facets counted and without them. `--index DIR` reuses an index built by an earlier run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.perf.__main__ import CORPORA, CORPUS_FILES, percentile
from bench.perf.queries import WARM_UP_QUERIES, keyword_queries
from bench.seed import SEED
from search_service.config import Config
from search_service.engine import Engine, Filters
from search_service.records import read_records
from search_service.service.search import LANG_FACET, SearchOptions, search

PER_PAGE = 10


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.explore", description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="an index of these records to reuse (built there when absent)")
    parser.add_argument("--queries", type=int, default=300, help="timed keyword queries")
    args = parser.parse_args()
    missing = [name for name in CORPUS_FILES if not (CORPORA / name).exists()]
    if missing:
        sys.exit(f"skipped: {', '.join(missing)} absent from {CORPORA}; this benchmark needs the shared corpora")
    records = read_records([SEED, *(CORPORA / name for name in CORPUS_FILES)]).records
    with tempfile.TemporaryDirectory(prefix="bench-explore-") as folder:
        index_dir = args.index or Path(folder) / "index"
        if not (index_dir / "CURRENT").exists():
            started = time.perf_counter()
            Engine.build(records, index_dir)
            print(f"built {len(records):,} records in {time.perf_counter() - started:.0f} s")
        engine = Engine.open(index_dir, time_limit=10.0)
        engine.prepare()
        collection, size = Counter(record.metadata.get("collection") for record in records
                                   if record.metadata.get("collection")).most_common(1)[0]
        browse(engine, collection, size)
        searches(engine, keyword_queries(records, args.queries), keyword_queries(records, WARM_UP_QUERIES, seed=7))


def browse(engine: Engine, collection: str, size: int) -> None:
    """The largest collection in date order: its first page, then every page in turn."""
    options = SearchOptions(query="", filters=(("collection", (collection,)),))
    first = [_ms(lambda: search(engine, options)) for _ in range(30)]
    pages = -(-size // PER_PAGE)
    started = time.perf_counter()
    for page in range(1, pages + 1):
        assert search(engine, SearchOptions(query="", page=page, filters=options.filters)).total == size
    every = (time.perf_counter() - started) * 1000
    print(f"browse {collection} ({size} records) in date order: first page median {statistics.median(first):.1f} ms, "
          f"all {pages} pages {every:.0f} ms ({every / pages:.1f} ms a page)")


def searches(engine: Engine, queries: list[str], warm_up: list[str]) -> None:
    """Engine searches for `queries`, with the facets counted and with none (the year counts only),
    each query both ways in turn so that a drifting machine load weighs on both alike."""
    facets = {"with facets": (*Config.facets, LANG_FACET), "without facets": ()}
    for text in warm_up:
        engine.search(text, 1, PER_PAGE, Filters(), facets=facets["with facets"])
    times: dict[str, list[float]] = {label: [] for label in facets}
    for text in queries * 2:
        for label, names in facets.items():
            times[label].append(_ms(lambda: engine.search(text, 1, PER_PAGE, Filters(), facets=names)))
    for label, taken in times.items():
        print(f"search {label}: median {statistics.median(taken):.2f} ms, p95 {percentile(taken, 95):.2f} ms "
              f"({len(queries)} queries, twice)")


def _ms(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    main()
