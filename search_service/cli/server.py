"""Run the application under gunicorn (the production WSGI server), configured from `Config`."""

from __future__ import annotations

import socket

from gunicorn.app.base import BaseApplication

from search_service.config import Config
from search_service.errors import PortInUse
from search_service.service.index import preload
from search_service.web.app import create_app


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


def run(config: Config) -> None:
    preload()  # before gunicorn forks its workers, so they share what it loads instead of each loading a copy
    options = {
        "bind": f"{config.host}:{config.port}",
        "workers": config.workers,
        "threads": config.threads,
        "worker_class": "gthread",
        "preload_app": True,
        "accesslog": "-",
        "timeout": 30,
        # A 1,000-character Cyrillic query is 6,000 bytes percent-encoded; gunicorn's default request
        # line limit (4,094) would refuse it. 8,190 is gunicorn's largest non-zero setting.
        "limit_request_line": 8190,
        "graceful_timeout": 5,
    }
    _Gunicorn(create_app(config), options).run()
