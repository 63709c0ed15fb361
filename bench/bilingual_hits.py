"""What bilingual hits cost (issue 8): alignment at indexing, passage picking at query time.

    .venv/bin/python -m bench.bilingual_hits [--repeat 3]

On the seed letter plus the NTREX news (the records with both languages):

- indexing: CPU seconds of a full build, and of the part of it that aligns each record's passages
  (`align_texts`, and writing the result as JSON), with the bytes stored;
- querying: the NTREX questions of bench/quality (both languages) and a few over the seed, 10 hits
  each; per query, CPU milliseconds of the whole `search()` and of the part that picks the passages
  (`passage_snippets`) and decodes the stored alignment of each hit.

CPU seconds (process time): the work itself, also when other processes share the machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.quality.judgments import load_queries
from search_service.text.alignment import Alignment, align_texts
from search_service.engine import Engine
from search_service.engine.build import building
from search_service.engine.build.generations import rebuild_lock
from search_service.service.snippets import passage_snippets
from bench.seed import SEED
from search_service.records import read_records
from search_service.service.search import SearchOptions, search
from search_service.service.highlight import find_matches

ROOT = Path(__file__).resolve().parents[1]
NTREX = ROOT.parent / "shared" / "corpora" / "ntrex-news-ru-en.jsonl"
SEED_QUERIES = ("гоминьдановское чучело", "Guomindang puppet", "совета безопасности", "Korea", "Gottwald OR Готвальду")
PER_PAGE = 10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (median reported)")
    args = parser.parse_args()
    if not NTREX.exists():
        print(f"skipped: {NTREX} is absent (it lives in the shared corpora folder beside the repo)")
        return 0
    read = read_records([SEED, NTREX])
    records = read.records
    print(f"records: {len(records)} (seed + NTREX), {sum(len(t) for r in records for t in r.texts.values()):,} "
          f"characters, {sum(len(r.texts) == 2 for r in records)} with both languages")

    align_seconds = statistics.median(_cpu(lambda: [align_texts(r.texts).to_json() for r in records])
                                      for _ in range(args.repeat))
    stored = sum(len(align_texts(r.texts).to_json().encode()) for r in records)
    record_bytes = sum(len(json.dumps(r.to_json(), ensure_ascii=False).encode()) for r in records)
    with tempfile.TemporaryDirectory() as folder:
        build_seconds = statistics.median(_cpu(lambda: _full_build(records, Path(folder)))
                                          for _ in range(args.repeat))
        print("\nindexing (CPU seconds, median of", args.repeat, "runs)")
        print(f"  full build                 {build_seconds:8.2f}")
        print(f"  of which alignment         {align_seconds:8.2f}  ({align_seconds / build_seconds:.1%} of the build)")
        print(f"  alignment stored           {stored / 1024:8.1f} KiB  ({stored / record_bytes:.1%} of the records' JSON)")
        _queries(Engine.open(Path(folder)), args.repeat)
    return 0


def _full_build(records, folder: Path) -> None:
    with rebuild_lock(folder, wait=True):
        building.build(records, [], folder, full=True)


def _queries(engine: Engine, repeat: int) -> None:
    texts = [query.text for query in load_queries(ROOT / "bench" / "quality" / "ntrex.tsv")] + list(SEED_QUERIES)
    for text in texts:  # warm: dictionaries, caches, the searcher
        search(engine, SearchOptions(query=text, per_page=PER_PAGE))
    whole, picking, hits = [], [], 0
    for text in texts:
        whole.append(statistics.median(_cpu(lambda: search(engine, SearchOptions(query=text, per_page=PER_PAGE)))
                                       for _ in range(repeat)))
        found = engine.search(text, 1, PER_PAGE)
        hits += len(found.hits)
        inputs = []
        for hit in found.hits:
            texts_shown = hit.record.texts
            matches = {lang: find_matches(t, found.terms.get(lang, frozenset())) for lang, t in texts_shown.items()}
            inputs.append((texts_shown, matches, hit.alignment.to_json()))
        picking.append(statistics.median(_cpu(lambda: [passage_snippets(t, m, Alignment.from_json(a))
                                                       for t, m, a in inputs]) for _ in range(repeat)))
    print(f"\nquerying: {len(texts)} queries, {hits} hits shown, up to {PER_PAGE} per query "
          "(CPU milliseconds per query)")
    print(f"  {'':27}{'median':>8} {'p90':>8} {'max':>8}")
    for name, values in (("search() in all", whole), ("picking passages", picking)):
        ms = sorted(value * 1000 for value in values)
        print(f"  {name:<27}{statistics.median(ms):8.2f} {ms[int(0.9 * (len(ms) - 1))]:8.2f} {ms[-1]:8.2f}")
    print(f"  picking passages is {sum(picking) / sum(whole):.1%} of search() time")


def _cpu(work) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


if __name__ == "__main__":
    sys.exit(main())
