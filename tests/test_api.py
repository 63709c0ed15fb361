import re

import requests

from conftest import SEED_ID


def test_search_contract(client):
    response = client.get("/api/search", query_string={"q": "совета безопасности", "per_page": 5})
    assert response.status_code == 200
    assert response.content_type == "application/json"
    body = response.get_json()
    assert list(body)[:6] == ["query", "total", "page", "per_page", "took_ms", "hits"]
    assert body["query"] == "совета безопасности"
    assert body["page"] == 1 and body["per_page"] == 5 and body["total"] >= 1
    hit = body["hits"][0]
    assert set(hit) >= {"id", "title", "date", "score", "url", "snippets"}
    assert hit["id"] == SEED_ID
    assert hit["date"] == "1950-08-27"
    assert hit["url"].startswith(f"/documents/{SEED_ID}?q=")
    assert set(hit["snippets"]) == {"ru", "en"}
    assert "<mark>Совета</mark>" in hit["snippets"]["ru"]


def test_language_key_absent_when_the_record_has_no_such_text(client):
    hit = client.get("/api/search", query_string={"q": "Бенешем"}).get_json()["hits"][0]
    assert hit["id"] == "test-benes"
    assert set(hit["snippets"]) == {"ru"}


def test_errors_are_json_4xx(client):
    for params, status, code in [({"q": "x", "page": "-1"}, 400, "bad_query"),
                                 ({"q": "x", "sort": "score"}, 400, "bad_query"),
                                 ({"q": "x", "lang": "fr"}, 400, "bad_query")]:
        response = client.get("/api/search", query_string=params)
        assert response.status_code == status
        assert response.get_json()["error"]["code"] == code
        assert response.get_json()["error"]["message"]


def test_title_is_plain_text_and_snippets_escaped(client):
    body = client.get("/api/search", query_string={"q": "payload"}).get_json()
    hit = body["hits"][0]
    assert hit["title"] == "<script>alert('title')</script> Payload record"
    assert "<script>" not in hit["snippets"]["en"]


def test_document_endpoint(client):
    response = client.get(f"/api/documents/{SEED_ID}")
    assert response.status_code == 200
    record = response.get_json()
    assert record["id"] == SEED_ID
    assert record["texts"]["en"].startswith("Top Secret")
    assert record["translator"] == "Gary Goldberg"
    missing = client.get("/api/documents/no-such-record")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"


def test_health(client):
    assert client.get("/health").get_json() == {"status": "ok", "documents": 4}


def test_search_page_works_without_javascript(client):
    page = client.get("/", query_string={"q": "Готвальдом"}).get_data(as_text=True)
    assert f'href="/documents/{SEED_ID}?q=' in page
    assert "<mark>Готвальду</mark>" in page
    # The one script completes words in the box; the page needs it for nothing else.
    assert re.findall(r"<script[^>]*>[^<]*</script>", page) == ['<script src="/autocomplete.js" defer></script>']


def test_search_page_escapes_records_and_queries(client):
    page = client.get("/", query_string={"q": "payload <script>alert(9)</script>"}).get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page
    assert "<img src=x onerror" not in page


def test_document_page_highlights_the_query(client):
    page = client.get(f"/documents/{SEED_ID}", query_string={"q": "совета"}).get_data(as_text=True)
    assert re.search(r"<mark id=\"m-\d+\">Совете</mark>", page)
    assert "Gary Goldberg" in page
    xss = client.get("/documents/test-xss").get_data(as_text=True)
    assert "<script>alert" not in xss and "<img src=x" not in xss


def test_pages_send_security_headers(client):
    response = client.get("/")
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_real_server_answers(live_server):
    health = requests.get(f"{live_server}/health", timeout=10)
    assert health.json()["status"] == "ok"
    body = requests.get(f"{live_server}/api/search", params={"q": "withdrawal"}, timeout=10).json()
    assert body["hits"][0]["id"] == SEED_ID
    assert requests.get(f"{live_server}/api/search", params={"q": ""}, timeout=10).json()["sort"] == "date"
    assert requests.get(f"{live_server}/", params={"q": "Готвальд"}, timeout=10).status_code == 200
