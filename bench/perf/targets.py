"""Issue 17's targets, each met or not on the corpora measured."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.perf.report import Row

LATENCY_RATIO_MAX = 3  # the project's p50 and p95 against FTS5's, on the users' mix
P95_GROWTH_MAX = 2  # the project's p95 on the 4x corpus against the 1x corpus
BUILD_RATIO_MAX = 10
BUILD_RSS_MB_MAX = 1024  # at 4x
WORKER_RSS_MB_MAX = 300  # at 4x

Target = tuple[str, str, str, bool]  # (target, corpus, measured, met)


def targets(rows: list[Row]) -> list[Target]:
    """Latency, build and errors on every corpus; growth from 1x to the largest; memory on the largest."""
    found: list[Target] = []
    for row in rows:
        found += [
            (f"query p50 ≤ {LATENCY_RATIO_MAX}x FTS5 (users' mix)", row.size, f"{row.typed.p50_ratio:.2f}x",
             row.typed.p50_ratio <= LATENCY_RATIO_MAX),
            (f"query p95 ≤ {LATENCY_RATIO_MAX}x FTS5 (users' mix)", row.size, f"{row.typed.p95_ratio:.2f}x",
             row.typed.p95_ratio <= LATENCY_RATIO_MAX),
            (f"full build ≤ {BUILD_RATIO_MAX}x FTS5", row.size, f"{row.build_ratio:.1f}x",
             row.build_ratio <= BUILD_RATIO_MAX),
            ("zero errors", row.size, f"{row.errors} errors in {row.answers:,} answers", row.errors == 0),
        ]
    largest = max(rows, key=lambda row: row.records)
    one_copy = [row for row in rows if row.size in ("1x", "all")]
    if one_copy and largest.records > one_copy[0].records:
        growth = largest.typed.p95_ms / one_copy[0].typed.p95_ms
        found.append((f"the project's p95 grows ≤ {P95_GROWTH_MAX}x (users' mix)",
                      f"{one_copy[0].size} → {largest.size}", f"{growth:.2f}x", growth <= P95_GROWTH_MAX))
    found += [
        (f"build peak RSS ≤ {BUILD_RSS_MB_MAX / 1024:.0f} GiB", largest.size, f"{largest.build_rss_mb:,.0f} MB",
         largest.build_rss_mb <= BUILD_RSS_MB_MAX),
        (f"RSS per worker ≤ {WORKER_RSS_MB_MAX} MB", largest.size, f"{largest.rss_mb:.0f} MB",
         largest.rss_mb <= WORKER_RSS_MB_MAX),
    ]
    return found
