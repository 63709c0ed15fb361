"""`Engine`: one index folder as the service uses it - built, searched, its records read."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from search_service.config import Config
from search_service.deadline import Deadline
from search_service.engine import browsing, complete, querying, related, spans, suggest, tiers, translation
from search_service.engine.build import building
from search_service.engine.build.generations import rebuild_lock
from search_service.engine.reader import PublishedIndex
from search_service.engine.schema import TEXT_FIELDS
from search_service.records import Record
from search_service.text.alignment import Alignment


class Engine:
    """A published index, opened for searching; picks up a newer generation when one is published.

    Each job has its own module: `reader` follows the generations and reads records, `tiers` runs
    a search, `browsing` lists records in date order, `suggest` offers a close query, `spans` says
    where query terms stand, `build` writes.
    """

    def __init__(self, index_dir: Path, time_limit: float = Config.time_limit) -> None:
        self.index = PublishedIndex(index_dir)
        self.time_limit = time_limit  # seconds a search may take: its deadline is made from this

    @classmethod
    def build(cls, records: Iterable[Record], index_dir: Path) -> "Engine":
        """Build a full generation of `records` in `index_dir`, publish it and open it."""
        with rebuild_lock(Path(index_dir), wait=True):
            building.build(records, [], Path(index_dir), full=True)
        return cls(index_dir)

    @classmethod
    def open(cls, index_dir: Path, time_limit: float = Config.time_limit) -> "Engine":
        return cls(index_dir, time_limit)

    @property
    def generation(self) -> str:
        return self.index.generation

    def prepare(self) -> None:
        """Return once the served generation is open and its near-term vocabulary, facet table,
        field length norms and its most frequent terms' postings built (a later generation's are
        read by its first searches)."""
        self.index.vocabulary()
        searcher = self.index.searcher()
        self.index.facet_table(searcher)
        arrays = self.index.posting_arrays(searcher)
        for field in TEXT_FIELDS:
            arrays.norms(searcher, field)
        arrays.warm((*TEXT_FIELDS, "langs"))

    def count(self) -> int:
        return self.index.count()

    def document(self, record_id: str) -> Record | None:
        found = self.index.record(record_id)
        return found[0] if found else None

    def aligned_document(self, record_id: str) -> tuple[Record, Alignment] | None:
        """A record with its passages and their Russian-English pairs, as worked out when it was indexed."""
        return self.index.record(record_id)

    def search(self, text: str, page: int, per_page: int, filters: tiers.Filters = tiers.Filters(),
               deadline: Deadline | None = None, sort: str = "relevance", facets: tuple[str, ...] = (),
               spans: bool = True, translate: bool = False) -> tiers.EngineResult:
        """See `tiers.search`; without a deadline, one of `time_limit` from now."""
        return tiers.search(self.index, text, page, per_page, filters, deadline or Deadline.after(self.time_limit),
                            sort, facets, spans, translate)

    def browse(self, page: int, per_page: int, filters: tiers.Filters = tiers.Filters(),
               deadline: Deadline | None = None, sort: str = "date", facets: tuple[str, ...] = ()
               ) -> tiers.EngineResult:
        """See `browsing.browse`; without a deadline, one of `time_limit` from now."""
        return browsing.browse(self.index, page, per_page, filters, deadline or Deadline.after(self.time_limit),
                               sort, facets)

    def suggest(self, text: str, lang: str | None = None, deadline: Deadline | None = None) -> str | None:
        """See `suggest.suggest`."""
        return suggest.suggest(self.index, text, lang, deadline or Deadline.after(self.time_limit))

    def related(self, record: Record, limit: int, deadline: Deadline | None = None) -> list[tiers.EngineHit]:
        """See `related.related`."""
        return related.related(self.index, record, limit, deadline or Deadline.after(self.time_limit))

    def complete(self, prefix: str, lang: str | None, limit: int, deadline: Deadline | None = None
                 ) -> list[tuple[str, int]]:
        """See `complete.complete`."""
        return complete.complete(self.index, prefix, lang, limit, deadline or Deadline.after(self.time_limit))

    def query_terms(self, text: str, deadline: Deadline | None = None) -> dict[str, frozenset[str]]:
        """The index terms, by field, that `text` as a query would match (for highlighting a record)."""
        searcher = self.index.searcher()
        q = querying.parse(searcher.schema, text, TEXT_FIELDS, all_words=False, deadline=deadline)
        querying.check_expansion(q, searcher.reader())
        vocabulary = self.index.vocabulary(deadline)
        wide = vocabulary.widen(q) if vocabulary is not None else None
        return spans.query_terms(searcher, q, wide)

    def translated_terms(self, text: str, lacking: set[str], deadline: Deadline | None = None
                         ) -> dict[str, frozenset[str]]:
        """The index terms, by field, that the words of `text` in the languages `lacking` (those a
        record has no text in) are also searched as, through the lexicon (for marking a record)."""
        deadline = deadline or Deadline.after(self.time_limit)
        searcher = self.index.searcher()
        crossing = translation.crossing(self.index)
        crossing.translated(querying.parse(searcher.schema, text, TEXT_FIELDS, all_words=False, deadline=deadline))
        return crossing.terms(lacking)
