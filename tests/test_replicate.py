"""`search-service replicate` to local folders: the manifest, the checked copy, the switch, the cleanup.

Real indexes on disk, the real CLI; a replica served by the real gunicorn server while it is replaced.
The remote form (`host:/path`) is tested over a real sshd in tests/test_replicate_remote.py.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import requests

from conftest import SEED_ID, Readers, index_with, one_record, run_cli, serve, served_generation
from search_service.engine import Engine
from search_service.engine.build.generations import rebuild_lock
from search_service.engine.build.manifest import MANIFEST, describe, read_manifest
from search_service.service.remote import RemoteReplica, remote_destination


def wait_for(url: str, seconds: float = 30.0) -> int:
    """Ask `url` until it answers 200 or `seconds` pass (a server notices a new generation within a second)."""
    deadline = time.monotonic() + seconds
    while (status := requests.get(url, timeout=10).status_code) != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    return status


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under `folder` with its inode and modification time: what a run that changes nothing keeps."""
    return {str(path.relative_to(folder)): (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*"))}


def test_publishing_writes_a_manifest_of_every_file(tmp_path):
    src = index_with(tmp_path / "src")
    generation = src / served_generation(src)
    manifest = read_manifest(generation)
    files = {path.name for path in generation.iterdir() if path.name != MANIFEST}
    assert set(manifest) == files and files
    assert manifest == describe(generation)
    assert all(len(entry.sha256) == 64 and entry.size >= 0 for entry in manifest.values())


def test_replica_serves_the_generation_and_a_second_run_changes_nothing(tmp_path):
    src, dest = index_with(tmp_path / "src"), tmp_path / "replica"
    first = run_cli("replicate", "--index", src, "--to", dest)
    assert first.exit_code == 0, first.output
    assert f"now serves {served_generation(src)}" in first.stdout and "checked against its manifest" in first.stdout
    assert served_generation(dest) == served_generation(src)
    assert describe(dest / served_generation(dest)) == read_manifest(src / served_generation(src))
    assert Engine.open(dest).document(SEED_ID) is not None
    # The copy keeps the generation's time: a replica's /metrics gives its age since it was published.
    assert (dest / served_generation(dest)).stat().st_mtime == (src / served_generation(src)).stat().st_mtime
    before = tree(dest)
    second = run_cli("replicate", "--index", src, "--to", dest)
    assert second.exit_code == 0, second.output
    assert f"already current ({served_generation(src)})" in second.stdout
    assert tree(dest) == before
    shutil.rmtree(dest / served_generation(dest))  # CURRENT names a generation that is not there
    third = run_cli("replicate", "--index", src, "--to", dest)
    assert third.exit_code == 0 and "now serves" in third.stdout, third.output
    assert Engine.open(dest).document(SEED_ID) is not None


def test_a_new_generation_replaces_the_old_one_which_goes_after_the_grace(tmp_path):
    src, dest = index_with(tmp_path / "src"), tmp_path / "replica"
    assert run_cli("replicate", "--index", src, "--to", dest).exit_code == 0
    old = served_generation(dest)
    index_with(src, one_record(tmp_path, "replica-new", "quasiparticle"))
    kept = run_cli("replicate", "--index", src, "--to", dest)  # the default grace: the old one stays
    assert kept.exit_code == 0, kept.output
    assert served_generation(dest) == served_generation(src) != old and (dest / old).is_dir()
    assert Engine.open(dest).document("replica-new") is not None
    removed = run_cli("replicate", "--index", src, "--to", dest, "--grace", "0")
    assert removed.exit_code == 0, removed.output
    assert "already current" in removed.stdout and f"removed {old}" in removed.stdout
    assert not (dest / old).exists() and (dest / served_generation(src)).is_dir()


@pytest.mark.parametrize("damage", ["flip a byte", "drop a file"])
def test_a_copy_that_differs_from_the_manifest_is_never_switched_to(tmp_path, damage):
    src, dest = index_with(tmp_path / "src"), tmp_path / "replica"
    assert run_cli("replicate", "--index", src, "--to", dest).exit_code == 0
    old = served_generation(dest)
    index_with(src, one_record(tmp_path, "replica-new", "quasiparticle"))
    # The source generation rots on disk after it was published: the copy is faithful to what is
    # there, and only the manifest can tell.
    victim = max((src / served_generation(src)).glob("*.pst"), key=lambda path: path.stat().st_size)
    if damage == "flip a byte":
        data = bytearray(victim.read_bytes())
        data[len(data) // 2] ^= 0xFF
        victim.write_bytes(bytes(data))
    else:
        victim.unlink()
    result = run_cli("replicate", "--index", src, "--to", dest)
    assert result.exit_code == 1
    assert "does not match the manifest" in result.stderr and victim.name in result.stderr
    assert ("SHA-256" if damage == "flip a byte" else "missing") in result.stderr
    assert "nothing switched" in result.stderr
    assert served_generation(dest) == old and Engine.open(dest).document(SEED_ID) is not None
    assert not (dest / served_generation(src)).exists()
    assert not [path for path in dest.iterdir() if path.name.startswith(".build-")]


def test_mistakes_are_one_message_and_switch_nothing(tmp_path):
    empty = run_cli("replicate", "--index", tmp_path / "nothing", "--to", tmp_path / "replica")
    assert empty.exit_code == 1 and "no published index in" in empty.stderr and "Traceback" not in empty.output
    src = index_with(tmp_path / "src")
    nowhere = run_cli("replicate", "--index", src)
    assert nowhere.exit_code == 2 and "no replica given" in nowhere.stderr
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    through_file = run_cli("replicate", "--index", src, "--to", blocked / "replica")
    assert through_file.exit_code == 1 and "cannot write" in through_file.stderr
    # One replica that fails does not keep the others from being brought up to date.
    both = run_cli("replicate", "--index", src, "--to", blocked / "replica", "--to", tmp_path / "ok")
    assert both.exit_code == 1 and served_generation(tmp_path / "ok") == served_generation(src)
    busy = tmp_path / "busy"
    with rebuild_lock(busy, wait=False):  # a run (a rebuild, another replicate) holds the replica's lock
        held = run_cli("replicate", "--index", src, "--to", busy, "--to", tmp_path / "ok")
    assert held.exit_code == 1 and "another rebuild of" in held.stderr and "--wait" in held.stderr
    assert not (busy / "CURRENT").exists()
    unreachable = run_cli("replicate", "--index", src, "--to", "replica.invalid:/srv/index")
    assert unreachable.exit_code == 1 and "cannot reach replica.invalid" in unreachable.stderr
    old = src / served_generation(src)
    (old / MANIFEST).unlink()
    no_manifest = run_cli("replicate", "--index", src, "--to", tmp_path / "other")
    assert no_manifest.exit_code == 1 and "has no MANIFEST.json" in no_manifest.stderr
    assert not (tmp_path / "other" / "CURRENT").exists()


def test_destinations_are_read_as_rsync_reads_them(tmp_path):
    assert remote_destination("replica1:/srv/search/index") == ("replica1", "/srv/search/index")
    assert remote_destination("deploy@10.0.0.5:index") == ("deploy@10.0.0.5", "index")
    assert remote_destination("replica1:") == ("replica1", ".")
    for local in ("/srv/search/index", "./a:b", "index", "../replica"):
        assert remote_destination(local) is None
    replica = RemoteReplica("replica1", "/srv/search/index/", "ssh -p 2222 -o BatchMode=yes")
    assert replica.copy_command(tmp_path / "gen-1", ".build-replica-gen-1") == [
        "rsync", "--archive", "--delete", "--rsh", "ssh -p 2222 -o BatchMode=yes", f"{tmp_path / 'gen-1'}/",
        "replica1:/srv/search/index/.build-replica-gen-1/"]


@pytest.mark.slow  # a live server
def test_a_served_replica_switches_without_a_failed_answer(tmp_path):
    src, dest = index_with(tmp_path / "src"), tmp_path / "replica"
    assert run_cli("replicate", "--index", src, "--to", dest).exit_code == 0
    index_with(src, one_record(tmp_path, "replica-new", "quasiparticle"))
    with serve(dest, documents=None) as base, Readers(base) as readers:
        readers.wait_for_answers(10)
        # The default grace: workers that have not noticed the switch yet still read the old generation.
        result = run_cli("replicate", "--index", src, "--to", dest)
        assert result.exit_code == 0, result.output
        found = wait_for(f"{base}/api/documents/replica-new")
        readers.wait_for_answers(readers.answered() + 10)
    assert not readers.failures, readers.failures[:5]
    assert found == 200  # the new generation is followed, without a restart


def test_a_copy_that_fails_midway_leaves_nothing_behind(tmp_path):
    src, dest = index_with(tmp_path / "src"), tmp_path / "replica"
    assert run_cli("replicate", "--index", src, "--to", dest).exit_code == 0
    old = served_generation(dest)
    index_with(src, one_record(tmp_path, "replica-new", "quasiparticle"))
    (src / served_generation(src) / "unreadable").symlink_to(tmp_path / "gone")  # reading it fails
    result = run_cli("replicate", "--index", src, "--to", dest)
    assert result.exit_code == 1 and "nothing switched" in result.stderr and "unreadable" in result.stderr
    assert served_generation(dest) == old
    assert sorted(path.name for path in dest.iterdir()) == [".rebuild.lock", "CURRENT", old]
