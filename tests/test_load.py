"""Load: 16 concurrent clients for 30 s against the real gunicorn server, good and hostile requests
mixed (bench/load.py); no 5xx, no connection errors. SEARCH_LOAD_SECONDS shortens or lengthens the run."""

from __future__ import annotations

import json
import os

from bench.load import run


def test_sixteen_clients_mixing_good_and_hostile_requests(live_server):
    seconds = float(os.environ.get("SEARCH_LOAD_SECONDS", "30"))
    report = run(live_server, clients=16, seconds=seconds)
    summary = report.summary()
    print("load:", json.dumps(summary))  # shown with `pytest -s` or on failure
    assert report.server_errors == [], summary
    assert report.connection_errors == [], summary
    assert report.requests > 16 * seconds / 10, summary  # every client kept being answered
    assert set(summary["statuses"]) <= {"200", "400", "404"}, summary
    assert summary["statuses"]["200"] > 0 and summary["statuses"]["400"] > 0
    assert summary["latency_ms"]["all"]["p99"] > 0
