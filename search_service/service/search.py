"""`search(engine, options) -> SearchResult`: ranked hits with snippets and timings, as plain data."""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Mapping

from search_service.config import Config
from search_service.deadline import Deadline
from search_service.engine import Engine, EngineHit, EngineResult, Filters
from search_service.errors import QueryError
from search_service.text.keyboard import switch_layout
from search_service.dates import MAX_YEAR, MIN_YEAR
from search_service.records import LANGUAGES, Record
from search_service.service.snippets import passage_snippets
from search_service.service.highlight import hit_matches

MAX_PER_PAGE = 50
MAX_PAGE = 1000
MAX_LIMIT = 1000  # records in one exported result list
# A query finding this few records is checked against its twin typed on the other keyboard layout,
# which replaces it when it finds many times more (`cjdtn` finds nothing, `совет` a lot).
FEW_HITS = 3
LAYOUT_ADVANTAGE = 10
SORTS = ("relevance", "date", "-date")  # by score; by date, oldest first; newest first
LANG_FACET = "lang"  # the languages a record has text in: counted beside the configured facets
FACET_VALUES_SHOWN = 20
MAX_FACET_VALUES = 50  # values asked for in one facet filter


@dataclass(frozen=True)
class SearchOptions:
    query: str
    page: int = 1
    per_page: int = 10
    lang: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    sort: str | None = None  # one of SORTS; None: relevance with a query, date without
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # facet -> values, one of which a record must have
    facets: tuple[str, ...] = Config.facets  # the record keys counted and filtered as facets (`lang` besides)
    translate: bool = True  # also search each word in the other language, in records without its own

    @property
    def order(self) -> str:
        """The sort in effect: without a query there is no relevance, so records come oldest first."""
        if not self.query.strip():
            return "-date" if self.sort == "-date" else "date"
        return self.sort or "relevance"


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    date: str | None
    citation: str
    score: float
    snippets: dict[str, str]  # language -> HTML (escaped text, matches in <mark>)
    passages: dict[str, list[int]]  # language -> the passage each snippet fragment comes from
    anchor: str  # the record page's id of the best-matching passage ("" when none matched)
    via: str | None = None  # "translation": found only through the query's words translated


@dataclass(frozen=True)
class YearCount:
    year: int
    count: int


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class Correction:
    query: str  # what was searched instead of the query as typed
    reason: str  # why: "keyboard_layout"


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    hits: list[Hit] = field(default_factory=list)
    relaxed: bool = False  # no record had every word; these have the most of them
    years: list[YearCount] = field(default_factory=list)  # matches per year, ignoring the year range
    timed_out: bool = False  # the time limit cut the search short: hits and total are what was found in time
    corrected: Correction | None = None  # the hits are for this query, not the one typed
    suggestion: str | None = None  # nothing found; this close query finds something
    sort: str = "relevance"  # the order of the hits
    # facet -> its most frequent values among the matches with every filter but the facet's own applied
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    translations: dict[str, str] = field(default_factory=dict)  # language -> the query as also searched in it


@dataclass(frozen=True)
class RankedRecords:
    """The head of a result list, in its order and without snippets: what an export writes."""

    query: str
    total: int  # every matching record; `records` are the first of them
    records: list[Record]
    timed_out: bool = False  # the time limit cut the search short: `records` are the best found by then
    corrected: Correction | None = None


def parse_options(query: str | None, page: str | None = None, per_page: str | None = None,
                  lang: str | None = None, year_from: str | None = None, year_to: str | None = None,
                  sort: str | None = None, translate: str | None = None,
                  filters: tuple[tuple[str, tuple[str, ...]], ...] = (), facets: tuple[str, ...] = Config.facets
                  ) -> SearchOptions:
    """Options from request strings; QueryError names the parameter that is wrong."""
    if sort not in (None, "", *SORTS):
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, got {sort[:40]!r}")
    options = SearchOptions(
        query=clean_query(query or ""),
        page=bounded_int("page", page, 1, 1, MAX_PAGE),
        per_page=bounded_int("per_page", per_page, 10, 1, MAX_PER_PAGE),
        lang=language_option(lang),
        year_from=bounded_int("year_from", year_from, None, MIN_YEAR, MAX_YEAR),
        year_to=bounded_int("year_to", year_to, None, MIN_YEAR, MAX_YEAR),
        sort=sort or None, filters=filters, facets=facets, translate=bounded_int("translate", translate, 1, 0, 1) == 1,
    )
    if options.year_from is not None and options.year_to is not None and options.year_from > options.year_to:
        raise QueryError(f"year_from ({options.year_from}) must not be after year_to ({options.year_to})")
    return options


# parse_options' arguments, in order
PARAMETERS = ("q", "page", "per_page", "lang", "year_from", "year_to", "sort", "translate")


def options_from(args: Mapping[str, str], facets: tuple[str, ...] = Config.facets) -> SearchOptions:
    """Options from query-string parameters (q, page, per_page, lang, year_from, year_to, sort, and
    `<facet>=<value>`, repeatable, for each of `facets`)."""
    facets = tuple(name for name in facets if name not in PARAMETERS and name != LANG_FACET)
    return parse_options(*(args.get(name) for name in PARAMETERS), filters=_facet_filters(args, facets),
                         facets=facets)


def _facet_filters(args: Mapping[str, str], facets: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The values asked for in each facet (`collection=a&collection=b`), blanks left out."""
    filters = []
    for name in facets:
        given = args.getlist(name) if hasattr(args, "getlist") else [args[name]] if name in args else []
        values = tuple(dict.fromkeys(value.strip() for value in given if value.strip()))
        if len(values) > MAX_FACET_VALUES:
            raise QueryError(f"{name} is given {len(values)} values; the limit is {MAX_FACET_VALUES}")
        if values:
            filters.append((name, values))
    return tuple(filters)


def parse_limit(value: str | None) -> int:
    """How many records of a result list to export (`limit`, 1-1000, default 1000); QueryError names it."""
    return bounded_int("limit", value, MAX_LIMIT, 1, MAX_LIMIT)


def clean_query(text: str) -> str:
    """The query without invisible characters: control characters become spaces; format characters
    (bidi overrides that would reorder the echoed query, zero-width joiners, soft hyphens) go."""
    kept = (" " if category == "Cc" else char
            for char in text if (category := unicodedata.category(char)) != "Cf")
    return "".join(kept).strip()


def bounded_int(name: str, value: str | None, default: int | None, low: int, high: int) -> int | None:
    """A request parameter as a whole number from `low` to `high` (`default` when absent); QueryError names it."""
    if value is None or value.strip() == "":
        return default
    # Only ASCII digits: int() would also take " 7", "+7", "1_0" and "７".
    if not value.isascii() or not value.isdigit():
        raise QueryError(f"{name} must be a whole number between {low} and {high}, got {value[:40]!r}")
    if len(value) > len(str(high)) or not low <= int(value) <= high:
        raise QueryError(f"{name} must be between {low} and {high}, got {value[:40]}")
    return int(value)


def language_option(value: str | None) -> str | None:
    """A `lang` parameter checked: one of the languages, or None for both."""
    if value is None or value == "":
        return None
    if value not in LANGUAGES:
        raise QueryError(f"lang must be one of {', '.join(LANGUAGES)}, got {value[:40]!r}")
    return value


def search(engine: Engine, options: SearchOptions) -> SearchResult:
    """Run a query under one deadline, made now and handed to every step (parsing, each tier, the
    keyboard-layout twin, the suggestion, the snippets, the facet counts); raises QueryError for a
    query that cannot be run. Without a query, every record passing the filters is listed (browsing)."""
    started = time.perf_counter()
    deadline = Deadline.after(engine.time_limit)
    found, corrected = _find(engine, options, deadline)
    suggestion = None
    if options.query.strip() and not options.filters and not found.total and not found.years and not found.timed_out:
        suggestion = engine.suggest(corrected.query if corrected else options.query, options.lang, deadline)
    hits, late = [], False
    for engine_hit in found.hits:
        late = late or deadline.passed()
        hits.append(hit_of(engine_hit, options.lang, highlight=not late))
    took_ms = round((time.perf_counter() - started) * 1000, 2)
    return SearchResult(query=options.query, total=found.total, page=options.page, per_page=options.per_page,
                        took_ms=took_ms, hits=hits, relaxed=found.relaxed,
                        years=[YearCount(year, count) for year, count in found.years.items()],
                        timed_out=found.timed_out or late, corrected=corrected, suggestion=suggestion,
                        sort=options.order, facets=_facet_counts(found, options), translations=found.translations)


def _facet_counts(found: EngineResult, options: SearchOptions) -> dict[str, list[FacetCount]]:
    """Each facet's FACET_VALUES_SHOWN most frequent values, by count and then value."""
    shown = {}
    for name in (*options.facets, LANG_FACET):
        counts = sorted(found.facets.get(name, {}).items(), key=lambda item: (-item[1], item[0]))
        shown[name] = [FacetCount(value, count) for value, count in counts[:FACET_VALUES_SHOWN]]
    return shown


def ranked_records(engine: Engine, options: SearchOptions, limit: int, deadline: Deadline) -> RankedRecords:
    """The first `limit` records of the list `search` pages through, in its order (the same query,
    filters and keyboard-layout correction), under `deadline`; no snippets, so no positions are read."""
    found, corrected = _find(engine, replace(options, page=1, per_page=limit), deadline, spans=False)
    return RankedRecords(query=options.query, total=found.total, records=[hit.record for hit in found.hits],
                         timed_out=found.timed_out, corrected=corrected)


def _find(engine: Engine, options: SearchOptions, deadline: Deadline, spans: bool = True
          ) -> tuple[EngineResult, Correction | None]:
    """The engine's page: without a query, every record passing the filters (browsing); else the
    query's, or its twin's typed on the other keyboard layout when the query finds next to nothing
    and the twin is better (and then the correction made)."""
    if not options.query.strip():
        return engine.browse(options.page, options.per_page, _filters(options), deadline, options.order,
                             (*options.facets, LANG_FACET)), None
    found = _engine_search(engine, options.query, options, deadline, spans=spans)
    if found.total <= FEW_HITS and not found.timed_out:
        twin = switch_layout(options.query)
        twin_found = _engine_search(engine, twin, options, deadline, quiet=True, spans=spans) if twin else None
        if _twin_is_better(found, twin_found):
            return twin_found, Correction(twin, "keyboard_layout")
    return found, None


def hit_of(found: EngineHit, lang: str | None, highlight: bool) -> Hit:
    """A hit with its snippets; without `highlight` (past the deadline), its texts' openings (cheap)."""
    record = found.record
    texts = {code: text for code, text in record.texts.items() if lang in (None, code)}
    matches = {code: hit_matches(found.spans.get(code, ()), found.translated.get(code, ())) if highlight else []
               for code in texts}
    shown = passage_snippets(texts, matches, found.alignment)
    return Hit(id=found.id, title=record.title, date=record.date, citation=record.citation,
               score=round(found.score, 4), snippets=shown.html, passages=shown.passages, anchor=shown.anchor,
               via=found.via)


def _twin_is_better(found: EngineResult, twin: EngineResult | None) -> bool:
    """True when the query switched to the other layout finds records with every word, and many times
    more of them than the query as typed (or the query as typed has none with every word).

    A twin that only finds records with some of its words is noise: switched text is mostly
    gibberish, whose one- and two-letter pieces (`bp`, `e`) match something in any large index.
    """
    if twin is None or twin.relaxed or not twin.total:
        return False
    return found.relaxed or twin.total >= max(1, found.total * LAYOUT_ADVANTAGE)


def _engine_search(engine: Engine, text: str, options: SearchOptions, deadline: Deadline,
                   quiet: bool = False, spans: bool = True) -> EngineResult | None:
    """The engine's answer for `text` with the options' page and filters; None for an unusable
    `text` when `quiet` (a switched layout can turn a query into one the parser refuses)."""
    try:
        return engine.search(text, options.page, options.per_page, _filters(options), deadline, options.order,
                             (*options.facets, LANG_FACET), spans, options.translate)
    except QueryError:
        if quiet:
            return None
        raise


def _filters(options: SearchOptions) -> Filters:
    return Filters(lang=options.lang, year_from=options.year_from, year_to=options.year_to, facets=options.filters)
