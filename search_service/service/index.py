"""The published index as the faces see it: opened for searching, or found missing."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
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


@dataclass(frozen=True)
class ServedGeneration:
    name: str  # gen-YYYYMMDD-HHMMSS-xxxxxx
    documents: int
    age_seconds: float  # since it was published


def served_generation(engine: Engine) -> ServedGeneration:
    """The generation `engine` serves: its name, records and age.

    Its folder's modification time is when it was published: a generation is written to, then renamed
    into place, and never written to again (retiring it later touches it, but then it is no longer served);
    a replica's copy keeps that time."""
    documents = engine.count()  # first: it follows a newly published generation
    name = engine.generation
    published = os.stat(engine.index.index_dir / name).st_mtime
    return ServedGeneration(name, documents, max(0.0, time.time() - published))


def has_index(index_dir: Path) -> bool:
    """Whether a generation is published in `index_dir`."""
    return current_generation(index_dir) is not None


def preload() -> None:
    """Load what searching needs (the morphology dictionaries) now, rather than during the first request."""
    load_dictionaries()
