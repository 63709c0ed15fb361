"""Records in a `.csv` inventory, as spreadsheets save them: a header row naming the columns (`id`, `title`,
`date`, `summary`, `citation`, `ru`, `en`, in any order and case; any other column is metadata), then a
record a row. Cells are separated by commas, or by semicolons or tabs when the header row is."""

from __future__ import annotations

import csv
import io
from typing import Iterator

from search_service.records.json_records import record_from_json
from search_service.records.record import KNOWN_KEYS, LANGUAGES, Record, RecordError

# Every record is a row, and archive texts run past csv's default cap of 128 KiB a cell; the file is in
# memory already, so the cap guards nothing here.
csv.field_size_limit(max(csv.field_size_limit(), 2 ** 31 - 1))

_FIELDS = set(KNOWN_KEYS) - {"texts"}


def parse_csv(text: str, source: str) -> Iterator[Record | RecordError]:
    """The records of a CSV file; each error names the line its row starts on."""
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    try:
        header = [name.strip() for name in next(rows, [])]
        columns = _columns(header, source)
    except (RecordError, csv.Error) as exc:
        yield exc if isinstance(exc, RecordError) else RecordError(source, rows.line_num, f"bad CSV: {exc}")
        return
    while True:
        line = rows.line_num + 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RecordError(source, line, f"bad CSV: {exc}")
            continue
        if any(cell.strip() for cell in row):
            yield _record(row, columns, source, line)


def _delimiter(text: str) -> str:
    """The header row's separator; quoting stays the spreadsheets' own (a quote in a cell doubled)."""
    try:
        return csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
    except csv.Error:  # a header of one column has no separator to find
        return ","


def _columns(header: list[str], source: str) -> list[str]:
    """The key each column fills: a record field or a language in lower case, else metadata as written;
    RecordError when the header lacks the id or both languages, or names a column twice."""
    columns = [name.lower() if name.lower() in _FIELDS or name.lower() in LANGUAGES else name for name in header]
    lacks = [what for what, missing in (("an id column", "id" not in columns),
                                        (f"a {' or '.join(LANGUAGES)} column", not set(LANGUAGES) & set(columns)))
             if missing]
    if lacks:
        raise RecordError(source, 1, f"the header row lacks {' and '.join(lacks)} "
                                     f"(it names: {', '.join(header) or 'nothing'})")
    twice = sorted({name for name in columns if name and columns.count(name) > 1})
    if twice:
        raise RecordError(source, 1, f"the header row names {twice[0]!r} twice")
    return columns


def _record(row: list[str], columns: list[str], source: str, line: int) -> Record | RecordError:
    if len(row) < len(columns) or any(cell.strip() for cell in row[len(columns):]):
        return RecordError(source, line, f"the row has {len(row)} cells; the header row has {len(columns)}")
    cells = {name: cell.strip() for name, cell in zip(columns, row) if name and cell.strip()}
    data: dict = {name: value for name, value in cells.items() if name not in LANGUAGES}
    data["texts"] = {lang: cells[lang] for lang in LANGUAGES if lang in cells}
    try:
        return record_from_json(data, source, line)
    except RecordError as exc:
        return exc
