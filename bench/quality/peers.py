"""Peer search systems for the quality harness: SQLite FTS5 over raw text, and over Snowball stems.

Both get the project's query treatment: every word quoted (so no user text is FTS5 syntax), quoted
phrases kept as phrases, punctuation dropped; all words must match (AND), and only when that finds
nothing, any word may (OR). Hits are ranked by FTS5's bm25 over the title and the text columns.
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import Stemmer

from search_service.records import Record

# A quoted phrase in straight, typographic or guillemet quotes, or a run of non-space characters.
_QUERY_CHUNK = re.compile(r'"([^"]*)"|“([^”]*)”|«([^»]*)»|(\S+)')
_WORD_PART = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z]")


def query_groups(query: str) -> list[list[str]]:
    """The query as groups of word parts: a quoted phrase or a hyphenated word is one group of several."""
    groups: list[list[str]] = []
    for match in _QUERY_CHUNK.finditer(query):
        phrase = next(g for g in match.groups() if g is not None)
        parts = _WORD_PART.findall(phrase)
        if parts:
            groups.append(parts)
    return groups


def match_expressions(groups: list[list[str]]) -> list[str]:
    """FTS5 MATCH expressions to try in order: AND of the groups, then (for several groups) OR of them."""
    quoted = ['"' + " ".join(group) + '"' for group in groups]  # parts hold only letters and digits
    if not quoted:
        return []
    expressions = [" AND ".join(quoted)]
    if len(quoted) > 1:
        expressions.append(" OR ".join(quoted))
    return expressions


@lru_cache(maxsize=2)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(language)


@lru_cache(maxsize=500_000)
def snowball_stem(word: str) -> str:
    """Lowercase, ё -> е, then the Russian Snowball stem for Cyrillic words, the English one for Latin words."""
    word = word.lower().replace("ё", "е")
    if _CYRILLIC.search(word):
        return _stemmer("russian").stemWord(word)
    if _LATIN.search(word):
        return _stemmer("english").stemWord(word)
    return word


def snowball_text(text: str) -> str:
    """Text as space-separated Snowball stems (what the snowball peer indexes)."""
    return " ".join(snowball_stem(word) for word in _WORD_PART.findall(text))


def record_text(record: Record) -> str:
    """All texts of a record, in a fixed language order."""
    return "\n\n".join(record.texts[lang] for lang in sorted(record.texts))


class Fts5Peer:
    """An FTS5 table over records' title and text, searched with the fair AND-then-OR treatment."""

    def __init__(self, name: str, tokenize: str, transform: Callable[[str], str] | None = None,
                 path: Path | str = ":memory:") -> None:
        self.name = name
        self.tokenize = tokenize
        self.transform = transform or (lambda text: text)
        self.db = sqlite3.connect(str(path))
        self.db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(id UNINDEXED, title, body, "
                        f"tokenize={_sql_string(tokenize)})")

    def is_empty(self) -> bool:
        return self.db.execute("SELECT count(*) FROM docs").fetchone()[0] == 0

    def add(self, records: Iterable[Record]) -> None:
        """Index records (title and all texts), in one transaction."""
        with self.db:
            self.db.executemany("INSERT INTO docs (id, title, body) VALUES (?, ?, ?)",
                                ((r.id, self.transform(r.title), self.transform(record_text(r))) for r in records))

    def search(self, query: str, limit: int = 10) -> list[str]:
        """Record ids ranked by bm25: all words first; any word when all of them find nothing."""
        groups = [[self.transform(part) for part in group] for group in query_groups(query)]
        groups = [[part for part in group if part] for group in groups]
        for expression in match_expressions([g for g in groups if g]):
            rows = self.db.execute("SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?",
                                   (expression, limit)).fetchall()
            if rows:
                return [row[0] for row in rows]
        return []

    def close(self) -> None:
        self.db.close()


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def fts5_porter(records: Iterable[Record] | None = None, path: Path | str = ":memory:") -> Fts5Peer:
    """SQLite FTS5 with `porter unicode61` over the raw text."""
    peer = Fts5Peer("fts5-porter", "porter unicode61", path=path)
    if records is not None and peer.is_empty():
        peer.add(records)
    return peer


def fts5_snowball(records: Iterable[Record] | None = None, path: Path | str = ":memory:") -> Fts5Peer:
    """SQLite FTS5 (`unicode61`) over Snowball-stemmed words (Russian or English by script)."""
    peer = Fts5Peer("fts5-snowball", "unicode61", transform=snowball_text, path=path)
    if records is not None and peer.is_empty():
        peer.add(records)
    return peer


PEERS = {"fts5-porter": fts5_porter, "fts5-snowball": fts5_snowball}
