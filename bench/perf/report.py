"""The figures of one size, their medians over runs, and BENCHMARKS.md."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from dataclasses import dataclass, fields

from bench.perf.queries import WARM_UP_QUERIES

# The targets on the full corpus.
BUILD_RATIO_MAX = 15
LATENCY_RATIO_MAX = 3
RSS_MB_MAX = 200


@dataclass(frozen=True)
class Row:
    records: int
    chars: int
    build_s: float
    fts_build_s: float
    p50_ms: float
    p95_ms: float
    fts_p50_ms: float
    fts_p95_ms: float
    qps: float
    answers: int
    errors: int
    rss_mb: float
    index_mb: float
    fts_mb: float

    @property
    def build_ratio(self) -> float:
        return self.build_s / self.fts_build_s

    @property
    def p50_ratio(self) -> float:
        return self.p50_ms / self.fts_p50_ms

    @property
    def p95_ratio(self) -> float:
        return self.p95_ms / self.fts_p95_ms

    @classmethod
    def median(cls, runs: list["Row"]) -> "Row":
        """Each figure's median over runs (errors: the largest, since any error fails the run)."""
        values = {}
        for field in fields(cls):
            column = [getattr(run, field.name) for run in runs]
            values[field.name] = max(column) if field.name == "errors" else statistics.median(column)
        return cls(**values)

    def cells(self) -> list[str]:
        return [f"{self.records:,}", f"{self.chars / 1e6:.1f}",
                f"{self.build_s:.1f}", f"{self.fts_build_s:.2f}", f"{self.build_ratio:.1f}x",
                f"{self.p50_ms:.1f}", f"{self.fts_p50_ms:.1f}", f"{self.p50_ratio:.2f}x",
                f"{self.p95_ms:.1f}", f"{self.fts_p95_ms:.1f}", f"{self.p95_ratio:.2f}x",
                f"{self.qps:.0f}", f"{self.errors}", f"{self.rss_mb:.0f}", f"{self.index_mb:.0f}", f"{self.fts_mb:.0f}"]

    def line(self) -> str:
        return " | ".join(self.cells())


HEADER = ["records", "text, M chars", "build s", "FTS5 build s", "ratio", "p50 ms", "FTS5 p50 ms", "ratio",
          "p95 ms", "FTS5 p95 ms", "ratio", "queries/s (8 clients)", "errors", "RSS/worker MB", "index MB",
          "FTS5 MB"]


def targets(row: Row) -> list[tuple[str, str, bool]]:
    """(target, measured, met) on the largest size."""
    return [
        (f"index build ≤ {BUILD_RATIO_MAX}x FTS5", f"{row.build_ratio:.1f}x", row.build_ratio <= BUILD_RATIO_MAX),
        (f"query p50 ≤ {LATENCY_RATIO_MAX}x FTS5", f"{row.p50_ratio:.2f}x", row.p50_ratio <= LATENCY_RATIO_MAX),
        (f"query p95 ≤ {LATENCY_RATIO_MAX}x FTS5", f"{row.p95_ratio:.2f}x", row.p95_ratio <= LATENCY_RATIO_MAX),
        (f"RSS per worker < {RSS_MB_MAX} MB", f"{row.rss_mb:.0f} MB", row.rss_mb < RSS_MB_MAX),
        ("throughput without errors", f"{row.errors} errors in {row.answers:,} answers", row.errors == 0),
    ]


def _bars(rows: list[Row], label: str, value, unit: str) -> list[str]:
    """A small text chart: one bar per size."""
    top = max(value(row) for row in rows) or 1
    return [f"{label:<14}{row.records:>7,} records  {'█' * max(1, round(30 * value(row) / top)):<30} "
            f"{value(row):.1f} {unit}" for row in rows]


def render(rows: list[Row], args: argparse.Namespace, load_before: tuple, load_after: tuple, commit: str) -> str:
    table = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    table += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    goals = ["| target (all records) | measured | met |", "|---|---|---|"]
    goals += [f"| {name} | {measured} | {'yes' if met else 'NO'} |" for name, measured, met in targets(rows[-1])]
    chart = (_bars(rows, "build", lambda r: r.build_s, "s") + [""] + _bars(rows, "query p50", lambda r: r.p50_ms, "ms")
             + [""] + _bars(rows, "query p95", lambda r: r.p95_ms, "ms"))
    runs = f"median of {args.runs} runs" if args.runs > 1 else "one run"
    return f"""# Benchmarks

Produced by `.venv/bin/python -m bench.perf` ({runs}; {args.queries} queries per size, {args.clients} clients
for {args.seconds:.0f} s, {args.workers} gunicorn workers) on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())},
commit {commit}, Python {platform.python_version()}, {os.cpu_count()} cores; load average before
{load_before[0]:.1f}, after {load_after[0]:.1f} (the machine is shared: figures move with its load).

Records: the seed letter, `stalin-works-ru.jsonl` and `frus-en.jsonl` from `../shared/corpora/`;
smaller sizes are records spread evenly over all of them.

{chr(10).join(table)}

{chr(10).join(goals)}

```
{chr(10).join(chart)}
```

How each figure is taken:

- **build**: wall time of `search-service index --documents D --index I` as a user runs it
  (start-up and reading the JSONL included), against FTS5 (`porter unicode61`, title and all
  texts, one transaction, to a file) building from the records already in memory.
- **queries**: {args.queries} keyword queries of 1-3 neighbouring words of a record's text, half Russian
  and half English, stop words and words under three letters left out (`bench/perf/queries.py`,
  fixed seed). The project: `GET /api/search?q=...` against `search-service serve` (gunicorn,
  {args.workers} workers) over one kept-alive connection, the JSON with up to 3 snippet fragments per
  language per hit read and parsed, each query sent once (no answer is cached). FTS5: the same
  queries in-process, all words and then any word (as the project), `ORDER BY bm25` with
  `snippet()` of the text, top 10. Both after {WARM_UP_QUERIES} other queries to warm up.
- **throughput**: {args.clients} client threads, each on its own connection, cycling through the same
  queries for {args.seconds:.0f} s; an error is any answer that is not a 200 with JSON.
- **RSS/worker**: the largest VmRSS of the gunicorn workers after the throughput run.
- **index MB**: the project's index folder and the FTS5 database file on disk.
"""
