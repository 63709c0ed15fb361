"""Hits per year as bars for a small timeline: contiguous years, grouped into wider bins for long spans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

MAX_BARS = 60
MIN_BARS = 11  # a short span is widened around its years, so one year does not fill the whole plot
_WIDTHS = (1, 2, 5, 10, 20, 25, 50, 100, 250, 500, 1000)


@dataclass(frozen=True)
class Bar:
    start: int  # first year of the bin
    end: int  # last year of the bin (== start for one-year bins)
    count: int
    height: float  # 0-100, relative to the tallest bar


def bars(year_counts: Iterable[tuple[int, int]], max_bars: int = MAX_BARS, min_bars: int = MIN_BARS) -> list[Bar]:
    """One bar per year from the first year with hits to the last (empty years too, so the axis is
    time), or per 2/5/10/... years when a bar per year would not fit in `max_bars`."""
    counts = {year: count for year, count in year_counts if count > 0}
    if not counts:
        return []
    first, last = min(counts), max(counts)
    if last - first + 1 < min_bars:
        first = max(1, first - (min_bars - (last - first + 1)) // 2)
        last = first + min_bars - 1
    width = next(w for w in _WIDTHS if (last // w - first // w + 1) <= max_bars or w == _WIDTHS[-1])
    binned: dict[int, int] = {}
    for year, count in counts.items():
        binned[year // width * width] = binned.get(year // width * width, 0) + count
    tallest = max(binned.values())
    starts = range(first // width * width, last // width * width + 1, width)
    return [Bar(start, start + width - 1, binned.get(start, 0), 100 * binned.get(start, 0) / tallest)
            for start in starts]
