"""`search-service index` as a rebuild: incremental by content hash, bad records, the lock, leftovers of a crash."""

import json
import os
import subprocess
import sys
import time

from filelock import FileLock

from conftest import DOCUMENTS, ROOT, SEED_ID
from test_cli import cli


def write_records(path, records):
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), "utf-8")


def record(record_id, text):
    return {"id": record_id, "title": record_id, "texts": {"en": text}}


def found(index, query):
    return cli("search", query, "--index", str(index)).stdout


def test_incremental_adds_updates_and_deletes_only_what_changed(tmp_path):
    docs, index = tmp_path / "docs", tmp_path / "index"
    docs.mkdir()
    write_records(docs / "a.jsonl", [record("r1", "apple orchard"), record("r2", "banana grove"),
                                     record("r3", "cherry tree")])
    first = cli("index", "--documents", str(docs), "--index", str(index))
    assert first.returncode == 0, first.stderr
    assert "summary: added 3, updated 0, deleted 0, failed 0" in first.stdout

    unchanged = cli("index", "--documents", str(docs), "--index", str(index))
    assert "summary: added 0, updated 0, deleted 0, failed 0" in unchanged.stdout
    assert "nothing changed" in unchanged.stdout

    write_records(docs / "a.jsonl", [record("r1", "apple orchard"), record("r2", "mango grove"),
                                     record("r4", "durian stall")])
    changed = cli("index", "--documents", str(docs), "--index", str(index))
    assert changed.returncode == 0, changed.stderr
    assert "summary: added 1, updated 1, deleted 1, failed 0" in changed.stdout
    assert "(1 unchanged)" in changed.stdout
    assert "r2" in found(index, "mango") and "r2" not in found(index, "banana")
    assert "r4" in found(index, "durian") and "r3" not in found(index, "cherry")
    assert "r1" in found(index, "apple")

    full = cli("index", "--documents", str(docs), "--index", str(index), "--full")
    assert full.returncode == 0, full.stderr
    assert "full rebuild, 3 records written" in full.stdout
    assert "r1" in found(index, "apple")


def test_bad_records_keep_their_previous_version(tmp_path):
    docs, index = tmp_path / "docs", tmp_path / "index"
    docs.mkdir()
    write_records(docs / "a.jsonl", [record("r1", "apple orchard"), record("r2", "banana grove"),
                                     record("r3", "cherry tree")])
    assert cli("index", "--documents", str(docs), "--index", str(index)).returncode == 0
    # r1 turns bad (its id still readable), r2 changes, r3 is gone.
    (docs / "a.jsonl").write_text(json.dumps({"id": "r1", "texts": {"fr": "pomme"}}) + "\n"
                                  + json.dumps(record("r2", "mango grove")) + "\n", "utf-8")
    refused = cli("index", "--documents", str(docs), "--index", str(index))
    assert refused.returncode == 1
    assert f"{docs / 'a.jsonl'}:1: unknown language 'fr'" in refused.stderr
    assert "nothing published" in refused.stdout
    assert "r1" in found(index, "apple") and "r2" in found(index, "banana") and "r3" in found(index, "cherry")

    published = cli("index", "--documents", str(docs), "--index", str(index), "--skip-bad")
    assert published.returncode == 0, published.stderr
    assert "summary: added 0, updated 1, deleted 1, failed 1" in published.stdout
    assert "previous version kept for 1 bad records" in published.stdout
    assert "r1" in found(index, "apple")  # the bad record's previous version
    assert "r2" in found(index, "mango") and "r3" not in found(index, "cherry")

    # A line with no readable id may be any indexed record: nothing is deleted, even in a full build.
    (docs / "a.jsonl").write_text("{broken\n" + json.dumps(record("r2", "mango grove")) + "\n", "utf-8")
    full = cli("index", "--documents", str(docs), "--index", str(index), "--skip-bad", "--full")
    assert full.returncode == 0, full.stderr
    assert f"{docs / 'a.jsonl'}:1: bad JSON" in full.stderr
    assert "1 deletions held back" in full.stdout
    assert "r1" in found(index, "apple") and "r2" in found(index, "mango")


def test_first_build_with_bad_records_indexes_the_rest_and_fails(tmp_path):
    """With no published index there is nothing to keep: the good records are indexed, the run still fails."""
    docs, index = tmp_path / "docs", tmp_path / "index"
    docs.mkdir()
    (docs / "good.jsonl").write_text('{"id": "g1", "texts": {"en": "good text"}}\n{"id": "g2"}\n', "utf-8")
    (docs / "broken.json").write_text("{not json", "utf-8")
    first = cli("index", "--documents", str(docs), "--index", str(index))
    assert first.returncode == 1
    assert f"{docs / 'good.jsonl'}:2: missing texts" in first.stderr
    assert f"{docs / 'broken.json'}:1: bad JSON" in first.stderr
    assert "g1" in found(index, "good")
    published = cli("index", "--documents", str(docs), "--index", str(index), "--skip-bad")
    assert published.returncode == 0, published.stderr


def test_a_second_rebuild_is_refused_or_waits(tmp_path):
    index = tmp_path / "index"
    index.mkdir()
    lock = FileLock(index / ".rebuild.lock")
    with lock:
        refused = cli("index", "--documents", str(DOCUMENTS), "--index", str(index))
        assert refused.returncode == 1
        assert "another rebuild of" in refused.stderr and "is running" in refused.stderr
        waiting = subprocess.Popen([sys.executable, "-m", "search_service", "index", "--documents", str(DOCUMENTS),
                                    "--index", str(index), "--wait"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert waiting.poll() is None  # still waiting for the lock
    out, _ = waiting.communicate(timeout=60)
    assert waiting.returncode == 0
    assert "added 1" in out
    assert SEED_ID in found(index, "withdrawal")


def test_leftovers_of_a_killed_rebuild_are_cleaned_by_the_next(tmp_path):
    index = tmp_path / "index"
    assert cli("index", "--documents", str(DOCUMENTS), "--index", str(index)).returncode == 0
    dead_build = index / ".build-999999-abcdef"
    dead_build.mkdir()
    (dead_build / "_MAIN_1.toc").write_bytes(b"half")
    old = index / "gen-20000101-000000-000000"
    old.mkdir()
    os.utime(old, (0, 0))
    stray_pointer = index / ".CURRENT.999999.tmp"
    stray_pointer.write_text("gen-nothing\n")
    again = cli("index", "--documents", str(DOCUMENTS), "--index", str(index), "--full")
    assert again.returncode == 0, again.stderr
    assert not dead_build.exists() and not old.exists() and not stray_pointer.exists()
    assert SEED_ID in found(index, "withdrawal")
