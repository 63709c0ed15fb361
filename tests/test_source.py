"""Where an index's records come from: it remembers its source, and no run empties it by where it was pointed.

Real indexes on disk through the CLI (`run_cli`); a real gunicorn server started in another folder for
the admin reindex; a real process for a port in use.
"""

import json
import os
import socket
import subprocess
import sys
import time

import pytest
import requests

from conftest import ROOT, SEED, SEED_ID, run_cli, serve
from search_service.config import Config
from search_service.web.app import create_app

TOKEN = "test-admin-token-source"


def write_records(path, ids, word="archive"):
    path.write_text("".join(json.dumps({"id": record_id, "title": record_id,
                                        "texts": {"en": f"{word} {record_id} letter"}}) + "\n" for record_id in ids),
                    "utf-8")


def found(index, query):
    return run_cli("search", query, "--index", index, "--limit", "50").stdout


@pytest.fixture()
def archive(tmp_path):
    """An archive folder of 8 records in two files, indexed from the folder: (folder, index)."""
    docs, index = tmp_path / "myarchive", tmp_path / "myindex"
    docs.mkdir()
    write_records(docs / "main.jsonl", [f"m{i}" for i in range(6)])
    write_records(docs / "more.jsonl", ["x0", "x1"])
    built = run_cli("index", "--documents", docs, "--index", index)
    assert built.exit_code == 0, built.stderr
    assert "added 8" in built.stdout
    return docs, index


def test_the_first_build_remembers_its_folder(archive):
    docs, index = archive
    assert json.loads((index / "SOURCE").read_text("utf-8")) == {"documents": str(docs.resolve())}
    write_records(docs / "more.jsonl", ["x0", "x1", "x2"])
    again = run_cli("index", "--index", index)  # no --documents: the remembered folder, not ./documents
    assert again.exit_code == 0, again.stderr
    assert "summary: added 1, updated 0, deleted 0" in again.stdout


def test_a_run_pointed_at_one_file_keeps_the_other_records(archive):
    docs, index = archive
    write_records(docs / "more.jsonl", ["x1", "x2"], word="changed")
    one_file = run_cli("index", "--documents", docs / "more.jsonl", "--index", index)
    assert one_file.exit_code == 0, one_file.stderr
    assert "summary: added 1, updated 1, deleted 0" in one_file.stdout
    assert f"kept 7 records not in {docs / 'more.jsonl'} (--prune would delete them)" in one_file.stdout
    assert all(f"m{i}" in found(index, "archive") for i in range(6))
    assert "x0" in found(index, "archive")  # gone from the file, but this run does not mirror it


def test_a_run_from_another_folder_keeps_the_records(archive, tmp_path):
    _, index = archive
    other = tmp_path / "other"
    other.mkdir()
    write_records(other / "one.jsonl", ["o1"])
    run = run_cli("index", "--documents", other, "--index", index)
    assert run.exit_code == 0, run.stderr
    assert "summary: added 1, updated 0, deleted 0" in run.stdout
    assert "kept 8 records not in" in run.stdout
    assert "m0" in found(index, "archive") and "o1" in found(index, "archive")


def test_prune_mirrors_the_source_and_remembers_it(archive, tmp_path):
    _, index = archive
    other = tmp_path / "other"
    other.mkdir()
    write_records(other / "one.jsonl", ["o1", "m0"])
    pruned = run_cli("index", "--documents", other, "--index", index, "--prune")
    assert pruned.exit_code == 0, pruned.stderr
    assert "summary: added 1, updated 0, deleted 7" in pruned.stdout
    assert json.loads((index / "SOURCE").read_text("utf-8")) == {"documents": str(other.resolve())}
    listed = found(index, "archive")
    assert "o1" in listed and "m0" in listed and "m1" not in listed and "x0" not in listed
    write_records(other / "one.jsonl", ["o1", "m0", "o2"])
    assert "added 1," in run_cli("index", "--index", index).stdout  # the new source is the remembered one


def test_a_run_that_would_delete_most_records_stops_and_publishes_nothing(archive):
    docs, index = archive
    write_records(docs / "main.jsonl", [])
    (docs / "more.jsonl").write_text(json.dumps({"id": "x0", "texts": {"en": "archive x0 letter"}}) + "\n", "utf-8")
    published = (index / "CURRENT").read_text()
    stopped = run_cli("index", "--index", index)
    assert stopped.exit_code == 1
    assert ("error: would delete 7 of 8 records (88%): more than the 10% a run deletes without --prune; "
            "nothing published. Check --documents, or pass --prune") in stopped.stderr
    assert (index / "CURRENT").read_text() == published
    assert "m5" in found(index, "archive") and "x1" in found(index, "archive")
    pruned = run_cli("index", "--index", index, "--prune")
    assert pruned.exit_code == 0, pruned.stderr
    assert "deleted 7" in pruned.stdout


def test_the_share_a_run_may_delete_is_a_setting(archive, monkeypatch):
    docs, index = archive
    write_records(docs / "more.jsonl", ["x0"])  # 1 of 8 records goes: 12.5%
    assert run_cli("index", "--index", index).exit_code == 1
    monkeypatch.setenv("SEARCH_MAX_DELETE_SHARE", "0.2")
    allowed = run_cli("index", "--index", index)
    assert allowed.exit_code == 0, allowed.stderr
    assert "deleted 1" in allowed.stdout
    monkeypatch.setenv("SEARCH_MAX_DELETE_SHARE", "lots")
    wrong = run_cli("index", "--index", index)
    assert wrong.exit_code == 1
    assert "error: SEARCH_MAX_DELETE_SHARE: 'lots' is not a share from 0 to 1" in wrong.stderr


def test_dry_run_changes_nothing_and_says_what_a_run_would_do(archive, tmp_path):
    docs, index = archive
    write_records(docs / "main.jsonl", ["m0", "m1", "new1", "new2"], word="changed")
    before = {path.name: path.read_bytes() for path in index.iterdir() if path.is_file()}
    generations = sorted(path.name for path in index.glob("gen-*"))
    dry = run_cli("index", "--index", index, "--dry-run", "--prune")
    assert dry.exit_code == 0, dry.stderr
    assert "summary: would add 2, update 2, delete 4, failed 0" in dry.stdout
    assert "dry run: nothing written" in dry.stdout
    assert "would add: new1, new2" in dry.stdout
    assert "would update: m0, m1" in dry.stdout
    assert "would delete: m2, m3, m4, m5" in dry.stdout
    assert {path.name: path.read_bytes() for path in index.iterdir() if path.is_file()} == before
    assert sorted(path.name for path in index.glob("gen-*")) == generations
    assert not (index / "jobs").exists()
    assert "m5" in found(index, "archive") and "new1" not in found(index, "changed")

    without_prune = run_cli("index", "--index", index, "--dry-run")
    assert "the run would stop, since it would delete 4 of 8 records (50%)" in without_prune.stdout

    fresh = tmp_path / "fresh-index"
    first = run_cli("index", "--documents", docs, "--index", fresh, "--dry-run")
    assert first.exit_code == 0, first.stderr
    assert "would add 6, update 0, delete 0" in first.stdout
    assert not fresh.exists()


def test_skipped_files_and_other_encodings_are_listed(tmp_path):
    docs, index = tmp_path / "docs", tmp_path / "index"
    docs.mkdir()
    write_records(docs / "records.jsonl", ["r1"])
    for number in range(12):
        (docs / f"scan{number:02d}.pdf").write_bytes(b"%PDF-1.4")
    russian = "Письмо о выводе войск\n\nСовет безопасности рассмотрел письмо.\n"
    (docs / "note.txt").write_bytes(russian.encode("cp1251"))

    run = run_cli("index", "--documents", docs, "--index", index)
    assert run.exit_code == 0, run.stderr
    assert "note.txt: read as cp1251" in run.stderr and "records.jsonl: read as" not in run.stderr
    assert ("skipped 12 files that hold no records: scan00.pdf, scan01.pdf, scan02.pdf, scan03.pdf, scan04.pdf, "
            "scan05.pdf, scan06.pdf, scan07.pdf, scan08.pdf, scan09.pdf and 2 more") in run.stdout
    assert "note" in found(index, "безопасности")
    unknown = run_cli("index", "--documents", docs, "--index", index, "--encoding", "martian")
    assert unknown.exit_code == 2 and "unknown encoding 'martian'" in unknown.stderr


@pytest.mark.parametrize("where", ["under a file", "read-only"])
def test_an_unwritable_index_folder_is_one_message(tmp_path, where):
    if where == "under a file":
        (tmp_path / "a-file").write_text("x")
        index = tmp_path / "a-file" / "index"
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders")
        index = tmp_path / "locked"
        index.mkdir()
        index.chmod(0o555)
    failed = run_cli("index", "--documents", SEED, "--index", index)
    assert failed.exit_code == 1
    assert failed.stderr.startswith(f"error: cannot write the index folder {index}: ")
    assert "Pass --index (or set SEARCH_INDEX_DIR) with a folder you can write to" in failed.stderr
    assert "Traceback" not in failed.stderr and len(failed.stderr.strip().splitlines()) <= 3
    dry = run_cli("index", "--documents", SEED, "--index", index, "--dry-run")  # reads only: it can say
    assert dry.exit_code == 0 and "would add 1," in dry.stdout
    assert "run `search-service index` first" in run_cli("search", "letter", "--index", index).stderr


def test_missing_documents_are_one_message(archive, tmp_path):
    docs, index = archive
    missing = run_cli("index", "--documents", tmp_path / "nope", "--index", index)
    assert missing.exit_code == 1
    assert missing.stderr == (f"error: no documents at {tmp_path / 'nope'}: pass --documents with the folder or "
                              "file that holds your records\n")
    docs.rename(tmp_path / "moved")
    remembered = run_cli("index", "--index", index)
    assert remembered.exit_code == 1
    assert f"no documents at {docs}, where the index remembers its records come from" in remembered.stderr
    assert "--prune" in remembered.stderr and "Traceback" not in remembered.stderr


def test_a_server_without_an_index_says_the_search_is_being_prepared(tmp_path):
    client = create_app(Config(index_dir=tmp_path / "not-built")).test_client()
    for url in ["/api/search?q=letter", "/health", f"/api/documents/{SEED_ID}"]:
        answer = client.get(url)
        assert answer.status_code == 503
        error = answer.get_json()["error"]
        assert error["code"] == "index_missing"
        assert "being prepared" in error["message"]
        assert str(tmp_path) not in answer.get_data(as_text=True) and "search-service" not in error["message"]
    for ui, said in [("en", "The search is being prepared"), ("ru", "Поиск готовится")]:
        page = client.get(f"/?q=letter&ui={ui}", headers={"Accept": "text/html"})
        assert page.status_code == 503 and page.headers["Retry-After"]
        text = page.get_data(as_text=True)
        assert said in text and str(tmp_path) not in text and "search-service" not in text


def test_a_port_in_use_is_one_message_before_serving(archive):
    _, index = archive
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "search_service", "serve", "--port", str(port), "--index",
                              str(index)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "serving on" not in run.stdout
    assert run.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}: Address already in use")
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 2


def job_done(base, job_id, timeout_seconds=120):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    deadline = time.monotonic() + timeout_seconds
    while (state := requests.get(f"{base}/api/admin/reindex/{job_id}", headers=auth, timeout=10).json())["state"] \
            not in ("done", "failed"):
        assert time.monotonic() < deadline, state
        time.sleep(0.2)
    return state


@pytest.mark.slow
def test_admin_reindex_from_a_server_started_elsewhere_reads_the_remembered_source(archive, tmp_path):
    docs, index = archive
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "documents").mkdir(parents=True)
    write_records(elsewhere / "documents" / "one.jsonl", ["stranger"])
    write_records(docs / "more.jsonl", ["x0", "x1", "x2"])
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with serve(index, documents=None, cwd=elsewhere, env={"SEARCH_ADMIN_TOKEN": TOKEN}) as base:
        url = f"{base}/api/admin/reindex"
        assert requests.get(f"{base}/health", timeout=10).json()["documents"] == 8
        assert requests.post(url, headers=auth, json={"encoding": "martian"}, timeout=10).status_code == 400
        assert requests.post(url, headers=auth, json={"prune": "yes"}, timeout=10).status_code == 400

        dry = requests.post(url, headers=auth, json={"dry_run": True}, timeout=10)
        assert dry.status_code == 202 and dry.json()["dry_run"] is True
        state = job_done(base, dry.json()["job"])
        assert state["state"] == "done" and state["added"] == 1 and state["deleted"] == 0, state
        assert "dry run: nothing written" in state["message"]
        assert requests.get(f"{base}/health", timeout=10).json()["documents"] == 8

        started = requests.post(url, headers=auth, json={}, timeout=10)
        state = job_done(base, started.json()["job"])
        assert state["state"] == "done", state
        assert state["documents"] == str(docs.resolve())
        assert (state["added"], state["updated"], state["deleted"], state["failed"]) == (1, 0, 0, 0)
        deadline = time.monotonic() + 30
        while (count := requests.get(f"{base}/health", timeout=10).json()["documents"]) != 9:
            assert time.monotonic() < deadline, count
            time.sleep(0.2)
        assert "stranger" not in found(index, "archive")
