"""A replica on another machine (`host:/path`): copied with rsync over ssh, checked and switched over ssh.

The replica needs only what every Debian has (a POSIX shell, coreutils, findutils) and rsync: the
check runs `stat` and `sha256sum` there, so every file of the copy is read back from the replica's own
disk and compared with the manifest here, by the same rule as a local copy. The switch is `mv` of a
pointer file over `CURRENT` (one rename(2)); the cleanup lists the replica's folder and removes what
the local cleanup rule (`generations.removable`) names. All of it happens while an ssh session holds
the replica's rebuild lock with `flock` (util-linux: the same flock(2) lock a rebuild or a replicate
on that machine takes), released when the session ends, however it ends.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from search_service.engine.build.generations import BUILD_PREFIX, CURRENT, LOCK_NAME, IndexEntry, removable
from search_service.engine.build.manifest import MANIFEST, FileEntry, Manifest, differences, mismatch
from search_service.errors import RebuildRunning, ReplicationFailed

# rsync's rule: `host:path` is remote when the colon comes before any slash (`./a:b` is a local file).
_REMOTE = re.compile(r"^(?P<host>[^/:]+):(?P<path>.*)$")
TIMEOUT_SECONDS = 3600.0  # a command over ssh that takes longer has hung (a copy of gigabytes takes minutes)
_UNREACHABLE = 255  # ssh's exit status when it could not connect (or the connection broke)
_LOCK_TAKEN = 75  # flock's exit status (EX_TEMPFAIL) when another process holds the lock

# Holds the lock until its input ends (this side closes it, or the connection drops); says when it has it.
_LOCK = (f'mkdir -p -- "$1" && exec flock $2 --conflict-exit-code {_LOCK_TAKEN} -- "$1/{LOCK_NAME}" '
         'sh -c "echo locked && exec cat >/dev/null"')
_DESCRIBE = ('cd -- "$1" && find . -type f -exec stat -c "%s %n" -- {} + '
             '&& echo / && find . -type f -exec sha256sum -- {} +')
# CURRENT's generation only when its folder is there, as `generations.current_generation` reads it.
_LIST = (f'cd -- "$1" && date +%s.%N '
         f'&& {{ name=$(head -n 1 {CURRENT} 2>/dev/null); if [ -n "$name" ] && [ -d "$name" ]; then echo "$name"; '
         f'else echo; fi; }} && find . -mindepth 1 -maxdepth 1 -printf "%y %T@ %P\\n"')
# $1 folder, $2 the checked copy, $3 its generation name. The previous generation is touched: its grace
# period (see generations.py) counts from its retirement.
_POINTER = f".{CURRENT}.replica.tmp"
_SWITCH = f'''cd -- "$1" || exit 1
if [ -e "$3" ]; then
  echo "$1/$3 exists but {CURRENT} does not name it (left by an interrupted run?): remove it and run again" >&2
  exit 3
fi
sync -- "$2"/* "$2" && mv -T -- "$2" "$3" || exit 1
previous=$(head -n 1 {CURRENT} 2>/dev/null)
if [ -n "$previous" ] && [ -d "$previous" ]; then touch -c -- "$previous"; fi
printf '%s\\n' "$3" > {_POINTER} && sync -- {_POINTER} && mv -f -T -- {_POINTER} {CURRENT} && sync -- .'''


def remote_destination(destination: str) -> tuple[str, str] | None:
    """(host, path) of an rsync destination `[user@]host:path`; None for a local folder."""
    found = _REMOTE.match(destination)
    return (found["host"], found["path"] or ".") if found else None


class RemoteReplica:
    """An index folder on `host`, reached with the ssh command `ssh` (also rsync's remote shell)."""

    def __init__(self, host: str, path: str, ssh: str) -> None:
        self.host, self.path, self.ssh = host, path, ssh

    def receive(self, generation: Path, manifest: Manifest, grace: float, wait: bool = False
                ) -> tuple[bool, list[str]]:
        """Install a checked copy of `generation` unless the replica serves it already; clean the replica.
        Returns whether it switched and what the cleanup removed."""
        with self._locked(wait):
            return self._receive(generation, manifest, grace)

    @contextmanager
    def _locked(self, wait: bool) -> Iterator[None]:
        """Hold the replica's rebuild lock; without `wait`, RebuildRunning at once when another run has it."""
        command = [*shlex.split(self.ssh), self.host,
                   shlex.join(["sh", "-c", _LOCK, "sh", self.path, "" if wait else "-n"])]
        try:
            session = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)
        except FileNotFoundError:
            raise ReplicationFailed(f"{command[0]} is not installed here: install it (Debian: apt-get install "
                                    "openssh-client)") from None
        try:
            if session.stdout.readline().strip() != "locked":
                session.stdin.close()
                said = session.stderr.read().strip().replace("\n", " / ")[-500:]
                status = session.wait()
                if status == _UNREACHABLE:
                    raise ReplicationFailed(f"cannot reach {self.host} with `{self.ssh}`: {said}")
                if status == _LOCK_TAKEN:
                    raise RebuildRunning(f"another run holds {self.host}:{self.path}/{LOCK_NAME} (a rebuild or a "
                                         "replicate there): try again when it has finished, or pass --wait")
                raise ReplicationFailed(f"cannot lock {self.host}:{self.path} (exit {status}): {said}")
            yield
        finally:
            if session.stdin and not session.stdin.closed:
                session.stdin.close()
            session.wait(timeout=60)

    def _receive(self, generation: Path, manifest: Manifest, grace: float) -> tuple[bool, list[str]]:
        listing = self._listing()
        switched = listing[0] != generation.name
        if switched:
            copy = f"{BUILD_PREFIX}replica-{generation.name}"  # the same name again after an interrupted run
            self._call(self.copy_command(generation, copy), f"copying {generation.name}")
            problems = differences(manifest, self.describe(copy))
            if problems:
                self.run('rm -rf -- "$1/$2"', self.path, copy)
                raise ReplicationFailed(mismatch(f"the copy of {generation.name} in {self.host}:{self.path}",
                                                 problems))
            self.run(_SWITCH, self.path, copy, generation.name)
            listing = self._listing()
        return switched, self.clean(grace, listing)

    def copy_command(self, generation: Path, copy: str) -> list[str]:
        """The rsync command that copies `generation` into the folder `copy` of the replica, whole."""
        return ["rsync", "--archive", "--delete", "--rsh", self.ssh, f"{generation}/",
                f"{self.host}:{self.path.rstrip('/')}/{copy}/"]

    def describe(self, copy: str) -> Manifest:
        """The files of the replica's folder `copy`, read and hashed on the replica (manifest left out)."""
        sizes, _, hashes = self.run(_DESCRIBE, f"{self.path}/{copy}").partition("/\n")
        size_of = {name[2:]: int(size) for size, name in (line.split(" ", 1) for line in sizes.splitlines())}
        found = {}
        for line in hashes.splitlines():
            digest, name = line.split("  ", 1)
            if name[2:] != MANIFEST:
                found[name[2:]] = FileEntry(size_of[name[2:]], digest)
        return found

    def clean(self, grace: float, listing: tuple[str, float, list[IndexEntry]]) -> list[str]:
        """Remove what the local cleanup would from the replica as `listing` found it: leftover copies,
        generations retired more than `grace` ago."""
        current, now, entries = listing
        removed = removable(entries, current or None, now, grace)
        if removed:
            self.run('cd -- "$1" && shift && rm -rf -- "$@"', self.path, *removed)
        return removed

    def _listing(self) -> tuple[str, float, list[IndexEntry]]:
        """The replica's CURRENT (empty when none), its clock, and its index folder's entries."""
        now, current, *lines = self.run(_LIST, self.path).splitlines()
        entries = []
        for line in lines:
            kind, mtime, name = line.split(" ", 2)
            entries.append(IndexEntry(name, kind == "d", float(mtime)))
        return current.strip(), float(now), entries

    def run(self, script: str, *args: str) -> str:
        """Run the shell `script` with `args` on the replica; its output."""
        command = [*shlex.split(self.ssh), self.host, shlex.join(["sh", "-c", script, "sh", *args])]
        return self._call(command, "a command there")

    def _call(self, command: list[str], what: str) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
        except FileNotFoundError:
            raise ReplicationFailed(f"{command[0]} is not installed here: install it (Debian: apt-get install "
                                    f"{'rsync' if command[0] == 'rsync' else 'openssh-client'})") from None
        except subprocess.TimeoutExpired:
            raise ReplicationFailed(f"{what} on {self.host} took over {TIMEOUT_SECONDS:.0f} s; nothing switched") \
                from None
        said = done.stderr.strip().replace("\n", " / ")[-500:]
        if done.returncode == _UNREACHABLE and command[0] != "rsync":
            raise ReplicationFailed(f"cannot reach {self.host} with `{self.ssh}`: {said}")
        if done.returncode != 0:
            raise ReplicationFailed(f"{what} on {self.host}:{self.path} failed (exit {done.returncode}): {said}")
        return done.stdout
