"""Settings from the environment: a value that cannot be used is one message naming it, not a traceback."""

from __future__ import annotations

import pytest

from conftest import run_cli
from search_service.config import Config


@pytest.mark.parametrize("name, value, message", [
    ("PORT", "abc", "PORT: 'abc' is not a whole number from 1 to 65535"),
    ("PORT", "70000", "PORT: '70000' is not a whole number from 1 to 65535"),
    ("SEARCH_WORKERS", "0", "SEARCH_WORKERS: '0' is not a whole number from 1 to 64"),
    ("SEARCH_TIME_LIMIT", "soon", "SEARCH_TIME_LIMIT: 'soon' is not a number from 0.01 to 600.0"),
    ("SEARCH_MAX_DELETE_SHARE", "abc", "SEARCH_MAX_DELETE_SHARE: 'abc' is not a share from 0 to 1"),
    ("SEARCH_BUILD_MEMORY_MB", "1", "SEARCH_BUILD_MEMORY_MB: '1' is not a whole number from 16 to 1048576"),
])
def test_a_bad_setting_is_one_message(tmp_path, monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    run = run_cli("search", "x", "--index", tmp_path)
    assert run.exit_code == 1
    assert run.stderr.startswith(f"error: {message}") and len(run.stderr.strip().splitlines()) == 1


def test_settings_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("SEARCH_TIME_LIMIT", "1.5")
    monkeypatch.setenv("SEARCH_WORKERS", " ")
    monkeypatch.setenv("SEARCH_BUILD_MEMORY_MB", "256")
    config = Config.from_env()
    assert (config.port, config.time_limit, config.workers) == (8123, 1.5, Config.workers)
    assert config.build_memory_mb == 256
