"""`search-service replicate --to host:/path` over a real ssh connection: Debian's OpenSSH server on
this machine's loopback (on a free port, its own host key, a key made for the test) and Debian's rsync,
both installed when missing. Root is needed for sshd to log a user in; without it the tests skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import SEED_ID, debian_package, free_port, index_with, one_record, run_cli, served_generation
from search_service.engine import Engine
from search_service.engine.build.generations import rebuild_lock
from search_service.engine.build.manifest import describe, read_manifest

pytestmark = pytest.mark.slow  # an ssh server, copies over it

SSHD = Path("/usr/sbin/sshd")


@pytest.fixture(scope="module")
def ssh(tmp_path_factory):
    """The ssh command that reaches root@127.0.0.1 through a test sshd; the server stops after the module."""
    if os.geteuid() != 0:
        pytest.skip("sshd needs root to log a user in: run the tests as root to test replicas over ssh")
    debian_package("openssh-server", SSHD)
    debian_package("rsync", Path("/usr/bin/rsync"))
    folder = tmp_path_factory.mktemp("sshd")
    for key in ("host_key", "client_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / key)], check=True)
    (folder / "authorized_keys").write_bytes((folder / "client_key.pub").read_bytes())
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation folder (the package's unit makes it)
    port = free_port()
    (folder / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {folder / 'host_key'}\n"
        f"AuthorizedKeysFile {folder / 'authorized_keys'}\nPidFile {folder / 'sshd.pid'}\n"
        # The key files live under the temporary folder, which is not root's own: StrictModes would refuse them.
        "StrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "PermitRootLogin prohibit-password\n")
    log = tempfile.TemporaryFile()
    server = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(folder / "sshd_config")], stdout=log,
                              stderr=subprocess.STDOUT)
    command = (f"ssh -p {port} -i {folder / 'client_key'} -o BatchMode=yes -o StrictHostKeyChecking=no "
               "-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR")
    try:
        deadline = time.monotonic() + 30
        while subprocess.run([*command.split(), "root@127.0.0.1", "true"], capture_output=True).returncode != 0:
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"the test sshd did not let the test in: {log.read().decode(errors='replace')}")
            time.sleep(0.2)
        yield command
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def test_a_replica_over_ssh_is_copied_checked_switched_and_cleaned(tmp_path, ssh):
    src, dest = index_with(tmp_path / "src"), tmp_path / "replica with a space"
    remote = f"root@127.0.0.1:{dest}"
    first = run_cli("replicate", "--index", src, "--to", remote, "--ssh", ssh)
    assert first.exit_code == 0, first.output
    assert f"{remote} now serves {served_generation(src)}" in first.stdout
    assert served_generation(dest) == served_generation(src)
    assert describe(dest / served_generation(dest)) == read_manifest(src / served_generation(src))
    old = served_generation(dest)
    index_with(src, one_record(tmp_path, "replica-new", "quasiparticle"))
    second = run_cli("replicate", "--index", src, "--to", remote, "--ssh", ssh)
    assert second.exit_code == 0, second.output
    assert served_generation(dest) == served_generation(src) != old and (dest / old).is_dir()  # within the grace
    assert Engine.open(dest).document("replica-new") is not None
    third = run_cli("replicate", "--index", src, "--to", remote, "--ssh", ssh, "--grace", "0")
    assert third.exit_code == 0, third.output
    assert "already current" in third.stdout and f"removed {old}" in third.stdout and not (dest / old).exists()
    shutil.rmtree(dest / served_generation(dest))  # CURRENT names a generation that is not there
    fourth = run_cli("replicate", "--index", src, "--to", remote, "--ssh", ssh)
    assert fourth.exit_code == 0 and "now serves" in fourth.stdout, fourth.output
    assert Engine.open(dest).document("replica-new") is not None


def test_a_damaged_copy_over_ssh_is_never_switched_to(tmp_path, ssh):
    src, dest = index_with(tmp_path / "src"), tmp_path / "replica"
    assert run_cli("replicate", "--index", src, "--to", f"127.0.0.1:{dest}", "--ssh", ssh).exit_code == 0
    old = served_generation(dest)
    index_with(src, one_record(tmp_path, "replica-new", "quasiparticle"))
    victim = max((src / served_generation(src)).glob("*.pst"), key=lambda path: path.stat().st_size)
    data = bytearray(victim.read_bytes())
    data[0] ^= 0xFF
    victim.write_bytes(bytes(data))
    result = run_cli("replicate", "--index", src, "--to", f"127.0.0.1:{dest}", "--ssh", ssh)
    assert result.exit_code == 1 and "does not match the manifest" in result.stderr and victim.name in result.stderr
    assert served_generation(dest) == old and Engine.open(dest).document(SEED_ID) is not None
    assert sorted(path.name for path in dest.iterdir() if not path.name.startswith(".rebuild")) == ["CURRENT", old]


def test_an_ssh_server_that_does_not_answer_is_one_message(tmp_path, ssh):
    src = index_with(tmp_path / "src")
    closed = ssh.replace(ssh.split()[2], str(free_port()), 1)  # the same command, to a port nobody listens on
    result = run_cli("replicate", "--index", src, "--to", f"127.0.0.1:{tmp_path / 'replica'}", "--ssh", closed)
    assert result.exit_code == 1 and "cannot reach 127.0.0.1" in result.stderr and "Traceback" not in result.output


def test_a_replica_another_run_holds_is_left_alone_over_ssh(tmp_path, ssh):
    src, dest = index_with(tmp_path / "src"), tmp_path / "replica"
    with rebuild_lock(dest, wait=False):  # what `index` or a local replicate on the replica takes
        held = run_cli("replicate", "--index", src, "--to", f"127.0.0.1:{dest}", "--ssh", ssh)
    assert held.exit_code == 1 and f"another run holds 127.0.0.1:{dest}/.rebuild.lock" in held.stderr
    assert "--wait" in held.stderr and not (dest / "CURRENT").exists()
    # The lock is the session's: once replicate has returned, the replica's lock is free again.
    assert run_cli("replicate", "--index", src, "--to", f"127.0.0.1:{dest}", "--ssh", ssh).exit_code == 0
    with rebuild_lock(dest, wait=False):
        assert served_generation(dest) == served_generation(src)


def test_replicate_over_ssh_with_wait_goes_on_once_the_lock_is_free(tmp_path, ssh):
    src, dest = index_with(tmp_path / "src"), tmp_path / "replica"
    command = [sys.executable, "-m", "search_service", "replicate", "--index", str(src), "--to",
               f"127.0.0.1:{dest}", "--ssh", ssh, "--wait"]
    with rebuild_lock(dest, wait=False):
        waiting = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(2)  # long enough for it to reach the lock; it must not have gone past it
        assert waiting.poll() is None and not (dest / "CURRENT").exists()
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0 and "now serves" in out, err
