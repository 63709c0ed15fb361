"""Record dates as archives write them: a day, a month, a year, a range of them, or an approximate one.

`1950`, `1950-08`, `1950-08-27`; ranges `1950-1952`, `1950/1952`, `1950-08/1950-09`; approximate
`ca. 1950`, `c. 1950`, `circa 1950`, `около 1950` (a range may be approximate too). A year filter
matches a record whose range overlaps it; sorting and the timeline use the start.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

MIN_YEAR, MAX_YEAR = 1, 9999  # four-digit years
_POINT = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
_DATE = re.compile(rf"^(?P<start>{_POINT})(?:\s*[-/\u2013]\s*(?P<end>{_POINT}))?$")
_APPROXIMATE = re.compile(r"^(?:ca\.?|c\.|circa|около|ок\.)\s*", re.IGNORECASE)
EXPECTED = ("expected a year (1950), 1950-08, 1950-08-27, a range (1950-1952, 1950/1952, 1950-08/1950-09), "
            "an approximate date (ca. 1950, около 1950) or null")


class DateError(ValueError):
    """A date that cannot be read; the message says why."""


@dataclass(frozen=True)
class RecordDate:
    """A record's date: its first and last day as far as they are known, and whether it is approximate."""

    start: str  # "YYYY", "YYYY-MM" or "YYYY-MM-DD"
    end: str  # the same as `start` for one day, month or year
    approximate: bool = False

    @property
    def first_year(self) -> int:
        return int(self.start[:4])

    @property
    def last_year(self) -> int:
        return int(self.end[:4])

    @property
    def is_range(self) -> bool:
        return self.start != self.end


def parse_date(value: object) -> RecordDate | None:
    """The date a record's `date` holds (a string, or a year as a number); None for none; DateError
    naming what is wrong."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise DateError(f"bad date {value!r}: {EXPECTED}")
    text = str(value).strip()
    if not text:
        return None
    approximate = _APPROXIMATE.match(text)
    rest = text[approximate.end():] if approximate else text
    match = _DATE.match(rest)
    if not match:
        raise DateError(f"bad date {text!r}: {EXPECTED}")
    start, end = match.group("start"), match.group("end") or match.group("start")
    for point in {start, end}:
        _check_exists(text, point)
    if end[:len(start)] < start[:len(end)]:
        raise DateError(f"bad date {text!r}: the range ends ({end}) before it begins ({start})")
    return RecordDate(start, end, approximate=bool(approximate))


def _check_exists(text: str, point: str) -> None:
    parts = [int(part) for part in point.split("-")]
    year = parts[0]
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateError(f"bad date {text!r}: the year {year} is out of range ({MIN_YEAR}-{MAX_YEAR})")
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        raise DateError(f"bad date {text!r}: there is no month {parts[1]:02d} (months are 01-12)")
    if len(parts) > 2:
        days = calendar.monthrange(year, parts[1])[1]
        if not 1 <= parts[2] <= days:
            raise DateError(f"bad date {text!r}: the day does not exist ({calendar.month_name[parts[1]]} "
                            f"{year} has {days} days)")
