"""The `Record` type, its id rule, and `RecordError`, which names the file and line of what is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from search_service.dates import RecordDate, parse_date

# LANGUAGES is also the faces' list of languages: they may import records, not text/.
from search_service.text.scripts import LANGUAGES

MAX_ID_CHARS = 200
KNOWN_KEYS = ("id", "title", "date", "summary", "citation", "texts")

__all__ = ["KNOWN_KEYS", "LANGUAGES", "MAX_ID_CHARS", "Record", "RecordError", "id_problem"]


class RecordError(ValueError):
    """A record that cannot be read; `str()` is `file:line: what is wrong`, or `file: what is wrong`
    when the trouble is the file as a whole (line 0: missing, unreadable).

    `record_id` is the record's id when it could be read (so a rebuild can keep that record's
    previous version), else None.
    """

    def __init__(self, source: str, line: int, reason: str, record_id: str | None = None) -> None:
        super().__init__(f"{source}:{line}: {reason}" if line else f"{source}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason
        self.record_id = record_id


@dataclass(frozen=True)
class Record:
    """One archival record: metadata plus its text in each language (paragraphs separated by blank lines)."""

    id: str
    title: str
    date: str | None  # as written (a JSON number as its digits); `when` is what it means
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

    @property
    def chars(self) -> int:
        """Characters of text, in every language (what indexing it costs goes with them)."""
        return sum(len(text) for text in self.texts.values())

    def to_json(self) -> dict:
        """The record in the project's record format (as served by the API)."""
        out: dict = {"id": self.id, "title": self.title, "date": self.date, "summary": self.summary,
                     "citation": self.citation, "texts": dict(self.texts)}
        out.update(self.metadata)
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Record":
        """A record from the JSON that `to_json` made (as an index stores it): trusted, not checked again."""
        metadata = {key: value for key, value in data.items() if key not in KNOWN_KEYS}
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
