"""Rebuild jobs started over HTTP: a JSON file per job in `<index>/jobs/`, the work in a child process.

The state lives on disk, not in a worker's memory, because gunicorn runs several worker processes:
the worker that answers `GET /api/admin/reindex/<job>` is often not the one that started the job.
The rebuild runs as `search-service index --wait --job <id>` in its own session, so it neither
competes with requests for a worker's GIL nor dies when a worker is recycled; it is the same rebuild
as any other (`service.indexing.rebuild`, which writes the job's state as it goes), and while it lives
it holds `<id>.lock`, so a reader can tell a job that is still running from one whose process was killed.

States: queued (file written, process starting) -> waiting (for another rebuild's lock) ->
running -> done | failed.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout

from search_service.config import Config

if TYPE_CHECKING:  # the type only: the admin API starts jobs without loading the engine
    from search_service.engine.build.building import BuildProgress

JOB_ID = re.compile(r"^[0-9a-f]{16}$")
UNFINISHED = ("waiting", "running")
START_TIMEOUT_SECONDS = 60.0  # a queued job whose process has not attached by then never started
KEEP_SECONDS = 7 * 24 * 3600  # finished jobs older than this are removed when a new job starts
_PROGRESS_EVERY_SECONDS = 1.0
FLAGS = ("full", "skip_bad", "prune", "dry_run")  # an admin job's options that are `search-service index` flags


def jobs_dir(index_dir: Path) -> Path:
    return index_dir / "jobs"


def start(config: Config, options: dict) -> dict:
    """Record a new job and start its rebuild process; return the job's state.

    `options` are the admin request's: the flags in `FLAGS` (booleans) and `encoding` (a name or None).
    """
    directory = jobs_dir(config.index_dir)
    directory.mkdir(parents=True, exist_ok=True)
    _remove_old(directory)
    job_id = secrets.token_hex(8)
    state = {"job": job_id, "state": "queued", **{flag: bool(options.get(flag)) for flag in FLAGS},
             "encoding": options.get("encoding"), "created": now(), "started": None, "finished": None,
             "stage": None, "documents": None, "added": 0, "updated": 0, "deleted": 0, "failed": 0, "kept": 0,
             "seconds": None, "generation": None, "message": None, "details": [], "errors": []}
    _write(directory, state)
    # No --documents: the run reads where the index remembers its records come from, like any
    # `search-service index`; this server's documents folder is only the default when it remembers none.
    command = [sys.executable, "-m", "search_service", "index", "--index", str(config.index_dir.resolve()),
               "--wait", "--job", job_id]
    command += [f"--{flag.replace('_', '-')}" for flag in FLAGS if options.get(flag)]
    command += ["--encoding", options["encoding"]] if options.get("encoding") else []
    env = {**os.environ, "SEARCH_DOCUMENTS_DIR": str(config.documents_dir.resolve()),
           "SEARCH_MAX_DELETE_SHARE": str(config.max_delete_share), "SEARCH_BUILD_MEMORY_MB": str(config.build_memory_mb)}
    with open(directory / f"{job_id}.log", "wb") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   env=env, start_new_session=True)
    threading.Thread(target=process.wait, name=f"reap-{job_id}", daemon=True).start()  # no zombie left behind
    return state


def read(index_dir: Path, job_id: str) -> dict | None:
    """A job's state, or None for an unknown id; a job whose process died is reported as failed."""
    if not JOB_ID.match(job_id):
        return None
    directory = jobs_dir(index_dir)
    try:
        state = json.loads((directory / f"{job_id}.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if state["state"] in UNFINISHED and not _alive(directory, job_id):
        state.update(state="failed", message="the rebuild process stopped before finishing (killed?); "
                                             "the published index is unchanged by it")
    elif state["state"] == "queued" and time.time() - _timestamp(state["created"]) > START_TIMEOUT_SECONDS:
        state.update(state="failed", message=f"the rebuild process did not start; see {directory / job_id}.log")
    return state


class Job:
    """The job's own process: holds `<id>.lock` while alive and writes the job's state as it goes."""

    def __init__(self, index_dir: Path, job_id: str) -> None:
        self.directory = jobs_dir(index_dir)
        self._alive = FileLock(self.directory / f"{job_id}.lock", thread_local=False)
        self._alive.acquire()  # released by the kernel when this process ends, however it ends
        self.state = json.loads((self.directory / f"{job_id}.json").read_text(encoding="utf-8"))

    def update(self, **fields) -> None:
        self.state.update(fields)
        _write(self.directory, self.state)


class JobProgress:
    """A `BuildProgress` that passes everything on to `inner` and writes the stage into the job file.

    The count within a stage is written at most once a second, so a long stage costs few writes.
    """

    def __init__(self, job: Job, inner: BuildProgress) -> None:
        self.job, self.inner = job, inner
        self.name, self.total, self.done = "", None, 0
        self._written_at = 0.0

    def stage(self, name: str, total: int | None = None) -> None:
        self.inner.stage(name, total)
        self.name, self.total, self.done = name, total, 0
        self._write()

    def advance(self, steps: int = 1) -> None:
        self.inner.advance(steps)
        self.done += steps
        if time.monotonic() - self._written_at >= _PROGRESS_EVERY_SECONDS:
            self._write()

    def _write(self) -> None:
        self.job.update(stage=self.name if self.total is None else f"{self.name} {self.done}/{self.total}")
        self._written_at = time.monotonic()


def _alive(directory: Path, job_id: str) -> bool:
    """Whether the job's process still holds its lock."""
    lock = FileLock(directory / f"{job_id}.lock", timeout=0, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        return True
    lock.release()
    return False


def _write(directory: Path, state: dict) -> None:
    """Replace the job file in one rename, so a reader never sees half of it."""
    temporary = directory / f".{state['job']}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, directory / f"{state['job']}.json")


def _remove_old(directory: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in directory.iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _timestamp(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()
