"""How a rebuild shows its progress: a bar with rate and time left on a terminal, plain log lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import tqdm


class ConsoleProgress:
    """A `BuildProgress` for people (tqdm bar on a terminal) and for logs (one line per stage)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty()
        self._bar: tqdm | None = None
        self._started = time.perf_counter()

    def stage(self, name: str, total: int | None = None) -> None:
        self.close()
        if self.terminal and total:
            self._bar = tqdm(total=total, desc=name, unit="records", file=self.stream, dynamic_ncols=True)
        else:
            count = f" ({total} records)" if total is not None else ""
            print(f"[{time.perf_counter() - self._started:7.1f} s] {name}{count}", file=self.stream, flush=True)

    def advance(self, steps: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(steps)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
