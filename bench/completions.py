"""What completing the word being typed costs: /api/suggest's work in-process, over prefixes drawn as
people type them, on the quality harness's cached archive index (11,855 records).

    .venv/bin/python -m bench.completions [--prefixes 300]

Each prefix is the first 2 to 6 letters of a word of five or more letters drawn from a random
record (so most are English, as the archive is), common words kept. Prints milliseconds (median,
p95, max) for the first ask of each prefix (how it is written is read from the records) and for the
same prefix asked again (remembered), and how many prefixes found no completion.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time

from bench.quality import run as quality
from bench.forgiving import _line

_WORD = re.compile(r"[^\W\d_]{5,}")


def _prefixes(records, count: int, seed: int = 7) -> list[str]:
    draw = random.Random(seed)
    prefixes = []
    while len(prefixes) < count:
        record = draw.choice(records)
        text = draw.choice(list(record.texts.values()))
        words = _WORD.findall(text[:20_000])
        if words:
            word = draw.choice(words)
            prefixes.append(word[:draw.randint(2, min(6, len(word)))])
    return prefixes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefixes", type=int, default=300)
    args = parser.parse_args(argv)
    engine = quality.cached_engine("archive")
    if engine is None:
        return 1
    from search_service.records import read_records
    from search_service.service.completions import completions

    prefixes = _prefixes(read_records(quality.QUERY_SETS["archive"].records).records, args.prefixes)
    timings, empty = {"first ask": [], "asked again": []}, 0
    for prefix in prefixes:
        for name in timings:
            started = time.perf_counter()
            found = completions(engine, prefix)
            timings[name].append((time.perf_counter() - started) * 1000)
        empty += not found.suggestions
    print(f"{len(prefixes)} prefixes typed ({engine.count():,} records); {empty} found no completion")
    for name, values in timings.items():
        print(_line(name, values) + f"  max {max(values):7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
