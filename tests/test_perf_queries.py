"""bench/perf's queries and corpora: the users' mix is drawn as people type, the same on every run."""

from __future__ import annotations

import re

from bench.perf.__main__ import copies, corpus
from bench.perf.queries import keyword_queries, typed_queries
from search_service.records import Record

_ENGLISH = ("The minister said that there would be another meeting about these questions before "
            "the conference, and that the delegation would report their answers through London.")
_RUSSIAN = "Товарищ министр сказал, что перед конференцией будет ещё одно совещание по этим вопросам."


def _records() -> list[Record]:
    english = [Record(id=f"en{n}", title="", date=None, texts={"en": _ENGLISH}) for n in range(9)]
    return english + [Record(id="ru0", title="", date=None, texts={"ru": _RUSSIAN})]


def _long_words(text: str) -> str:
    return " ".join(re.findall(r"\w{5,}", text))


def test_typed_queries_are_runs_of_long_words_stop_words_kept() -> None:
    queries = typed_queries(_records(), 20)
    assert queries == typed_queries(_records(), 20)
    assert len({query.lower() for query in queries}) == 20
    for query in queries:
        words = query.split()
        assert 1 <= len(words) <= 3
        assert all(len(word) >= 5 for word in words)
        assert query in _long_words(_ENGLISH) or query in _long_words(_RUSSIAN)
    assert any(word in {"there", "would", "their", "about", "these"} for query in queries for word in query.split())


def test_typed_queries_follow_the_corpus_languages() -> None:
    queries = typed_queries(_records(), 25)
    russian = [query for query in queries if re.search("[а-я]", query)]
    assert 0 < len(russian) < len(queries) / 2  # one text in ten is Russian


def test_keyword_queries_alternate_languages_without_stop_words() -> None:
    queries = keyword_queries(_records(), 6)
    assert [bool(re.search("[а-я]", query)) for query in queries] == [True, False] * 3
    assert not any(word.lower() in {"that", "would", "the", "что", "по"} for query in queries for word in query.split())


def test_copies_have_new_ids_and_queries_come_from_one_copy() -> None:
    records = _records()
    four, drawn_from = corpus(records, "4x")
    assert len(four) == 40 and drawn_from == records
    assert len({record.id for record in four}) == 40
    assert [record.id for record in copies(records[:1], 3)] == ["en0", "en0-x2", "en0-x3"]
