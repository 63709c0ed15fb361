"""Facet values and date order: one column per record, read into memory once per generation.

Counting and sorting read these arrays by record number, never the stored records: a facet's value
for a record is a small code, a filter is a mask over every record, and counting a facet is one
numpy pass over the matched record numbers.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from search_service.deadline import Deadline
from search_service.engine.collecting import YearRange, dated, year_column
from search_service.records import Record

COLUMN = "facets"  # the schema field holding `column_value`
LANG = "lang"  # the facet of the languages a record has text in
# Longer metadata values are prose (notes, descriptions), not something to narrow a list by.
MAX_VALUE_CHARS = 200
# Records counted between two looks at the clock.
COUNT_CHUNK = 2048

FacetFilters = tuple[tuple[str, tuple[str, ...]], ...]  # facet -> the values any of which a record must have


def facet_fields(record: Record) -> dict:
    """A record's facet fields: the column (its id, date start, languages and short metadata
    values) and its `key:value` terms for queries, one per line."""
    values = {key: value.strip() for key, value in record.metadata.items()
              if key != LANG and 0 < len(value.strip()) <= MAX_VALUE_CHARS}
    langs = sorted(record.texts)
    column = json.dumps({"id": record.id, "start": record.when.start if record.when else None, "langs": langs,
                         "values": values}, ensure_ascii=False).encode("utf-8")
    terms = [facet_term(key, value) for key, value in values.items()] + [facet_term(LANG, lang) for lang in langs]
    return {COLUMN: column, "facet_values": "\n".join(terms), "facet_words": "\n\n".join(values.values())}


def facet_term(key: str, value: str) -> str:
    """The index term of a facet value: `type:письмо` for `Письмо` (case and spacing aside)."""
    return f"{key}:{' '.join(value.split()).casefold()}"


@dataclass(frozen=True)
class Facet:
    """One facet's values as codes: `codes[docnum]` indexes `groups` (-1: the record has none)."""

    groups: list[tuple[str, ...]]  # the values behind each code (a record may have several languages)
    codes: np.ndarray  # int64, by record number

    def allowed(self, values: Iterable[str]) -> list[bool]:
        """For each code, whether a record with it has one of `values`."""
        wanted = set(values)
        return [bool(wanted.intersection(group)) for group in self.groups]

    def mask(self, values: Iterable[str]) -> np.ndarray:
        """Which records have one of `values`."""
        # One more entry, False, for the code -1 (no value).
        return np.array([*self.allowed(values), False], bool)[self.codes]

    def count(self, docnums: np.ndarray) -> Counter:
        """Value -> how many of the records have it."""
        by_code = np.bincount(self.codes[docnums] + 1, minlength=len(self.groups) + 1)[1:]
        counts: Counter = Counter()
        for code in np.flatnonzero(by_code).tolist():
            for value in self.groups[code]:
                counts[value] += int(by_code[code])
        return counts


class FacetTable:
    """A generation's facets, years and date orders, by record number."""

    def __init__(self, reader) -> None:
        columns = _columns(reader)
        # The first and last year of each record's date (0 and not `dated`: undated), as the year filter reads them.
        years = _years(reader)
        self.dated = np.array([found is not None for found in years], bool)
        self.starts = np.array([found[0] if found else 0 for found in years], np.int64)
        self.ends = np.array([found[1] if found else 0 for found in years], np.int64)
        self.facets = _facets(columns)
        self.orders = _date_orders(columns, list(reader.all_doc_ids()))
        self.ranks = {sort: _ranks(order, len(columns)) for sort, order in self.orders.items()}

    def in_date_order(self, docnums: np.ndarray, sort: str) -> list[int]:
        """The records in date order (`date` oldest first, `-date` newest first; undated last, ties by id)."""
        return docnums[np.argsort(self.ranks[sort][docnums], kind="stable")].tolist()

    def in_years(self, years: YearRange) -> np.ndarray:
        """Which records are dated with a year in the range."""
        first, last = years
        mask = self.dated.copy()
        if first is not None:
            mask &= self.ends >= first
        if last is not None:
            mask &= self.starts <= last
        return mask


class FacetCheck:
    """Which of a search's filters (facets, years) a record fails, from the codes alone."""

    def __init__(self, table: FacetTable, filters: FacetFilters, years: YearRange | None = None) -> None:
        self.table = table
        self.filters = filters
        self.facets = [(name, table.facets[name].codes if name in table.facets else None,
                        table.facets[name].allowed(values) if name in table.facets else [])
                       for name, values in filters]
        self.year_range = years

    def __bool__(self) -> bool:
        return bool(self.facets) or self.year_range is not None

    def facets_pass(self, docnum: int) -> bool:
        """Whether the record has a wanted value of every filtered facet."""
        return all(codes is not None and _allowed(allowed, codes[docnum]) for _, codes, allowed in self.facets)

    def passing(self) -> dict[str, np.ndarray]:
        """For each filter (facet names, and "years" for the year range), which records pass it."""
        table, size = self.table, len(self.table.dated)
        masks = {name: table.facets[name].mask(values) if name in table.facets else np.zeros(size, bool)
                 for name, values in self.filters}
        if self.year_range is not None:
            masks["years"] = table.in_years(self.year_range)
        return masks

    def mask(self) -> np.ndarray | None:
        """Which records pass every filter; None when there is none."""
        masks = list(self.passing().values())
        return np.logical_and.reduce(masks) if masks else None


def _allowed(allowed: list[bool], code: int) -> bool:
    """Whether a record with value `code` (-1: none) passes a facet filter."""
    return code >= 0 and allowed[code]


@dataclass
class FacetCounts:
    facets: dict[str, Counter]  # facet -> value -> records passing every filter but the facet's own
    years: Counter  # year -> records passing every filter but the year range
    passing: np.ndarray  # the records passing every filter, in the order given
    timed_out: bool  # the deadline cut the counting short


def count_facets(table: FacetTable, docnums: Sequence[int] | np.ndarray, names: Iterable[str], check: FacetCheck,
                 deadline: Deadline) -> FacetCounts:
    """Each facet's value counts over the records that pass every filter but that facet's own
    (disjunctive facets, as Algolia and Typesense count them), and the per-year counts over those
    passing every filter but the year range: array passes of COUNT_CHUNK records, the clock read
    between them."""
    names = [name for name in names if name in table.facets]
    docnums = np.asarray(docnums, np.int64)
    one_off: dict[str, list[np.ndarray]] = {name: [] for name in [*names, "years"]}
    timed_out = False
    if not check:
        passing = docnums
    else:
        masks, kept = check.passing(), []
        for start in range(0, len(docnums), COUNT_CHUNK):
            if start and deadline.passed():
                timed_out = True
                break
            chunk = docnums[start:start + COUNT_CHUNK]
            fails = {name: ~mask[chunk] for name, mask in masks.items()}
            failed = np.add.reduce([fail.astype(np.int8) for fail in fails.values()])
            kept.append(chunk[failed == 0])
            for name, fail in fails.items():
                if name in one_off:
                    one_off[name].append(chunk[(failed == 1) & fail])
        passing = np.concatenate(kept) if kept else docnums[:0]
    facets = {name: table.facets[name].count(_with(passing, one_off[name])) for name in names}
    dated = _with(passing, one_off["years"])
    dated = dated[table.dated[dated]]
    years, counts = np.unique(table.starts[dated], return_counts=True)
    return FacetCounts(facets, Counter(dict(zip(years.tolist(), counts.tolist()))), passing, timed_out)


def _with(passing: np.ndarray, more: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([passing, *more]) if more else passing


def _columns(reader) -> list[dict | None]:
    """Each record's column, read (None: a generation written before the column)."""
    columns: list[dict | None] = [None] * reader.doc_count_all()
    for segment, offset in reader.leaf_readers():
        if COLUMN in segment.schema and segment.has_column(COLUMN):
            for docnum, raw in enumerate(segment.column_reader(COLUMN)):
                columns[offset + docnum] = json.loads(raw) if raw else None
    return columns


def _years(reader) -> list[tuple[int, int] | None]:
    years: list[tuple[int, int] | None] = [None] * reader.doc_count_all()
    for segment, offset in reader.leaf_readers():
        starts, ends = year_column(segment, "year"), year_column(segment, "year_end")
        for docnum, year in enumerate(starts or ()):
            if dated(year):
                years[offset + docnum] = year, (ends or starts)[docnum]
    return years


def _date_orders(columns: list[dict | None], live: list[int]) -> dict[str, list[int]]:
    """The live records oldest first ("date") and newest first ("-date"); undated ones last, by id."""
    starts = [_sort_start(column) for column in columns]
    ids = [column["id"] if column else "" for column in columns]
    oldest = sorted((doc for doc in live if starts[doc]), key=lambda doc: (starts[doc], ids[doc]))
    newest = sorted(oldest, key=lambda doc: (_descending(starts[doc]), ids[doc]))
    undated = sorted((doc for doc in live if not starts[doc]), key=ids.__getitem__)
    return {"date": oldest + undated, "-date": newest + undated}


def _facets(columns: list[dict | None]) -> dict[str, Facet]:
    """Every metadata key's facet, and the languages', as codes."""
    keys = sorted({key for column in columns if column for key in column["values"]})
    facets = {}
    for key in [*keys, LANG]:
        groups: dict[tuple[str, ...], int] = {}
        codes = []
        for column in columns:
            group = _group(column, key)
            codes.append(groups.setdefault(group, len(groups)) if group else -1)
        facets[key] = Facet(list(groups), np.array(codes, np.int64))
    return facets


def _group(column: dict | None, key: str) -> tuple[str, ...]:
    if column is None:
        return ()
    if key == LANG:
        return tuple(column["langs"])
    value = column["values"].get(key)
    return (value,) if value else ()


def _sort_start(column: dict | None) -> str:
    """The day a record's date starts on, `YYYY-MM-DD` (a partial date's first day); "" when undated."""
    if column is None or not column["start"]:
        return ""
    return (column["start"] + "-01-01")[:10]


def _descending(start: str) -> tuple[int, ...]:
    """A key sorting `YYYY-MM-DD` newest first."""
    return tuple(-int(part) for part in start.split("-"))


def _ranks(order: list[int], size: int) -> np.ndarray:
    """docnum -> its place in `order` (records not in it last)."""
    ranks = np.full(size, size, np.int64)
    ranks[np.array(order, np.int64)] = np.arange(len(order))
    return ranks
