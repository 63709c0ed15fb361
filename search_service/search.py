"""`search(engine, options) -> SearchResult`: ranked hits with snippets and timings, as plain data."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from search_service.engine import Engine, QueryError
from search_service.records import LANGUAGES
from search_service.snippets import snippet

MAX_PER_PAGE = 50
MAX_PAGE = 1000


@dataclass(frozen=True)
class SearchOptions:
    query: str
    page: int = 1
    per_page: int = 10
    lang: str | None = None


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    date: str | None
    score: float
    snippets: dict[str, str]  # language -> HTML (escaped text, matches in <mark>)


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    hits: list[Hit] = field(default_factory=list)
    relaxed: bool = False  # no record had every word; these have the most of them


def parse_options(query: str | None, page: str | None = None, per_page: str | None = None,
                  lang: str | None = None) -> SearchOptions:
    """Options from request strings; QueryError names the parameter that is wrong."""
    return SearchOptions(
        query=(query or "").strip(),
        page=_bounded_int("page", page, 1, 1, MAX_PAGE),
        per_page=_bounded_int("per_page", per_page, 10, 1, MAX_PER_PAGE),
        lang=_language(lang),
    )


def _bounded_int(name: str, value: str | None, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise QueryError(f"{name} must be a whole number, got {value[:40]!r}") from None
    if not low <= number <= high:
        raise QueryError(f"{name} must be between {low} and {high}, got {number}")
    return number


def _language(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if value not in LANGUAGES:
        raise QueryError(f"lang must be one of {', '.join(LANGUAGES)}, got {value[:40]!r}")
    return value


def search(engine: Engine, options: SearchOptions) -> SearchResult:
    """Run a query; raises QueryError for a query that cannot be run."""
    started = time.perf_counter()
    found = engine.search(options.query, options.page, options.per_page, options.lang)
    hits = []
    for engine_hit in found.hits:
        record = engine_hit.record
        snippets = {lang: snippet(text, found.terms.get(lang, frozenset()))
                    for lang, text in record["texts"].items()
                    if options.lang in (None, lang)}
        hits.append(Hit(id=engine_hit.id, title=record.get("title") or "", date=record.get("date"),
                        score=round(engine_hit.score, 4), snippets=snippets))
    took_ms = round((time.perf_counter() - started) * 1000, 2)
    return SearchResult(query=options.query, total=found.total, page=options.page, per_page=options.per_page,
                        took_ms=took_ms, hits=hits, relaxed=found.relaxed)
