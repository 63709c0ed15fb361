"""The project as a user runs it: `search-service index` and `search-service serve` (gunicorn), over HTTP."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

_CLI = [sys.executable, "-m", "search_service"]


def build(documents: Path, index_dir: Path) -> tuple[float, float]:
    """Seconds `search-service index` takes (start-up and reading the records included) and its peak RSS in MB.

    The peak counts every process of the build: the sum of the kernel's peak resident set (VmHWM)
    of the index process and of each process it forks, read from /proc while they run (the last
    reading of each). Peaks that did not coincide and pages a forked child shares with its parent
    count in full: it may overstate, never understate. Not `ru_maxrss` from `os.wait4`: it is only
    the largest process, and it carries over the peak of the process that started it (this one,
    holding every record).
    """
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen([*_CLI, "index", "--documents", str(documents), "--index", str(index_dir)],
                                   stdout=subprocess.DEVNULL, stderr=errors)
        peaks: dict[int, int] = {}
        watcher = threading.Thread(target=_watch_peaks, args=(process.pid, peaks), daemon=True)
        watcher.start()
        _, status, _ = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        watcher.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"search-service index failed: {errors.read()[-2000:].decode(errors='replace')}")
    return seconds, sum(peaks.values()) / 1024


def _watch_peaks(pid: int, peaks: dict[int, int]) -> None:
    """Read the peak RSS (kB) of `pid` and its descendants into `peaks` every 20 ms until `pid` is gone.

    A process that has ended but is not yet waited for (a zombie) has no memory left to read."""
    while os.path.exists(f"/proc/{pid}/status"):
        for member in _descendants(pid):
            try:
                status = Path(f"/proc/{member}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks[member] = max(peaks.get(member, 0), int(line.split()[1]))
        time.sleep(0.02)


def _descendants(pid: int) -> list[int]:
    """`pid` and every process under it, from /proc/PID/task/*/children."""
    found, waiting = [], [pid]
    while waiting:
        member = waiting.pop()
        found.append(member)
        for task in Path(f"/proc/{member}/task").glob("*/children"):
            try:
                waiting += [int(child) for child in task.read_text().split()]
            except OSError:
                continue
    return found


def index_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(index_dir: Path, workers: int) -> Iterator[tuple[int, int]]:
    """`search-service serve` on a free port until the block ends; yields (port, master pid)."""
    port = _free_port()
    process = subprocess.Popen([*_CLI, "serve", "--port", str(port), "--index", str(index_dir),
                                "--workers", str(workers)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not _healthy(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"search-service serve did not answer on port {port}")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def _healthy(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/health")
        return connection.getresponse().status == 200
    except OSError:
        return False


def _search(connection: http.client.HTTPConnection, query: str) -> dict:
    connection.request("GET", "/api/search?" + urlencode({"q": query}))
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"{query!r}: HTTP {response.status} {body[:200]!r}")
    return json.loads(body)


def time_queries(port: int, queries: list[str]) -> list[float]:
    """Milliseconds each query took over one kept-alive connection, the answer (with snippets) read and parsed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    timings = []
    for query in queries:
        started = time.perf_counter()
        answer = _search(connection, query)
        timings.append((time.perf_counter() - started) * 1000)
        if answer["hits"] and "snippets" not in answer["hits"][0]:
            raise RuntimeError(f"{query!r}: a hit without snippets")
    connection.close()
    return timings


def throughput(port: int, queries: list[str], clients: int, seconds: float) -> tuple[float, int, int]:
    """(queries per second, answers, errors) with `clients` concurrent clients cycling through `queries`."""
    deadline = time.monotonic() + seconds
    answers = [0] * clients
    errors = [0] * clients

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        position = number * len(queries) // clients
        while time.monotonic() < deadline:
            try:
                _search(connection, queries[position % len(queries)])
                answers[number] += 1
            except (OSError, RuntimeError, http.client.HTTPException, ValueError):
                errors[number] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            position += 1
        connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return sum(answers) / elapsed, sum(answers), sum(errors)


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (the master's child processes), in MB."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master_pid) and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sizes
