"""Collecting a search's matches in one pass: the best ones in the year range and the facet filters
by score (with the proximity boost), and which records matched."""

from __future__ import annotations

from typing import Callable
from weakref import WeakKeyDictionary

from whoosh import collectors
from whoosh.searching import Results

from search_service.deadline import Deadline
from search_service.engine import proximity
from search_service.engine.scoring import WordMatcher
from search_service.dates import MAX_YEAR

# The clock is read every this many matches: Whoosh's TimeLimitCollector instead starts a timer
# thread per search (signals cannot be used in gunicorn's worker threads).
CHECK_CLOCK_EVERY = 64
_COLUMNS: WeakKeyDictionary = WeakKeyDictionary()  # segment reader -> column name -> value of each record


YearRange = tuple[int | None, int | None]  # first and last year, either open


class PageCollector(collectors.TopCollector):
    """The `limit` best matches in the year range and the facet filters by score, every match
    counted (no block skipping), and the sets of matched records, in the filters and in all.

    A match whose words could not score enough to enter a full page (each word's score is below its
    saturation limit) is counted but not scored. With `phrases`, a match that could reach the page
    gets their proximity boost, read from the query's own term matchers while they stand on it.
    Whoosh's own grouping asks the year column file for every match; here a segment's years are
    read once into memory. Keeping the matched set means joining result tiers never runs a query
    again to learn what it matched, and the per-year and facet counts are worked out from it
    (`facets.count_facets`) with the filters left out one at a time.
    """

    def __init__(self, limit: int, deadline: Deadline, phrases: list[proximity.Phrase] | None = None,
                 words_only: bool = False, years: YearRange | None = None,
                 facets: Callable[[int], bool] | None = None) -> None:
        """`deadline`: past it collecting stops with `collectors.TimeLimit` (the best matches found
        by then stay in `results()`). `words_only`: the query's score is the sum of its words' scores
        (`querying.is_word_sum`). `years`: only dated records in this range are hits. `facets`:
        whether a record (by its number in the index) has the facet values asked for."""
        # replace=0: Whoosh's periodic matcher replacement would rebuild the tree whose term and
        # word matchers are read here.
        super().__init__(limit=limit, usequality=False, replace=0)
        self.matched: set[int] = set()
        self.in_range: set[int] = set() if years or facets else self.matched
        self._years = years
        self._facets = facets
        self._phrases = phrases or []
        # The boost at most doubles a score.
        self._most = 2.0 if self._phrases else 1.0
        self._words_only = words_only
        self._deadline = deadline
        self._countdown = CHECK_CLOCK_EVERY
        self._segment_years: list = []
        self._segment_ends: list = []
        self._leaves: proximity.Leaves = {}
        self._words: list[WordMatcher] = []

    def prepare(self, top_searcher, q, context) -> None:
        # The term matchers must stand on the record being collected: no preloading unions.
        super().prepare(top_searcher, q, context.set(needs_current=True))

    def set_subsearcher(self, subsearcher, offset) -> None:
        if self._deadline.passed():
            raise collectors.TimeLimit
        super().set_subsearcher(subsearcher, offset)
        reader = subsearcher.reader()
        self._segment_years = year_column(reader, "year")
        # A generation written before ranges were indexed has start years only.
        self._segment_ends = year_column(reader, "year_end") or self._segment_years
        self._leaves = _leaves(self.matcher)
        self._words = list({id(word): word for _, word in self._leaves.values()
                            if isinstance(word, WordMatcher)}.values())

    def collect(self, sub_docnum: int):
        self._countdown -= 1
        if not self._countdown:
            self._countdown = CHECK_CLOCK_EVERY
            if self._deadline.passed():
                raise collectors.TimeLimit
        global_docnum = self.offset + sub_docnum
        self.matched.add(global_docnum)
        if self._years or self._facets:
            if self._years and not overlaps(self._segment_years[sub_docnum], self._segment_ends[sub_docnum],
                                            self._years):
                return 0
            if self._facets and not self._facets(global_docnum):
                return 0
            self.in_range.add(global_docnum)
        items = self.items
        if len(items) == self.limit and self._words_only and self._most * self._bound(sub_docnum) <= items[0][0]:
            return 0  # cannot enter the page
        score = self.matcher.score()
        if self._phrases and (len(items) < self.limit or self._most * score > items[0][0]):
            score += proximity.bonus(self._phrases, self._leaves, sub_docnum)
        return self._collect(global_docnum, score)

    def _bound(self, sub_docnum: int) -> float:
        """The most the record can score: the saturation limits of the words it has."""
        return sum(word.max_quality() for word in self._words if word.is_active() and word.id() == sub_docnum)

    def all_ids(self):
        return iter(sorted(self.in_range))

    def results(self) -> Results:
        """The page's best hits; their `len()` counts every hit in the year range."""
        results = super().results()
        results.docset = self.in_range
        return results


def dated(year: int | None) -> bool:
    """Whether a `year` column value is a record's year (an undated record has None or a number past MAX_YEAR)."""
    return isinstance(year, int) and 0 < year <= MAX_YEAR


def overlaps(start: int | None, end: int | None, years: YearRange) -> bool:
    """Whether a record dated from year `start` to year `end` has a year in the range."""
    first, last = years
    return dated(start) and (first is None or end >= first) and (last is None or start <= last)


def _leaves(matcher) -> proximity.Leaves:
    """The term matchers in a query's matcher tree, each with the word matcher above it (or itself)."""
    found: proximity.Leaves = {}
    stack = [(matcher, None)]
    while stack:
        node, word = stack.pop()
        word = node if isinstance(node, WordMatcher) else word
        if node.term() is not None:
            found.setdefault(node.term(), (node, word or node))
        else:
            stack.extend((child, word) for child in node.children())
    return found


def year_column(reader, name: str) -> list | None:
    """A year column of a segment in memory (a large number or None for an undated record); None
    when the generation's schema has no such field."""
    columns = _COLUMNS.setdefault(reader, {})
    if name not in columns:
        columns[name] = list(reader.column_reader(name)) if name in reader.schema else None
    return columns[name]
