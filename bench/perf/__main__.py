"""Performance at archive scale, side by side with SQLite FTS5: `python -m bench.perf`.

For 1k, 4k and all records of the seed plus `../shared/corpora/stalin-works-ru.jsonl` and
`frus-en.jsonl`: the build time of `search-service index` and of FTS5 (`porter unicode61`); p50/p95
of keyword queries over HTTP against `search-service serve` (gunicorn) with snippets, and of FTS5
in-process with snippet(); throughput with concurrent clients; RSS per worker; index sizes.
Prints the table and writes it to BENCHMARKS.md. `--runs N` repeats everything and reports medians.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from math import ceil
from pathlib import Path

from bench.perf import fts5, service
from bench.perf.queries import WARM_UP_QUERIES, keyword_queries
from bench.perf.report import Row, render
from bench.seed import SEED
from search_service.records import Record, read_records

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ROOT.parent / "shared" / "corpora"
CORPUS_FILES = ("stalin-works-ru.jsonl", "frus-en.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.perf", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,4000,all", help="record counts to measure, `all` for every record")
    parser.add_argument("--queries", type=int, default=300, help="timed keyword queries per size")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients for throughput")
    parser.add_argument("--seconds", type=float, default=20, help="how long throughput is measured")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--runs", type=int, default=1, help="repeat everything; figures are medians")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md", help="where the report goes")
    args = parser.parse_args()

    missing = [name for name in CORPUS_FILES if not (CORPORA / name).exists()]
    if missing:
        sys.exit(f"skipped: {', '.join(missing)} absent from {CORPORA}; this benchmark needs the shared corpora")
    result = read_records([SEED, *(CORPORA / name for name in CORPUS_FILES)])
    if result.errors:
        sys.exit(f"bad records: {result.errors[:3]}")
    records = result.records

    load_before = os.getloadavg()
    rows = []
    for size in args.sizes.split(","):
        chosen = sample(records, len(records) if size == "all" else int(size))
        runs = [measure(chosen, args) for _ in range(args.runs)]
        row = Row.median(runs)
        rows.append(row)
        print(row.line(), flush=True)
    report = render(rows, args, load_before, os.getloadavg(), _commit())
    args.output.write_text(report, encoding="utf-8")
    print(f"\nwritten to {args.output}")


def sample(records: list[Record], count: int) -> list[Record]:
    """`count` records spread evenly over all of them (the seed letter first), so each size keeps the language mix."""
    count = min(count, len(records))
    return [records[i * len(records) // count] for i in range(count)]


def measure(records: list[Record], args: argparse.Namespace) -> Row:
    """One run of every figure for these records."""
    queries = keyword_queries(records, args.queries)
    warm_up = keyword_queries(records, WARM_UP_QUERIES, seed=7)
    with tempfile.TemporaryDirectory(prefix="bench-perf-") as folder:
        folder = Path(folder)
        documents = folder / "documents"
        documents.mkdir()
        with open(documents / "records.jsonl", "w", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
        index_dir = folder / "index"
        build_seconds = service.build(documents, index_dir)
        peer, fts_build_seconds = fts5.build(records, folder / "fts5.sqlite")
        fts5.time_queries(peer, warm_up)
        fts_times = fts5.time_queries(peer, queries)
        peer.close()
        with service.serving(index_dir, args.workers) as (port, master):
            service.time_queries(port, warm_up)
            http_times = service.time_queries(port, queries)
            qps, answers, errors = service.throughput(port, queries, args.clients, args.seconds)
            rss = service.worker_rss_mb(master)
        return Row(
            records=len(records),
            chars=sum(len(text) for record in records for text in record.texts.values()),
            build_s=build_seconds, fts_build_s=fts_build_seconds,
            p50_ms=percentile(http_times, 50), p95_ms=percentile(http_times, 95),
            fts_p50_ms=percentile(fts_times, 50), fts_p95_ms=percentile(fts_times, 95),
            qps=qps, answers=answers, errors=errors, rss_mb=max(rss, default=0.0),
            index_mb=service.index_bytes(index_dir) / 2**20,
            fts_mb=(folder / "fts5.sqlite").stat().st_size / 2**20,
        )


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, ceil(p / 100 * len(ordered)) - 1)]


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    main()
