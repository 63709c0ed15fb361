"""Reading record files and folders: each file decoded once, then read by its kind (`.txt`, `.json`,
`.jsonl`, `.csv`, in any case); the other files of a folder are listed as skipped.

`read_records` holds every record; `RecordFiles` reads them anew on each pass, one at a time (a
UTF-8 `.jsonl` file line by line), so that a full build holds only the records it is writing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from search_service.errors import UserError
from search_service.records.archive_text import parse_archive_text
from search_service.records.csv_records import parse_csv
from search_service.records.encodings import UTF8, Undecodable, check_encoding, decode, decode_lines, \
    utf8_file_lines
from search_service.records.json_records import parse_json_file, parse_record_json
from search_service.records.record import Record, RecordError

RECORD_SUFFIXES = (".txt", ".json", ".jsonl", ".csv")


@dataclass
class ReadResult:
    records: list[Record]
    errors: list[RecordError]
    skipped: list[Path] = field(default_factory=list)  # files in the folders read that hold no records
    encodings: dict[str, str] = field(default_factory=dict)  # file -> the encoding it was read in, when not UTF-8


class DocumentsChanged(UserError):
    """The record files changed between two passes of one `RecordFiles`: what was planned is not what is there."""


class RecordFiles:
    """The records of the record files (and folders of them) in `paths`, read anew on each pass.

    Iterating yields the good records; each pass gathers `errors` (a repeated id is one, naming the
    first), `skipped` and `encodings` as `read_records` does, and `on_error` hears each error of the
    first pass as it is read. A later pass of files changed since the first raises `DocumentsChanged`.
    `encoding` forces one for every file (LookupError when Python knows no such encoding).
    """

    def __init__(self, paths: Iterable[Path], encoding: str | None = None,
                 on_error: Callable[[RecordError], None] | None = None) -> None:
        if encoding:
            check_encoding(encoding)
        self.paths = [Path(path) for path in paths]
        self.encoding = encoding
        self.on_error = on_error
        self.errors: list[RecordError] = []
        self.skipped: list[Path] = []  # files in the folders read that hold no records
        self.encodings: dict[str, str] = {}  # file -> the encoding it was read in, when not UTF-8
        self._first_read: dict[str, tuple[int, int]] | None = None  # file -> (size, mtime) when first read

    def __iter__(self) -> Iterator[Record]:
        first = self._first_read is None
        if not first:
            self._check_unchanged()
        # Emptied in place: a caller may hold the lists from before the pass.
        self.errors.clear()
        self.skipped.clear()
        self.encodings.clear()
        files = list(_record_files(self.paths, self.skipped))
        if first:
            self._first_read = _stamps(files)
        seen: dict[str, str] = {}
        for path in files:
            for item in _read_file(path, self.encoding, self.encodings):
                if not isinstance(item, RecordError) and item.id in seen:
                    line = int(item.source.rsplit(":", 1)[1])
                    item = RecordError(str(path), line, f"duplicate id {item.id!r} (first in {seen[item.id]})",
                                       item.id)
                if isinstance(item, RecordError):
                    self.errors.append(item)
                    if first and self.on_error:
                        self.on_error(item)
                else:
                    seen[item.id] = item.source
                    yield item
        self._check_unchanged()

    def _check_unchanged(self) -> None:
        files = list(_record_files(self.paths, []))
        if self._first_read is not None and _stamps(files) != self._first_read:
            raise DocumentsChanged(f"the records in {', '.join(map(str, self.paths))} changed while they were "
                                   "being read; nothing published: run it again once they are written")


def _stamps(files: list[Path]) -> dict[str, tuple[int, int]]:
    stamps = {}
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            stamps[str(path)] = (-1, -1)
        else:
            stamps[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return stamps


def read_records(paths: Iterable[Path], encoding: str | None = None) -> ReadResult:
    """Read every record file (or folder of them); bad records become errors, the rest are kept.
    `encoding` forces one for every file (LookupError when Python knows no such encoding)."""
    files = RecordFiles(paths, encoding)
    records = list(files)
    return ReadResult(records, files.errors, files.skipped, files.encodings)


def _record_files(paths: Iterable[Path], skipped: list[Path]) -> Iterator[Path]:
    """The record files named, and those in the folders named; other files in the folders go to `skipped`."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
                if found.suffix.lower() in RECORD_SUFFIXES:
                    yield found
                else:
                    skipped.append(found)
        else:
            yield path


def _read_file(path: Path, encoding: str | None, encodings: dict[str, str]) -> Iterator[Record | RecordError]:
    """The records of one file, or its errors; the encoding it was read in goes to `encodings` unless UTF-8."""
    source, kind = str(path), path.suffix.lower()
    # A .txt record's id is its file name, so a rebuild can keep its previous version whatever is wrong.
    file_id = path.stem if kind == ".txt" else None
    if not path.exists():
        yield RecordError(source, 0, "no such file or folder")
        return
    if kind not in RECORD_SUFFIXES:
        yield RecordError(source, 0, f"unknown record file type {path.suffix!r} "
                                     f"(expected {', '.join(RECORD_SUFFIXES[:-1])} or {RECORD_SUFFIXES[-1]})")
        return
    if kind == ".jsonl" and (lines := utf8_file_lines(path, encoding)) is not None:
        yield from (_jsonl_record(line, source, number) for number, line in lines)
        return
    try:
        raw = path.read_bytes()
    except OSError as exc:
        yield RecordError(source, 0, f"cannot read it: {exc.strerror}", file_id)
        return
    try:
        if kind == ".jsonl":
            used, lines = decode_lines(raw, encoding)
            items = (_jsonl_record(line, source, number) for number, line in lines)
        else:
            decoded = decode(raw, encoding)
            used, items = decoded.encoding, _parsed(decoded.text, kind, source, file_id)
    except Undecodable as exc:
        yield RecordError(source, exc.line, str(exc), file_id)
        return
    if used != UTF8:
        encodings[source] = used
    yield from items


def _parsed(text: str, kind: str, source: str, file_id: str | None) -> Iterator[Record | RecordError]:
    if kind == ".txt":
        try:
            yield parse_archive_text(text, file_id, source)
        except RecordError as exc:
            yield RecordError(source, exc.line, exc.reason, file_id)
    elif kind == ".json":
        yield from parse_json_file(text, source)
    else:
        yield from parse_csv(text, source)


def _jsonl_record(line: str | Undecodable, source: str, number: int) -> Record | RecordError:
    if isinstance(line, Undecodable):
        return RecordError(source, number, str(line))
    try:
        return parse_record_json(line, source, number)
    except RecordError as exc:
        return exc
