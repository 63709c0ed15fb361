"""A result list to take away: its records in result order, and as a CSV table for spreadsheets."""

from __future__ import annotations

import csv
import io
from typing import Callable, Iterable

from search_service.deadline import Deadline
from search_service.engine import Engine
from search_service.records import Record
from search_service.service.search import RankedRecords, SearchOptions, ranked_records

# OWASP's CSV injection advice: a spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # without it, spreadsheet programs read UTF-8 as their local code page and garble Cyrillic


def export_list(engine: Engine, options: SearchOptions, limit: int) -> RankedRecords:
    """The first `limit` records of the result list for `options`, under one deadline for the request."""
    return ranked_records(engine, options, limit, Deadline.after(engine.time_limit))


def csv_text(records: Iterable[Record], facets: tuple[str, ...], url: Callable[[str], str]) -> str:
    """The records as CSV with a BOM: `id,title,date,citation`, the `facets` metadata keys, `lang`
    (the languages a record has text in) and `url` (made by `url` from the record id)."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(("id", "title", "date", "citation", *facets, "lang", "url"))
    for record in records:
        facet_values = (record.metadata.get(key) for key in facets)
        row = (record.id, record.title, record.date, record.citation, *facet_values,
               ", ".join(sorted(record.texts)), url(record.id))
        writer.writerow([_as_text(value) for value in row])
    return out.getvalue()


def _as_text(value: object) -> str:
    """A cell a spreadsheet shows as written: a leading formula character is quoted away with `'`."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
