"""For the people who run the service: /metrics (Prometheus), request ids, one JSON log line per request."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from conftest import SEED, run_cli, serve
from search_service.config import Config
from search_service.web.app import create_app

SEARCHES = "search_service_searches"
EMPTY = "search_service_searches_empty"
REQUESTS = "search_service_http_requests"


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """(sample name, its labels sorted) -> value, from the Prometheus text format."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def scraped(client, **headers) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain") and response.headers["Cache-Control"] == "no-store"
    return samples(response.get_data(as_text=True))


def test_metrics_count_searches_and_those_that_found_nothing(client):
    before = scraped(client)
    client.get("/api/search", query_string={"q": "совета"})
    client.get("/", query_string={"q": "qqqzzzxx"})
    client.get("/api/search.csv", query_string={"q": "qqqzzzxx"})
    after = scraped(client)

    def gained(name: str, **labels) -> float:
        key = (f"{name}_total", tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert gained(SEARCHES, kind="query") == 3
    assert gained(EMPTY, kind="query") == 2
    assert gained(REQUESTS, endpoint="api.api_search", status="200") == 1
    assert gained(REQUESTS, endpoint="pages.search_page", status="200") == 1
    assert after[("search_service_http_request_duration_seconds_count", (("endpoint", "api.api_search"),))] >= 1
    assert after[("search_service_index_documents", ())] >= 2
    assert 0 <= after[("search_service_index_generation_age_seconds", ())] < 24 * 3600


def test_metrics_never_answer_cross_origin(client):
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        response = client.get("/metrics", headers=headers)
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "cross_origin"
        assert "Access-Control-Allow-Origin" not in response.headers
    assert client.get("/metrics", headers={"Origin": "http://localhost"}).status_code == 200


def test_metrics_token_when_set(index_dir):
    client = create_app(Config(index_dir=index_dir, metrics_token="s3cret")).test_client()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret"}):
        response = client.get("/metrics", headers=headers)
        assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert scraped(client, Authorization="Bearer s3cret")


def test_request_ids_are_echoed_or_made(client):
    assert client.get("/health", headers={"X-Request-Id": "lb-7f3a:42"}).headers["X-Request-Id"] == "lb-7f3a:42"
    for given in (None, "two words", "x" * 101, "тест", ""):
        made = client.get("/health", headers={"X-Request-Id": given} if given is not None else {})
        assert len(made.headers["X-Request-Id"]) == 32 and made.headers["X-Request-Id"] != given
    # Also on errors, and on a page answered before any view (an unknown path).
    assert client.get("/nowhere", headers={"X-Request-Id": "r1"}).headers["X-Request-Id"] == "r1"


def test_rebuilds_are_tallied_for_metrics(tmp_path):
    index = tmp_path / "index"
    assert run_cli("index", "--documents", SEED, "--index", index).exit_code == 0
    assert run_cli("index", "--documents", tmp_path / "absent", "--index", index).exit_code == 1
    assert run_cli("index", "--documents", SEED, "--index", index, "--dry-run").exit_code == 0  # not a rebuild
    found = scraped(create_app(Config(index_dir=index)).test_client())
    assert found[("search_service_rebuild_duration_seconds_count", (("outcome", "succeeded"),))] == 1
    assert found[("search_service_rebuild_duration_seconds_count", (("outcome", "failed"),))] == 1
    assert found[("search_service_rebuild_last_succeeded", ())] == 0
    assert time.time() - found[("search_service_rebuild_last_end_timestamp_seconds", ())] < 60
    assert found[("search_service_index_documents", ())] == 1


@pytest.mark.slow
def test_metrics_count_every_worker_and_requests_are_logged_as_json(index_dir, tmp_path):
    output = tmp_path / "server.log"
    with serve(index_dir, env={"SEARCH_WORKERS": "2"}, output=output) as base:
        queries = ["совета", "letter", "qqqzzzxx"] * 8
        with ThreadPoolExecutor(6) as pool:
            statuses = list(pool.map(lambda q: requests.get(f"{base}/api/search", params={"q": q}, timeout=30)
                                     .status_code, queries))
        assert statuses == [200] * len(queries)
        # Whichever worker answers, it reports every worker's searches.
        for _ in range(4):
            found = samples(requests.get(f"{base}/metrics", timeout=10).text)
            assert found[(f"{SEARCHES}_total", (("kind", "query"),))] == len(queries)
            assert found[(f"{EMPTY}_total", (("kind", "query"),))] == 8
        assert requests.get(f"{base}/metrics", headers={"Origin": "https://evil.example"}, timeout=10
                            ).status_code == 403
        echoed = requests.get(f"{base}/health", headers={"X-Request-Id": "trace-1"}, timeout=10)
        assert echoed.headers["X-Request-Id"] == "trace-1"
        lines = _logged(output, "trace-1")
    line = lines["trace-1"]
    assert line["method"] == "GET" and line["path"] == "/health" and line["status"] == 200
    assert 0 <= line["duration_ms"] < 10_000 and line["time"].endswith("+00:00")
    searches = [entry for entry in lines.values() if entry["path"] == "/api/search"]
    assert len(searches) == len(queries) and all(len(entry["request_id"]) == 32 for entry in searches)
    assert "qqqzzzxx" not in output.read_text(encoding="utf-8")  # the path only: no query is logged


def _logged(output, request_id: str, timeout_seconds: float = 10) -> dict[str, dict]:
    """The server's JSON log lines by request id, once the one with `request_id` is written."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        lines = {}
        for text in output.read_text(encoding="utf-8").splitlines():
            if text.startswith("{"):
                entry = json.loads(text)
                lines[entry["request_id"]] = entry
        if request_id in lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)
