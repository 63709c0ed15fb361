"""The peer: SQLite FTS5 (`porter unicode61`) on the same records, timed in-process with snippet()."""

from __future__ import annotations

import time
from pathlib import Path

from bench.quality.peers import Fts5Peer, fts5_porter, match_expressions, query_chunks
from search_service.records import Record

# The text column (0 is the id, 1 the title); one fragment of up to 24 tokens, matches marked as ours are.
_SEARCH = ("SELECT id, title, snippet(docs, 2, '<mark>', '</mark>', '…', 24) FROM docs "
           "WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 10")


def build(records: list[Record], path: Path) -> tuple[Fts5Peer, float]:
    """An FTS5 database file of `records` and the seconds its build took."""
    started = time.perf_counter()
    peer = fts5_porter(records, path=path)
    return peer, time.perf_counter() - started


def search(peer: Fts5Peer, query: str) -> list[tuple[str, str, str]]:
    """Top 10 (id, title, snippet) with the project's treatment: all words, then any word."""
    groups = [peer.tokens(chunk) for chunk in query_chunks(query)]
    for expression in match_expressions([group for group in groups if group]):
        rows = peer.db.execute(_SEARCH, (expression,)).fetchall()
        if rows:
            return rows
    return []


def time_queries(peer: Fts5Peer, queries: list[str]) -> list[float]:
    """Milliseconds each query took, snippets included."""
    timings = []
    for query in queries:
        started = time.perf_counter()
        search(peer, query)
        timings.append((time.perf_counter() - started) * 1000)
    return timings
