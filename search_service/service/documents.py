"""Reading records: one record as data, and the record page's view of it with a query's words marked."""

from __future__ import annotations

from dataclasses import dataclass

from search_service.deadline import Deadline
from search_service.engine import Engine
from search_service.errors import QueryError
from search_service.records import LANGUAGES, Record
from search_service.service.highlight import find_matches, mark
from search_service.service.search import Hit, bounded_int, hit_of
from search_service.service.snippets import passage_anchor
from search_service.text.alignment import Alignment

DEFAULT_RELATED, MAX_RELATED = 5, 20
# One aligned group of passages: for each language, its passages there as (element id, marked HTML).
Row = dict[str, list[tuple[str, str]]]


@dataclass(frozen=True)
class RecordView:
    """What a record page shows: the record, its languages, its aligned passages, its other metadata."""

    record: Record
    languages: list[str]
    rows: list[Row]
    metadata: dict[str, str]  # keys beyond the record format's own (translator, collection, ...) with a value
    query: str
    matches: int = 0  # words of `query` marked, numbered m-1 ... m-N in reading order


def document(engine: Engine, record_id: str) -> Record | None:
    return engine.document(record_id)


def related(engine: Engine, record_id: str, limit: str | None = None) -> list[Hit] | None:
    """The records most alike to `record_id` in content; None for an unknown record. `limit`: 1-20 as
    given in a request, 5 when absent (QueryError otherwise)."""
    wanted = bounded_int("limit", limit, DEFAULT_RELATED, 1, MAX_RELATED)
    record = engine.document(record_id)
    return related_to(engine, record, wanted) if record is not None else None


def related_to(engine: Engine, record: Record, limit: int = DEFAULT_RELATED) -> list[Hit]:
    """The records most alike to `record` in content (never itself), shaped as search hits, their
    shared key terms marked: for a page that has read the record already."""
    deadline = Deadline.after(engine.time_limit)
    return [hit_of(hit, None, highlight=not deadline.passed()) for hit in engine.related(record, limit, deadline)]


def count(engine: Engine) -> int:
    """How many records the served generation holds."""
    return engine.count()


def record_view(engine: Engine, record_id: str, query: str = "", translate: bool = True) -> RecordView | None:
    """The record page's view of a record, the words `query` matches marked (a query that cannot be
    run marks nothing), and with `translate` the translations of its words in a language the record
    lacks; None for an unknown id."""
    found = engine.aligned_document(record_id)
    if found is None:
        return None
    record, alignment = found
    languages = [lang for lang in LANGUAGES if record.texts.get(lang)]
    terms, translated = {}, {}
    if query:
        deadline = Deadline.after(engine.time_limit)
        lacking = set(LANGUAGES) - set(languages)
        try:
            terms = engine.query_terms(query, deadline)
            translated = engine.translated_terms(query, lacking, deadline) if translate and lacking else {}
        except QueryError:
            terms = {}
    metadata = {key: value for key, value in record.metadata.items() if value}
    rows, matches = _aligned_rows(record.texts, alignment, terms, translated)
    return RecordView(record, languages, rows, metadata, query, matches)


def _aligned_rows(texts: dict[str, str], alignment: Alignment, terms: dict[str, frozenset[str]],
                  translated: dict[str, frozenset[str]]) -> tuple[list[Row], int]:
    """The rows of aligned passages, the query's words (and their `translated` terms) marked and
    numbered in the order the page shows them (row by row, Russian before English), and how many
    were marked."""
    rows, marked_so_far = [], 0
    for bead in alignment.beads:
        row: Row = {}
        for lang, indices in (("ru", bead.ru), ("en", bead.en)):
            row[lang] = []
            for index in indices:
                passage = texts[lang][slice(*alignment.spans[lang][index])]
                matches = find_matches(passage, terms.get(lang, frozenset()), translated.get(lang, frozenset()))
                row[lang].append((passage_anchor(lang, index), mark(passage, matches, number_from=marked_so_far + 1)))
                marked_so_far += len(matches)
        rows.append(row)
    return rows, marked_so_far
