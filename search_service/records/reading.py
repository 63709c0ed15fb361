"""Reading record files and folders: each file decoded once, then read by its kind (`.txt`, `.json`,
`.jsonl`, `.csv`, in any case); the other files of a folder are listed as skipped."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from search_service.records.archive_text import parse_archive_text
from search_service.records.csv_records import parse_csv
from search_service.records.encodings import UTF8, Undecodable, check_encoding, decode, decode_lines
from search_service.records.json_records import parse_json_file, parse_record_json
from search_service.records.record import Record, RecordError

RECORD_SUFFIXES = (".txt", ".json", ".jsonl", ".csv")


@dataclass
class ReadResult:
    records: list[Record]
    errors: list[RecordError]
    skipped: list[Path] = field(default_factory=list)  # files in the folders read that hold no records
    encodings: dict[str, str] = field(default_factory=dict)  # file -> the encoding it was read in, when not UTF-8


def read_records(paths: Iterable[Path], encoding: str | None = None) -> ReadResult:
    """Read every record file (or folder of them); bad records become errors, the rest are kept.
    `encoding` forces one for every file (LookupError when Python knows no such encoding)."""
    if encoding:
        check_encoding(encoding)
    result = ReadResult([], [])
    seen: dict[str, str] = {}
    for path in _record_files(paths, result.skipped):
        for item in _read_file(path, encoding, result.encodings):
            if isinstance(item, RecordError):
                result.errors.append(item)
            elif item.id in seen:
                line = int(item.source.rsplit(":", 1)[1])
                result.errors.append(RecordError(str(path), line, f"duplicate id {item.id!r} (first in "
                                                                  f"{seen[item.id]})", item.id))
            else:
                seen[item.id] = item.source
                result.records.append(item)
    return result


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
