"""Rebuild times on the seed letter plus Stalin's works and the NTREX news (issue 4's figures).

    .venv/bin/python -m bench.rebuild [--runs 3]

Runs `search-service index` as a user would (a fresh process each time, so the figures include
starting Python and reading every record) on a temporary copy of the records:

- full: `--full` into an index that already exists (every record analysed and written);
- no change: an incremental run right after, when nothing changed;
- one changed: an incremental run after one record was edited (copy, apply, publish).

Prints the median wall time of each, the CPU seconds of the process (user + system: what the run
costs on a shared machine, where wall time also measures the neighbours), and the seconds the run
itself reports in its summary.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
CORPUS_FILES = ("stalin-works-ru.jsonl", "ntrex-news-ru-en.jsonl")
_SUMMARY = re.compile(r"summary: (.*), ([\d.]+) s; (.*)")


def run_index(docs: Path, index: Path, *flags: str) -> tuple[float, float, str]:
    """Wall and CPU seconds of one `search-service index` run, and its summary line."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "search_service", "index", "--documents", str(docs),
                           "--index", str(index), *flags], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"index {' '.join(flags)} failed:\n{done.stdout}{done.stderr}")
    return wall, _children_cpu() - cpu_before, next(line for line in done.stdout.splitlines()
                                                    if line.startswith("summary:"))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each kind (median reported)")
    args = parser.parse_args()
    missing = [name for name in CORPUS_FILES if not (CORPORA / name).exists()]
    if missing:
        sys.exit(f"skipped: {', '.join(missing)} not in {CORPORA} (this benchmark needs the shared corpora)")
    with tempfile.TemporaryDirectory(prefix="bench-rebuild-") as tmp:
        docs, index = Path(tmp) / "docs", Path(tmp) / "index"
        docs.mkdir()
        shutil.copy(next((ROOT / "documents").glob("*.txt")), docs)
        for name in CORPUS_FILES:
            (docs / name).symlink_to(CORPORA / name)
        edited = docs / "edited.jsonl"
        edited.write_text(json.dumps({"id": "bench-edited", "texts": {"en": "version 0"}}) + "\n", "utf-8")
        _, _, first = run_index(docs, index)
        print(f"records: {first}")

        kinds: dict[str, list[tuple[float, float, float]]] = {"full": [], "no change": [], "one changed": []}
        for run in range(1, args.runs + 1):
            for kind in kinds:
                if kind == "one changed":
                    edited.write_text(json.dumps({"id": "bench-edited", "texts": {"en": f"version {run}"}}) + "\n",
                                      "utf-8")
                wall, cpu, summary = run_index(docs, index, *(["--full"] if kind == "full" else []))
                kinds[kind].append((wall, cpu, float(_SUMMARY.match(summary).group(2))))
                print(f"  run {run} {kind:12} {wall:6.2f} s wall {cpu:6.2f} s cpu | {summary}", flush=True)

        print(f"\n{'run':12} {'wall s':>8} {'cpu s':>8} {'reported s':>11}   (medians of {args.runs}; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        for kind, times in kinds.items():
            wall, cpu, reported = (statistics.median(t[i] for t in times) for i in range(3))
            print(f"{kind:12} {wall:8.2f} {cpu:8.2f} {reported:11.2f}")


if __name__ == "__main__":
    main()
