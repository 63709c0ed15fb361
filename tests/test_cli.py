"""`search-service` commands in this process (CliRunner), and the console script itself in real processes."""

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import ROOT, SEED, SEED_ID, corpus, run_cli


def test_index_then_search(tmp_path):
    index = tmp_path / "index"
    built = run_cli("index", "--documents", SEED, "--index", index)
    assert built.exit_code == 0, built.stderr
    assert "summary: added 1, updated 0, deleted 0, failed 0" in built.stdout
    for query in ["совета безопасности", "Готвальдом", "withdrawal"]:
        found = run_cli("search", query, "--index", index)
        assert found.exit_code == 0, found.stderr
        assert "1. Letter from Filipov" in found.stdout
        assert SEED_ID in found.stdout


def test_no_records_leaves_the_published_index_alone(tmp_path):
    index = tmp_path / "index"
    assert run_cli("index", "--documents", SEED, "--index", index).exit_code == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    failed = run_cli("index", "--documents", empty, "--index", index)
    assert failed.exit_code == 1
    assert "published index is unchanged" in failed.stderr
    assert SEED_ID in run_cli("search", "withdrawal", "--index", index).stdout


def test_search_without_an_index_says_what_to_do(tmp_path):
    result = run_cli("search", "x", "--index", tmp_path / "none")
    assert result.exit_code != 0
    assert "run `search-service index` first" in result.stderr


@pytest.mark.slow
def test_letter_first_among_stalins_works(tmp_path):
    """The issue's finish line: with Stalin's collected works as distractors the letter still ranks first."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / f"{SEED_ID}.txt").write_bytes(SEED.read_bytes())
    (docs / "stalin-works-ru.jsonl").symlink_to(corpus("stalin-works-ru.jsonl"))
    index = tmp_path / "index"
    assert run_cli("index", "--documents", docs, "--index", index).exit_code == 0
    for query in ["совета безопасности", "Готвальдом", "withdrawal"]:
        first = run_cli("search", query, "--index", index, "--limit", "3").stdout.split("\n2.")[0]
        assert SEED_ID in first, (query, first)


def test_the_console_script_and_python_m_run_the_commands(tmp_path):
    """The installed `search-service` script and `python -m search_service` reach the same commands and exit codes."""
    def run(*command: str) -> subprocess.CompletedProcess:
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)

    index = tmp_path / "index"
    script = Path(sysconfig.get_path("scripts")) / "search-service"
    built = run(str(script), "index", "--documents", str(SEED), "--index", str(index))
    assert built.returncode == 0, built.stderr
    assert "summary: added 1, updated 0, deleted 0, failed 0" in built.stdout
    found = run(sys.executable, "-m", "search_service", "search", "withdrawal", "--index", str(index))
    assert found.returncode == 0, found.stderr
    assert SEED_ID in found.stdout
    missing = run(sys.executable, "-m", "search_service", "search", "x", "--index", str(tmp_path / "none"))
    assert missing.returncode == 1
    assert "run `search-service index` first" in missing.stderr
