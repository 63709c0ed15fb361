"""Related records: the records whose texts share most of a record's key terms, in each of its languages."""

from __future__ import annotations

from whoosh import collectors, query

from search_service.deadline import Deadline
from search_service.engine.collecting import PageCollector
from search_service.engine.reader import PublishedIndex, stored_record
from search_service.engine.schema import LANGUAGE_FIELDS
from search_service.engine.spans import term_spans
from search_service.engine.tiers import EngineHit
from search_service.records import Record

# Key terms taken from each language's text (Bo1: frequent in the record, rare in the index).
KEY_TERMS = 12
# Characters of a text read for its key terms: the opening of a very long record says what it is
# about, and analysing megabytes would cost seconds.
KEY_TEXT_CHARS = 20_000


def related(index: PublishedIndex, record: Record, limit: int, deadline: Deadline) -> list[EngineHit]:
    """Up to `limit` records most alike to `record` (never itself), best first, their key terms
    marked. At the deadline, the ones found by then."""
    searcher = index.searcher()
    terms = {lang: frozenset(term for term, _ in searcher.key_terms_from_text(lang, text[:KEY_TEXT_CHARS],
                                                                             numterms=KEY_TERMS))
             for lang, text in record.texts.items() if lang in LANGUAGE_FIELDS}
    alike = query.Or([query.Term(lang, term) for lang, found_terms in terms.items() for term in sorted(found_terms)])
    if not alike.subqueries:
        return []
    collector = PageCollector(limit, deadline)
    try:
        searcher.search_with_collector(query.AndNot(alike, query.Term("id", record.id)), collector)
    except collectors.TimeLimit:
        pass
    hits = list(collector.results())
    spans = term_spans(searcher, [hit.docnum for hit in hits], terms)
    return [EngineHit(hit["id"], float(hit.score), *stored_record(hit.fields()), spans[hit.docnum]) for hit in hits]
