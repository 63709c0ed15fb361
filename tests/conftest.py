"""Shared fixtures: a real index on disk built from documents/ plus test records, the Flask app, a live server."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests
from click.testing import CliRunner, Result

from search_service.cli import main
from search_service.web.app import create_app
from search_service.config import Config
from search_service.engine import Engine
from search_service.records import Record, parse_record_json, read_records

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = ROOT / "documents"
TEST_DATA = Path(__file__).resolve().parent / "data"
CORPORA = ROOT.parent / "shared" / "corpora"
SEED_ID = "1950-08-27-stalin-to-gottwald-security-council"
SEED = DOCUMENTS / f"{SEED_ID}.txt"  # the seed letter alone; documents/ also holds a sample of the corpora


def corpus(name: str) -> Path:
    """A shared corpus file, or a clear skip when ../shared is not beside the repo."""
    path = CORPORA / name
    if not path.exists():
        pytest.skip(f"{path} is absent: this test needs the shared corpora beside the repo")
    return path


def debian_package(package: str, program: Path) -> None:
    """Install Debian's `package` when `program` is missing (CI runs as root on a machine that may lack it);
    skip the test, saying why, when that needs root and this is not root."""
    if program.exists():
        return
    if os.geteuid() != 0:
        pytest.skip(f"{program} is missing and installing it needs root: apt-get install -y {package}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Another process (a test run beside this one) may hold dpkg's lock for a while: wait for it.
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "-o", "DPkg::Lock::Timeout=600", package]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert program.exists(), f"apt-get installed {package} but {program} is still missing"


def run_cli(*args: str | Path) -> Result:
    """`search-service ARGS` run in this process by click's CliRunner: `exit_code`, `stdout` and `stderr` apart.

    Anything raised other than the command's exit propagates, so a crash fails the test with its traceback.
    """
    return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)


def corpus_records(name: str, lang: str, count: int) -> list[Record]:
    """The first `count` records of a shared corpus file that hold a text in `lang`: the file is read
    only as far as they reach, not whole (the corpora run to tens of megabytes)."""
    path = corpus(name)
    found: list[Record] = []
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            record = parse_record_json(line.decode("utf-8-sig"), str(path), number) if line.strip() else None
            if record is not None and lang in record.texts:
                found.append(record)
                if len(found) == count:
                    break
    return found


@pytest.fixture(scope="session")
def records():
    result = read_records([SEED, TEST_DATA / "extra.jsonl"])
    assert not result.errors, result.errors
    return result.records


def build_test_index(tmp_path_factory, name: str, *extra: Path) -> Path:
    """A real index of documents/ plus the given record files, in a fresh temporary folder."""
    result = read_records([SEED, *extra])
    assert not result.errors, result.errors
    path = tmp_path_factory.mktemp(name)
    Engine.build(result.records, path)
    return path


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory, records) -> Path:
    path = tmp_path_factory.mktemp("index")
    Engine.build(records, path)
    return path


@pytest.fixture(scope="session")
def engine(index_dir) -> Engine:
    engine = Engine.open(index_dir)
    engine.prepare()
    return engine


@pytest.fixture(scope="session")
def app(index_dir):
    return create_app(Config(index_dir=index_dir))


@pytest.fixture()
def client(app):
    return app.test_client()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(index_dir: Path, documents: Path | None = SEED, env: dict | None = None,
          cwd: Path = ROOT, output: Path | None = None) -> Iterator[str]:
    """`search-service serve` under gunicorn on a free port, started in `cwd`; yields its base URL.
    With `documents` None the server is given no --documents (as a user who relies on the index's own).

    The server's output goes to a file (`output`, for a test that reads it), not a pipe: nobody reads
    a pipe while tests run, and a full pipe would stall the server's log, gunicorn's own lines included.
    """
    with serve_process(index_dir, documents, env, cwd, output) as (base, _):
        yield base


@contextlib.contextmanager
def serve_process(index_dir: Path, documents: Path | None = SEED, env: dict | None = None,
                  cwd: Path = ROOT, output: Path | None = None, own_group: bool = False
                  ) -> Iterator[tuple[str, subprocess.Popen]]:
    """`serve` (see there), yielding its base URL and its process: gunicorn's master, whose forked workers
    are in its process group. With `own_group` that group is the server's alone, so a test may kill the
    whole server at once (`os.killpg(process.pid, signal.SIGKILL)`)."""
    port = free_port()
    log = output.open("w+b") if output else tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, "-m", "search_service", "serve", "--port", str(port), "--index", str(index_dir),
         *(["--documents", str(documents)] if documents else [])],
        cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=own_group,
        env={**{key: value for key, value in os.environ.items() if key != "SEARCH_ADMIN_TOKEN"},
             "PYTHONUNBUFFERED": "1", **(env or {})})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"server did not start: {log.read().decode(errors='replace')}")
            time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def index_with(index_dir: Path, *sources: Path) -> Path:
    """`index_dir` brought up to date with the seed letter, then each of `sources`, by the CLI as a user does it."""
    for source in (SEED, *sources):
        result = run_cli("index", "--documents", source, "--index", index_dir)
        assert result.exit_code == 0, result.output
    return index_dir


def one_record(folder: Path, record_id: str, word: str) -> Path:
    """A records file in `folder` holding one English record, found by `word`."""
    path = folder / f"{record_id}.jsonl"
    path.write_text(json.dumps({"id": record_id, "title": f"Replica test {word}",
                                "texts": {"en": f"A note on {word} for the replicas."}}) + "\n", encoding="utf-8")
    return path


def served_generation(index_dir: Path) -> str:
    """The name `index_dir`'s CURRENT holds."""
    return (index_dir / "CURRENT").read_text(encoding="utf-8").strip()


@pytest.fixture(scope="session")
def live_server(index_dir):
    """The application under gunicorn on the session's index; yields its base URL."""
    with serve(index_dir) as base:
        yield base


class Readers:
    """Threads querying the server, counting answers and every failed or empty one."""

    def __init__(self, base: str, threads: int = 3, query: str = "Готвальдом") -> None:
        self.base, self.query = base, query  # by default a word only the seed letter has
        self.answers = 0
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run) for _ in range(threads)]

    def _run(self) -> None:
        session = requests.Session()
        while not self._stop.is_set():
            try:
                response = session.get(f"{self.base}/api/search", params={"q": self.query}, timeout=30)
                ids = [hit["id"] for hit in response.json()["hits"]] if response.status_code == 200 else []
                failure = None if SEED_ID in ids else f"{response.status_code}: {response.text[:200]}"
            except Exception as exc:  # a refused connection or a broken answer is a failure to count
                failure = repr(exc)
            with self._lock:
                self.answers += 1
                if failure:
                    self.failures.append(failure)
            self._stop.wait(0.1)  # steady traffic that leaves the rebuild some of the two cores

    def __enter__(self) -> "Readers":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def answered(self) -> int:
        with self._lock:
            return self.answers

    def wait_for_answers(self, count: int, timeout_seconds: float = 60) -> None:
        """Return once `count` answers came back in all; the timeout only stops a test whose server hangs."""
        deadline = time.monotonic() + timeout_seconds
        while self.answered() < count:
            assert time.monotonic() < deadline, f"{self.answered()} answers, waiting for {count}"
            time.sleep(0.05)
