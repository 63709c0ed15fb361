"""The rebuilds' tally, `<index>/REBUILDS`: how many succeeded and failed, their seconds, and the last one.

A rebuild runs in the CLI's process or an admin job's, never in a server worker, so it leaves its
figures in this file and `/metrics` reads them from there. A rebuild killed outright (SIGKILL) is
not counted; its admin job reports it as failed.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

TALLY = "REBUILDS"
OUTCOMES = ("succeeded", "failed")
_LOCK_SECONDS = 5.0


@dataclass(frozen=True)
class RebuildTally:
    count: dict[str, int]  # outcome -> rebuilds
    seconds: dict[str, float]  # outcome -> their seconds, summed
    last_outcome: str
    last_seconds: float
    last_finished: float  # Unix time


def record(index_dir: Path, succeeded: bool, seconds: float) -> None:
    """Add a finished rebuild to the tally; a tally that cannot be written never fails the rebuild."""
    outcome = OUTCOMES[0] if succeeded else OUTCOMES[1]
    try:
        with FileLock(index_dir / f".{TALLY}.lock", timeout=_LOCK_SECONDS):
            figures = _read(index_dir) or {}
            count, total = figures.get("count", {}), figures.get("seconds", {})
            count[outcome] = count.get(outcome, 0) + 1
            total[outcome] = round(total.get(outcome, 0.0) + seconds, 3)
            figures = {"count": count, "seconds": total,
                       "last": {"outcome": outcome, "seconds": seconds, "finished": time.time()}}
            temporary = index_dir / f".{TALLY}.{os.getpid()}.tmp"
            temporary.write_text(json.dumps(figures), encoding="utf-8")
            os.replace(temporary, index_dir / TALLY)
    except (OSError, ValueError, TimeoutError):
        pass


def tally(index_dir: Path) -> RebuildTally | None:
    """The tally, or None before the first rebuild that recorded one (or when it cannot be read)."""
    figures = _read(index_dir)
    try:
        last = figures["last"]
        return RebuildTally({outcome: int(figures["count"].get(outcome, 0)) for outcome in OUTCOMES},
                            {outcome: float(figures["seconds"].get(outcome, 0.0)) for outcome in OUTCOMES},
                            str(last["outcome"]), float(last["seconds"]), float(last["finished"]))
    except (TypeError, KeyError, AttributeError, ValueError):
        return None


def _read(index_dir: Path) -> dict | None:
    try:
        return json.loads((index_dir / TALLY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
