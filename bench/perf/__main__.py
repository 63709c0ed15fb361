"""Performance at archive scale, side by side with SQLite FTS5: `python -m bench.perf`.

For the seed plus `../shared/corpora/stalin-works-ru.jsonl` and `frus-en.jsonl` (`1x`) and the same
records four times over with new ids (`4x`, written to a temporary folder, never kept): the build
time and peak RSS of `search-service index` and the build time of FTS5 (`porter unicode61`); p50/p95
of the users' mix of queries and of the content-word mix over HTTP against `search-service serve`
(gunicorn) with snippets, and of FTS5 in-process with snippet(); throughput with concurrent clients;
RSS per worker; index sizes. Prints the figures and writes them, with the issue's targets met or
not, to BENCHMARKS.md. `--runs N` repeats everything and reports medians.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from math import ceil
from pathlib import Path

from bench.perf import fts5, service
from bench.perf.queries import WARM_UP_QUERIES, keyword_queries, typed_queries
from bench.perf.report import Latency, Row, render
from bench.seed import SEED
from search_service.records import Record, read_records

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ROOT.parent / "shared" / "corpora"
CORPUS_FILES = ("stalin-works-ru.jsonl", "frus-en.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.perf", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1x,4x",
                        help="corpora to measure, comma-separated: a record count (records spread evenly over "
                             "all of them), `all` or `1x` for every record, `Nx` for every record N times over "
                             "with new ids (default 1x,4x)")
    parser.add_argument("--queries", type=int, default=300, help="timed queries per mix and corpus")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients for throughput (users' mix)")
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
        chosen, drawn_from = corpus(records, size.strip())
        runs = [measure(size.strip(), chosen, drawn_from, args) for _ in range(args.runs)]
        row = Row.median(runs)
        rows.append(row)
        print(row.line(), flush=True)
    report = render(rows, args, load_before, os.getloadavg(), _commit())
    args.output.write_text(report, encoding="utf-8")
    print(f"\nwritten to {args.output}")


def corpus(records: list[Record], size: str) -> tuple[list[Record], list[Record]]:
    """The records of one size, and the records its queries are drawn from.

    `Nx` draws from one copy, so every multiple answers the same queries and the growth from 1x
    to 4x is the cost of the records alone.
    """
    if size in ("all", "1x"):
        return records, records
    if size.endswith("x"):
        return copies(records, int(size[:-1])), records
    chosen = sample(records, int(size))
    return chosen, chosen


def copies(records: list[Record], times: int) -> list[Record]:
    """`records` `times` over; the second copy's ids end in `-x2`, the third's in `-x3`, and so on."""
    return records + [dataclasses.replace(record, id=f"{record.id}-x{copy}")
                      for copy in range(2, times + 1) for record in records]


def sample(records: list[Record], count: int) -> list[Record]:
    """`count` records spread evenly over all of them (the seed letter first), so each size keeps the language mix."""
    count = min(count, len(records))
    return [records[i * len(records) // count] for i in range(count)]


def measure(size: str, records: list[Record], drawn_from: list[Record], args: argparse.Namespace) -> Row:
    """One run of every figure for these records."""
    mixes = {"typed": typed_queries(drawn_from, args.queries), "keyword": keyword_queries(drawn_from, args.queries)}
    warm_up = typed_queries(drawn_from, WARM_UP_QUERIES, seed=7)
    with tempfile.TemporaryDirectory(prefix="bench-perf-") as folder:
        folder = Path(folder)
        documents = folder / "documents"
        documents.mkdir()
        with open(documents / "records.jsonl", "w", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
        index_dir = folder / "index"
        build_seconds, build_rss = service.build(documents, index_dir)
        peer, fts_build_seconds = fts5.build(records, folder / "fts5.sqlite")
        fts5.time_queries(peer, warm_up)
        fts_times = {mix: fts5.time_queries(peer, queries) for mix, queries in mixes.items()}
        peer.close()
        with service.serving(index_dir, args.workers) as (port, master):
            service.time_queries(port, warm_up)
            http_times = {mix: service.time_queries(port, queries) for mix, queries in mixes.items()}
            qps, answers, errors = service.throughput(port, mixes["typed"], args.clients, args.seconds)
            rss = service.worker_rss_mb(master)
        latency = {mix: Latency(percentile(http_times[mix], 50), percentile(http_times[mix], 95),
                                percentile(fts_times[mix], 50), percentile(fts_times[mix], 95)) for mix in mixes}
        return Row(
            size=size, records=len(records),
            chars=sum(len(text) for record in records for text in record.texts.values()),
            build_s=build_seconds, fts_build_s=fts_build_seconds, build_rss_mb=build_rss,
            typed=latency["typed"], keyword=latency["keyword"],
            qps=qps, answers=answers, errors=errors, rss_mb=max(rss, default=0.0),
            index_mb=service.index_bytes(index_dir) / 2**20,
            fts_mb=(folder / "fts5.sqlite").stat().st_size / 2**20, load=os.getloadavg()[0],
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
