"""Load: 16 concurrent clients against the real gunicorn server, each sending every good and hostile
request of bench/load.py's mix in its own order, SEARCH_LOAD_ROUNDS times (default 3): every request
is answered, with its own status and a body of the right shape, whatever else is running beside it."""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest

from bench.load import MIX, run

pytestmark = pytest.mark.slow

CLIENTS = 16


def test_sixteen_clients_mixing_good_and_hostile_requests(live_server):
    rounds = int(os.environ.get("SEARCH_LOAD_ROUNDS", "3"))
    report = run(live_server, clients=CLIENTS, rounds=rounds)
    summary = report.summary()
    print("load:", json.dumps(summary))  # shown with `pytest -s` or on failure
    assert report.server_errors == [], summary
    assert report.connection_errors == [], summary
    assert report.unexpected == [], report.unexpected[:10]
    sent = CLIENTS * rounds
    assert {kind: len(latencies) for kind, latencies in report.latencies.items()} == \
           {kind: sent * sum(probe.kind == kind for probe in MIX) for kind in ("good", "hostile")}
    assert report.statuses == Counter({str(status): sent * count
                                       for status, count in Counter(probe.status for probe in MIX).items()})
