"""How a build reports what it is doing: the protocol its callers implement, and a silent one."""

from __future__ import annotations

from typing import Protocol


class BuildProgress(Protocol):
    """Where a build reports what it is doing (a progress bar, log lines, a job file)."""

    def stage(self, name: str, total: int | None = None) -> None:
        """A new stage begins; `total` is the number of steps when the stage counts them."""

    def advance(self, steps: int = 1) -> None:
        """`steps` more steps of the current stage are done."""


class SilentProgress:
    def stage(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass
