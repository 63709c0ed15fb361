"""Ranking outcomes of true BM25F (engine/scoring.py): one idf per word, field frequencies saturating together."""

import pytest

from search_service.engine import Engine
from search_service.service.search import SearchOptions, search

from conftest import TEST_DATA, build_test_index


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    return Engine.open(build_test_index(tmp_path_factory, "scoring-index", TEST_DATA / "scoring.jsonl"))


def ids(engine: Engine, query: str) -> list[str]:
    return [hit.id for hit in search(engine, SearchOptions(query=query)).hits]


def test_a_rare_word_repeated_in_the_text_outranks_a_common_word_in_a_title(engine):
    # `weather` is in most records' texts but in one title. Scored field by field, its title idf was
    # high and, weighted x3, the one-word title outranked the record that says `pub` five times.
    # Both have both words (records with one of them follow, fewer than ten having both).
    assert ids(engine, "weather pub")[:2] == ["scoring-pub-answer", "scoring-weather-title"]
    assert ids(engine, "When do Britons most like to go to the pub?")[0] == "scoring-pub-answer"


def test_a_word_in_the_title_still_adds_to_the_same_text(engine):
    # The same text, once under a title with the word: the title's weight still counts.
    assert ids(engine, "lighthouse") == ["scoring-title-and-text", "scoring-text-only"]


def test_a_word_in_one_named_field_is_searched_there_only(engine):
    assert ids(engine, "title:lighthouse") == ["scoring-title-and-text"]
    assert ids(engine, "title:weather pub") == ["scoring-weather-title"]
