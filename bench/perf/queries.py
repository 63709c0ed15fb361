"""The benchmark's queries, drawn deterministically from the records: the users' mix and the content-word mix.

A query is a run of one to three neighbouring words of one record's text. The users' mix
(`typed_queries`) takes words of five or more letters as they come, stop words included, from texts
picked at random among all the records' texts, so languages come in the corpus's own proportions:
what people type. The content-word mix (`keyword_queries`) alternates Russian and English and
leaves out stop words (the `stop-words` package's lists) and words under three letters. The same
seed and records always give the same queries.
"""

from __future__ import annotations

import random
import re
from typing import Callable

from stop_words import get_stop_words

from search_service.records import Record

_TYPED_WORD = re.compile(r"[^\W\d_]{5,}")
_CONTENT_WORD = re.compile(r"[^\W\d_]{3,}")
_STOP_WORDS = frozenset(get_stop_words("en")) | frozenset(get_stop_words("ru"))
WARM_UP_QUERIES = 30  # drawn with another seed, sent before the timed ones


def typed_queries(records: list[Record], count: int, seed: int = 6) -> list[str]:
    """`count` distinct queries as users type them, each from a text picked among all the records' texts."""
    rng = random.Random(seed)
    texts = [record.texts[lang] for record in records for lang in sorted(record.texts) if record.texts[lang]]
    return _draw(rng, count, len(records), lambda _: _TYPED_WORD.findall(rng.choice(texts)))


def keyword_queries(records: list[Record], count: int, seed: int = 6) -> list[str]:
    """`count` distinct content-word queries, alternating Russian and English, drawn from `records`."""
    rng = random.Random(seed)
    by_language = {lang: [r for r in records if r.texts.get(lang)] for lang in ("ru", "en")}
    languages = [lang for lang in ("ru", "en") if by_language[lang]]

    def words(drawn: int) -> list[str]:
        lang = languages[drawn % len(languages)]
        text = rng.choice(by_language[lang]).texts[lang]
        return [w for w in _CONTENT_WORD.findall(text) if w.lower() not in _STOP_WORDS]

    return _draw(rng, count, len(records), words)


def _draw(rng: random.Random, count: int, records: int, words: Callable[[int], list[str]]) -> list[str]:
    """`count` distinct runs of 1-3 neighbouring words; `words(n)` gives the candidates for the n-th query."""
    queries: list[str] = []
    seen: set[str] = set()
    attempts = 0
    while len(queries) < count:
        attempts += 1
        if attempts > count * 100:
            raise ValueError(f"could not draw {count} distinct queries from {records} records")
        candidates = words(len(queries))
        if len(candidates) < 4:
            continue
        size = rng.randint(1, 3)
        start = rng.randrange(len(candidates) - size)
        query = " ".join(candidates[start:start + size])
        if query.lower() not in seen:
            seen.add(query.lower())
            queries.append(query)
    return queries
