"""The published index as the faces see it: opened for searching, or found missing."""

from __future__ import annotations

from pathlib import Path

from search_service.engine import Engine
from search_service.engine.build.generations import current_generation
from search_service.text.morphology import load_dictionaries


def open_index(index_dir: Path, time_limit: float) -> Engine:
    """The index in `index_dir`, following new publications; IndexMissing when there is none.

    Returns once its near-term vocabulary is built: a one-off per process, kept out of the first
    search's time limit (a later publication's is built in the background)."""
    engine = Engine.open(index_dir, time_limit)
    engine.prepare()
    return engine


def has_index(index_dir: Path) -> bool:
    """Whether a generation is published in `index_dir`."""
    return current_generation(index_dir) is not None


def preload() -> None:
    """Load what searching needs (the morphology dictionaries) now, rather than during the first request."""
    load_dictionaries()
