"""deploy/'s systemd units: checked by systemd's own `systemd-analyze verify`, and their commands run
with their own environment (the paths moved into a temporary folder, the replicas made local folders).

The nginx file is run by tests/test_replicas.py.
"""

from __future__ import annotations

import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import ROOT, SEED, debian_package, free_port, served_generation

SYSTEMD = ROOT / "deploy" / "systemd"
UNITS = ["search-service.service", "search-rebuild.service", "search-rebuild.timer"]
ANALYZE = Path("/usr/bin/systemd-analyze")


def installed(folder: Path, **environment: str) -> dict[str, dict[str, list[str]]]:
    """The units as installed under `folder` in place of /srv/search, with this checkout's search-service;
    written there and returned parsed: section -> key -> values (a key may repeat, as ExecStart does)."""
    program = Path(sys.executable).parent / "search-service"
    units = {}
    for name in UNITS:
        text = (SYSTEMD / name).read_text(encoding="utf-8")
        assert "/srv/search/.venv/bin/search-service" in text or name.endswith(".timer")
        text = text.replace("/srv/search/.venv/bin/search-service", str(program)).replace("/srv/search", str(folder))
        for key, value in environment.items():
            text, count = _setting(text, key, value)
            assert count <= 1
        (folder / name).write_text(text, encoding="utf-8")
        units[name] = _parse(text)
    return units


def _setting(text: str, key: str, value: str) -> tuple[str, int]:
    lines, count = [], 0
    for line in text.splitlines():
        if line.startswith(("Environment=", 'Environment="')) and shlex.split(line[12:])[0].startswith(f"{key}="):
            line, count = f"Environment={shlex.quote(f'{key}={value}')}", count + 1
        lines.append(line)
    return "\n".join(lines) + "\n", count


def _parse(text: str) -> dict[str, dict[str, list[str]]]:
    sections: dict[str, dict[str, list[str]]] = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            sections[section] = {}
        elif "=" in line and not line.startswith(("#", ";")):
            key, value = line.split("=", 1)
            sections[section].setdefault(key, []).append(value)
    return sections


def environment(unit: dict[str, dict[str, list[str]]]) -> dict[str, str]:
    """The unit's Environment= settings, read as systemd reads them (quotes around a whole assignment)."""
    pairs = [item.split("=", 1) for value in unit["Service"].get("Environment", []) for item in shlex.split(value)]
    return {key: value for key, value in pairs}


def test_systemd_verifies_the_units(tmp_path):
    debian_package("systemd", ANALYZE)
    installed(tmp_path)
    checked = subprocess.run([str(ANALYZE), "verify", *(f"./{name}" for name in UNITS)], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0 and not checked.stdout.strip() and not checked.stderr.strip(), checked.stderr
    timer = _parse((SYSTEMD / "search-rebuild.timer").read_text())
    assert timer["Timer"]["OnCalendar"] and timer["Install"]["WantedBy"] == ["timers.target"]


@pytest.mark.slow  # a build, replication, a live server
def test_the_units_commands_rebuild_replicate_and_serve(tmp_path):
    (tmp_path / "documents").mkdir()
    shutil.copy(SEED, tmp_path / "documents")
    replicas = [tmp_path / "replica-1", tmp_path / "replica-2"]
    units = installed(tmp_path, SEARCH_REPLICAS=" ".join(map(str, replicas)), SEARCH_HOST="127.0.0.1",
                      PORT=str(free_port()))
    rebuild = units["search-rebuild.service"]
    env = {"PATH": "/usr/bin:/bin", **environment(rebuild)}
    for run in range(2):  # the second run changes nothing: every replica is already current
        outputs = []
        for command in rebuild["Service"]["ExecStart"]:
            done = subprocess.run(shlex.split(command), cwd=rebuild["Service"]["WorkingDirectory"][0], env=env,
                                  capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr
            outputs.append(done.stdout)
        assert all(served_generation(replica) == served_generation(tmp_path / "index") for replica in replicas)
        assert outputs[1].count("already current" if run else "now serves") == 2, outputs
    serve = units["search-service.service"]
    env = {"PATH": "/usr/bin:/bin", **environment(serve), "SEARCH_INDEX_DIR": str(replicas[0])}
    server = subprocess.Popen(shlex.split(serve["Service"]["ExecStart"][0]), env=env,
                              cwd=serve["Service"]["WorkingDirectory"][0], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        base, deadline = f"http://127.0.0.1:{env['PORT']}", time.monotonic() + 60
        while True:
            try:
                health = requests.get(f"{base}/health", timeout=2)
                break
            except requests.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, "the unit's server did not start"
                time.sleep(0.2)
        assert health.json() == {"status": "ok", "documents": 1}
    finally:
        server.send_signal(signal.SIGTERM)  # what systemd sends to the main process (KillMode=mixed)
        assert server.wait(timeout=int(serve["Service"]["TimeoutStopSec"][0])) == 0
