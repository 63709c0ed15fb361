"""The rebuild use case: read the records, apply the bad-record and deletion policies, build under the lock, report.

`search-service index` runs it, and so does an admin job's process (`search-service index --job <id>`),
whose state file then follows the rebuild. The outcome is plain data; the CLI prints it.

The index remembers where its records come from (`generations.remembered_source`). Only a run
from there, or one with `prune`, deletes records that it did not read: a run pointed at one file,
or at another folder, adds and updates only, so no command empties an index by where it points.
"""

from __future__ import annotations

import codecs
import errno
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from search_service.config import Config
from search_service.engine.build import building
from search_service.engine.build.building import BuildPlan, BuildProgress, IndexBuild, SilentProgress
from search_service.engine.build.generations import rebuild_lock, remember_source, remembered_source
from search_service.errors import DocumentsMissing, IndexNotWritable, RebuildRunning, UserError
from search_service.records import RecordError, RecordFiles
from search_service.service import jobs, rebuilds

_ERRORS_IN_JOB = 50  # bad records listed in an admin job's state (all of them go to its log)
SAMPLE_IDS = 5  # ids of each kind a dry run names
SKIPPED_LISTED = 10  # skipped files a summary names


@dataclass(frozen=True)
class RebuildOptions:
    """How a rebuild runs; see `rebuild`."""

    full: bool = False  # rewrite every record, not only those that changed
    wait: bool = False  # wait for another rebuild's lock instead of stopping
    skip_bad: bool = False  # publish the good records' changes even when some are bad
    prune: bool = False  # delete indexed records not read, and remember this source
    dry_run: bool = False  # work out the changes, write nothing
    encoding: str | None = None  # forced for every file; None detects
    max_delete_share: float = Config.max_delete_share  # a run deleting more of the index stops, unless `prune`
    build_memory_mb: int = Config.build_memory_mb  # postings a full build holds at a time


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
    kept: int = 0  # indexed records not in the documents read, kept because the run does not prune
    seconds: float = 0.0
    generation: str | None = None  # published by this rebuild or left published; None when it stopped
    errors: tuple[RecordError, ...] = ()
    dry_run: bool = False
    details: tuple[str, ...] = ()  # further lines: the ids a dry run would change, the files skipped

    @property
    def counts(self) -> dict[str, int]:
        """Records added, updated, deleted and failed, in that order."""
        return {"added": self.added, "updated": self.updated, "deleted": self.deleted, "failed": self.failed}

    @property
    def summary(self) -> str:
        """One line: the counts (what a dry run would do), the time taken and what happened."""
        if self.dry_run:
            counts = (f"would add {self.added}, update {self.updated}, delete {self.deleted}, "
                      f"failed {self.failed}")
        else:
            counts = ", ".join(f"{name} {count}" for name, count in self.counts.items())
        return f"{counts}, {self.seconds} s; {self.message}"


def documents_for(index_dir: Path, given: Path | None, default: Path) -> Path:
    """Where a run reads its records: the folder or file given, else the one the index remembers, else `default`."""
    return given or remembered_source(index_dir) or default


def encoding_problem(name: str) -> str | None:
    """Why `name` cannot be used to read record files, or None when it names a text encoding."""
    try:
        known = codecs.lookup(name)
    except LookupError:
        return f"unknown encoding {name!r} (try utf-8, cp1251, koi8-r or utf-16)"
    return None if known._is_text_encoding else f"{name!r} is not a text encoding"


def rebuild(documents: Path, index_dir: Path, options: RebuildOptions = RebuildOptions(), *,
            job_id: str | None = None, progress: BuildProgress | None = None,
            bad_record: Callable[[RecordError], None] | None = None,
            notice: Callable[[str], None] | None = None) -> RebuildOutcome:
    """Bring the index in `index_dir` up to date with the records in `documents` (only what changed, unless full).

    Each bad record goes to `bad_record` as soon as it is read, and each file read in an encoding
    other than UTF-8 to `notice`. Without `skip_bad` bad records stop the rebuild before anything
    is written, so every record, the bad ones included, stays searchable as it was. A first build
    has nothing to keep, so it indexes the good records and still fails. Without `wait`, another
    rebuild holding the lock stops this one at once. A run that would delete more than
    `max_delete_share` of the index stops too, unless `prune`.
    """
    started = time.perf_counter()
    progress = progress or SilentProgress()
    job = jobs.Job(index_dir, job_id) if job_id else None
    if job:
        job.update(state="waiting", started=jobs.now(), documents=str(documents.resolve()))
        progress = jobs.JobProgress(job, progress)
    run = _Run(documents, index_dir, options, progress, bad_record or (lambda error: None),
               notice or (lambda line: None), started)
    outcome = None
    try:
        outcome = run.dry_run() if options.dry_run else run.locked(job)
    except BaseException as exc:
        if job:
            message = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
            job.update(state="failed", finished=jobs.now(), message=message)
        raise
    finally:
        if not options.dry_run:  # a dry run rebuilds nothing
            rebuilds.record(index_dir, outcome is not None and outcome.succeeded, _since(started))
    if job:
        _report(job, outcome)
    return outcome


def _report(job: jobs.Job, outcome: RebuildOutcome) -> None:
    """Write a finished rebuild into its admin job's state."""
    job.update(state="failed" if outcome.problem else "done", finished=jobs.now(), seconds=outcome.seconds,
               message=outcome.problem or outcome.message, generation=outcome.generation, kept=outcome.kept,
               details=list(outcome.details), errors=[str(error) for error in outcome.errors[:_ERRORS_IN_JOB]],
               **outcome.counts)


@dataclass
class _Run:
    """One rebuild's inputs, and its steps."""

    documents: Path
    index_dir: Path
    options: RebuildOptions
    progress: BuildProgress
    bad_record: Callable[[RecordError], None]
    notice: Callable[[str], None]
    started: float
    read: RecordFiles = field(default_factory=lambda: RecordFiles([]))

    def locked(self, job: jobs.Job | None) -> RebuildOutcome:
        """Read, plan and build holding the rebuild lock."""
        self._check_documents()
        try:
            with rebuild_lock(self.index_dir, self.options.wait):
                if job:
                    job.update(state="running")
                return self._build()
        except RebuildRunning as exc:
            return self._stopped(str(exc))
        except OSError as exc:
            raise IndexNotWritable(_unwritable(self.index_dir, exc)) from None

    def dry_run(self) -> RebuildOutcome:
        """Read and plan without the lock, and say what a run would do: nothing is written."""
        self._check_documents()
        planned = self._plan()
        if isinstance(planned, RebuildOutcome):
            return planned
        result = planned.result
        message = "dry run: nothing written"
        if too_many := self._too_many_deletes(result):
            message += f"; the run would stop, since it {too_many}"
        kinds = {"added": "add", "updated": "update", "deleted": "delete"}
        samples = [f"would {verb}: " + _listed(planned.ids(kind, SAMPLE_IDS), getattr(result, kind))
                   for kind, verb in kinds.items() if getattr(result, kind)]
        return RebuildOutcome(succeeded=True, message=message + self._kept_note(result), added=result.added,
                              updated=result.updated, deleted=result.deleted, failed=len(self.read.errors),
                              kept=result.kept_unread, seconds=_since(self.started),
                              generation=result.generation or None, errors=tuple(self.read.errors), dry_run=True,
                              details=(*samples, *self._skipped()))

    def _build(self) -> RebuildOutcome:
        planned = self._plan()
        if isinstance(planned, RebuildOutcome):
            return planned
        if too_many := self._too_many_deletes(planned.result):
            return self._stopped(f"{too_many}; nothing published. Check --documents, or pass --prune")
        result = building.apply(planned, self.index_dir, self.progress, self.options.build_memory_mb)
        if planned.current is None or self.options.prune:
            remember_source(self.index_dir, self.documents)
        errors = self.read.errors
        return RebuildOutcome(succeeded=self.options.skip_bad or not errors,
                              message=_published(result) + self._kept_note(result), added=result.added,
                              updated=result.updated, deleted=result.deleted, failed=len(errors),
                              kept=result.kept_unread, seconds=_since(self.started), generation=result.generation,
                              errors=tuple(errors), details=self._skipped())

    def _plan(self) -> BuildPlan | RebuildOutcome:
        """What the build would change; or the outcome of a run that stops before (no records, bad records)."""
        self.progress.stage(f"reading records from {self.documents}")
        # Read as the plan goes, and again as the build writes: the records are never all held at once.
        self.read = RecordFiles([self.documents], self.options.encoding, on_error=self.bad_record)
        mirrors = self.options.prune or remembered_source(self.index_dir) == self.documents.resolve()
        planned = building.plan(self.read, self.read.errors, self.index_dir, full=self.options.full,
                                deletes=mirrors, progress=self.progress)
        for path, encoding in self.read.encodings.items():
            self.notice(f"{self._shown(Path(path))}: read as {encoding}")
        if not planned.result.added + planned.result.updated + planned.result.unchanged:
            return self._stopped(f"no records to index in {self.documents}; the published index is unchanged")
        if self.read.errors and not self.options.skip_bad and planned.current is not None:
            return self._stopped(f"{len(self.read.errors)} bad records: nothing published, every record stays "
                                 "searchable as it was; fix them, or pass --skip-bad to publish the rest")
        return planned

    def _check_documents(self) -> None:
        if self.documents.exists():
            return
        if remembered_source(self.index_dir) == self.documents.resolve():
            raise DocumentsMissing(f"no documents at {self.documents}, where the index remembers its records come "
                                   "from.\nPass --documents with where they are now, and --prune to remember that")
        raise DocumentsMissing(f"no documents at {self.documents}: pass --documents with the folder or file "
                               "that holds your records")

    def _too_many_deletes(self, result: IndexBuild) -> str | None:
        """That the run would delete more of the index than a run may without --prune (then it stops), or None."""
        share = self.options.max_delete_share
        if self.options.prune or not result.indexed or result.deleted <= share * result.indexed:
            return None
        percent = 100 * result.deleted / result.indexed
        shown = f"{percent:.0f}" if round(percent) > share * 100 else f"{percent:.1f}"
        return (f"would delete {result.deleted} of {result.indexed} records ({shown}%): more than the "
                f"{share * 100:g}% a run deletes without --prune")

    def _kept_note(self, result: IndexBuild) -> str:
        if not result.kept_unread:
            return ""
        kept = "would keep" if self.options.dry_run else "kept"
        return f"; {kept} {result.kept_unread} records not in {self.documents} (--prune would delete them)"

    def _skipped(self) -> tuple[str, ...]:
        """The summary's line on the files that hold no records, when there are any."""
        skipped = self.read.skipped
        if not skipped:
            return ()
        names = [self._shown(path) for path in skipped[:SKIPPED_LISTED]]
        files = "1 file that holds" if len(skipped) == 1 else f"{len(skipped)} files that hold"
        return (f"skipped {files} no records: " + _listed(names, len(skipped)),)

    def _shown(self, path: Path) -> str:
        """A file as a person finds it: relative to the documents folder when it is in it."""
        return str(path.relative_to(self.documents)) if path.is_relative_to(self.documents) else str(path)

    def _stopped(self, problem: str) -> RebuildOutcome:
        """The outcome of a rebuild that published nothing because of `problem`."""
        return RebuildOutcome(succeeded=False, message="nothing published", problem=problem,
                              failed=len(self.read.errors), seconds=_since(self.started),
                              errors=tuple(self.read.errors), dry_run=self.options.dry_run)


def _published(result: IndexBuild) -> str:
    """What a build published, or that it found nothing to change; and what it kept from being lost."""
    if result.published:
        how = f"full rebuild, {result.written} records written" if result.full else f"{result.unchanged} unchanged"
        said = f"published {result.generation} ({how})"
        if result.lexicon is not None:
            said += f"; {result.lexicon.summary()}"
    else:
        said = f"nothing changed; {result.generation} stays published"
    if result.kept_previous:
        said += f"; previous version kept for {len(result.kept_previous)} bad records"
    if result.held_back_deletes:
        said += (f"; {result.held_back_deletes} deletions held back (a bad record has no readable id, "
                 "so any of them may be it)")
    return said


def _listed(names: list[str], total: int) -> str:
    """`a, b, c` and how many more there are."""
    more = total - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def _unwritable(index_dir: Path, exc: OSError) -> str:
    """Two lines on an index folder that cannot be written: what failed, and what to do."""
    where = f" ({exc.filename})" if exc.filename and Path(exc.filename) != index_dir else ""
    if exc.errno == errno.ENOTDIR:
        where += ": a part of that path is a file, not a folder"
    return (f"cannot write the index folder {index_dir}: {exc.strerror or exc}{where}.\n"
            "Pass --index (or set SEARCH_INDEX_DIR) with a folder you can write to")


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 2)
