"""Related records: the records most alike in content, in each of a record's languages, never the record itself."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from search_service.config import Config
from search_service.engine import Engine
from search_service.records import Record
from search_service.web.app import create_app

KOREA = "the armistice talks in Korea stalled over the exchange of prisoners of war at Panmunjom"
WHEAT = "the wheat harvest in the Ukraine failed and grain deliveries to the cities fell short"
RECORDS = [
    Record(id="korea/1", title="Korea one", date="1951", texts={"en": f"{KOREA}. Delegates met again."}),
    Record(id="korea/2", title="Korea two", date="1952", texts={"en": f"Panmunjom: {KOREA}."}),
    Record(id="korea/3", title="Korea three", date=None,
           texts={"en": "Prisoners of war at Panmunjom: the armistice in Korea.",
                  "ru": "Переговоры о перемирии в Корее в Панмыньчжоне."}),
    Record(id="wheat/1", title="Wheat one", date="1932", texts={"en": f"{WHEAT}."}),
    Record(id="wheat/2", title="Wheat two", date="1933", texts={"en": f"Grain: {WHEAT}.",
                                                                "ru": "Урожай пшеницы на Украине."}),
    Record(id="korea-ru", title="Корея", date="1951", texts={"ru": "Перемирие в Корее: переговоры в Панмыньчжоне "
                                                                   "о военнопленных."}),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("related")
    Engine.build(RECORDS, folder)
    return create_app(Config(index_dir=folder)).test_client()


def related_ids(client, record_id: str, **params) -> list[str]:
    answer = client.get(f"/api/documents/{quote(record_id)}/related", query_string=params)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["id"] == record_id
    return [hit["id"] for hit in body["hits"]]


def test_records_on_the_same_subject_come_first_and_never_the_record_itself(client):
    found = related_ids(client, "korea/1")
    assert "korea/1" not in found
    assert set(found[:2]) == {"korea/2", "korea/3"}
    assert related_ids(client, "wheat/1")[0] == "wheat/2"


def test_each_language_of_a_record_finds_its_own_kind(client):
    assert related_ids(client, "korea-ru")[0] == "korea/3"  # the one record with Korea in Russian


def test_hits_are_shaped_as_in_search_with_the_shared_terms_marked(client):
    hit = client.get("/api/documents/korea%2F2/related").get_json()["hits"][0]
    assert {"id", "title", "date", "citation", "score", "snippets", "passages", "url"} <= set(hit)
    assert "<mark>" in hit["snippets"]["en"] and hit["url"].startswith("/documents/korea/")


def test_the_limit_is_kept_and_checked(client):
    assert len(related_ids(client, "korea/1", limit=1)) == 1
    for bad in ("0", "21", "x"):
        answer = client.get("/api/documents/korea%2F1/related", query_string={"limit": bad})
        assert answer.status_code == 400 and "limit" in answer.get_json()["error"]["message"]
    assert client.get("/api/documents/nope/related").status_code == 404


def test_the_record_page_lists_related_records(client):
    page = client.get("/documents/wheat%2F1", query_string={"ui": "en"}).get_data(as_text=True)
    section = page[page.index("Related records"):]
    assert 'href="/documents/wheat/2"' in section and "Wheat two" in section
