"""Limits that keep one query from tying up a worker: the time limit and the cap on prefix expansion,
on an index big enough for a query to take real time."""

from __future__ import annotations

import time

import pytest
import requests

from conftest import serve
from search_service.web.app import create_app
from search_service.config import Config
from search_service.engine import Engine
from search_service.errors import QueryError
from search_service.records import Record
from search_service.service.search import SearchOptions, search

RECORDS = 8000
SLOW_QUERY = "council OR report OR number"  # every record matches: collecting them takes a while


@pytest.fixture(scope="module")
def big_index(tmp_path_factory):
    path = tmp_path_factory.mktemp("big-index")
    Engine.build((Record(id=f"r{i}", title="", date=str(1900 + i % 100),
                         texts={"en": f"council report number {i} item{i}"}) for i in range(RECORDS)), path)
    return path


def timed_search(engine: Engine, query: str, per_page: int = 10):
    engine.prepare()  # the generation's one-off near-term vocabulary is outside the time limit: not timed
    started = time.perf_counter()
    result = search(engine, SearchOptions(query=query, per_page=per_page))
    return result, time.perf_counter() - started


def test_a_search_past_the_time_limit_answers_with_what_it_found(big_index):
    full, full_seconds = timed_search(Engine.open(big_index, time_limit=60), SLOW_QUERY)
    assert not full.timed_out and full.total == RECORDS
    cut, cut_seconds = timed_search(Engine.open(big_index, time_limit=full_seconds / 4), SLOW_QUERY)
    assert cut.timed_out
    assert cut.total < RECORDS  # what was counted by then
    assert len(cut.hits) == min(10, cut.total)
    assert cut_seconds < full_seconds


def test_filters_hold_when_the_time_limit_cuts_a_search_short(big_index):
    in_1950 = [i for i in range(RECORDS) if i % 100 == 50]
    full = search(Engine.open(big_index, time_limit=60), SearchOptions(query=SLOW_QUERY, year_from=1950,
                                                                       year_to=1950, per_page=50))
    assert not full.timed_out and full.total == len(in_1950)
    assert {hit.id for hit in full.hits} <= {f"r{i}" for i in in_1950}
    cut = search(Engine.open(big_index, time_limit=0.01), SearchOptions(query=SLOW_QUERY, year_from=1950,
                                                                        year_to=1950, per_page=50))
    assert cut.timed_out and all(hit.date == "1950" for hit in cut.hits)


def test_snippets_past_the_time_limit_are_unhighlighted_openings(big_index):
    result, _ = timed_search(Engine.open(big_index, time_limit=0), "council", per_page=5)
    assert result.timed_out
    for hit in result.hits:
        assert "<mark>" not in hit.snippets["en"] and hit.snippets["en"].startswith("council report number")


def test_time_limit_reaches_the_api(big_index):
    client = create_app(Config(index_dir=big_index, time_limit=0.01)).test_client()
    body = client.get("/api/search", query_string={"q": SLOW_QUERY}).get_json()
    assert body["timed_out"] is True and body["total"] < RECORDS


def test_time_limit_works_in_gunicorn_threads(big_index):
    """Whoosh's TimeLimitCollector would set a SIGALRM handler, which fails outside the main thread."""
    with serve(big_index, env={"SEARCH_TIME_LIMIT": "0.01"}) as base:
        answers = [requests.get(f"{base}/api/search", params={"q": SLOW_QUERY}, timeout=30) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200] * 4
    assert all(answer.json()["timed_out"] for answer in answers)


def test_prefixes_that_expand_to_too_many_words_are_refused(big_index):
    engine = Engine.open(big_index)
    with pytest.raises(QueryError, match=r"`it\*` matches too many different words .*type more letters"):
        search(engine, SearchOptions(query="it*"))
    assert search(engine, SearchOptions(query="item799*")).total == 11  # item799, item7990 ... item7999
    client = create_app(Config(index_dir=big_index)).test_client()
    response = client.get("/api/search", query_string={"q": "council item*"})
    assert response.status_code == 400 and "item*" in response.get_json()["error"]["message"]
