"""Did you mean: a query close to one that found nothing, built from the words the index holds."""

from __future__ import annotations

import json

from whoosh.searching import Searcher

from search_service.deadline import Deadline
from search_service.engine import querying, tiers
from search_service.engine.reader import PublishedIndex
from search_service.engine.schema import LANGUAGE_FIELDS
from search_service.text.analysis import normalize, word_terms, words


def suggest(index: PublishedIndex, text: str, lang: str | None, deadline: Deadline) -> str | None:
    """`text` with each word the index lacks replaced by the nearest word it has, as written in a
    record; None when nothing is near enough, when the suggestion finds nothing either, or when the
    deadline comes first."""
    searcher = index.searcher()
    fields = tiers.fields_for(lang)
    vocabulary = index.vocabulary(deadline)
    if vocabulary is None:
        return None
    suggested, changed = [], False
    for word in words(text):
        if deadline.passed():
            return None
        terms = word_terms(normalize(word.surface))
        if word.surface in querying.OPERATORS or any(
                searcher.doc_frequency(field, term) for field in fields for term in terms):
            suggested.append(word.surface)
            continue
        closest = vocabulary.closest(terms[0])
        written = closest and _written_form(searcher, closest, fields)
        suggested.append(written or word.surface)
        changed = changed or bool(written)
    if not changed:
        return None
    suggestion = " ".join(suggested)
    return suggestion if tiers.search(index, suggestion, 1, 1, tiers.Filters(lang=lang), deadline).total else None


def _written_form(searcher: Searcher, term: str, fields: tuple[str, ...]) -> str | None:
    """A word of a record that the index holds as `term`, lowercased: `council` for the stem `council`.

    Cut from the first record that has it, where the index says it stands (no text is analysed)."""
    for field in (f for f in fields if f in LANGUAGE_FIELDS):
        if not searcher.doc_frequency(field, term):
            continue
        postings = searcher.reader().postings(field, term)
        _, start, end = next(iter(postings.value_as("characters")))
        text = json.loads(searcher.stored_fields(postings.id())["record"])["texts"][field]
        return text[start:end].lower()
    return None
