"""The rebuild use case: read the records, apply the bad-record policy, build under the rebuild lock, report.

`search-service index` runs it, and so does an admin job's process (`search-service index --job <id>`),
whose state file then follows the rebuild. The outcome is plain data; the CLI prints it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from search_service.engine.build.building import BuildProgress, IndexBuild, SilentProgress, build
from search_service.engine.build.generations import current_generation, rebuild_lock
from search_service.errors import RebuildRunning
from search_service.records import RecordError, read_records
from search_service.service import jobs

_ERRORS_IN_JOB = 50  # bad records listed in an admin job's state (all of them go to its log)


@dataclass(frozen=True)
class RebuildOutcome:
    """What a rebuild did: the counts, the generation served after it, what happened in words, success."""

    succeeded: bool  # it did what was asked: bad records fail it unless it was asked to skip them
    message: str  # what happened ("published gen-... (3 unchanged)"), or "nothing published"
    problem: str | None = None  # why nothing was published, when something stopped the rebuild
    added: int = 0
    updated: int = 0
    deleted: int = 0
    failed: int = 0  # bad records
    seconds: float = 0.0
    generation: str | None = None  # published by this rebuild or left published; None when it stopped
    errors: tuple[RecordError, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        """Records added, updated, deleted and failed, in that order."""
        return {"added": self.added, "updated": self.updated, "deleted": self.deleted, "failed": self.failed}

    @property
    def summary(self) -> str:
        """One line: the counts, the time taken and what happened."""
        counts = ", ".join(f"{name} {count}" for name, count in self.counts.items())
        return f"{counts}, {self.seconds} s; {self.message}"


def rebuild(documents: Path, index_dir: Path, *, full: bool = False, wait: bool = False, skip_bad: bool = False,
            job_id: str | None = None, progress: BuildProgress | None = None,
            bad_record: Callable[[RecordError], None] | None = None) -> RebuildOutcome:
    """Bring the index in `index_dir` up to date with the records in `documents` (only what changed, unless `full`).

    Each bad record goes to `bad_record` as soon as it is read. Without `skip_bad` bad records stop
    the rebuild before anything is written, so every record, the bad ones included, stays searchable
    as it was. A first build has nothing to keep, so it indexes the good records and still fails.
    Without `wait`, another rebuild holding the lock stops this one at once.
    """
    started = time.perf_counter()
    progress = progress or SilentProgress()
    job = jobs.Job(index_dir, job_id) if job_id else None
    if job:
        job.update(state="waiting", started=jobs.now())
        progress = jobs.JobProgress(job, progress)
    try:
        with rebuild_lock(index_dir, wait):
            if job:
                job.update(state="running")
            outcome = _rebuild_locked(documents, index_dir, full, skip_bad, progress, bad_record, started)
    except RebuildRunning as exc:
        outcome = _stopped(started, str(exc), [])
    except BaseException as exc:
        if job:
            job.update(state="failed", finished=jobs.now(), message=f"{type(exc).__name__}: {exc}")
        raise
    if job:
        job.update(state="failed" if outcome.problem else "done", finished=jobs.now(), seconds=outcome.seconds,
                   message=outcome.problem or outcome.message, generation=outcome.generation,
                   errors=[str(error) for error in outcome.errors[:_ERRORS_IN_JOB]], **outcome.counts)
    return outcome


def _rebuild_locked(documents: Path, index_dir: Path, full: bool, skip_bad: bool, progress: BuildProgress,
                    bad_record: Callable[[RecordError], None] | None, started: float) -> RebuildOutcome:
    """The rebuild once this process holds the lock: read, decide whether bad records stop it, build."""
    progress.stage(f"reading records from {documents}")
    read = read_records([documents])
    if bad_record:
        for error in read.errors:
            bad_record(error)
    if not read.records:
        return _stopped(started, f"no records to index in {documents}; the published index is unchanged",
                        read.errors)
    if read.errors and not skip_bad and current_generation(index_dir) is not None:
        return _stopped(started, f"{len(read.errors)} bad records: nothing published, every record stays "
                                 "searchable as it was; fix them, or pass --skip-bad to publish the rest", read.errors)
    result = build(read.records, read.errors, index_dir, full=full, progress=progress)
    return RebuildOutcome(succeeded=skip_bad or not read.errors, message=_published(result), added=result.added,
                          updated=result.updated, deleted=result.deleted, failed=len(read.errors),
                          seconds=_since(started), generation=result.generation, errors=tuple(read.errors))


def _stopped(started: float, problem: str, errors: list[RecordError]) -> RebuildOutcome:
    """The outcome of a rebuild that published nothing because of `problem`."""
    return RebuildOutcome(succeeded=False, message="nothing published", problem=problem, failed=len(errors),
                          seconds=_since(started), errors=tuple(errors))


def _published(result: IndexBuild) -> str:
    """What a build published, or that it found nothing to change; and what it kept from being lost."""
    if result.published:
        how = f"full rebuild, {result.written} records written" if result.full else f"{result.unchanged} unchanged"
        said = f"published {result.generation} ({how})"
    else:
        said = f"nothing changed; {result.generation} stays published"
    if result.kept_previous:
        said += f"; previous version kept for {len(result.kept_previous)} bad records"
    if result.held_back_deletes:
        said += (f"; {result.held_back_deletes} deletions held back (a bad record has no readable id, "
                 "so any of them may be it)")
    return said


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 2)
