"""Schemathesis against the real server: generated requests, valid and invalid, from /api/openapi.json;
no 5xx, and every response (status, content type, headers, body) as the description says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from conftest import build_test_index, serve

pytestmark = pytest.mark.slow  # a live server and schemathesis' generated requests

CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance", "negative_data_rejection"]


def test_api_conforms_to_its_openapi_description(live_server, tmp_path):
    counts = schemathesis(live_server, tmp_path)
    assert int(counts[1]) == int(counts[2]) >= 100


def test_admin_queries_conform_with_the_token(tmp_path_factory, tmp_path):
    """The query log's answers themselves (the server above has no admin token: it answers only 403)."""
    token = "schema-admin-token-3e8a"
    with serve(build_test_index(tmp_path_factory, "schema-queries"), env={"SEARCH_ADMIN_TOKEN": token}) as base:
        for query in ("Gottwald", "qqqzzz", "1950"):  # found, found nothing, no letters (language null)
            assert requests.get(f"{base}/api/search", params={"q": query}, timeout=30).status_code == 200
        counts = schemathesis(base, tmp_path, "--include-path", "/api/admin/queries",
                              "--header", f"Authorization: Bearer {token}")
    assert int(counts[1]) == int(counts[2]) >= 10


def schemathesis(base: str, report: Path, *options: str) -> re.Match:
    """`st run` over the server's OpenAPI description; the counts of requests generated and passed."""
    # One worker: with two threads, Hypothesis' concurrent ast.parse calls trip CPython 3.11's
    # "AST constructor recursion depth mismatch" SystemError inside schemathesis.
    st = Path(sys.executable).with_name("st")
    run = subprocess.run(
        [str(st), "run", f"{base}/api/openapi.json", "--checks", ",".join(CHECKS),
         "--max-examples", "80", "--seed", "5", "--workers", "1", "--request-timeout", "30",
         "--phases", "examples,coverage,fuzzing", "--report", "har", "--report-dir", str(report), *options],
        capture_output=True, text=True, timeout=600, cwd=report)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    counts = re.search(r"(\d+) generated, (\d+) passed", run.stdout)
    assert counts, run.stdout[-3000:]
    return counts
