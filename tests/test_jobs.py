"""Admin job files: a job whose process died is reported failed, not running forever."""

import json

from filelock import FileLock

from search_service.service import jobs


def write_state(index, job_id, state):
    directory = jobs.jobs_dir(index)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{job_id}.json").write_text(json.dumps({"job": job_id, "state": state, "created": jobs.now(),
                                                          "message": None}), "utf-8")
    return directory


def test_a_running_job_without_its_process_is_failed(tmp_path):
    write_state(tmp_path, "0123456789abcdef", "running")
    state = jobs.read(tmp_path, "0123456789abcdef")
    assert state["state"] == "failed"
    assert "stopped before finishing" in state["message"]


def test_a_running_job_holding_its_lock_is_running(tmp_path):
    directory = write_state(tmp_path, "0123456789abcdef", "running")
    with FileLock(directory / "0123456789abcdef.lock", thread_local=False):
        # flock locks belong to an open file, so this process's own probe sees it taken.
        assert jobs.read(tmp_path, "0123456789abcdef")["state"] == "running"


def test_job_ids_are_checked_before_touching_the_disk(tmp_path):
    write_state(tmp_path, "0123456789abcdef", "done")
    assert jobs.read(tmp_path, "../jobs/0123456789abcdef") is None
    assert jobs.read(tmp_path, "fedcba9876543210") is None
    assert jobs.read(tmp_path, "0123456789abcdef")["state"] == "done"
