"""An archive's own files end to end: indexed by the command line, searched and shown by the API and the pages."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from conftest import TEST_DATA, run_cli
from search_service.config import Config
from search_service.web.app import create_app

INPUT = TEST_DATA / "input"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    index = tmp_path_factory.mktemp("archive-input") / "index"
    run = run_cli("index", "--documents", INPUT, "--index", index)
    return index, run


def test_the_command_line_indexes_every_encoding_and_names_the_legacy_ones(indexed):
    _, run = indexed
    assert run.exit_code == 0, run.stderr
    assert "беседа-cp1251.txt: read as cp1251" in run.stderr
    assert "беседа-koi8r.txt: read as KOI8-R" in run.stderr and "telegrams-koi8r.JSONL: read as KOI8-R" in run.stderr
    assert "failed 0" in run.stdout and "skipped 2 files that hold no records: README.md, scan-001.pdf" in run.stdout


def test_a_search_finds_the_words_of_files_in_legacy_encodings(indexed):
    index, _ = indexed
    found = run_cli("search", "Готвальду", "--index", index)
    assert found.exit_code == 0
    for name in ("беседа-cp1251", "беседа-koi8r", "беседа-utf16", "беседа-utf8-bom"):
        assert name in found.stdout


@pytest.mark.parametrize("record_id, date_shown", [("RGASPI/558/11/63", "1950"), ("АП РФ ф.3 оп.65 д.5", "около 1951"),
                                                  ("GARF/R-5446/1/1", "1950 – 1952"), ("ф.558 оп.11 д.62", "1950 – 1952"),
                                                  ("ф.17 оп.3 д.1083", "август 1950 – сентябрь 1950")])
def test_shelfmarked_records_and_their_dates_through_the_api_and_the_pages(indexed, record_id, date_shown):
    index, _ = indexed
    client = create_app(Config(index_dir=index)).test_client()
    record = client.get(f"/api/documents/{quote(record_id)}").get_json()
    assert record["id"] == record_id
    page = client.get(f"/documents/{quote(record_id)}", query_string={"ui": "ru"}).get_data(as_text=True)
    assert date_shown in page


def test_a_year_filter_finds_the_records_whose_range_reaches_it(indexed):
    index, _ = indexed
    client = create_app(Config(index_dir=index)).test_client()
    body = client.get("/api/search", query_string={"q": "ф OR записка OR постановление OR шифротелеграмма",
                                                   "year_from": 1952, "year_to": 1952}).get_json()
    assert {hit["id"] for hit in body["hits"]} == {"GARF/R-5446/1/1", "ф.558 оп.11 д.62"}
