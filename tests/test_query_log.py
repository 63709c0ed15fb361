"""The query log for archivists: what readers searched for and what found nothing, in SQLite beside CURRENT;
`GET /api/admin/queries` answers it. Never a search lost to it: a log that cannot be written drops lines."""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from conftest import SEED, build_test_index, serve
from search_service.config import QUERY_LOG_NAME, Config, SettingError
from search_service.web.app import create_app
from test_monitoring import scraped

TOKEN = "query-log-token-5c2e"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NOTHING = "qqqzzz xx"  # finds nothing in the seed letter
WAIT_SECONDS = 15  # only bounds a test whose log never arrives; the log is written within milliseconds


@pytest.fixture()
def log_index(tmp_path_factory) -> Path:
    """A fresh index of the seed letter, so that each test's query log starts empty."""
    return build_test_index(tmp_path_factory, "query-log")


def app_client(index: Path, **settings):
    return create_app(Config(index_dir=index, admin_token=TOKEN, **settings)).test_client()


def queries(client, days: str = "7") -> dict:
    response = client.get("/api/admin/queries", query_string={"days": days}, headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def logged(client, searches: int, days: str = "7") -> dict:
    """The admin answer once the writer thread has logged `searches` searches."""
    deadline = time.monotonic() + WAIT_SECONDS
    while (answer := queries(client, days))["searches"] < searches and time.monotonic() < deadline:
        time.sleep(0.05)
    return answer


def by_query(rows: list[dict]) -> dict[str, dict]:
    return {row["query"]: row for row in rows}


def test_searches_that_found_nothing_are_listed_folded_with_their_counts(log_index):
    client = app_client(log_index)
    for query in ("QQQzzz   XX", " qqqzzz xx ", "Gottwald"):
        assert client.get("/api/search", query_string={"q": query}).status_code == 200
    assert client.get("/", query_string={"q": "qqqZZZ xx", "year_from": "1950", "sort": "date"}).status_code == 200
    assert client.get("/embed", query_string={"q": "Готвальд"}).status_code == 200
    # Not counted: a later page of a search, browsing, a word being completed, an export.
    for path, params in (("/api/search", {"q": "Gottwald", "page": "2"}), ("/", {}), ("/api/search", {"q": " "}),
                         ("/api/suggest", {"q": "Gott"}), ("/api/search.csv", {"q": NOTHING})):
        assert client.get(path, query_string=params).status_code == 200
    answer = logged(client, 5)
    assert answer["searches"] == 5 and answer["empty"] == 3 and answer["days"] == 7
    assert answer["retention_days"] == 30
    nothing = by_query(answer["found_nothing"])
    assert list(nothing) == [NOTHING]
    assert nothing[NOTHING]["count"] == 3 and nothing[NOTHING]["empty"] == 3 and nothing[NOTHING]["filtered"] == 1
    assert nothing[NOTHING]["language"] == "en"
    frequent = by_query(answer["frequent"])
    assert answer["frequent"][0]["query"] == NOTHING
    assert frequent["gottwald"]["count"] == 1 and frequent["gottwald"]["empty"] == 0
    assert frequent["готвальд"]["language"] == "ru" and frequent["готвальд"]["empty"] == 0
    assert set(frequent) == {NOTHING, "gottwald", "готвальд"}
    when = datetime.fromisoformat(frequent["gottwald"]["last"])
    assert abs(datetime.now(timezone.utc) - when) < timedelta(minutes=5)


def test_what_is_kept_of_a_search_and_nothing_of_who_searched(log_index):
    client = app_client(log_index, trusted_proxies=1)
    client.set_cookie("ui", "ru")
    headers = {"User-Agent": "Agent-7f1e", "X-Forwarded-For": "203.0.113.77"}
    assert client.get("/api/search", query_string={"q": "Gottwald", "lang": "en", "year_to": "1960",
                                                   "collection": "Wilson"}, headers=headers).status_code == 200
    logged(client, 1)
    database = log_index / QUERY_LOG_NAME
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        rows = connection.execute("SELECT query, language, filters, sort, total, took_ms > 0, timed_out, source "
                                  "FROM searches").fetchall()
    assert rows == [("gottwald", "en", '{"lang": "en", "year_to": 1960, "collection": ["Wilson"]}', None, 0, 1, 0,
                     "api")]
    kept = b"".join(path.read_bytes() for path in log_index.glob(f"{QUERY_LOG_NAME}*"))
    for personal in (b"Agent-7f1e", b"203.0.113.77", b"127.0.0.1"):
        assert personal not in kept


def test_days_are_checked_against_the_retention(log_index):
    client = app_client(log_index, query_log_days=10)
    assert queries(client, "10")["days"] == 10
    assert queries(client, "")["days"] == 7  # the default
    for days in ("0", "11", "-1", "seven", "1.5", "99999999999"):
        response = client.get("/api/admin/queries", query_string={"days": days}, headers=AUTH)
        assert response.status_code == 400, days
        error = response.get_json()["error"]
        assert error["code"] == "bad_request" and "days" in error["message"], error
    assert "between 1 and 10" in client.get("/api/admin/queries?days=11", headers=AUTH).get_json()["error"]["message"]
    assert queries(app_client(log_index, query_log_days=3), "")["days"] == 3  # a shorter retention caps the default


def test_the_admin_token_is_required_and_never_cross_origin(log_index):
    client = app_client(log_index)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        response = client.get("/api/admin/queries", headers=headers)
        assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
    response = client.get("/api/admin/queries", headers={**AUTH, "Origin": "https://evil.example"})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "cross_origin"
    assert "Access-Control-Allow-Origin" not in response.headers
    disabled = create_app(Config(index_dir=log_index)).test_client().get("/api/admin/queries", headers=AUTH)
    assert disabled.status_code == 403 and disabled.get_json()["error"]["code"] == "admin_disabled"


def test_zero_days_turns_the_log_off_and_makes_no_file(log_index):
    client = app_client(log_index, query_log_days=0)
    assert client.get("/api/search", query_string={"q": NOTHING}).status_code == 200
    assert client.get("/", query_string={"q": "Gottwald"}).status_code == 200
    response = client.get("/api/admin/queries", headers=AUTH)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "query_log_disabled"
    time.sleep(0.5)  # a writer, were there one, would have written by now
    assert not list(log_index.glob(f"{QUERY_LOG_NAME}*"))


def test_rows_older_than_the_retention_are_deleted(log_index):
    client = app_client(log_index, query_log_days=10)
    client.get("/api/search", query_string={"q": "Gottwald"})
    logged(client, 1, "10")
    database = log_index / QUERY_LOG_NAME
    old = (datetime.now(timezone.utc) - timedelta(days=11)).isoformat(timespec="milliseconds")
    recent = (datetime.now(timezone.utc) - timedelta(days=9)).isoformat(timespec="milliseconds")
    with sqlite3.connect(database) as connection:
        connection.executemany("INSERT INTO searches VALUES (?, ?, 'en', '{}', NULL, 0, 1.0, 0, 'api')",
                               [(old, "expired"), (recent, "kept")])
    assert set(by_query(queries(client, "10")["found_nothing"])) == {"kept"}  # older than the period: not counted
    # A server process starting (its writer's first write) deletes what the retention no longer keeps.
    restarted = app_client(log_index, query_log_days=10)
    restarted.get("/api/search", query_string={"q": "Gottwald"})
    logged(restarted, 3, "10")
    with sqlite3.connect(database) as connection:
        assert sorted(row[0] for row in connection.execute("SELECT query FROM searches")) == \
            ["gottwald", "gottwald", "kept"]


@pytest.mark.parametrize("where", ["a folder", "in a missing folder", "not a database"])
def test_a_log_that_cannot_be_written_loses_lines_not_searches(log_index, tmp_path, where):
    path = {"a folder": tmp_path, "in a missing folder": tmp_path / "absent" / "queries.sqlite",
            "not a database": tmp_path / "notes.sqlite"}[where]
    if where == "not a database":
        path.write_text("archivist's notes, not a database\n", encoding="utf-8")
    client = app_client(log_index, query_log=path)
    before = scraped(client).get(("search_service_query_log_dropped_total", ()), 0)
    for query in ("Gottwald", NOTHING, "совета"):
        response = client.get("/api/search", query_string={"q": query})
        assert response.status_code == 200 and "hits" in response.get_json()
    assert client.get("/", query_string={"q": "Gottwald"}).status_code == 200
    deadline = time.monotonic() + WAIT_SECONDS
    while (dropped := scraped(client)[("search_service_query_log_dropped_total", ())] - before) < 4 \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert dropped == 4
    if where == "not a database":
        assert path.read_text(encoding="utf-8") == "archivist's notes, not a database\n"  # never overwritten
    answer = client.get("/api/admin/queries", headers=AUTH)
    if where == "in a missing folder":
        assert answer.status_code == 200 and answer.get_json()["searches"] == 0  # nothing logged yet
    else:
        assert answer.status_code == 503 and answer.get_json()["error"]["code"] == "query_log_unreadable"


def test_a_log_file_just_made_answers_no_searches(log_index, tmp_path):
    """A writer that has made the file but not yet its table: nothing searched, not an unreadable log."""
    (tmp_path / "new.sqlite").write_bytes(b"")
    answer = queries(app_client(log_index, query_log=tmp_path / "new.sqlite"))
    assert answer["searches"] == 0 and answer["frequent"] == answer["found_nothing"] == []


def test_query_log_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("SEARCH_INDEX_DIR", str(tmp_path))
    assert Config.from_env().query_log_path == tmp_path / QUERY_LOG_NAME
    assert Config.from_env().query_log_days == 30
    monkeypatch.setenv("SEARCH_QUERY_LOG", str(tmp_path / "elsewhere.sqlite"))
    monkeypatch.setenv("SEARCH_QUERY_LOG_DAYS", "0")
    assert Config.from_env().query_log_path == tmp_path / "elsewhere.sqlite"
    assert Config.from_env().query_log_days == 0
    for wrong in ("-1", "thirty", "99999"):
        monkeypatch.setenv("SEARCH_QUERY_LOG_DAYS", wrong)
        with pytest.raises(SettingError, match="SEARCH_QUERY_LOG_DAYS"):
            Config.from_env()


@pytest.mark.slow
def test_every_worker_logs_into_one_file(log_index):
    """Two gunicorn workers, searches from several threads: every search counted once, none lost."""
    with serve(log_index, documents=SEED, env={"SEARCH_WORKERS": "2", "SEARCH_ADMIN_TOKEN": TOKEN}) as base:
        searched = ["QQQzzz XX", "Gottwald", "qqqzzz  xx", "совета"] * 10
        with ThreadPoolExecutor(6) as pool:
            statuses = list(pool.map(lambda q: requests.get(f"{base}/api/search", params={"q": q}, timeout=30)
                                     .status_code, searched))
        assert statuses == [200] * len(searched)
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            answer = requests.get(f"{base}/api/admin/queries?days=7", headers=AUTH, timeout=10).json()
            if answer["searches"] >= len(searched) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    assert answer["searches"] == len(searched) and answer["empty"] == 20
    assert answer["found_nothing"] == [{**answer["found_nothing"][0], "query": NOTHING, "count": 20, "empty": 20}]
    assert {row["query"]: row["count"] for row in answer["frequent"]} == {NOTHING: 20, "gottwald": 10, "совета": 10}
