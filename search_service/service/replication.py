"""Replicas: another index folder, here or on another machine, brought to serve this index's generation.

The published generation is copied whole under a hidden `.build-*` name, checked file by file against
the manifest written when it was published (names, sizes, SHA-256), renamed to its own name and only
then named by the replica's `CURRENT`, in one rename. A server reading the replica switches by itself;
a copy that fails its check is removed and nothing is switched. The replica's rebuild lock is held
throughout. A local folder is copied with Python (no other program needed); `host:/path` goes
through rsync over ssh (see `remote.py`).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from search_service.config import Config
from search_service.engine.build.generations import RETIRED_GRACE_SECONDS, clean, current_generation, install, \
    new_build_dir, rebuild_lock
from search_service.engine.build.manifest import Manifest, describe, differences, mismatch, read_manifest
from search_service.errors import IndexMissing, ReplicationFailed
from search_service.service.remote import RemoteReplica, remote_destination


@dataclass
class Replication:
    """What `replicate` did to one replica."""

    destination: str
    generation: str
    switched: bool  # False: the replica served this generation already
    files: int = 0
    size: int = 0  # bytes copied and checked
    removed: list[str] = field(default_factory=list)  # retired generations and leftovers removed
    seconds: float = 0.0

    @property
    def summary(self) -> str:
        removed = f"; removed {', '.join(self.removed)}" if self.removed else ""
        if not self.switched:
            return f"{self.destination} already current ({self.generation}), {self.seconds:.1f} s{removed}"
        return (f"{self.destination} now serves {self.generation}: {self.files} files, {self.size / 1e6:.1f} MB "
                f"copied and checked against its manifest, {self.seconds:.1f} s{removed}")


def replicate(source: Path, destination: str, grace_seconds: float | None = None,
              ssh: str = Config.ssh_command, wait: bool = False) -> Replication:
    """Make `destination` (a folder, or rsync's `host:/path`) serve the generation `source` publishes.

    Retired generations of the destination are removed `grace_seconds` after they were replaced. The
    destination's rebuild lock is waited for with `wait`, else RebuildRunning when another run holds it."""
    started = time.perf_counter()
    generation = current_generation(source)
    if generation is None:
        raise IndexMissing(f"no published index in {source}: run `search-service index --index {source}` first")
    manifest = read_manifest(generation)
    grace = RETIRED_GRACE_SECONDS if grace_seconds is None else grace_seconds
    remote = remote_destination(destination)
    if remote:
        switched, removed = RemoteReplica(*remote, ssh=ssh).receive(generation, manifest, grace, wait)
    else:
        switched, removed = _to_folder(generation, manifest, Path(destination), grace, wait)
    return Replication(destination, generation.name, switched, files=len(manifest) if switched else 0,
                       size=sum(entry.size for entry in manifest.values()) if switched else 0,
                       removed=removed, seconds=time.perf_counter() - started)


def _to_folder(generation: Path, manifest: Manifest, folder: Path, grace: float,
               wait: bool) -> tuple[bool, list[str]]:
    """Install a checked copy of `generation` in the local index folder `folder` unless it serves it already;
    clean it. Returns whether it switched and what the cleanup removed."""
    try:
        with rebuild_lock(folder, wait=wait):
            current = current_generation(folder)
            switched = current is None or current.name != generation.name
            if switched:
                _install_copy(generation, manifest, folder)
            return switched, clean(folder, grace)
    except OSError as exc:
        raise ReplicationFailed(f"cannot write {folder}: {exc.strerror or exc}; nothing switched there") from None


def _install_copy(generation: Path, manifest: Manifest, folder: Path) -> None:
    if (folder / generation.name).exists():
        raise ReplicationFailed(f"{folder / generation.name} exists but {folder / 'CURRENT'} does not name it "
                                "(left by an interrupted run?): remove it and run again")
    build = new_build_dir(folder)
    try:
        shutil.copytree(generation, build, dirs_exist_ok=True)  # the folder's time too: see service/index.py
        problems = differences(manifest, describe(build))
        if problems:
            raise ReplicationFailed(mismatch(f"the copy of {generation.name} in {folder}", problems))
    except (OSError, ReplicationFailed):
        shutil.rmtree(build, ignore_errors=True)  # a partial copy (a full disk) must not wait for the next run
        raise
    install(folder, build, generation.name)

