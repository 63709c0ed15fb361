"""The index directory: generations side by side, the `CURRENT` pointer, the rebuild lock, cleanup.

Layout of an index directory:

    CURRENT              name of the published generation (replaced in one rename)
    SOURCE               where the records come from: JSON {"documents": absolute path}, written by a run
                         that mirrors its source (a first build, or one with --prune); outside the generations
    gen-<time>-<pid>-<n>/ a complete Whoosh index, never written to once published
                         and its MANIFEST.json (every file's size and SHA-256: a replica checks its copy by it)
    .build-<pid>-<n>/    a generation being built; renamed to gen-* when complete
    .rebuild.lock        held (flock) by the one rebuild that may run
    jobs/                admin rebuild jobs (see search_service/service/jobs.py)
    REBUILDS             the rebuilds' tally for /metrics (see search_service/service/rebuilds.py)

A rebuild never touches the published generation: it writes a `.build-*` directory, syncs it to
disk, renames it to `gen-*` and only then points `CURRENT` at it, so a crash at any moment leaves
`CURRENT` naming a complete generation. Leftover `.build-*` directories belong to a dead rebuild
(only the lock holder builds) and the next rebuild removes them.

Readers in other processes (gunicorn workers) may still be answering from the generation that was
just replaced, so a replaced generation is kept for `RETIRED_GRACE_SECONDS` before it is removed.
That is far longer than a reader needs to notice the switch (`Engine` checks every fraction of a
second) plus the longest request (gunicorn's 30 s timeout). A reader that still holds a searcher on
a removed generation keeps working: its files are open, and POSIX keeps open files alive.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout

from search_service.engine.build.manifest import write_manifest
from search_service.errors import RebuildRunning

CURRENT = "CURRENT"
SOURCE = "SOURCE"
GENERATION_PREFIX = "gen-"
BUILD_PREFIX = ".build-"
LOCK_NAME = ".rebuild.lock"
RETIRED_GRACE_SECONDS = 120.0


@contextmanager
def rebuild_lock(index_dir: Path, wait: bool) -> Iterator[None]:
    """Hold the index directory's rebuild lock; without `wait`, fail at once when another rebuild has it.

    An flock: the kernel releases it when the holder dies, so a killed rebuild never leaves a stale lock.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(index_dir / LOCK_NAME, timeout=-1 if wait else 0)
    try:
        lock.acquire()
    except Timeout:
        raise RebuildRunning(f"another rebuild of {index_dir} is running (it holds {index_dir / LOCK_NAME}); "
                             "try again when it has finished, or pass --wait") from None
    try:
        yield
    finally:
        lock.release()


def current_generation(index_dir: Path) -> Path | None:
    """The published generation, or None when nothing is published."""
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):  # no index there, or a path through a file
        return None
    path = index_dir / name
    return path if name and path.is_dir() else None


def pointer_signature(index_dir: Path) -> tuple[int, int] | None:
    """Changes whenever a generation is published (each publish renames a new file over CURRENT)."""
    try:
        stat = os.stat(index_dir / CURRENT)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return stat.st_ino, stat.st_mtime_ns


def remembered_source(index_dir: Path) -> Path | None:
    """The documents folder (or file) the index mirrors, or None when it remembers none.

    An unreadable or damaged file counts as none: a run then deletes nothing without --prune."""
    try:
        return Path(json.loads((index_dir / SOURCE).read_text(encoding="utf-8"))["documents"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember_source(index_dir: Path, documents: Path) -> None:
    """Remember `documents` (made absolute) as where the index's records come from; replaced in one rename."""
    pending = index_dir / f".{SOURCE}.{os.getpid()}.tmp"
    pending.write_text(json.dumps({"documents": str(documents.resolve())}, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    os.replace(pending, index_dir / SOURCE)


def new_build_dir(index_dir: Path, copy_of: Path | None = None) -> Path:
    """A fresh `.build-*` directory, empty or holding a copy of the generation `copy_of`."""
    build = index_dir / f"{BUILD_PREFIX}{os.getpid()}-{secrets.token_hex(3)}"
    if copy_of is None:
        build.mkdir()
    else:
        # A real copy, not hard links: Whoosh may reopen a file name for writing, and that must
        # never reach the inode the served generation reads.
        shutil.copytree(copy_of, build)
    return build


@contextmanager
def removed_on_failure(build: Path) -> Iterator[None]:
    """Remove a `.build-*` directory when writing it fails: nothing half-written is ever published."""
    try:
        yield
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise


def publish(index_dir: Path, build: Path) -> Path:
    """Write the complete build's manifest, rename it to a new generation and point CURRENT at it."""
    write_manifest(build)
    return install(index_dir, build, f"{GENERATION_PREFIX}{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}")


def install(index_dir: Path, build: Path, name: str) -> Path:
    """Make the complete `build` durable, rename it to the generation `name` and point CURRENT at it.

    A replica installs a copy of another index's generation under that generation's own name."""
    _fsync_tree(build)
    generation = index_dir / name
    os.rename(build, generation)
    previous = current_generation(index_dir)
    if previous is not None:
        os.utime(previous)  # its retirement starts now: the cleanup's grace period counts from here
    pointer = index_dir / f".{CURRENT}.{os.getpid()}.tmp"
    with open(pointer, "w", encoding="utf-8") as handle:
        handle.write(generation.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pointer, index_dir / CURRENT)
    _fsync_dir(index_dir)
    return generation


def clean(index_dir: Path, grace_seconds: float = RETIRED_GRACE_SECONDS) -> list[str]:
    """Remove dead builds and generations retired more than `grace_seconds` ago; call it holding the lock."""
    current = current_generation(index_dir)
    entries = [IndexEntry(path.name, path.is_dir(), path.stat().st_mtime) for path in sorted(index_dir.iterdir())]
    removed = removable(entries, current.name if current else None, time.time(), grace_seconds)
    for name in removed:
        path = index_dir / name
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return removed


@dataclass(frozen=True)
class IndexEntry:
    name: str
    is_dir: bool
    mtime: float


def removable(entries: list[IndexEntry], current: str | None, now: float, grace_seconds: float) -> list[str]:
    """Which entries of an index directory the cleanup removes: builds a dead run left, generations
    retired more than `grace_seconds` before `now`, pointer files a killed run never renamed into place.

    Apart from `clean`, so that a replica on another machine is cleaned by the same rule."""
    removed = []
    for entry in entries:
        leftover_build = entry.name.startswith(BUILD_PREFIX)
        retired = (entry.name.startswith(GENERATION_PREFIX) and entry.name != current
                   and now - entry.mtime > grace_seconds)
        leftover_pointer = (entry.name.startswith((f".{CURRENT}.", f".{SOURCE}.")) and entry.name.endswith(".tmp")
                            and not entry.is_dir)
        if (entry.is_dir and (leftover_build or retired)) or leftover_pointer:
            removed.append(entry.name)
    return removed


def _fsync_tree(directory: Path) -> None:
    for path in directory.iterdir():
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(directory)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
