"""Records in the project's JSON format: one object per record, in a `.json` file (one record or an array
of them) or a `.jsonl` line; a `.csv` row becomes the same object before it is checked."""

from __future__ import annotations

import json
import re
from typing import Iterator

from search_service.dates import DateError, parse_date
from search_service.records.record import KNOWN_KEYS, LANGUAGES, Record, RecordError, id_problem

_BETWEEN_ITEMS = re.compile(r"[ \t\n\r]*,?[ \t\n\r]*")
# A JSON escape of a UTF-16 surrogate (\ud800 to \udfff): the only way to half a character in a
# record, since files are decoded strictly. Checking the decoded record costs it a second encoding.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def parse_record_json(text: str, source: str, line: int = 1) -> Record:
    """Parse one record in the project's JSON record format; `line` is the file line `text` starts on."""
    return record_from_json(_loads(text, source, line), source, line)


def parse_json_file(text: str, source: str) -> Iterator[Record | RecordError]:
    """The records of a `.json` file, which holds one record or an array of them; an error in an array
    names the line its record starts on and its place (`record 3`)."""
    try:
        data = _loads(text, source, 1)
    except RecordError as exc:
        yield exc
        return
    if not isinstance(data, list):
        yield _checked(data, source, 1)
        return
    if not data:
        yield RecordError(source, 1, "no records: the array is empty")
    for number, (line, item) in enumerate(_array_items(text, len(data)), start=1):
        record = _checked(item, source, line)
        yield RecordError(record.source, record.line, f"record {number}: {record.reason}", record.record_id) \
            if isinstance(record, RecordError) else record


def _array_items(text: str, count: int) -> Iterator[tuple[int, object]]:
    """The line each item of the (valid) JSON array `text` starts on, with the item."""
    decoder = json.JSONDecoder()
    position, line = text.index("[") + 1, 1
    for _ in range(count):
        start = _BETWEEN_ITEMS.match(text, position).end()
        line += text.count("\n", position, start)
        item, position = decoder.raw_decode(text, start)
        yield line, item
        line += text.count("\n", start, position)


def _checked(data: object, source: str, line: int) -> Record | RecordError:
    try:
        return record_from_json(data, source, line)
    except RecordError as exc:
        return exc


def _loads(text: str, source: str, line: int) -> object:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # json's messages that point at a place end with "at" ("Unterminated string starting at").
        what = exc.msg[:-3] + " here" if exc.msg.endswith(" at") else exc.msg
        raise RecordError(source, line + exc.lineno - 1, f"bad JSON at column {exc.colno}: {what}") from None
    except RecursionError:
        raise RecordError(source, line, "bad JSON: nested too deeply") from None
    if not _SURROGATE_ESCAPE.search(text):  # files are decoded strictly: only an escape can make one
        return data
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        # A `\ud800` escape decodes to half a character, which no UTF-8 index or response can carry.
        raise RecordError(source, line, f"unpaired surrogate escape {exc.object[exc.start]!r} in a string") from None
    return data


def record_from_json(data: object, source: str, line: int) -> Record:
    """A record from its JSON object, every field checked; RecordError naming `source:line` and what is wrong."""
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
                if key not in KNOWN_KEYS and isinstance(value, str)}
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
