"""Where a query's terms stand in its hits, read from the characters the index stored: snippets are
cut without analysing a hit's text again."""

from __future__ import annotations

from itertools import islice

from whoosh import query
from whoosh.searching import Searcher

from search_service.engine import querying
from search_service.engine.postings import PostingArrays
from search_service.engine.schema import LANGUAGE_FIELDS

Spans = dict[str, list[tuple[int, int, str]]]  # language -> (start, end, term) in its text, in text order
# Occurrences of one term in one text that snippets look at: three fragments are cut from the best
# windows, and a long record repeating a word tens of thousands of times adds nothing past these.
MAX_SPANS_PER_TERM = 2_000


def term_spans(searcher: Searcher, docnums: list[int], terms: dict[str, frozenset[str]],
               arrays: PostingArrays | None = None) -> dict[int, Spans]:
    """Where each of `terms` stands in each record's texts: with the generation's posting `arrays`,
    read straight from each posting's block; else one posting list per term, walked in record order."""
    reader = searcher.reader()
    spans: dict[int, Spans] = {docnum: {} for docnum in docnums}
    if not docnums:
        return spans
    opened: dict = {}
    for field in LANGUAGE_FIELDS:
        for term in terms.get(field, ()):
            btext = term.encode("utf-8")
            if not searcher.weighting.document_frequency(reader, field, btext):
                continue
            for docnum, found in _characters(reader, arrays, opened, field, btext, sorted(docnums)):
                spans[docnum].setdefault(field, []).extend(
                    (start, end, term) for _, start, end in islice(found, MAX_SPANS_PER_TERM))
    for by_field in spans.values():
        for found in by_field.values():
            found.sort(key=lambda span: (span[0], -span[1]))  # text order; a whole word before its first part
    return spans


def _characters(reader, arrays: PostingArrays | None, opened: dict, field: str, btext: bytes, docnums: list[int]):
    """(record, the term's (position, start, end) in its field) for the records holding the term."""
    if arrays is not None:
        for docnum in docnums:
            place = arrays.place(field, btext, docnum)
            if place is not None:
                yield docnum, arrays.value(field, btext, docnum, place, opened, "characters")
        return
    matcher = reader.postings(field, btext)
    for docnum in docnums:
        matcher.skip_to(docnum)
        if not matcher.is_active():
            break
        if matcher.id() == docnum:
            yield docnum, matcher.value_as("characters")


def query_terms(searcher: Searcher, exact: query.Query, wide: query.Query | None = None
                ) -> dict[str, frozenset[str]]:
    """The index terms, by field, that a hit of `exact` or `wide` may be highlighted for."""
    terms = _terms(searcher, exact)
    return _union(terms, _terms(searcher, wide)) if wide is not None else terms


def _terms(searcher: Searcher, q: query.Query) -> dict[str, frozenset[str]]:
    reader = searcher.reader()
    terms: dict[str, set[str]] = {}
    for leaf in querying.positive_leaves(q):
        for field, text in leaf.expanded_terms(reader, phrases=True):
            text = text.decode("utf-8") if isinstance(text, bytes) else text
            terms.setdefault(field, set()).add(text)
    return {field: frozenset(texts) for field, texts in terms.items()}


def _union(a: dict[str, frozenset[str]], b: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    return {field: a.get(field, frozenset()) | b.get(field, frozenset()) for field in a.keys() | b.keys()}
