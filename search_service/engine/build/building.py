"""Building a new index generation from records: incremental (by content hash) or full.

An incremental build copies the published generation into a `.build-*` directory and applies only
the changes there (add, update, delete); a full build writes every record into an empty one. Either
way the served generation is never written to, and the result is published in one rename.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Iterable

from whoosh import index as whoosh_index

from search_service.config import Config
from search_service.text.alignment import align_texts
from search_service.engine.build import generations
from search_service.engine.build.lexicon_build import LexiconBuild, build_lexicon
from search_service.engine.build.progress import BuildProgress, SilentProgress
from search_service.engine.facets import facet_fields
from search_service.engine.schema import LANGUAGE_FIELDS, build_schema
from search_service.engine.build.segments import write_segments
from search_service.records import Record, RecordError, parse_record_json

# Past this much text a full build writes with two processes: on a 2-core machine that nearly halves
# a large build, while a small one is done before a second process pays off.
PARALLEL_FROM_CHARS = 4_000_000
BUILD_PROCESSES = 2
BUILD_MEMORY_MB = Config.build_memory_mb


@dataclass
class IndexBuild:
    """What a build changed (or, when `published` is False, found to change)."""

    full: bool
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    written: int = 0  # records written into the new generation (all of them in a full build)
    kept_previous: list[str] = field(default_factory=list)  # bad records whose previous version stays
    held_back_deletes: int = 0  # records not deleted because a bad record with no readable id may be them
    kept_unread: int = 0  # indexed records not among those read, kept because the build deletes nothing
    indexed: int = 0  # records in the generation the build started from
    generation: str = ""  # the published generation (the old one when nothing changed)
    published: bool = False
    seconds: float = 0.0
    lexicon: LexiconBuild | None = None  # what the build did for the cross-language lexicon, when it published


@dataclass
class _Changes:
    """What a build does to the published generation: records to write, ids to delete or keep.

    Holds ids and hashes, not records: `apply` reads `records` again for the ones it writes.
    """

    records: Iterable[Record]  # every record, read again by `apply` (a list, or files read anew)
    read: int  # records read
    chars: int  # their text
    hashes: dict[str, str]  # their content hashes (none when nothing is indexed: the writers work them out)
    adds: list[str]
    updates: list[str]
    deletes: list[str]
    keep: list[str]  # indexed records not read that stay: bad ones, any when a bad one has no readable id, or all
    kept_previous: list[str]  # the ones of `keep` known to be bad records, sorted


@dataclass
class BuildPlan:
    """A build worked out before anything is written: `apply` carries it out, a dry run only reads it."""

    current: Path | None  # the generation it starts from
    changes: _Changes
    result: IndexBuild  # the counts; `apply` fills in the rest

    def ids(self, kind: str, limit: int) -> list[str]:
        """The first `limit` ids the build adds, updates or deletes (`kind`: "added", "updated", "deleted")."""
        found = {"added": self.changes.adds, "updated": self.changes.updates, "deleted": self.changes.deletes}[kind]
        return found[:limit]


def content_hash(record: Record) -> str:
    return _hash_of(_record_json(record))


def _record_json(record: Record) -> str:
    """The record as stored, keys sorted: the text its content hash is taken of."""
    return json.dumps(record.to_json(), sort_keys=True, ensure_ascii=False)


def _hash_of(stored: str) -> str:
    return hashlib.sha256(stored.encode()).hexdigest()


def build(records: Iterable[Record], errors: list[RecordError], index_dir: Path, full: bool = False,
          progress: BuildProgress | None = None, memory_mb: int = BUILD_MEMORY_MB) -> IndexBuild:
    """Write a new generation holding `records` and publish it (see `plan`); call it holding the rebuild lock."""
    return apply(plan(records, errors, index_dir, full=full, progress=progress), index_dir, progress, memory_mb)


def plan(records: Iterable[Record], errors: list[RecordError], index_dir: Path, full: bool = False,
         deletes: bool = True, progress: BuildProgress | None = None) -> BuildPlan:
    """Compare `records` with the published generation; reads the index, writes nothing.

    `records` is read once here and once more by `apply` (a list, or record files read anew); a
    source that finds bad records as it reads may add them to `errors` during the first reading.

    A record that failed to read (`errors`) keeps its previous version: its id is left out of the
    deletions (and, in a full build, its previous version is copied over). When a bad record has no
    readable id, no record is deleted at all, since any of them may be that record. Without
    `deletes` every indexed record not read is kept the same way.
    """
    started = time.perf_counter()
    progress = progress or SilentProgress()
    if iter(records) is records:  # read only once: held, for `apply` to read again
        records = list(records)
    current = generations.current_generation(index_dir)
    progress.stage(f"comparing with {current.name}" if current else "no published index: building all")
    indexed = _indexed_hashes(current) if current else {}
    changes = _changes(records, errors, indexed, deletes)
    known_bad = len(changes.kept_previous)
    result = IndexBuild(full=full or current is None, generation=current.name if current else "",
                        added=len(changes.adds), updated=len(changes.updates), deleted=len(changes.deletes),
                        unchanged=changes.read - len(changes.adds) - len(changes.updates),
                        kept_previous=changes.kept_previous, indexed=len(indexed),
                        held_back_deletes=(len(changes.keep) - known_bad) if deletes else 0,
                        kept_unread=0 if deletes else len(changes.keep) - known_bad)
    if current and not result.full and not _same_schema(current):
        # A generation from an older release lacks fields this one writes: it cannot take updates.
        progress.stage(f"{current.name} has another schema: building all")
        result.full = True
    result.seconds = time.perf_counter() - started
    return BuildPlan(current=current, changes=changes, result=result)


def apply(planned: BuildPlan, index_dir: Path, progress: BuildProgress | None = None,
          memory_mb: int = BUILD_MEMORY_MB) -> IndexBuild:
    """Write the planned generation and publish it, unless it changes nothing; call it holding the rebuild lock.

    A full build holds postings of about `memory_mb` at a time, whatever the number of records.
    """
    started = time.perf_counter() - planned.result.seconds
    progress = progress or SilentProgress()
    index_dir.mkdir(parents=True, exist_ok=True)
    generations.clean(index_dir)
    result, changes = planned.result, planned.changes
    if changes.adds or changes.updates or changes.deletes or result.full:
        result.written, result.generation, result.lexicon = _write_and_publish(index_dir, planned.current, changes,
                                                                               result.full, progress, memory_mb)
        result.published = True
    result.seconds = time.perf_counter() - started
    return result


def _changes(records: Iterable[Record], errors: list[RecordError], indexed: dict[str, str],
             deletes: bool) -> _Changes:
    """Compare the records read with the indexed content hashes (`indexed`, record id -> hash)."""
    # With nothing indexed there is nothing to compare: the build processes work the hashes out.
    hashes: dict[str, str] = {}
    adds, updates, read, chars = [], [], set(), 0
    for record in records:
        read.add(record.id)
        chars += record.chars
        if record.id not in indexed:
            adds.append(record.id)
            continue
        hashes[record.id] = content_hash(record)
        if indexed[record.id] != hashes[record.id]:
            updates.append(record.id)
    keep, kept_previous, gone = _gone([record_id for record_id in indexed if record_id not in read], errors,
                                      deletes)
    return _Changes(records=records, read=len(read), chars=chars, hashes=hashes, adds=adds, updates=updates,
                    deletes=gone, keep=keep, kept_previous=kept_previous)


def _gone(gone: list[str], errors: list[RecordError], deletes: bool) -> tuple[list[str], list[str], list[str]]:
    """The indexed records no longer read, split: those kept, those of them known bad (sorted), those deleted."""
    bad_ids = {error.record_id for error in errors}
    keep = [record_id for record_id in gone if not deletes or None in bad_ids or record_id in bad_ids]
    kept = set(keep)
    return (keep, sorted(record_id for record_id in keep if record_id in bad_ids),
            [record_id for record_id in gone if record_id not in kept])


def _write_and_publish(index_dir: Path, current: Path | None, changes: _Changes, full: bool,
                       progress: BuildProgress, memory_mb: int) -> tuple[int, str, LexiconBuild]:
    """Write the changes into a new generation (all records, or changes to a copy of `current`), give it
    its lexicon and publish it.

    Returns the number of records written, the name of the published generation and what the lexicon took.
    """
    if full:
        kept = _stored_records(current, changes.keep) if current else []
        written = changes.read + len(kept)
        build_dir = generations.new_build_dir(index_dir)
        with generations.removed_on_failure(build_dir):
            _write_new(build_dir, chain(changes.records, kept), written, changes.chars, changes.hashes, progress,
                       memory_mb)
    else:
        writing = {*changes.adds, *changes.updates}
        written = len(writing)
        progress.stage(f"copying {current.name}")
        build_dir = generations.new_build_dir(index_dir, copy_of=current)
        with generations.removed_on_failure(build_dir):
            _write_changes(build_dir, (record for record in changes.records if record.id in writing), written,
                           changes.deletes, changes.hashes, progress)
    progress.stage("learning the lexicon")
    with generations.removed_on_failure(build_dir):
        lexicon = build_lexicon(build_dir, current)
    progress.stage("publishing")
    generation = generations.publish(index_dir, build_dir).name
    generations.clean(index_dir)
    return written, generation, lexicon


def _write_new(build_dir: Path, records: Iterable[Record], count: int, chars: int, hashes: dict[str, str],
               progress: BuildProgress, memory_mb: int) -> None:
    """Write every record into a new index, in segments of bounded size, by one or more processes."""
    whoosh_index.create_in(str(build_dir), build_schema())
    processes = BUILD_PROCESSES if chars >= PARALLEL_FROM_CHARS else 1
    progress.stage("indexing", total=count)
    write_segments(build_dir, ((record, hashes.get(record.id)) for record in records), processes,
                   memory_mb * 2**20, _fields_for, progress.advance, lambda: progress.stage("committing"))


def _write_changes(build_dir: Path, records: Iterable[Record], count: int, deletes: list[str],
                   hashes: dict[str, str], progress: BuildProgress) -> None:
    """Apply changes to a copy of the published index with Whoosh's writer (a new segment, merged as it sees fit)."""
    # compound=False: segment files stay separate. Whoosh reads each file of a compound segment into
    # memory when a searcher opens it, so every gunicorn worker held a copy of the whole index.
    writer = whoosh_index.open_dir(str(build_dir)).writer(limitmb=256, compound=False)
    try:
        for record_id in deletes:
            writer.delete_by_term("id", record_id)
        progress.stage("indexing", total=count)
        for record in records:
            writer.update_document(**_fields_for(record, hashes.get(record.id)))
            progress.advance()
        progress.stage("committing")
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def _fields_for(record: Record, record_hash: str | None) -> dict:
    """The Whoosh fields of a record (its content hash worked out here when not given)."""
    stored = _record_json(record)
    fields = {"id": record.id, "title": record.title, "summary": record.summary, "citation": record.citation,
              "langs": ",".join(sorted(record.texts)), "content_hash": record_hash or _hash_of(stored),
              "record": stored, **facet_fields(record),
              # Derived from the texts alone, so the content hash decides when it is worked out again.
              "alignment": align_texts(record.texts).to_json()}
    if record.year is not None:
        fields["year"], fields["year_end"] = record.year, record.last_year
    for lang in LANGUAGE_FIELDS:
        if record.texts.get(lang):
            fields[lang] = record.texts[lang]
    return fields


def _same_schema(generation: Path) -> bool:
    """Whether a generation has the fields this release writes, of the same kinds, storing the same."""
    def signature(schema) -> list[tuple]:
        return [(name, type(field).__name__, type(field.format).__name__, field.stored)
                for name, field in schema.items()]
    return signature(whoosh_index.open_dir(str(generation)).schema) == signature(build_schema())


def _indexed_hashes(generation: Path) -> dict[str, str]:
    """Record id -> content hash of every record in a generation."""
    ix = whoosh_index.open_dir(str(generation))
    with ix.searcher() as searcher:
        return {stored["id"]: stored.get("content_hash", "") for stored in searcher.all_stored_fields()}


def _stored_records(generation: Path, record_ids: list[str]) -> list[Record]:
    """The records as a generation holds them (to carry a bad record's previous version into a full build)."""
    ix = whoosh_index.open_dir(str(generation))
    with ix.searcher() as searcher:
        return [parse_record_json(searcher.document(id=record_id)["record"], f"{generation}:{record_id}")
                for record_id in record_ids]
