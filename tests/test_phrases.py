"""Phrases: the one-pass position check matches exactly the records Whoosh's own phrase matcher does."""

from __future__ import annotations

import json
from itertools import islice

import pytest
from whoosh import query

from conftest import SEED, corpus
from search_service.engine import Engine
from search_service.engine.phrases import Phrase
from search_service.engine.querying import parse
from search_service.engine.tiers import fields_for
from search_service.records import Record, read_records

PHRASES = ['"Security Council"', '"совета безопасности"', '"Совет Безопасности ООН"', '"council report"~3',
           '"во-первых"', '"the United States"', '"рабочего класса"', '"of the"', '"of the"~4', '"не было"',
           '"в том числе"', '"Security Council" Korea', 'title:"Security Council"', '"one of the"~2']
COMMON = ('"of the"', '"в том числе"', '"Security Council"')  # phrases the index certainly holds


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    with corpus("ntrex-news-ru-en.jsonl").open(encoding="utf-8") as lines:
        news = [Record.from_json(json.loads(line)) for line in islice(lines, 60)]
    path = tmp_path_factory.mktemp("phrases")
    engine = Engine.build(read_records([SEED]).records + news, path)
    return engine.index.searcher()


def _as_whoosh_sequences(q: query.Query) -> query.Query:
    if isinstance(q, Phrase):
        return query.Sequence(q.subqueries, slop=q.slop, boost=q.boost)
    return q.apply(_as_whoosh_sequences) if q.children() else q


def _phrases(q: query.Query):
    if isinstance(q, Phrase):
        yield q
    for child in q.children():
        yield from _phrases(child)


@pytest.mark.parametrize("text", PHRASES)
def test_phrases_match_what_whoosh_sequences_match(searcher, text):
    ours = parse(searcher.schema, text, fields_for(None), all_words=True)
    assert list(_phrases(ours))
    found = {hit["id"] for hit in searcher.search(ours, limit=None)}
    expected = {hit["id"] for hit in searcher.search(_as_whoosh_sequences(ours), limit=None)}
    assert found == expected
    if text in COMMON:
        assert found, f"{text} should match a test record"
