import subprocess
import sys

from conftest import DOCUMENTS, ROOT, SEED_ID, corpus


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search_service", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def test_index_then_search(tmp_path):
    index = tmp_path / "index"
    built = cli("index", "--documents", str(DOCUMENTS), "--index", str(index))
    assert built.returncode == 0, built.stderr
    assert "summary: added 1, updated 0, deleted 0, failed 0" in built.stdout
    for query in ["совета безопасности", "Готвальдом", "withdrawal"]:
        found = cli("search", query, "--index", str(index))
        assert found.returncode == 0, found.stderr
        assert f"1. Letter from Filipov" in found.stdout
        assert SEED_ID in found.stdout


def test_no_records_leaves_the_published_index_alone(tmp_path):
    index = tmp_path / "index"
    assert cli("index", "--documents", str(DOCUMENTS), "--index", str(index)).returncode == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    failed = cli("index", "--documents", str(empty), "--index", str(index))
    assert failed.returncode == 1
    assert "published index is unchanged" in failed.stderr
    assert SEED_ID in cli("search", "withdrawal", "--index", str(index)).stdout


def test_search_without_an_index_says_what_to_do(tmp_path):
    result = cli("search", "x", "--index", str(tmp_path / "none"))
    assert result.returncode != 0
    assert "run `search-service index` first" in result.stderr


def test_letter_first_among_stalins_works(tmp_path):
    """The issue's finish line: with Stalin's collected works as distractors the letter still ranks first."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / f"{SEED_ID}.txt").write_bytes((DOCUMENTS / f"{SEED_ID}.txt").read_bytes())
    (docs / "stalin-works-ru.jsonl").symlink_to(corpus("stalin-works-ru.jsonl"))
    index = tmp_path / "index"
    assert cli("index", "--documents", str(docs), "--index", str(index)).returncode == 0
    for query in ["совета безопасности", "Готвальдом", "withdrawal"]:
        first = cli("search", query, "--index", str(index), "--limit", "3").stdout.split("\n2.")[0]
        assert SEED_ID in first, (query, first)
