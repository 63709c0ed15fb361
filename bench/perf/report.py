"""The figures of one corpus, their medians over runs, and BENCHMARKS.md."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from dataclasses import dataclass, fields

from bench.perf.queries import WARM_UP_QUERIES
from bench.perf.targets import targets


@dataclass(frozen=True)
class Latency:
    """One mix of queries: the project's p50 and p95 over HTTP and FTS5's in-process, in ms."""

    p50_ms: float
    p95_ms: float
    fts_p50_ms: float
    fts_p95_ms: float

    @property
    def p50_ratio(self) -> float:
        return self.p50_ms / self.fts_p50_ms

    @property
    def p95_ratio(self) -> float:
        return self.p95_ms / self.fts_p95_ms

    def cells(self) -> list[str]:
        return [f"{self.p50_ms:.1f}", f"{self.fts_p50_ms:.1f}", f"{self.p50_ratio:.2f}x",
                f"{self.p95_ms:.1f}", f"{self.fts_p95_ms:.1f}", f"{self.p95_ratio:.2f}x"]


@dataclass(frozen=True)
class Row:
    size: str  # as given to --sizes: `1x`, `4x`, `all` or a record count
    records: int
    chars: int
    build_s: float
    fts_build_s: float
    build_rss_mb: float
    typed: Latency  # the users' mix
    keyword: Latency  # the content-word mix
    qps: float
    answers: int
    errors: int
    rss_mb: float
    index_mb: float
    fts_mb: float
    load: float  # the 1-minute load average once this corpus was measured: how shared the machine was

    @property
    def build_ratio(self) -> float:
        return self.build_s / self.fts_build_s

    @classmethod
    def median(cls, runs: list[Row]) -> Row:
        """Each figure's median over runs (errors: the largest, since any error fails the run)."""
        return cls(**{field.name: _median([getattr(run, field.name) for run in runs], field.name)
                      for field in fields(cls)})

    def build_cells(self) -> list[str]:
        return [self.size, f"{self.records:,}", f"{self.chars / 1e6:.1f}",
                f"{self.build_s:.1f}", f"{self.fts_build_s:.2f}", f"{self.build_ratio:.1f}x",
                f"{self.build_rss_mb:.0f}", f"{self.rss_mb:.0f}", f"{self.qps:.0f}", f"{self.errors}",
                f"{self.index_mb:.0f}", f"{self.fts_mb:.0f}", f"{self.load:.1f}"]

    def line(self) -> str:
        return " | ".join(self.build_cells() + ["users'"] + self.typed.cells() + ["content"] + self.keyword.cells())


def _median(column: list, name: str):
    if name == "errors":
        return max(column)
    if isinstance(column[0], Latency):
        return Latency(**{field.name: statistics.median(getattr(value, field.name) for value in column)
                          for field in fields(Latency)})
    if isinstance(column[0], str):
        return column[0]
    return statistics.median(column)


BUILD_HEADER = ["corpus", "records", "text, M chars", "build s", "FTS5 build s", "ratio", "build peak RSS MB",
                "RSS/worker MB", "queries/s ({clients} clients)", "errors", "index MB", "FTS5 MB",
                "load average after"]
LATENCY_HEADER = ["corpus", "records", "p50 ms", "FTS5 p50 ms", "ratio", "p95 ms", "FTS5 p95 ms", "ratio"]


def _table(header: list[str], lines: list[list[str]]) -> str:
    return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
                     + ["| " + " | ".join(cells) + " |" for cells in lines])


def _bars(rows: list[Row], label: str, value, unit: str) -> list[str]:
    """A small text chart: one bar per corpus."""
    top = max(value(row) for row in rows) or 1
    return [f"{label:<16}{row.size:>6} {'█' * max(1, round(30 * value(row) / top)):<30} {value(row):.1f} {unit}"
            for row in rows]


def render(rows: list[Row], args: argparse.Namespace, load_before: tuple, load_after: tuple, commit: str) -> str:
    build = _table([cell.format(clients=args.clients) for cell in BUILD_HEADER], [row.build_cells() for row in rows])
    typed = _table(LATENCY_HEADER, [[row.size, f"{row.records:,}"] + row.typed.cells() for row in rows])
    keyword = _table(LATENCY_HEADER, [[row.size, f"{row.records:,}"] + row.keyword.cells() for row in rows])
    goals = _table(["target", "corpus", "measured", "met"],
                   [[name, size, measured, "yes" if met else "NO"] for name, size, measured, met in targets(rows)])
    chart = (_bars(rows, "build", lambda r: r.build_s, "s") + [""]
             + _bars(rows, "build peak RSS", lambda r: r.build_rss_mb, "MB") + [""]
             + _bars(rows, "users' p50", lambda r: r.typed.p50_ms, "ms") + [""]
             + _bars(rows, "users' p95", lambda r: r.typed.p95_ms, "ms"))
    runs = f"median of {args.runs} runs" if args.runs > 1 else "one run"
    return f"""# Benchmarks

Produced by `.venv/bin/python -m bench.perf --sizes {args.sizes}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}
({runs}; {args.queries} queries per mix and corpus, {args.clients} clients for {args.seconds:.0f} s, {args.workers} gunicorn workers),
commit {commit}, Python {platform.python_version()}, {os.cpu_count()} cores; load average before {load_before[0]:.1f},
after {load_after[0]:.1f} (the machine is shared: figures move with its load).

Records: the seed letter, `stalin-works-ru.jsonl` and `frus-en.jsonl` from `../shared/corpora/` (`1x`);
`4x` is the same records four times over, the copies' ids ending in `-x2`, `-x3`, `-x4`, written to a
temporary folder for the run; a record count is records spread evenly over all of them.

## Build, memory, throughput

{build}

## Queries: the users' mix

{typed}

## Queries: the content-word mix

{keyword}

## Targets (issue 17)

{goals}

```
{chr(10).join(chart)}
```

How each figure is taken:

- **build**: wall time of `search-service index --documents D --index I` as a user runs it
  (start-up and reading the JSONL included), against FTS5 (`porter unicode61`, title and all
  texts, one transaction, to a file) building from the records already in memory.
- **build peak RSS**: every process of the build counted: the sum of the kernel's peak resident set
  (`VmHWM`) of the index process and of each process it forks, read from `/proc` every 20 ms while
  they run (not `ru_maxrss` from `os.wait4`: only the largest single process, and it carries over
  the peak of the benchmark that started it). Peaks that did not coincide and pages shared after
  the fork count in full: the figure may overstate, never understate.
- **the users' mix**: {args.queries} queries of 1-3 neighbouring words of five or more letters, stop words
  kept, each from a text picked at random among all the records' texts, so languages come in the
  corpus's own proportions (`typed_queries` in `bench/perf/queries.py`, fixed seed).
- **the content-word mix**: {args.queries} queries of 1-3 neighbouring words, half Russian and half
  English, stop words and words under three letters left out (`keyword_queries`, the same seed).
- Both mixes are drawn from one copy of the records, so every corpus answers the same queries. The
  project: `GET /api/search?q=...` against `search-service serve` (gunicorn, {args.workers} workers) over
  one kept-alive connection, the JSON with up to 3 snippet fragments per language per hit read and
  parsed, each query sent once (no answer is cached). FTS5: the same queries in-process, all words
  and then any word (as the project), `ORDER BY bm25` with `snippet()` of the text, top 10. Both
  after {WARM_UP_QUERIES} other queries of the users' mix to warm up.
- **throughput**: {args.clients} client threads, each on its own connection, cycling through the users'
  mix for {args.seconds:.0f} s; an error is any answer that is not a 200 with JSON.
- **RSS/worker**: the largest VmRSS of the gunicorn workers after the throughput run.
- **index MB**: the project's index folder and the FTS5 database file on disk.
"""
