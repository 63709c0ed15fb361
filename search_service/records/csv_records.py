"""Records in a `.csv` inventory, as spreadsheets save them: a header row naming the columns (`id`, `title`,
`date`, `summary`, `citation`, `ru`, `en`, in any order and case; any other column is metadata), then a
record a row. Cells are separated by commas, or by semicolons or tabs when the header row is."""

from __future__ import annotations

import csv
import io
from collections import Counter
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
        yield exc if isinstance(exc, RecordError) else RecordError(source, rows.line_num, _csv_problem(exc))
        return
    found = False
    for line, row in _rows(rows, source):
        found = True
        yield row if isinstance(row, RecordError) else _record(row, columns, source, line)
    if not found:
        yield RecordError(source, 1, "no records: the file has a header row only")


def _rows(rows: Iterator[list[str]], source: str) -> Iterator[tuple[int, list[str] | RecordError]]:
    """The rows that are not blank, each with the line it starts on (a quoted cell may span lines)."""
    while True:
        line = rows.line_num + 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, RecordError(source, line, _csv_problem(exc))
            continue
        if any(cell.strip() for cell in row):
            yield line, row


def _csv_problem(error: csv.Error) -> str:
    """csv's message, with what it means for the two a spreadsheet edited by hand runs into."""
    if "expected after" in str(error):
        return f"bad CSV ({error}): a quote inside a quoted cell is written twice (\"\")"
    if "unexpected end of data" in str(error):
        return "bad CSV: a quoted cell is never closed (its closing quote is missing)"
    return f"bad CSV: {error}"


def _delimiter(text: str) -> str:
    """The separator the header row uses most (a comma when it has none); quoting stays the spreadsheets'
    own (a quote in a cell doubled). csv.Sniffer would take seconds on a long line of quotes."""
    header = text.split("\n", 1)[0]
    return max(",;\t", key=header.count)


def _columns(header: list[str], source: str) -> list[str]:
    """The key each column fills: a record field or a language in lower case, else metadata as written;
    RecordError when the header lacks the id or both languages, or names a column twice."""
    columns = [name.lower() if name.lower() in _FIELDS or name.lower() in LANGUAGES else name for name in header]
    lacks = (["an id column"] if "id" not in columns else []) + \
        ([f"a {' or '.join(LANGUAGES)} column"] if not set(LANGUAGES) & set(columns) else [])
    if lacks:
        raise RecordError(source, 1, f"the header row lacks {' and '.join(lacks)} (it names: {_named(header)})")
    twice = [name for name, count in Counter(columns).items() if name and count > 1]
    if twice:
        raise RecordError(source, 1, f"the header row names {twice[0][:40]!r} twice")
    return columns


def _named(header: list[str]) -> str:
    """The header's first names, cut short: a file that is no CSV has one enormous "name"."""
    return ", ".join(name[:40] for name in header[:12]) + (", ..." if len(header) > 12 else "") or "nothing"


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
