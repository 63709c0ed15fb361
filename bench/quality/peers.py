"""Peer search systems for the quality harness: SQLite FTS5 over raw text, and over Snowball stems.

Both get the project's query treatment: every word quoted (so no user text is FTS5 syntax), quoted
phrases kept as phrases, punctuation dropped; all words must match (AND), and only when that finds
nothing, any word may (OR). Hits are ranked by FTS5's bm25 over the title and the text columns.

The Snowball peer is what Elasticsearch's `russian`/`english` analyzers do, minus stop words:
lowercase, ё -> е, English possessive kept with its word for the stemmer to strip, Snowball stem by
script. Its stems are indexed with `unicode61`, and the query goes through the same steps.
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
# For the Snowball peer: an English possessive or contraction stays with its word, as the stemmer expects.
_STEM_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W\d_]+)*")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z]")


def query_chunks(query: str) -> list[str]:
    """The query as chunks: each quoted phrase, and each run of non-space characters outside quotes."""
    return [next(g for g in match.groups() if g is not None) for match in _QUERY_CHUNK.finditer(query)]


def raw_tokens(text: str) -> list[str]:
    """Runs of letters and digits (what FTS5's unicode61 tokenizer would make of the text)."""
    return _WORD_PART.findall(text)


def match_expressions(groups: list[list[str]]) -> list[str]:
    """FTS5 MATCH expressions to try in order: AND of the groups, then (for several groups) OR of them."""
    quoted = ['"' + " ".join(group).replace('"', "") + '"' for group in groups]
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
    word = word.lower().replace("ё", "е").replace("\u2019", "'")
    if _CYRILLIC.search(word):
        return _stemmer("russian").stemWord(word)
    if _LATIN.search(word):
        return _stemmer("english").stemWord(word)
    return word


def snowball_tokens(text: str) -> list[str]:
    """Snowball stems of the words of a text, in order (`Trotsky’s` -> `trotski`)."""
    return [snowball_stem(word) for word in _STEM_WORD.findall(text)]


def snowball_text(text: str) -> str:
    """Text as space-separated Snowball stems (what the snowball peer indexes)."""
    return " ".join(snowball_tokens(text))


def record_text(record: Record) -> str:
    """All texts of a record, in a fixed language order."""
    return "\n\n".join(record.texts[lang] for lang in sorted(record.texts))


class Fts5Peer:
    """An FTS5 table over records' title and text, searched with the fair AND-then-OR treatment."""

    def __init__(self, name: str, tokenize: str, transform: Callable[[str], str] | None = None,
                 tokens: Callable[[str], list[str]] = raw_tokens, path: Path | str = ":memory:") -> None:
        self.name = name
        self.tokenize = tokenize
        self.transform = transform or (lambda text: text)
        self.tokens = tokens
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
        groups = [self.tokens(chunk) for chunk in query_chunks(query)]
        for expression in match_expressions([group for group in groups if group]):
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
    peer = Fts5Peer("fts5-snowball", "unicode61", transform=snowball_text, tokens=snowball_tokens, path=path)
    if records is not None and peer.is_empty():
        peer.add(records)
    return peer


PEERS = {"fts5-porter": fts5_porter, "fts5-snowball": fts5_snowball}
