"""A generation's manifest: every file's name, size and SHA-256, written when the generation is published.

A copy of a generation (a replica's) is complete and intact when the files it holds are exactly the
manifest's; `differences` says where they are not. The manifest lists every file but itself.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from search_service.errors import ManifestMissing

MANIFEST = "MANIFEST.json"


@dataclass(frozen=True)
class FileEntry:
    size: int
    sha256: str


Manifest = dict[str, FileEntry]  # a file's path inside the generation (with `/`) -> its size and hash


def describe(generation: Path) -> Manifest:
    """The files of `generation` as they are now: read and hashed, the manifest itself left out."""
    found = {}
    for path in sorted(generation.rglob("*")):
        name = path.relative_to(generation).as_posix()
        if path.is_file() and name != MANIFEST:
            with open(path, "rb") as handle:
                found[name] = FileEntry(path.stat().st_size, hashlib.file_digest(handle, "sha256").hexdigest())
    return found


def write_manifest(generation: Path) -> None:
    """Describe `generation` into its manifest file; called on a build, before it is published."""
    files = {name: {"size": entry.size, "sha256": entry.sha256} for name, entry in describe(generation).items()}
    (generation / MANIFEST).write_text(json.dumps({"files": files}, indent=1) + "\n", encoding="utf-8")


def read_manifest(generation: Path) -> Manifest:
    """The manifest written when `generation` was published; ManifestMissing when it has none or it is damaged."""
    try:
        files = json.loads((generation / MANIFEST).read_text(encoding="utf-8"))["files"]
        return {name: FileEntry(int(entry["size"]), str(entry["sha256"])) for name, entry in files.items()}
    except FileNotFoundError:
        raise ManifestMissing(f"{generation} has no {MANIFEST} (it was published before generations had one): "
                              f"run `search-service index --full --index {generation.parent}` to publish one "
                              "that has") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ManifestMissing(f"{generation / MANIFEST} cannot be read ({exc}): run `search-service index --full "
                              f"--index {generation.parent}` to publish a generation with a sound one") from None


def differences(expected: Manifest, found: Manifest) -> list[str]:
    """What `found` (a copy's files) lacks, adds or holds otherwise than `expected`; empty when they agree."""
    problems = [f"{name}: missing" for name in expected if name not in found]
    problems += [f"{name}: not in the manifest" for name in found if name not in expected]
    for name in expected.keys() & found.keys():
        want, have = expected[name], found[name]
        if want.size != have.size:
            problems.append(f"{name}: {have.size} bytes, the manifest says {want.size}")
        elif want.sha256 != have.sha256:
            problems.append(f"{name}: SHA-256 {have.sha256[:12]}..., the manifest says {want.sha256[:12]}...")
    return sorted(problems)


def mismatch(copy: str, problems: list[str]) -> str:
    """The message for a copy that differs from its manifest (and was therefore removed, never switched to)."""
    shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
    return (f"{copy} does not match the manifest ({shown}): nothing switched, the copy was removed. "
            "Check the source's disk; `search-service index --full` publishes a fresh generation")
