"""Completions for the search box: the query with its last word completed from the index vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field

from search_service.deadline import Deadline
from search_service.engine import Engine
from search_service.errors import QueryError
from search_service.service.search import clean_query, language_option
from search_service.text.analysis import words

MAX_COMPLETIONS = 8
MAX_TEXT_CHARS = 1000  # what the search box sends at most (the search's own limit)


@dataclass(frozen=True)
class Completion:
    text: str  # the whole query, its last word completed
    count: int  # records holding the completed word


@dataclass(frozen=True)
class Completions:
    query: str
    suggestions: list[Completion] = field(default_factory=list)


def completions(engine: Engine, query: str | None, lang: str | None = None) -> Completions:
    """Up to MAX_COMPLETIONS completions of the word being typed (the query's last, when the query
    does not end with a space), most frequent first; QueryError for a bad `lang` or an overlong query."""
    text = clean_query(query or "")
    lang = language_option(lang)
    if len(text) > MAX_TEXT_CHARS:
        raise QueryError(f"the query is {len(text)} characters long; the limit is {MAX_TEXT_CHARS}")
    typed = list(words(text))
    if not typed or typed[-1].end != len(text) or (query or "").endswith(" "):
        return Completions(text)
    last = typed[-1]
    found = engine.complete(last.surface, lang, MAX_COMPLETIONS, Deadline.after(engine.time_limit))
    return Completions(text, [Completion(text[:last.start] + word, count) for word, count in found])
