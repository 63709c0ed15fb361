"""The benchmark's keyword queries: 1-3 content words drawn deterministically from the records.

A query is a run of one to three neighbouring words of one record's text, half of them Russian and
half English, with stop words (the `stop-words` package's lists) and words under three letters left
out: what a person looking for something types, not `the` or `и`. The same seed and records always
give the same queries.
"""

from __future__ import annotations

import random
import re

from stop_words import get_stop_words

from search_service.records import Record

_WORD = re.compile(r"[^\W\d_]{3,}")
_STOP_WORDS = frozenset(get_stop_words("en")) | frozenset(get_stop_words("ru"))
WARM_UP_QUERIES = 30  # drawn with another seed, sent before the timed ones


def keyword_queries(records: list[Record], count: int, seed: int = 6) -> list[str]:
    """`count` distinct queries, alternating Russian and English, drawn from `records`."""
    rng = random.Random(seed)
    by_language = {lang: [r for r in records if r.texts.get(lang)] for lang in ("ru", "en")}
    languages = [lang for lang in ("ru", "en") if by_language[lang]]
    queries: list[str] = []
    seen: set[str] = set()
    attempts = 0
    while len(queries) < count:
        attempts += 1
        if attempts > count * 100:
            raise ValueError(f"could not draw {count} distinct queries from {len(records)} records")
        lang = languages[len(queries) % len(languages)]
        record = rng.choice(by_language[lang])
        words = [w for w in _WORD.findall(record.texts[lang]) if w.lower() not in _STOP_WORDS]
        if len(words) < 4:
            continue
        size = rng.randint(1, 3)
        start = rng.randrange(len(words) - size)
        query = " ".join(words[start:start + size])
        if query.lower() not in seen:
            seen.add(query.lower())
            queries.append(query)
    return queries
