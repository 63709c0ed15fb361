"""`search-service index` as a rebuild: incremental by content hash, bad records, the lock, leftovers of a crash."""

import json
import os
import time

from filelock import FileLock

import pytest

from conftest import SEED, SEED_ID, run_cli
from search_service.config import Config
from search_service.engine.build.building import SilentProgress
from search_service.records import DocumentsChanged
from search_service.service import jobs
from search_service.service.index import has_index
from search_service.service.indexing import RebuildOptions, rebuild


def write_records(path, records):
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), "utf-8")


def record(record_id, text):
    return {"id": record_id, "title": record_id, "texts": {"en": text}}


def found(index, query):
    return run_cli("search", query, "--index", index).stdout


def job_state(index, job_id, states, timeout_seconds=300):
    """The admin job's state once it is one of `states`; the timeout only stops a test whose job hangs."""
    deadline = time.monotonic() + timeout_seconds
    while (state := jobs.read(index, job_id))["state"] not in states:
        assert time.monotonic() < deadline, f"job {job_id} still {state['state']}: {state}"
        time.sleep(0.1)
    return state


def test_incremental_adds_updates_and_deletes_only_what_changed(tmp_path, monkeypatch):
    monkeypatch.setenv("SEARCH_MAX_DELETE_SHARE", "0.5")  # a third of this small index goes
    docs, index = tmp_path / "docs", tmp_path / "index"
    docs.mkdir()
    write_records(docs / "a.jsonl", [record("r1", "apple orchard"), record("r2", "banana grove"),
                                     record("r3", "cherry tree")])
    first = run_cli("index", "--documents", docs, "--index", index)
    assert first.exit_code == 0, first.stderr
    assert "summary: added 3, updated 0, deleted 0, failed 0" in first.stdout

    unchanged = run_cli("index", "--documents", docs, "--index", index)
    assert "summary: added 0, updated 0, deleted 0, failed 0" in unchanged.stdout
    assert "nothing changed" in unchanged.stdout

    write_records(docs / "a.jsonl", [record("r1", "apple orchard"), record("r2", "mango grove"),
                                     record("r4", "durian stall")])
    changed = run_cli("index", "--documents", docs, "--index", index)
    assert changed.exit_code == 0, changed.stderr
    assert "summary: added 1, updated 1, deleted 1, failed 0" in changed.stdout
    assert "(1 unchanged)" in changed.stdout
    assert "r2" in found(index, "mango") and "r2" not in found(index, "banana")
    assert "r4" in found(index, "durian") and "r3" not in found(index, "cherry")
    assert "r1" in found(index, "apple")

    full = run_cli("index", "--documents", docs, "--index", index, "--full")
    assert full.exit_code == 0, full.stderr
    assert "full rebuild, 3 records written" in full.stdout
    assert "r1" in found(index, "apple")


def test_bad_records_keep_their_previous_version(tmp_path, monkeypatch):
    monkeypatch.setenv("SEARCH_MAX_DELETE_SHARE", "0.5")  # a third of this small index goes
    docs, index = tmp_path / "docs", tmp_path / "index"
    docs.mkdir()
    write_records(docs / "a.jsonl", [record("r1", "apple orchard"), record("r2", "banana grove"),
                                     record("r3", "cherry tree")])
    assert run_cli("index", "--documents", docs, "--index", index).exit_code == 0
    # r1 turns bad (its id still readable), r2 changes, r3 is gone.
    (docs / "a.jsonl").write_text(json.dumps({"id": "r1", "texts": {"fr": "pomme"}}) + "\n"
                                  + json.dumps(record("r2", "mango grove")) + "\n", "utf-8")
    refused = run_cli("index", "--documents", docs, "--index", index)
    assert refused.exit_code == 1
    assert f"{docs / 'a.jsonl'}:1: unknown language 'fr'" in refused.stderr
    assert "nothing published" in refused.stdout
    assert "r1" in found(index, "apple") and "r2" in found(index, "banana") and "r3" in found(index, "cherry")

    published = run_cli("index", "--documents", docs, "--index", index, "--skip-bad")
    assert published.exit_code == 0, published.stderr
    assert "summary: added 0, updated 1, deleted 1, failed 1" in published.stdout
    assert "previous version kept for 1 bad records" in published.stdout
    assert "r1" in found(index, "apple")  # the bad record's previous version
    assert "r2" in found(index, "mango") and "r3" not in found(index, "cherry")

    # A line with no readable id may be any indexed record: nothing is deleted, even in a full build.
    (docs / "a.jsonl").write_text("{broken\n" + json.dumps(record("r2", "mango grove")) + "\n", "utf-8")
    full = run_cli("index", "--documents", docs, "--index", index, "--skip-bad", "--full")
    assert full.exit_code == 0, full.stderr
    assert f"{docs / 'a.jsonl'}:1: bad JSON" in full.stderr
    assert "1 deletions held back" in full.stdout
    assert "r1" in found(index, "apple") and "r2" in found(index, "mango")


def test_first_build_with_bad_records_indexes_the_rest_and_fails(tmp_path):
    """With no published index there is nothing to keep: the good records are indexed, the run still fails."""
    docs, index = tmp_path / "docs", tmp_path / "index"
    docs.mkdir()
    (docs / "good.jsonl").write_text('{"id": "g1", "texts": {"en": "good text"}}\n{"id": "g2"}\n', "utf-8")
    (docs / "broken.json").write_text("{not json", "utf-8")
    first = run_cli("index", "--documents", docs, "--index", index)
    assert first.exit_code == 1
    assert f"{docs / 'good.jsonl'}:2: missing texts" in first.stderr
    assert f"{docs / 'broken.json'}:1: bad JSON" in first.stderr
    assert "g1" in found(index, "good")
    published = run_cli("index", "--documents", docs, "--index", index, "--skip-bad")
    assert published.exit_code == 0, published.stderr


def test_a_second_rebuild_is_refused_or_waits(tmp_path):
    """Without --wait a rebuild is refused while another holds the lock; an admin job (--wait) waits for it."""
    index = tmp_path / "index"
    index.mkdir()
    with FileLock(index / ".rebuild.lock"):  # flock: held against other open files, in this process too
        refused = run_cli("index", "--documents", SEED, "--index", index)
        assert refused.exit_code == 1
        assert "another rebuild of" in refused.stderr and "is running" in refused.stderr
        job = jobs.start(Config(documents_dir=SEED, index_dir=index), {})["job"]
        # The job's process says it waits, and while this test holds the lock it can do nothing else.
        assert job_state(index, job, ("waiting", "running", "done", "failed"))["state"] == "waiting"
        assert not has_index(index)
    done = job_state(index, job, ("done", "failed"))
    assert done["state"] == "done", done
    assert (done["added"], done["failed"]) == (1, 0)
    assert SEED_ID in found(index, "withdrawal")


def test_leftovers_of_a_killed_rebuild_are_cleaned_by_the_next(tmp_path):
    index = tmp_path / "index"
    assert run_cli("index", "--documents", SEED, "--index", index).exit_code == 0
    dead_build = index / ".build-999999-abcdef"
    dead_build.mkdir()
    (dead_build / "_MAIN_1.toc").write_bytes(b"half")
    old = index / "gen-20000101-000000-000000"
    old.mkdir()
    os.utime(old, (0, 0))
    stray_pointer = index / ".CURRENT.999999.tmp"
    stray_pointer.write_text("gen-nothing\n")
    again = run_cli("index", "--documents", SEED, "--index", index, "--full")
    assert again.exit_code == 0, again.stderr
    assert not dead_build.exists() and not old.exists() and not stray_pointer.exists()
    assert SEED_ID in found(index, "withdrawal")


class _EditingProgress(SilentProgress):
    """Progress that rewrites the records file once the build starts writing: someone saving it mid-run."""

    def __init__(self, path) -> None:
        self.path = path

    def stage(self, name: str, total: int | None = None) -> None:
        if name.startswith("indexing") or name.startswith("copying"):
            write_records(self.path, [record("r1", "apple orchard"), record("r2", "edited while indexing")])


@pytest.mark.parametrize("full", [True, False])
def test_records_changed_while_a_rebuild_reads_them_publish_nothing(tmp_path, full):
    """The build reads the records twice (to plan, then to write): files changed in between stop it, and
    the published index stays as it was."""
    docs, index = tmp_path / "docs", tmp_path / "index"
    docs.mkdir()
    write_records(docs / "a.jsonl", [record("r1", "apple orchard")])
    assert run_cli("index", "--documents", docs, "--index", index).exit_code == 0
    published = (index / "CURRENT").read_text()
    write_records(docs / "a.jsonl", [record("r1", "apple orchard"), record("r2", "banana grove")])
    with pytest.raises(DocumentsChanged, match="changed while they were being read"):
        rebuild(docs, index, RebuildOptions(full=full), progress=_EditingProgress(docs / "a.jsonl"))
    assert (index / "CURRENT").read_text() == published
    assert "r1" in found(index, "apple") and "r2" not in found(index, "banana") + found(index, "edited")
    assert [path.name for path in index.iterdir() if path.name.startswith(".build")] == []
