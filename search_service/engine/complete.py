"""Completing the word being typed from the index vocabulary, in the form the records write it."""

from __future__ import annotations

import json
from collections import Counter
from itertools import islice

from whoosh.reading import IndexReader

from search_service.deadline import Deadline
from search_service.engine.reader import PublishedIndex
from search_service.engine.vocabulary import Vocabulary
from search_service.text.analysis import normalize
from search_service.text.morphology import russian_lemmas
from search_service.text.scripts import has_cyrillic, has_latin

MIN_PREFIX_CHARS = 2
# The most frequent terms a completion is looked for in: a term whose records write no word
# starting with the prefix (a Russian form kept beside its lemma) is passed over.
CANDIDATES_PER_COMPLETION = 4
# Records and occurrences read to learn how a term is written (`Готвальд`, `security`).
WRITTEN_RECORDS, WRITTEN_OCCURRENCES = 3, 12
_WRITTEN: dict[tuple[str, str, str], Counter] = {}  # (generation, field, term) -> its surfaces in records
_WRITTEN_KEPT = 50_000


def complete(index: PublishedIndex, prefix: str, lang: str | None, limit: int, deadline: Deadline
             ) -> list[tuple[str, int]]:
    """Up to `limit` words starting with `prefix`, as the records write them, most frequent first,
    each with the number of records holding it; none for a prefix under MIN_PREFIX_CHARS letters,
    nor while the vocabulary is still being built at `deadline`."""
    folded = normalize(prefix)
    field = _field(folded, lang)
    vocabulary = index.vocabulary(deadline) if field else None
    if vocabulary is None:
        return []
    reader = index.searcher().reader()
    shown: dict[str, tuple[str, int]] = {}
    seen: set[str] = set()  # words already shown for: a lemma's forms kept beside it share them
    for term, records in vocabulary.starting_with(field, folded, CANDIDATES_PER_COMPLETION * limit):
        if deadline.passed() or len(shown) == limit:
            break
        if field == "ru" and _a_form_of_another(vocabulary, term, records):
            continue
        surfaces = _surfaces(index.generation, reader, field, term)
        written = _as_written(field, term, folded, surfaces)
        words = {surface.lower() for surface, _ in surfaces}
        if written and written.lower() not in shown and not words & seen:
            shown[written.lower()] = written, records
            seen |= words
    return list(shown.values())


def _field(folded: str, lang: str | None) -> str | None:
    """The language field a prefix is completed in: its script's, when the language filter allows it."""
    field = "ru" if has_cyrillic(folded) else "en" if has_latin(folded) else None
    return field if len(folded) >= MIN_PREFIX_CHARS and lang in (None, field) else None


def _a_form_of_another(vocabulary: Vocabulary, term: str, records: int) -> bool:
    """Whether a Russian term is a form kept beside a lemma more records hold (лениным beside ленин)."""
    return any(vocabulary.records("ru", lemma) > records for lemma in russian_lemmas(term) if lemma != term)


def _surfaces(generation: str, reader: IndexReader, field: str, term: str) -> Counter:
    """How `term` is written in the first records that hold it (remembered per generation), and
    whether each stood inside a sentence (a word opening one is capitalised whatever it is)."""
    key = (generation, field, term)
    if key not in _WRITTEN:
        if len(_WRITTEN) >= _WRITTEN_KEPT:
            _WRITTEN.clear()
        surfaces: Counter = Counter()
        postings = reader.postings(field, term)
        for _ in range(WRITTEN_RECORDS):
            if not postings.is_active() or sum(surfaces.values()) >= WRITTEN_OCCURRENCES:
                break
            text = json.loads(reader.stored_fields(postings.id())["record"])["texts"][field]
            for _, start, end in islice(postings.value_as("characters"), WRITTEN_OCCURRENCES):
                surfaces[text[start:end], not _opens_sentence(text, start)] += 1
            postings.next()
        _WRITTEN[key] = surfaces
    return _WRITTEN[key]


def _opens_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"«“„(")
    return not before or before[-1] in ".!?…\n"


def _as_written(field: str, term: str, folded: str, surfaces: Counter) -> str | None:
    """The completion a reader expects, in the case the records mostly write it inside sentences: a
    Russian lemma (`Готвальд`, not a form or a guess kept beside it such as готвальду), an English
    word as written (`security` for the stem secur); None when the records write no such word."""
    written: Counter = Counter()
    for (surface, _), count in surfaces.items():
        written[surface] += count
    word = _russian_word(term, folded, written) if field == "ru" else _english_word(folded, written)
    if word is None:
        return None
    votes = {key: count for key, count in surfaces.items() if key[1]} or surfaces
    capitals = sum(count for (surface, _), count in votes.items() if surface[:1].isupper())
    return word[:1].upper() + word[1:] if capitals * 2 > sum(votes.values()) else word


def _russian_word(term: str, folded: str, written: Counter) -> str | None:
    """The lemma as the records write it (Готвальд), else as the best reading of the commonest form."""
    if not written or not term.startswith(folded):
        return None
    if term in {normalize(surface) for surface in written}:
        return term
    return term if russian_lemmas(normalize(written.most_common(1)[0][0]))[0] == term else None


def _english_word(folded: str, written: Counter) -> str | None:
    """The commonest written word starting with the prefix (the stem secur is written security)."""
    starting = [(surface, count) for surface, count in written.items() if normalize(surface).startswith(folded)]
    return max(starting, key=lambda item: item[1])[0].lower() if starting else None
