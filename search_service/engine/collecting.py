"""Collecting a search's matches in one pass: the best ones by score, and how many fall in each year."""

from __future__ import annotations

from collections import Counter
from weakref import WeakKeyDictionary

from whoosh import collectors
from whoosh.searching import Results

_YEARS: WeakKeyDictionary = WeakKeyDictionary()  # segment reader -> year of each of its records


class PageCollector(collectors.TopCollector):
    """The `limit` best matches by score, every match counted (no block skipping), the matches per
    year, and the set of matched records.

    Whoosh's own grouping asks the year column file for every match through a categorizer; here the
    years of a segment are read once into memory. Keeping the matched set means joining result
    tiers never runs a query again to learn which records it matched.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit, usequality=False)
        self.years: Counter = Counter()
        self.matched: set[int] = set()
        self._segment_years: list = []

    def set_subsearcher(self, subsearcher, offset) -> None:
        super().set_subsearcher(subsearcher, offset)
        self._segment_years = _years_of(subsearcher.reader())

    def collect(self, sub_docnum: int):
        self.years[self._segment_years[sub_docnum]] += 1
        self.matched.add(self.offset + sub_docnum)
        return super().collect(sub_docnum)

    def _collect(self, global_docnum: int, score: float):
        sort_key = super()._collect(global_docnum, score)
        # Whoosh would drop the parts of the query that cannot lift a record above this minimum, and
        # stop counting the records only they match; kept at 0, the matcher is tidied but matches all.
        self.minscore = 0
        return sort_key

    def all_ids(self):
        return iter(sorted(self.matched))

    def results(self) -> Results:
        results = super().results()
        results.docset = self.matched
        return results


def _years_of(reader) -> list:
    """The `year` column of a segment (a large number or None for an undated record)."""
    years = _YEARS.get(reader)
    if years is None:
        years = _YEARS[reader] = list(reader.column_reader("year"))
    return years
