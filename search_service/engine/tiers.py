"""The search tiers: records with every word, then records with most words, then records found
only through near terms; all under one deadline, in one pass per tier.

A record found by a later tier never outranks one found by an earlier tier. The year range and the
facet filters narrow the hits but not the decision to relax; the per-year counts leave the year
range out and each facet's counts its own filter, so a timeline drawn from `years` shows where the
same query finds records outside the range, and a facet panel offers the other values of a facet.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from whoosh import collectors, query
from whoosh.searching import Searcher

from search_service.deadline import Deadline
from search_service.engine import proximity, querying, translation, vectorised
from search_service.engine.collecting import PageCollector, YearRange, dated
from search_service.engine.facets import FacetCheck, FacetFilters, FacetTable, count_facets
from search_service.engine.postings import PostingArrays
from search_service.engine.ranking import Ranked, Ranking, rank
from search_service.engine.reader import PublishedIndex, stored_record
from search_service.engine.schema import LANGUAGE_FIELDS, TEXT_FIELDS
from search_service.engine.spans import Spans, query_terms, term_spans
from search_service.records import Record
from search_service.text.alignment import Alignment

# When fewer records than this have every word, records with most words follow them (a page).
MIN_ALL_WORDS_HITS = 10
# Records found only through near terms come after every exact match; past this many exact matches
# they would start beyond the fifth page, so the near tier is not searched (it costs about as much
# as the first: bench/forgiving.py).
NEAR_WHEN_FEWER_THAN = 50


@dataclass(frozen=True)
class Filters:
    lang: str | None = None  # search this language's text only
    year_from: int | None = None
    year_to: int | None = None
    facets: FacetFilters = ()  # records with one of the values of each of these facets

    @property
    def years(self) -> YearRange | None:
        return (self.year_from, self.year_to) if self.year_from is not None or self.year_to is not None else None


@dataclass(frozen=True)
class EngineHit:
    id: str
    score: float
    record: Record
    alignment: Alignment
    spans: Spans  # language -> (start, end, term) of query terms in its text, in order
    via: str | None = None  # "translation": found only through the query's translated words
    translated: Spans = field(default_factory=dict)  # where translated query words stand in its texts


@dataclass(frozen=True)
class EngineResult:
    total: int
    hits: list[EngineHit]
    terms: dict[str, frozenset[str]]  # field -> index terms a hit may be highlighted for
    relaxed: bool  # no record had every word, so records with most words were returned
    years: dict[int, int]  # year -> matching records, over every year (the year range left out)
    timed_out: bool = False  # the deadline stopped the search: hits, total and years are what was found by then
    facets: dict[str, Counter] = field(default_factory=dict)  # facet -> value -> matching records (disjunctive)
    translations: dict[str, str] = field(default_factory=dict)  # language -> the query as searched in it


def fields_for(lang: str | None) -> tuple[str, ...]:
    """The fields a search in `lang` (None: both languages) looks in."""
    if lang is None:
        return TEXT_FIELDS
    return tuple(f for f in TEXT_FIELDS if f not in LANGUAGE_FIELDS or f == lang)


def search(index: PublishedIndex, text: str, page: int, per_page: int, filters: Filters,
           deadline: Deadline, sort: str = "relevance", facets: tuple[str, ...] = (), spans: bool = True,
           translate: bool = False) -> EngineResult:
    """The page of hits for `text`; records with every word, then (when fewer than MIN_ALL_WORDS_HITS
    have them all, for words as typed, or none does) records with the most words (`relaxed` when
    none has them all), then, when they are fewer than NEAR_WHEN_FEWER_THAN, records with every
    word only through near terms (archive typos, the other script's spelling of a name, English
    irregular forms). The hits come by score, or in date order (`sort` "date" or "-date"); `facets`
    are the facets counted, whose values the query may name (`type:Письмо`). At the deadline it
    answers with what it found, flagged `timed_out`. Without `spans`, the hits' spans are left empty
    (a list that shows no snippets need not read positions). With `translate`, records without the
    language of a word also match it through its translations (`translation.py`)."""
    searcher = index.searcher()
    table = index.facet_table(searcher)
    run = _Runner(searcher, page * per_page, filters, deadline, table, index.posting_arrays(searcher))
    fields = fields_for(filters.lang)
    q = querying.parse(searcher.schema, text, fields, all_words=True, deadline=deadline, facets=facets)
    querying.check_expansion(q, searcher.reader())
    crossing = translation.crossing(index, translate)
    crossed = crossing.translated
    # Only records with every word can have them all close together: the proximity boost is for them.
    found = run(crossed(q), crossing.near(querying.proximity_query(searcher.schema, text, fields)))
    most_q = _most_words_query(searcher, text, fields, q, found, deadline, facets)
    relaxed = most_q is not None and not found.matched.size
    if most_q is not None:
        found = _below(found, run(crossed(most_q)), superset=True)
    exact = most_q or q
    wide = None
    if len(found.matched) < NEAR_WHEN_FEWER_THAN and not found.timed_out:
        vocabulary = index.vocabulary(deadline)
        wide = vocabulary.widen(q) if vocabulary else None
        found.timed_out = vocabulary is None
    if wide is not None:
        near = run(wide, without=crossed(exact))
        relaxed = relaxed and not near.matched.size
        found = _below(found, near)
    counted = count_facets(table, found.matched, facets, FacetCheck(table, filters.facets, filters.years), deadline)
    if sort == "relevance":
        scored = [(docnum, score) for score, docnum in found.top[(page - 1) * per_page:page * per_page]]
    else:
        scored = [(docnum, 0.0) for docnum in table.in_date_order(found.hits, sort)
                  [(page - 1) * per_page:page * per_page]]
    terms = query_terms(searcher, exact, wide)
    hits = page_of_hits(searcher, scored, terms if spans else {}, run.arrays)
    result = EngineResult(total=len(found.hits), hits=hits, terms=terms, relaxed=relaxed,
                          years=dated_years(counted.years), timed_out=found.timed_out or counted.timed_out,
                          facets=counted.facets)
    return _marked(crossing, run, result, [exact, wide], [docnum for docnum, _ in scored])


def _marked(crossing: translation.Crossing, run: "_Runner", result: EngineResult,
            untranslated: list[query.Query | None], docnums: list[int]) -> EngineResult:
    """`result` as `Crossing.marked` says what translation did, the hits the `untranslated` queries
    match being read only when some word was translated."""
    if not crossing.translates:
        return result
    return crossing.marked(run.searcher, result, run.matching(untranslated, docnums), docnums, run.arrays)


class _Runner:
    """Runs one tier's query with the search's page size, filters and deadline: on the posting
    arrays when `vectorised` scores every node of the query, else with Whoosh's matchers."""

    def __init__(self, searcher: Searcher, limit: int, filters: Filters, deadline: Deadline,
                 table: FacetTable, arrays: PostingArrays) -> None:
        self.searcher, self.limit, self.deadline, self.years = searcher, limit, deadline, filters.years
        self.arrays = arrays
        facets = FacetCheck(table, filters.facets)
        self.facets = facets.facets_pass if facets else None
        self.allowed = FacetCheck(table, filters.facets, filters.years).mask()  # None: no filter
        self.lang = query.Term("langs", filters.lang) if filters.lang else None

    def __call__(self, q: query.Query, phrase: query.Query | None = None, without: query.Query | None = None
                 ) -> Ranked:
        """`q`'s hits until the deadline; `without`'s matches left out; with `phrase`, the best hits
        get its proximity boost (see `proximity.py`)."""
        if self.lang is not None:
            # In the query, not as a FilterCollector: that one runs the collecting loop itself and
            # would bypass the page collector's own (years, proximity, the deadline).
            q = query.Require(q, self.lang)
        if without is not None:
            q = query.AndNot(q, without)
        scored = vectorised.evaluate(q, self.searcher, self.arrays)
        if scored is not None:
            boost = (proximity.Boost(proximity.phrases(phrase), self.arrays, scored.words)
                     if phrase is not None else None)
            return rank(scored, self.limit, self.deadline, self.allowed, boost)
        collector = PageCollector(self.limit, self.deadline, proximity.phrases(phrase) if phrase is not None else None,
                                  words_only=querying.is_word_sum(q), years=self.years, facets=self.facets)
        timed_out = False
        try:
            self.searcher.search_with_collector(q, collector)
        except collectors.TimeLimit:
            timed_out = True
        top = [(float(score), docnum) for score, docnum in collector.results().top_n]
        return Ranked(top, _ascending(collector.in_range), _ascending(collector.matched), timed_out)

    def matching(self, queries: list[query.Query | None], docnums: list[int]) -> set[int]:
        """The records among `docnums` that match any of `queries` (those not None), filters left
        out: from the masks of the posting arrays, whose postings the search has just decoded, and
        with Whoosh's matchers only for a query the arrays do not score."""
        found: set[int] = set()
        unscored = []
        for q in queries:
            scored = vectorised.evaluate(q, self.searcher, self.arrays) if q is not None else None
            if scored is not None:
                found.update(docnum for docnum in docnums if scored.matches[docnum])
            elif q is not None:
                unscored.append(q)
        rest = set(docnums) - found
        return found | translation.matched_among(self.searcher, unscored, rest) if unscored and rest else found


def _ascending(docnums: set[int]) -> np.ndarray:
    return np.array(sorted(docnums), np.int64)


def _most_words_query(searcher: Searcher, text: str, fields: tuple[str, ...], q: query.Query, found: Ranked,
                      deadline: Deadline, facets: tuple[str, ...]) -> query.Query | None:
    """The most-words query, when the records with every word are too few to fill a page: words as
    typed only (a query with operators or phrases gets them only when no record has every word),
    never for a query that excludes something, and not when it is the all-words query itself."""
    few = not found.matched.size or (len(found.matched) < MIN_ALL_WORDS_HITS and querying.is_plain(text))
    if not few or found.timed_out or querying.has_negation(q):
        return None
    most_q = querying.parse(searcher.schema, text, fields, all_words=False, deadline=deadline, facets=facets)
    return None if most_q == q else most_q


def _below(first: Ranked, more: Ranked, superset: bool = False) -> Ranked:
    """`first`'s hits, then the hits of `more` that are not among them. `superset`: `more` matches
    every record `first` does (its matches replace first's); else the two match apart."""
    new = [(score, docnum) for score, docnum in more.top if not _holds(first.hits, docnum)]
    top: Ranking = first.top + new
    matched = more.matched if superset else np.union1d(first.matched, more.matched)
    return Ranked(top, np.union1d(first.hits, more.hits), matched, first.timed_out or more.timed_out)


def _holds(docnums: np.ndarray, docnum: int) -> bool:
    """Whether ascending `docnums` holds `docnum`."""
    place = np.searchsorted(docnums, docnum)
    return place < len(docnums) and docnums[place] == docnum


def page_of_hits(searcher: Searcher, scored: list[tuple[int, float]], terms: dict[str, frozenset[str]],
                 arrays: PostingArrays | None = None) -> list[EngineHit]:
    """The hits for these record numbers and scores, with where `terms` stand in their texts (read
    with the generation's posting `arrays` when given)."""
    spans = term_spans(searcher, [docnum for docnum, _ in scored], terms, arrays)
    hits = []
    for docnum, score in scored:
        stored = searcher.stored_fields(docnum)
        hits.append(EngineHit(stored["id"], score, *stored_record(stored), spans[docnum]))
    return hits


def dated_years(years: Counter) -> dict[int, int]:
    """Year -> count for the dated years, in order."""
    return dict(sorted((year, count) for year, count in years.items() if dated(year)))
