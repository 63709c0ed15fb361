"""A build written by several processes (one segment each) answers exactly as a single-process one."""

from dataclasses import replace

from search_service.engine import Engine
from search_service.engine import building
from search_service.search import SearchOptions, search

QUERIES = ["совета безопасности withdrawal", "Праге OR Gottwald", "первых", '"Security Council"', "безопасн*",
           "Готвальд Бенеш финал"]


def test_parallel_build_gives_the_same_answers(records, engine, tmp_path, monkeypatch):
    monkeypatch.setattr(building, "PARALLEL_FROM_CHARS", 0)
    monkeypatch.setattr(building, "BUILD_PROCESSES", 2)
    # Enough documents that each process gets some (Whoosh hands them out in batches of 100).
    many = [replace(record, id=f"{record.id}-{n}") for n, record in enumerate(records * 60)]
    parallel = Engine.build(many, tmp_path / "parallel")
    assert len(list(parallel._searcher().reader().leaf_readers())) >= 2  # really more than one segment
    monkeypatch.setattr(building, "PARALLEL_FROM_CHARS", 10**12)
    single = Engine.build(many, tmp_path / "single")
    for query in QUERIES:
        a = search(parallel, SearchOptions(query=query, per_page=50))
        b = search(single, SearchOptions(query=query, per_page=50))
        assert a.total == b.total > 0
        # The same scores and snippets; only the order among equal scores may differ (document numbers).
        assert sorted((h.score, sorted(h.snippets.items())) for h in a.hits) == \
               sorted((h.score, sorted(h.snippets.items())) for h in b.hits)
