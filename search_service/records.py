"""Records: the `Record` type and the readers for archive page text and record JSON/JSONL."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator

from search_service.dates import DateError, RecordDate, parse_date

# LANGUAGES is also the faces' list of languages: they may import records, not text/.
from search_service.text.scripts import LANGUAGES, script_language

RECORD_SUFFIXES = (".txt", ".json", ".jsonl")
MAX_ID_CHARS = 200
_PAGE_CHROME = {"skip to content"}
_RIGHTS_START = ("The History and Public Policy Program welcomes", "To enquire about this document")
_TRANSLATOR = re.compile(r"Translated by ([^.]+)\.")
_KNOWN_KEYS = {"id", "title", "date", "summary", "citation", "texts"}


class RecordError(ValueError):
    """A record that cannot be read; `str()` is `file:line: what is wrong`.

    `record_id` is the record's id when it could be read (so a rebuild can keep that record's
    previous version), else None.
    """

    def __init__(self, source: str, line: int, reason: str, record_id: str | None = None) -> None:
        super().__init__(f"{source}:{line}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason
        self.record_id = record_id


@dataclass(frozen=True)
class Record:
    """One archival record: metadata plus its text in each language (paragraphs separated by blank lines)."""

    id: str
    title: str
    date: str | None
    texts: dict[str, str]
    summary: str = ""
    citation: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    source: str = ""

    @cached_property
    def when(self) -> RecordDate | None:
        """The date read: its start and end, and whether it is approximate (checked when the record was read)."""
        return parse_date(self.date)

    @property
    def year(self) -> int | None:
        """The year the record's date starts in: what the timeline and date order use."""
        return self.when.first_year if self.when else None

    @property
    def last_year(self) -> int | None:
        """The year the record's date ends in (its start year unless the date is a range)."""
        return self.when.last_year if self.when else None

    def to_json(self) -> dict:
        """The record in the project's record format (as served by the API)."""
        out: dict = {"id": self.id, "title": self.title, "date": self.date, "summary": self.summary,
                     "citation": self.citation, "texts": dict(self.texts)}
        out.update(self.metadata)
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Record":
        """A record from the JSON that `to_json` made (as an index stores it): trusted, not checked again."""
        metadata = {key: value for key, value in data.items() if key not in _KNOWN_KEYS}
        return cls(id=data["id"], title=data.get("title") or "", date=data.get("date"), texts=dict(data["texts"]),
                   summary=data.get("summary") or "", citation=data.get("citation") or "", metadata=metadata)


def id_problem(value: object) -> str | None:
    """Why `value` cannot be a record id, or None when it can: any printable text of 1-200 characters,
    shelfmarks included (`RGASPI/558/11/62`, `ф.17 оп.3 д.1083`)."""
    if not isinstance(value, str) or not value.strip():
        return "missing id"
    if len(value) > MAX_ID_CHARS:
        return f"the id is {len(value)} characters long; the limit is {MAX_ID_CHARS}"
    if not value.isprintable():
        return f"bad id {value[:60]!r}: it holds a line break, tab or other invisible character"
    if value != value.strip():
        return f"bad id {value!r}: it starts or ends with a space"
    return None


@dataclass
class ReadResult:
    records: list[Record]
    errors: list[RecordError]
    skipped: list[Path] = field(default_factory=list)  # files in the folders read that hold no records
    encodings: dict[str, str] = field(default_factory=dict)  # file -> the encoding it was read in, when not UTF-8


def read_records(paths: Iterable[Path], encoding: str | None = None) -> ReadResult:
    """Read every record file (or folder of them); bad records become errors, the rest are kept.
    `encoding` forces one for every file."""
    result = ReadResult([], [])
    seen: dict[str, str] = {}
    for path in _record_files(paths, result.skipped):
        for item in _read_file(path, encoding):
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
                if found.suffix in RECORD_SUFFIXES:
                    yield found
                else:
                    skipped.append(found)
        else:
            yield path


def _read_file(path: Path, encoding: str | None) -> Iterator[Record | RecordError]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        yield RecordError(str(path), 0, f"cannot read file: {exc.strerror}",
                          path.stem if path.suffix == ".txt" else None)
        return
    if path.suffix == ".txt":
        yield _guard(path, 1, lambda: parse_archive_text(_decode(path, raw, 1, encoding), path.stem, str(path)), path.stem)
    elif path.suffix == ".json":
        yield _guard(path, 1, lambda: parse_record_json(_decode(path, raw, 1, encoding), str(path), 1))
    elif path.suffix == ".jsonl":
        for number, line in enumerate(raw.split(b"\n"), start=1):
            if line.strip():
                yield _guard(path, number, lambda: parse_record_json(_decode(path, line, number, encoding), str(path), number))
    else:
        yield RecordError(str(path), 0, f"unknown record file type {path.suffix!r} (expected .txt, .json or .jsonl)")


def _guard(path: Path, line: int, parse, record_id: str | None = None) -> Record | RecordError:
    """The parsed record, or its error (carrying `record_id` when the caller knows it and the error does not)."""
    try:
        return parse()
    except RecordError as exc:
        return exc if exc.record_id or not record_id else RecordError(exc.source, exc.line, exc.reason, record_id)


def _decode(path: Path, raw: bytes, line: int, encoding: str | None) -> str:
    try:
        return raw.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordError(str(path), line, f"not valid {encoding or 'UTF-8'} (byte {exc.start}: "
                                           f"{raw[exc.start:exc.start + 1]!r})") from None


def parse_record_json(text: str, source: str, line: int = 1) -> Record:
    """Parse one record in the project's JSON record format."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(source, line, f"bad JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise RecordError(source, line, "bad JSON: nested too deeply") from None
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        # A `\ud800` escape decodes to half a character, which no UTF-8 index or response can carry.
        raise RecordError(source, line, f"unpaired surrogate escape {exc.object[exc.start]!r} in a string") from None
    if not isinstance(data, dict):
        raise RecordError(source, line, f"a record must be a JSON object, got {type(data).__name__}")
    record_id = data.get("id")
    problem = id_problem(record_id)
    if problem:
        raise RecordError(source, line, problem)
    try:
        return _record_from_json(data, record_id, source, line)
    except RecordError as exc:
        raise RecordError(source, line, exc.reason, record_id) from None


def _record_from_json(data: dict, record_id: str, source: str, line: int) -> Record:
    texts = _texts_from_json(data.get("texts"), source, line)
    try:
        date = str(data["date"]).strip() if parse_date(data.get("date")) else None
    except DateError as exc:
        raise RecordError(source, line, str(exc)) from None
    strings = {}
    for key in ("title", "summary", "citation"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise RecordError(source, line, f"{key} must be a string or null")
        strings[key] = value or ""
    metadata = {key: value for key, value in data.items()
                if key not in _KNOWN_KEYS and isinstance(value, str)}
    return Record(id=record_id, date=date, texts=texts, metadata=metadata, source=f"{source}:{line}", **strings)


def _texts_from_json(texts: object, source: str, line: int) -> dict[str, str]:
    """A record's `texts` object checked, without its empty texts."""
    if not isinstance(texts, dict):
        raise RecordError(source, line, "missing texts: expected an object like {\"ru\": ..., \"en\": ...}")
    unknown = sorted(set(texts) - set(LANGUAGES))
    if unknown:
        raise RecordError(source, line, f"unknown language {unknown[0]!r} in texts (expected ru or en)")
    if any(value is not None and not isinstance(value, str) for value in texts.values()):
        raise RecordError(source, line, "texts values must be strings")
    texts = {lang: value for lang, value in texts.items() if value and value.strip()}
    if not texts:
        raise RecordError(source, line, "no text: texts has no non-empty ru or en")
    return texts


def parse_archive_text(text: str, record_id: str, source: str) -> Record:
    """Parse archive page text (date line, title, Russian and English text, summary, citation).

    Text without that structure still becomes a record: title from the first line, the language of
    each paragraph from its script.
    """
    problem = id_problem(record_id)
    if problem:
        raise RecordError(source, 1, f"{problem} (the id is the file name)")
    paragraphs = [p for p in _paragraphs(text) if p.lower() not in _PAGE_CHROME]
    if not paragraphs:
        raise RecordError(source, 1, "no text: the file is empty")
    date = _parse_long_date(paragraphs[0])
    info = _index_of(paragraphs, "Document Information")
    if date is None or info is None or len(paragraphs) < 4:
        return _plain_text_record(paragraphs, record_id, source)
    title, body = paragraphs[1], paragraphs[2:info]
    summary = body.pop() if body and script_language(body[-1]) == "en" else ""
    citation = next((p for p in paragraphs[info + 1:] if not p.startswith(_RIGHTS_START)), "")
    translator = _TRANSLATOR.search(citation)
    metadata = {"translator": translator.group(1)} if translator else {}
    return _record_from_paragraphs(record_id, title, date, body, source, summary=summary, citation=citation,
                                   metadata=metadata)


def _plain_text_record(paragraphs: list[str], record_id: str, source: str) -> Record:
    title, _, first_rest = paragraphs[0].partition("\n")
    body = ([first_rest.strip()] if first_rest.strip() else []) + paragraphs[1:]
    return _record_from_paragraphs(record_id, title.strip(), None, body or [title.strip()], source)


def _record_from_paragraphs(record_id: str, title: str, date: str | None, body: list[str], source: str,
                            **extra) -> Record:
    by_language: dict[str, list[str]] = {}
    for paragraph in body:
        lang = script_language(paragraph)
        if lang:
            by_language.setdefault(lang, []).append(paragraph)
    if not by_language:
        raise RecordError(source, 1, "no text: no paragraph has Russian or English letters")
    texts = {lang: "\n\n".join(paras) for lang, paras in by_language.items()}
    return Record(id=record_id, title=title, date=date, texts=texts, source=f"{source}:1", **extra)


def _paragraphs(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [p.strip() for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def _index_of(paragraphs: list[str], heading: str) -> int | None:
    return next((i for i, p in enumerate(paragraphs) if p.strip() == heading), None)


def _parse_long_date(line: str) -> str | None:
    for fmt in ("%B %d, %Y", "%d %B %Y", "%B %Y"):
        try:
            parsed = datetime.strptime(line.strip(), fmt)
        except ValueError:
            continue
        return parsed.strftime("%Y-%m-%d" if "%d" in fmt else "%Y-%m")
    return None
