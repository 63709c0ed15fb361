"""Rebuilds while the real server (gunicorn, several workers) answers queries from several threads.

Throughout every rebuild - incremental with no change, a new record, a full one, a full one killed
with SIGKILL, and one more after that - a query for the seed letter must keep finding it: zero
failed and zero empty answers. Then the admin endpoints start a rebuild over HTTP.
"""

import json
import random
import re
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
import requests

from conftest import ROOT, SEED, SEED_ID, TEST_DATA, Readers, corpus, run_cli, serve

pytestmark = pytest.mark.slow  # live servers and rebuilds while they serve

TOKEN = "test-admin-token-7b1d"
QUERY = "Готвальдом"
GENERATED = 1500  # bulk records: the full rebuild that brings them in is expected to add over a thousand
# A full rebuild that stops after its first record indexed, says so and waits on stdin: the test kills
# it there, so it is mid-way by its own word, however fast or slow this machine is.
PAUSED_REBUILD = """
import sys
from pathlib import Path

from search_service.service.indexing import RebuildOptions, rebuild


class PauseWhileIndexing:
    indexing = False

    def stage(self, name, total=None):
        self.indexing = name == "indexing"

    def advance(self, steps=1):
        if self.indexing:
            print("indexing", flush=True)
            sys.stdin.read()


rebuild(Path(sys.argv[1]), Path(sys.argv[2]), RebuildOptions(full=True), progress=PauseWhileIndexing())
"""


def generated_records(count: int) -> str:
    """Records made of the seed letter's words (except Gottwald's name, so only the letter matches QUERY)."""
    seed = SEED.read_text("utf-8")
    words = sorted({w for w in re.findall(r"\w+", seed) if not w.lower().startswith(("готвальд", "gottwald"))})
    rng = random.Random(4)
    return "".join(json.dumps({"id": f"generated-{i:05d}", "title": f"Generated {i}",
                               "texts": {"ru": " ".join(rng.choices(words, k=60)),
                                         "en": " ".join(rng.choices(words, k=60))}}, ensure_ascii=False) + "\n"
                   for i in range(count))


@pytest.fixture(scope="module", params=["generated", "corpora"])
def site(request, tmp_path_factory):
    """A documents folder (the seed and the test records), its index, the server answering from it
    (with the admin token set), and the bulk records a test may add: generated ones, or Stalin's works
    and the NTREX news from the shared corpora (the issue's finish line).
    """
    corpora = [corpus(name) for name in ("stalin-works-ru.jsonl", "ntrex-news-ru-en.jsonl")] \
        if request.param == "corpora" else []
    root = tmp_path_factory.mktemp("rebuild")
    docs, index, bulk = root / "docs", root / "index", root / "bulk"
    for folder in (docs, bulk):
        folder.mkdir()
    shutil.copy(SEED, docs)
    shutil.copy(TEST_DATA / "extra.jsonl", docs)
    if not corpora:
        (bulk / "generated.jsonl").write_text(generated_records(GENERATED), "utf-8")
    for path in corpora:
        (bulk / path.name).symlink_to(path)
    built = run_cli("index", "--documents", docs, "--index", index)
    assert built.exit_code == 0, built.stderr
    with serve(index, docs, env={"SEARCH_ADMIN_TOKEN": TOKEN}) as base:
        yield base, docs, index, bulk


def index(docs, index_dir, *flags):
    result = run_cli("index", "--documents", docs, "--index", index_dir, *flags)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def found_everywhere(base: str, query: str, record_id: str, timeout_seconds: float = 60) -> None:
    """Return once every worker finds `record_id` (10 answers in a row); the timeout only stops a server
    that never serves the new generation."""
    deadline = time.monotonic() + timeout_seconds
    in_a_row = 0
    while in_a_row < 10:
        assert time.monotonic() < deadline, f"{record_id} still not found everywhere"
        hits = requests.get(f"{base}/api/search", params={"q": query}, timeout=10).json()["hits"]
        in_a_row = in_a_row + 1 if any(hit["id"] == record_id for hit in hits) else 0
        time.sleep(0.05)


def finds_the_letter(base: str) -> bool:
    hits = requests.get(f"{base}/api/search", params={"q": QUERY}, timeout=30).json()["hits"]
    return any(hit["id"] == SEED_ID for hit in hits)


def test_rebuilds_while_serving_never_fail_a_query(site):
    base, docs, index_dir, bulk = site
    with Readers(base) as readers:
        readers.wait_for_answers(3)
        assert "nothing changed" in index(docs, index_dir)

        with open(docs / "extra.jsonl", "a", encoding="utf-8") as extra:
            extra.write(json.dumps({"id": "added-live", "texts": {"en": "The zanzibarite treaty"}}) + "\n")
        assert "added 1, updated 0, deleted 0" in index(docs, index_dir)
        found_everywhere(base, "zanzibarite", "added-live")

        # The bulk records arrive with a full rebuild (one long build, not two, keeps the suite short).
        for path in bulk.iterdir():
            (docs / path.name).symlink_to(path.resolve())
        full = index(docs, index_dir, "--full")
        added = int(re.search(r"added (\d+)", full).group(1))
        before = 1 + 3 + 1  # the seed, the three in extra.jsonl, added-live
        assert added > 1000 and f"full rebuild, {before + added} records written" in full
        assert "nothing changed" in index(docs, index_dir)
        served = (index_dir / "CURRENT").read_text()

        killed = subprocess.Popen([sys.executable, "-c", PAUSED_REBUILD, str(docs), str(index_dir)], cwd=ROOT,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  start_new_session=True)
        said = killed.stdout.readline()
        assert said == "indexing\n", said + killed.stdout.read()
        assert list(index_dir.glob(".build-*")), "a rebuild that is indexing has a build folder"
        os.killpg(killed.pid, signal.SIGKILL)  # its build processes too, as when a machine or service stops
        killed.wait(timeout=60)
        killed.stdin.close()
        killed.stdout.close()
        assert (index_dir / "CURRENT").read_text() == served
        assert finds_the_letter(base)  # still answering, from the intact generation

        with open(docs / "extra.jsonl", "a", encoding="utf-8") as extra:
            extra.write(json.dumps({"id": "after-kill", "texts": {"en": "The quokkaville accord"}}) + "\n")
        # --wait: the killed rebuild's processes let go of the rebuild lock as they die, maybe after killpg returns.
        again = index(docs, index_dir, "--wait")
        assert "added 1, updated 0, deleted 0" in again
        assert not list(index_dir.glob(".build-*"))  # the killed run's leftovers are gone
        found_everywhere(base, "quokkaville", "after-kill")
    assert readers.answers > 50
    assert readers.failures == [], readers.failures[:5]


def test_admin_reindex_needs_the_token_and_runs_to_done(site):
    base, docs, _, _ = site
    url = f"{base}/api/admin/reindex"
    assert requests.post(url, timeout=10).status_code == 401
    wrong = requests.post(url, headers={"Authorization": "Bearer wrong"}, timeout=10)
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    cross = requests.post(url, headers={**auth, "Origin": "https://cms.example"}, timeout=10)
    assert cross.status_code == 403 and cross.json()["error"]["code"] == "cross_origin"
    preflight = requests.options(url, headers={"Origin": "https://cms.example",
                                               "Access-Control-Request-Method": "POST"}, timeout=10)
    assert preflight.status_code == 403
    assert not [name for name in preflight.headers if name.lower().startswith("access-control-")]
    assert requests.post(url, headers=auth, json={"full": "yes"}, timeout=10).status_code == 400

    with open(docs / "extra.jsonl", "a", encoding="utf-8") as extra:
        extra.write(json.dumps({"id": "added-by-admin", "texts": {"en": "The wombatshire charter"}}) + "\n")
    started = requests.post(url, headers=auth, json={}, timeout=10)
    assert started.status_code == 202
    job = started.json()["job"]
    assert started.headers["Location"] == f"/api/admin/reindex/{job}"
    assert requests.get(f"{url}/{job}", timeout=10).status_code == 401
    deadline = time.monotonic() + 120
    while True:
        state = requests.get(f"{url}/{job}", headers=auth, timeout=10).json()
        if state["state"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert state["state"] == "done", state
    assert (state["added"], state["updated"], state["deleted"], state["failed"]) == (1, 0, 0, 0)
    found_everywhere(base, "wombatshire", "added-by-admin")
    assert requests.get(f"{url}/0000000000000000", headers=auth, timeout=10).status_code == 404


def test_admin_endpoints_are_disabled_without_a_token(live_server):
    for response in [requests.post(f"{live_server}/api/admin/reindex", timeout=10),
                     requests.get(f"{live_server}/api/admin/reindex/0123456789abcdef",
                                  headers={"Authorization": "Bearer anything"}, timeout=10)]:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "admin_disabled"
