"""Archive shelfmarks as ids and archive dates, through the index, the API, the pages and the citations."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from search_service.config import Config
from search_service.engine import Engine
from search_service.records import read_records
from search_service.web.app import create_app

RECORDS = [
    {"id": "RGASPI/558/11/62", "title": "Shelfmark letter", "date": 1950, "texts": {"en": "Korea armistice talks"}},
    {"id": "ф.17 оп.3 д.1083", "title": "Протокол", "date": "ca. 1950", "texts": {"ru": "Протокол заседания Политбюро"}},
    {"id": "range record", "title": "Range", "date": "1950-1952", "texts": {"en": "Korea armistice negotiations"}},
    {"id": "months?#%", "title": "Months", "date": "1950-08/1950-09", "texts": {"en": "Korea armistice months"}},
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("archive-ids")
    source = folder / "records.jsonl"
    source.write_text("\n".join(json.dumps(record, ensure_ascii=False) for record in RECORDS), encoding="utf-8")
    read = read_records([source])
    assert not read.errors, read.errors
    Engine.build(read.records, folder / "index")
    return create_app(Config(index_dir=folder / "index")).test_client()


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: record["id"])
def test_every_route_works_for_shelfmark_ids(client, record):
    url = f"/documents/{quote(record['id'])}"
    stored = client.get(f"/api{url}").get_json()
    assert stored["id"] == record["id"] and stored["date"] == str(record["date"])
    page = client.get(url)
    assert page.status_code == 200 and record["title"] in page.get_data(as_text=True)
    for extension in ("ris", "bib"):
        download = client.get(f"{url}/cite.{extension}")
        assert download.status_code == 200
        assert f"filename*=UTF-8''{quote(record['id'] + '.' + extension, safe='')}" in download.headers[
            "Content-Disposition"]
        assert download.headers["Content-Disposition"].isascii()


def test_hit_urls_lead_to_the_record_pages(client):
    hits = client.get("/api/search", query_string={"q": "korea armistice", "per_page": 10}).get_json()["hits"]
    assert {hit["id"] for hit in hits} == {"RGASPI/558/11/62", "range record", "months?#%"}
    for hit in hits:
        page = client.get(hit["url"].split("#")[0])
        assert page.status_code == 200 and hit["title"] in page.get_data(as_text=True)


@pytest.mark.parametrize("years, expected", [
    ((1951, 1951), {"range record"}),
    ((1950, 1950), {"RGASPI/558/11/62", "range record", "months?#%"}),
    ((1952, None), {"range record"}),
    ((None, 1949), set()),
])
def test_a_year_filter_matches_a_range_that_overlaps_it(client, years, expected):
    params = {"q": "korea", "year_from": years[0] or "", "year_to": years[1] or ""}
    body = client.get("/api/search", query_string=params).get_json()
    assert {hit["id"] for hit in body["hits"]} == expected
    # The timeline counts each record in the year its date starts, over every year.
    assert body["years"] == [{"year": 1950, "count": 3}]


def test_pages_show_ranges_and_approximate_dates(client):
    page = client.get("/", query_string={"q": "korea OR протокол", "ui": "en"}).get_data(as_text=True)
    assert "1950 – 1952" in page and "August 1950 – September 1950" in page
    assert '<time datetime="1950">1950 – 1952</time>' in page
    record = client.get(f"/documents/{quote('ф.17 оп.3 д.1083')}", query_string={"ui": "ru"}).get_data(as_text=True)
    assert '<time datetime="1950">около 1950</time>' in record
    english = client.get(f"/documents/{quote('ф.17 оп.3 д.1083')}", query_string={"ui": "en"}).get_data(as_text=True)
    assert "ca. 1950" in english


def test_citations_carry_ranges_and_say_what_they_cannot(client):
    bib = client.get(f"/documents/{quote('range record')}/cite.bib").get_data(as_text=True)
    assert "date = {1950/1952}" in bib and "year = {1950}" in bib and "Dated 1950-1952" in bib
    ris = client.get(f"/documents/{quote('ф.17 оп.3 д.1083')}/cite.ris").get_data(as_text=True)
    assert "PY  - 1950" in ris and "Dated ca. 1950" in ris and "ID  - ф.17 оп.3 д.1083" in ris
