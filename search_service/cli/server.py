"""Run the application under gunicorn (the production WSGI server), configured from `Config`."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import sys
import tempfile
from contextlib import contextmanager
from typing import Iterator

from gunicorn.app.base import BaseApplication

from search_service.config import Config
from search_service.errors import PortInUse
from search_service.service.index import has_index, preload

METRICS_FOLDER = "PROMETHEUS_MULTIPROC_DIR"


class _Gunicorn(BaseApplication):
    def __init__(self, app, options: dict) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def check_address(config: Config) -> None:
    """PortInUse unless the server can listen on its host and port: checked before it says it serves there."""
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    try:
        # Bound the way gunicorn binds (SO_REUSEADDR), so only a port something listens on is refused.
        with socket.create_server((config.host, config.port), family=family):
            pass
    except OSError as exc:
        raise PortInUse(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}.\n"
                        "Pass --port with a free port (or set PORT), or stop what is listening there") from None


@contextmanager
def metrics_folder() -> Iterator[None]:
    """A fresh folder for every worker's metrics (prometheus_client's multiprocess mode), removed after.

    prometheus_client reads PROMETHEUS_MULTIPROC_DIR once, when it is first imported; so this comes
    before `run` imports the application, and an earlier import is a mistake to stop at."""
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus_client was imported before the metrics folder was set")
    folder, owner = tempfile.mkdtemp(prefix="search-service-metrics-"), os.getpid()
    os.environ[METRICS_FOLDER] = folder
    try:
        yield
    finally:
        # A gunicorn worker leaves by SystemExit through here too: only the server's own process removes it.
        if os.getpid() == owner:
            os.environ.pop(METRICS_FOLDER, None)
            shutil.rmtree(folder, ignore_errors=True)


def run(config: Config) -> None:
    """Serve `config`'s application under gunicorn until it stops; inside `metrics_folder`."""
    # Imported here, not above: prometheus_client must not be imported before `metrics_folder`.
    from search_service.web.app import create_app
    from search_service.web.metrics import worker_stopped
    from search_service.web.monitoring import request_log
    from search_service.web.requests import search_index

    _to_stderr(request_log)
    preload()  # before gunicorn forks its workers, so they share what it loads instead of each loading a copy
    options = {
        "bind": f"{config.host}:{config.port}",
        "workers": config.workers,
        "threads": config.threads,
        "worker_class": "gthread",
        "preload_app": True,
        "accesslog": None,  # `request_log` has a JSON line for each request
        "timeout": 30,
        # A 1,000-character Cyrillic query is 6,000 bytes percent-encoded; gunicorn's default request
        # line limit (4,094) would refuse it. 8,190 is gunicorn's largest non-zero setting.
        "limit_request_line": 8190,
        "graceful_timeout": 5,
        "child_exit": lambda arbiter, worker: worker_stopped(worker.pid),
    }
    app = create_app(config)
    if has_index(config.index_dir):
        with app.app_context():
            search_index()  # before the fork too: the workers share its vocabulary, facets and decoded postings
    _Gunicorn(app, options).run()


def _to_stderr(log: logging.Logger) -> None:
    """`log`'s lines to stderr as they are (the request log's are JSON), at INFO and above."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
