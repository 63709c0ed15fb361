"""Reading the published index generation: `Engine` answers searches and follows new publications.

See `generations.py` for how generations are laid out and published.
"""

from __future__ import annotations

import json
from collections import Counter
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from whoosh import collectors
from whoosh import index as whoosh_index
from whoosh import query
from whoosh.searching import Results, Searcher

from search_service.text.alignment import Alignment, align_texts
from search_service.text.analysis import normalize, word_terms, words
from search_service.text.morphology import load_dictionaries
from search_service.config import Config
from search_service.engine import proximity, querying
from search_service.engine.build import building
from search_service.engine.collecting import PageCollector
from search_service.engine.build.generations import current_generation, pointer_signature, rebuild_lock
from search_service.engine.scoring import ProbabilisticBM25F
from search_service.engine.schema import LANGUAGE_FIELDS, TEXT_FIELDS
from search_service.engine.vocabulary import Vocabulary
from search_service.errors import IndexMissing
from search_service.records import ID_PATTERN, Record

# How often a reader looks for a newly published generation: one stat() per interval, at most.
CHECK_INTERVAL_SECONDS = 0.5
# When fewer records than this have every word, records with most words follow them (a page).
MIN_ALL_WORDS_HITS = 10
# Records found only through near terms come after every exact match; past this many exact matches
# they would start beyond the fifth page, so the second tier is not searched (it costs about as much
# as the first: bench/forgiving.py).
NEAR_WHEN_FEWER_THAN = 50
MAX_YEAR = 9999  # undated records have None or a number far above this as their year

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineHit:
    id: str
    score: float
    record: dict
    alignment: Alignment
    spans: dict[str, list[tuple[int, int, str]]]  # language -> (start, end, term) of query terms in its text, in order


@dataclass(frozen=True)
class EngineResult:
    total: int
    hits: list[EngineHit]
    terms: dict[str, frozenset[str]]  # field -> index terms a hit may be highlighted for
    relaxed: bool  # no record had every word, so records with most words were returned
    years: dict[int, int]  # year -> matching records, over every year (the year range left out)
    timed_out: bool = False  # the time limit stopped the search: hits, total and years are what was found by then


class Engine:
    """A published index, opened for searching; picks up a newer generation when one is published."""

    def __init__(self, index_dir: Path, time_limit: float = Config.time_limit) -> None:
        self.index_dir = Path(index_dir)
        self.time_limit = time_limit
        self._local = threading.local()
        self._open: tuple[Path, whoosh_index.Index] | None = None  # the generation served, and its index
        self._signature: tuple[int, int] | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        load_dictionaries()  # here, not inside the first search's time limit
        self._vocabulary: tuple[Path, Vocabulary] | None = None  # near terms of the generation served
        self._vocabulary_lock = threading.Lock()
        self._refresh()

    @classmethod
    def build(cls, records: Iterable[Record], index_dir: Path) -> "Engine":
        """Build a full generation of `records` in `index_dir`, publish it and open it."""
        with rebuild_lock(Path(index_dir), wait=True):
            building.build(records, [], Path(index_dir), full=True)
        return cls(index_dir)

    @classmethod
    def open(cls, index_dir: Path, time_limit: float = Config.time_limit) -> "Engine":
        return cls(index_dir, time_limit)

    def _refresh(self) -> None:
        """Switch to a newly published generation; keep serving the open one if the new one fails to open."""
        now = time.monotonic()
        if self._open is not None and now - self._checked_at < CHECK_INTERVAL_SECONDS:
            return
        with self._lock:
            if self._open is not None and now - self._checked_at < CHECK_INTERVAL_SECONDS:
                return
            self._checked_at = now
            signature = pointer_signature(self.index_dir)
            if self._open is not None and signature == self._signature:
                return
            generation = current_generation(self.index_dir)
            if generation is None:
                if self._open is None:
                    raise IndexMissing(f"no index at {self.index_dir}: run `search-service index` first")
                return
            if self._open is None or generation != self._open[0]:
                try:
                    self._open = generation, whoosh_index.open_dir(str(generation))
                    # Build the near-term vocabulary now, not in the first search (seconds on a large index).
                    threading.Thread(target=self._near_terms, daemon=True).start()
                except Exception:
                    if self._open is None:
                        raise
                    log.exception("cannot open %s; still serving %s", generation, self._open[0])
                    return
            self._signature = signature

    def _searcher(self) -> Searcher:
        """One searcher per thread, reopened when a new generation has been published."""
        self._refresh()
        generation, index = self._open
        local = self._local
        if getattr(local, "generation", None) != generation:
            if getattr(local, "searcher", None) is not None:
                local.searcher.close()
            local.searcher = index.searcher(weighting=ProbabilisticBM25F())
            local.generation = generation
        return local.searcher

    @property
    def generation(self) -> str:
        return self._open[0].name if self._open else ""

    def count(self) -> int:
        return self._searcher().doc_count()

    def document(self, record_id: str) -> dict | None:
        if not ID_PATTERN.match(record_id):
            return None  # no record can have it: do not look up `../../etc/passwd` or a megabyte of id
        stored = self._searcher().document(id=record_id)
        return json.loads(stored["record"]) if stored else None

    def aligned_document(self, record_id: str) -> tuple[dict, Alignment] | None:
        """A record with its passages and their Russian-English pairs, as worked out when it was indexed."""
        stored = self._searcher().document(id=record_id)
        if not stored:
            return None
        record = json.loads(stored["record"])
        return record, _alignment(stored, record)

    @staticmethod
    def _fields(lang: str | None) -> tuple[str, ...]:
        if lang is None:
            return TEXT_FIELDS
        return tuple(f for f in TEXT_FIELDS if f not in LANGUAGE_FIELDS or f == lang)

    def search(self, text: str, page: int, per_page: int, lang: str | None = None,
               year_from: int | None = None, year_to: int | None = None) -> EngineResult:
        """Records with every word first; below them, when fewer than MIN_ALL_WORDS_HITS have them
        all (words as typed) or none has them all (any query), records with the most words
        (`relaxed` when none has them all). Below all of those, when they are fewer than
        NEAR_WHEN_FEWER_THAN, the records with every word found only through near terms (archive
        typos, the other script's spelling of a name, English irregular forms), so a forgiving
        match never outranks an exact one.

        The year range narrows the hits but not the decision to relax nor the per-year counts, so
        a timeline drawn from `years` shows where the same query finds records outside the range.
        All of it stops at the time limit and returns what was found by then, flagged `timed_out`.
        """
        searcher = self._searcher()
        near_terms = self._near_terms().near_terms  # before the clock starts: built once per generation
        deadline = time.monotonic() + self.time_limit
        fields = self._fields(lang)
        lang_filter = query.Term("langs", lang) if lang else None
        limit = page * per_page
        q = self._parse(searcher, text, fields, all_words=True)
        # Only records with every word can have them all close together: the proximity boost is
        # worked out for the all-words hits alone.
        phrase = querying.proximity_query(searcher.schema, text, fields)
        results, counted_years, timed_out = self._run(searcher, q, phrase, limit, lang_filter, deadline)
        most_q = None
        # Filling up below the records with every word is for words as typed; a query with operators
        # or phrases gets records with every word, or only when there are none, the most words.
        few = results.is_empty() or (len(results) < MIN_ALL_WORDS_HITS and querying.is_plain(text))
        if few and not timed_out and not querying.has_negation(q):
            most_q = self._parse(searcher, text, fields, all_words=False)
            if most_q == q:
                most_q = None
        relaxed = most_q is not None and results.is_empty()
        if most_q is not None:
            # The most-words query matches a superset of the all-words one: count years over it.
            counted, counted_years, timed_out = self._run(searcher, most_q, None, limit, lang_filter, deadline)
            results = self._below(results, counted)
        exact = most_q or q
        wide = querying.widen(q, near_terms) if len(results) < NEAR_WHEN_FEWER_THAN and not timed_out else None
        years = Counter({year: count for year, count in counted_years.items() if _dated(year)})
        if wide is not None:
            near, near_years, timed_out = self._run(searcher, wide, None, limit, lang_filter, deadline, without=exact)
            relaxed = relaxed and near.is_empty()
            results = self._below(results, near)
            years.update({year: count for year, count in near_years.items() if _dated(year)})
        if year_from is not None or year_to is not None:
            in_range = query.NumericRange("year", year_from, year_to)
            hit_filter = query.And([lang_filter, in_range]) if lang_filter else in_range
            results, _, late = self._run(searcher, q, phrase, limit, hit_filter, deadline)
            if most_q is not None:
                more, _, later = self._run(searcher, most_q, None, limit, hit_filter, deadline)
                results, late = self._below(results, more), late or later
            if wide is not None:
                more, _, later = self._run(searcher, wide, None, limit, hit_filter, deadline, without=exact)
                results, late = self._below(results, more), late or later
            timed_out = timed_out or late
        page_hits = results[(page - 1) * per_page:page * per_page]
        terms = self._terms(exact, searcher)
        if wide is not None:
            terms = _union(terms, self._terms(wide, searcher))
        spans = self._spans(searcher, [hit.docnum for hit in page_hits], terms)
        hits = [_hit(hit, spans[hit.docnum]) for hit in page_hits]
        return EngineResult(total=len(results), hits=hits, terms=terms, relaxed=relaxed,
                            years=dict(sorted(years.items())), timed_out=timed_out)

    @staticmethod
    def _below(first: Results, more: Results) -> Results:
        """`first`'s hits, then the hits of `more` that are not among them."""
        if first.is_empty():
            return more
        first.extend(more)
        return first

    @staticmethod
    def _parse(searcher: Searcher, text: str, fields: tuple[str, ...], all_words: bool) -> query.Query:
        q = querying.parse(searcher.schema, text, fields, all_words)
        querying.check_expansion(q, searcher.reader())
        return q

    @staticmethod
    def _spans(searcher: Searcher, docnums: list[int], terms: dict[str, frozenset[str]]
               ) -> dict[int, dict[str, list[tuple[int, int, str]]]]:
        """Where each query term stands in each hit's texts, read from the characters the index stored.

        Much cheaper than analysing long texts again: one posting list per term, walked in document order.
        """
        reader = searcher.reader()
        spans: dict[int, dict[str, list[tuple[int, int, str]]]] = {docnum: {} for docnum in docnums}
        if not docnums:
            return spans
        for field in LANGUAGE_FIELDS:
            for term in terms.get(field, ()):
                if not searcher.weighting.document_frequency(reader, field, term.encode("utf-8")):
                    continue
                matcher = reader.postings(field, term)
                for docnum in sorted(docnums):
                    matcher.skip_to(docnum)
                    if not matcher.is_active():
                        break
                    if matcher.id() == docnum:
                        spans[docnum].setdefault(field, []).extend(
                            (start, end, term) for _, start, end in matcher.value_as("characters"))
        for by_field in spans.values():
            for found in by_field.values():
                found.sort(key=lambda span: (span[0], -span[1]))  # text order; a whole word before its first part
        return spans

    @staticmethod
    def _run(searcher: Searcher, q: query.Query, phrase: query.Query | None, limit: int,
             hit_filter: query.Query | None, deadline: float, without: query.Query | None = None
             ) -> tuple[Results, Counter, bool]:
        """One Whoosh search until `deadline`: its hits, its matches per year (undated ones under
        None or a number past MAX_YEAR), and whether the time limit stopped it (the hits are then
        what was found by then). `without` leaves its matches out. With `phrase`, the best hits get
        its proximity boost (see `proximity.py`)."""
        if hit_filter is not None:
            # In the query, not as a FilterCollector: that one runs the collecting loop itself and
            # would bypass the page collector's own (years, proximity, the time limit).
            q = query.Require(q, hit_filter)
        if without is not None:
            q = query.AndNot(q, without)
        collector = PageCollector(limit, deadline, proximity.phrases(phrase) if phrase is not None else None,
                                  words_only=querying.is_word_sum(q))
        timed_out = False
        try:
            searcher.search_with_collector(q, collector)
        except collectors.TimeLimit:
            timed_out = True
        results = collector.results()
        return results, collector.years, timed_out

    def prepare(self) -> None:
        """Return once the served generation is open and its near-term vocabulary built."""
        self._searcher()
        self._near_terms()

    def suggest(self, text: str, lang: str | None = None) -> str | None:
        """A query the index can answer, close to `text` (which found nothing): each word the index
        lacks replaced by the nearest word it has, as written in a record. None when there is none."""
        searcher = self._searcher()
        fields = self._fields(lang)
        vocabulary = self._near_terms()
        suggested, changed = [], False
        for word in words(text):
            terms = word_terms(normalize(word.surface))
            if word.surface in querying.OPERATORS or any(
                    searcher.doc_frequency(field, term) for field in fields for term in terms):
                suggested.append(word.surface)
                continue
            closest = vocabulary.closest(terms[0])
            written = closest and self._written_form(searcher, closest, fields)
            suggested.append(written or word.surface)
            changed = changed or bool(written)
        if not changed:
            return None
        suggestion = " ".join(suggested)
        return suggestion if self.search(suggestion, 1, 1, lang).total else None

    @staticmethod
    def _written_form(searcher: Searcher, term: str, fields: tuple[str, ...]) -> str | None:
        """A word of a record that the index holds as `term`, lowercased: `council` for the stem `council`."""
        for field in (f for f in fields if f in LANGUAGE_FIELDS):
            for hit in searcher.search(query.Term(field, term), limit=1):
                text = json.loads(hit["record"])["texts"].get(field, "")
                for word in words(text):
                    if term in word_terms(normalize(word.surface)):
                        return word.surface.lower()
        return None

    def _near_terms(self) -> Vocabulary:
        """The near-term vocabulary of the generation served, built on first use after a publication."""
        generation, index = self._open
        with self._vocabulary_lock:
            if self._vocabulary is None or self._vocabulary[0] != generation:
                if self._vocabulary is not None:
                    self._vocabulary[1].close()
                self._vocabulary = generation, Vocabulary(index)
            return self._vocabulary[1]

    def query_terms(self, text: str) -> dict[str, frozenset[str]]:
        """The index terms, by field, that `text` as a query would match (for highlighting a record)."""
        searcher = self._searcher()
        q = self._parse(searcher, text, TEXT_FIELDS, all_words=False)
        wide = querying.widen(q, self._near_terms().near_terms)
        return _union(self._terms(q, searcher), self._terms(wide, searcher)) if wide else self._terms(q, searcher)

    @staticmethod
    def _terms(q: query.Query, searcher: Searcher) -> dict[str, frozenset[str]]:
        reader = searcher.reader()
        terms: dict[str, set[str]] = {}
        for leaf in querying.positive_leaves(q):
            for field, text in leaf.expanded_terms(reader, phrases=True):
                text = text.decode("utf-8") if isinstance(text, bytes) else text
                terms.setdefault(field, set()).add(text)
        return {field: frozenset(texts) for field, texts in terms.items()}


def _hit(hit, spans: dict[str, list[tuple[int, int, str]]]) -> EngineHit:
    record = json.loads(hit["record"])
    return EngineHit(hit["id"], float(hit.score), record, _alignment(hit.fields(), record), spans)


def _alignment(stored: dict, record: dict) -> Alignment:
    # A generation built before alignments were stored is still served until the next rebuild.
    if "alignment" in stored:
        return Alignment.from_json(stored["alignment"])
    return align_texts(record["texts"])


def _union(a: dict[str, frozenset[str]], b: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    return {field: a.get(field, frozenset()) | b.get(field, frozenset()) for field in a.keys() | b.keys()}


def _dated(year: int | None) -> bool:
    return isinstance(year, int) and 0 < year <= MAX_YEAR
