"""The query log for archivists: what readers search for, and what finds nothing, kept in SQLite.

A counted search is one row: the query with case and spaces folded, its language (the script of most
of its letters), the filters and the order given, the total, the milliseconds it took, where it was typed
(`api`, which the widget calls, `page` or `embed`) and when. Nothing about who searched is kept: no
address, cookie or user agent. Rows older than the retention are deleted.

Rows are written by a thread of each server process (`BackgroundWriter`), never by the request: a
database that cannot be written (a full disk, a lock held past the busy timeout, a path that is a
folder) loses rows, counted and warned about, never a search. Every gunicorn worker writes the same
file: WAL mode lets them write one after another while the admin page reads.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from search_service.errors import UserError
from search_service.service.background import BackgroundWriter
from search_service.service.search import SearchOptions, SearchResult, bounded_int
from search_service.text.scripts import script_language

DAY_SECONDS = 24 * 3600
BUSY_SECONDS = 5.0  # a writer waits this long for another process's write before its rows are dropped
DEFAULT_DAYS = 7  # the period the admin answer covers when none is asked for
DEFAULT_LIMIT, MAX_LIMIT = 50, 1000  # queries in each list of the answer
_SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    at TEXT NOT NULL,            -- UTC, ISO 8601 with milliseconds: sorts as text
    query TEXT NOT NULL,         -- case folded, runs of spaces made one
    language TEXT,               -- ru or en: the script of most of its letters; NULL for none
    filters TEXT NOT NULL,       -- JSON: the language, year range and facet values given; {} for none
    sort TEXT,                   -- the order asked for (relevance, date, -date); NULL for the default
    total INTEGER NOT NULL,      -- records found
    took_ms REAL NOT NULL,
    timed_out INTEGER NOT NULL,  -- 1: the time limit cut it short, so total is what was found by then
    source TEXT NOT NULL         -- api (the widget too), page or embed
);
CREATE INDEX IF NOT EXISTS searches_at ON searches (at);
"""
_INSERT = "INSERT INTO searches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
# Per query (of all searches, or of those that found nothing): searches, those that found nothing (not
# cut short by the time limit), those with filters, its language, the last time.
_GROUPED = """
SELECT query, COUNT(*), SUM(total = 0 AND NOT timed_out), SUM(filters <> '{}'), MAX(language), MAX(at)
FROM searches WHERE at >= ? AND (total = 0 AND NOT timed_out OR NOT ?)
GROUP BY query ORDER BY COUNT(*) DESC, MAX(at) DESC, query LIMIT ?
"""
warnings = logging.getLogger("search_service.query_log")


class QueryLogUnreadable(UserError):
    """The query log's file exists but cannot be read as one."""


@dataclass(frozen=True)
class QueryCount:
    query: str
    count: int  # searches for it in the period
    empty: int  # of them, those that found nothing
    filtered: int  # of them, those narrowed by a filter (language, years, facets)
    language: str | None  # ru or en: the script of most of its letters
    last: str  # when it was last searched (UTC, ISO 8601)


@dataclass(frozen=True)
class QuerySummary:
    days: int
    since: str  # UTC, ISO 8601
    searches: int = 0
    empty: int = 0  # searches that found nothing
    frequent: list[QueryCount] = field(default_factory=list)  # most searched first
    found_nothing: list[QueryCount] = field(default_factory=list)  # counting only the searches that found nothing


def counted(options: SearchOptions) -> bool:
    """Whether a search is one a reader made: with a query (browsing is not one), on its first page (a
    later page is the same search read further). Completions and exports never come here: a word half
    typed is not a search, and an export repeats the search its results page already counted."""
    return bool(options.query.strip()) and options.page == 1


def folded(query: str) -> str:
    """The query as the log keeps it: case folded and runs of spaces made one, so that `Gottwald ` and
    `gottwald` count together."""
    return " ".join(query.split()).casefold()


class QueryLog:
    """One server's query log: `record` hands searches to a writer thread; `summary` reads the counts."""

    def __init__(self, path: Path, days: int, dropped: Callable[[int], None] = lambda count: None) -> None:
        self.path, self.days = path, days
        self._writer = BackgroundWriter("query-log", self._write, dropped)
        self._local = threading.local()  # the writer thread's connection (one thread per process)
        self._failing = False

    @property
    def enabled(self) -> bool:
        return self.days > 0

    def record(self, options: SearchOptions, result: SearchResult, source: str) -> None:
        """Log a counted search, off the request path; never raises, never waits (SEARCH_QUERY_LOG_DAYS 0: nothing)."""
        if not self.enabled or not counted(options):
            return
        try:
            self._writer.put(_row(options, result, source, time.time()))
        except Exception:  # a log line lost is better than a search failed
            pass

    def summary(self, days: str | None, limit: str | None = None) -> QuerySummary:
        """The most frequent queries and the queries that found nothing in the last `days` (1 to the
        retention; QueryError otherwise); QueryLogUnreadable when the file is not a readable log."""
        period = bounded_int("days", days, min(DEFAULT_DAYS, self.days), 1, self.days)
        most = bounded_int("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT)
        since = _timestamp(time.time() - period * DAY_SECONDS)
        if not self.path.exists():
            return QuerySummary(period, since)  # nothing searched yet
        try:
            with closing(sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                         timeout=BUSY_SECONDS)) as connection:
                if not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'searches'").fetchone():
                    return QuerySummary(period, since)  # made by a writer a moment ago, its table not yet
                searches, empty = connection.execute(
                    "SELECT COUNT(*), SUM(total = 0 AND NOT timed_out) FROM searches WHERE at >= ?", (since,)
                ).fetchone()
                frequent, nothing = (
                    [QueryCount(*row) for row in connection.execute(_GROUPED, (since, only_empty, most))]
                    for only_empty in (False, True))
        except sqlite3.Error as exc:
            raise QueryLogUnreadable(f"the query log {self.path} cannot be read ({exc}); check "
                                     "SEARCH_QUERY_LOG, or move the file away and a new log is started") from None
        return QuerySummary(period, since, searches, empty or 0, frequent, nothing)

    def _write(self, rows: list[tuple]) -> None:
        """The writer thread's work: insert a batch, and delete expired rows at start and daily after."""
        try:
            connection = self._connection()
            with connection:
                connection.executemany(_INSERT, rows)
            if time.time() - self._local.pruned > DAY_SECONDS:
                self._prune(connection)
            self._failing = False
        except (sqlite3.Error, OSError) as exc:
            self._close()
            if not self._failing:  # once until it works again: a full disk would otherwise warn per batch
                warnings.warning("query log %s: %s; searches go on, their log lines are dropped", self.path, exc)
            self._failing = True
            raise

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=BUSY_SECONDS)
            self._local.connection = connection
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; a crash may lose the last rows
            connection.executescript(_SCHEMA)
            self._prune(connection)
        return connection

    def _prune(self, connection: sqlite3.Connection) -> None:
        with connection:
            connection.execute("DELETE FROM searches WHERE at < ?",
                               (_timestamp(time.time() - self.days * DAY_SECONDS),))
        self._local.pruned = time.time()

    def _close(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            try:
                connection.close()
            except sqlite3.Error:
                pass


def _row(options: SearchOptions, result: SearchResult, source: str, when: float) -> tuple:
    filters = {key: value for key, value in (("lang", options.lang), ("year_from", options.year_from),
                                             ("year_to", options.year_to)) if value}
    filters.update((name, list(values)) for name, values in options.filters)
    query = folded(options.query)
    return (_timestamp(when), query, script_language(query), json.dumps(filters, ensure_ascii=False),
            options.sort, result.total, result.took_ms, int(result.timed_out), source)


def _timestamp(when: float) -> str:
    return datetime.fromtimestamp(when, timezone.utc).isoformat(timespec="milliseconds")
