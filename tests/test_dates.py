"""Record dates as archives write them."""

from __future__ import annotations

import pytest

from search_service.dates import DateError, RecordDate, parse_date


@pytest.mark.parametrize("value, expected", [
    ("1950", RecordDate("1950", "1950")),
    (1950, RecordDate("1950", "1950")),
    ("1950-08", RecordDate("1950-08", "1950-08")),
    ("1950-08-27", RecordDate("1950-08-27", "1950-08-27")),
    ("ca. 1950", RecordDate("1950", "1950", approximate=True)),
    ("c. 1950", RecordDate("1950", "1950", approximate=True)),
    ("Circa 1950", RecordDate("1950", "1950", approximate=True)),
    ("около 1950", RecordDate("1950", "1950", approximate=True)),
    ("1950-1952", RecordDate("1950", "1952")),
    ("1950/1952", RecordDate("1950", "1952")),
    ("1950 – 1952", RecordDate("1950", "1952")),
    ("1950-08/1950-09", RecordDate("1950-08", "1950-09")),
    ("1950-08-01-1950-09", RecordDate("1950-08-01", "1950-09")),
    ("ca. 1950-1952", RecordDate("1950", "1952", approximate=True)),
    ("1950/1950-08", RecordDate("1950", "1950-08")),
    ("  1950 ", RecordDate("1950", "1950")),
    (None, None),
    ("", None),
])
def test_archive_dates(value, expected):
    assert parse_date(value) == expected


def test_years_of_a_range():
    date = parse_date("1950-08/1952")
    assert (date.first_year, date.last_year, date.is_range) == (1950, 1952, True)


@pytest.mark.parametrize("value, message", [
    ("1951-02-30", r"'1951-02-30': the day does not exist \(February 1951 has 28 days\)"),
    ("1952-02-30", r"the day does not exist \(February 1952 has 29 days\)"),
    ("1950-13", r"there is no month 13"),
    ("1952-1950", r"the range ends \(1950\) before it begins \(1952\)"),
    ("0000", r"the year 0 is out of range"),
    ("27 August 1950", r"expected a year \(1950\)"),
    ("19500", r"expected a year"),
    (1950.5, r"expected a year"),
    (True, r"expected a year"),
    ("ca.", r"expected a year"),
])
def test_bad_dates_say_what_is_wrong(value, message):
    with pytest.raises(DateError, match=message):
        parse_date(value)
