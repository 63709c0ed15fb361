"""Pages, filters, citations, the interface languages and the embedding rules, through the Flask app."""

import re

import pytest

from conftest import SEED_ID
from search_service.web.app import create_app
from search_service.config import Config
from search_service.web.i18n import MESSAGES, choose_language, plural_index
from search_service.web.timeline import bars


def test_year_range_filters_hits_but_not_the_per_year_counts(client):
    everything = client.get("/api/search", query_string={"q": "council"}).get_json()
    assert {hit["id"] for hit in everything["hits"]} == {SEED_ID, "test-xss"}
    assert everything["years"] == [{"year": 1950, "count": 1}, {"year": 1999, "count": 1}]
    in_1950 = client.get("/api/search", query_string={"q": "council", "year_from": 1950, "year_to": 1950}).get_json()
    assert [hit["id"] for hit in in_1950["hits"]] == [SEED_ID]
    assert in_1950["total"] == 1
    assert in_1950["years"] == everything["years"]
    since_1960 = client.get("/api/search", query_string={"q": "council", "year_from": 1960}).get_json()
    assert [hit["id"] for hit in since_1960["hits"]] == ["test-xss"]


def test_year_range_combines_with_language(client):
    body = client.get("/api/search", query_string={"q": "совета", "lang": "ru", "year_to": 1960}).get_json()
    assert [hit["id"] for hit in body["hits"]] == [SEED_ID]
    assert body["years"] == [{"year": 1950, "count": 1}, {"year": 1999, "count": 1}]


@pytest.mark.parametrize("params, message", [
    ({"year_from": "1950s"}, "year_from must be a whole number"),
    ({"year_to": "0"}, "year_to must be between 1 and 9999"),
    ({"year_from": "2000", "year_to": "1990"}, "year_from (2000) must not be after year_to (1990)"),
])
def test_bad_year_range_is_a_clear_400(client, params, message):
    response = client.get("/api/search", query_string={"q": "council", **params})
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]


def test_hits_carry_the_citation(client):
    hit = client.get("/api/search", query_string={"q": "Gottwald"}).get_json()["hits"][0]
    assert hit["citation"].startswith("Russian State Archive of Socio-Political History")


def test_search_page_filters_timeline_and_pages(client):
    page = client.get("/", query_string={"q": "council", "per_page": 1, "ui": "en"}).get_data(as_text=True)
    assert "2 records" in page
    assert 'aria-label="1950: 1 record"' in page and 'aria-label="1999: 1 record"' in page
    assert 'href="/?q=council&amp;year_from=1950&amp;year_to=1950&amp;per_page=1"' in page
    assert 'rel="next" href="/?q=council&amp;per_page=1&amp;page=2"' in page
    second = client.get("/", query_string={"q": "council", "per_page": 1, "page": 2, "ui": "en"}).get_data(as_text=True)
    assert 'aria-current="page">2<' in second and 'rel="prev"' in second


def test_no_hits_message_says_what_to_try(client):
    page = client.get("/", query_string={"q": "zzzyxw", "ui": "en"}).get_data(as_text=True)
    assert "Nothing found for “zzzyxw”." in page
    assert MESSAGES["en"]["no_hits_hint"] in page
    assert MESSAGES["en"]["search_both"] not in page
    in_russian = client.get("/", query_string={"q": "zzzyxw", "lang": "ru", "ui": "en"}).get_data(as_text=True)
    assert '<a href="/?q=zzzyxw">Search Russian and English texts</a>' in in_russian
    in_range = client.get("/", query_string={"q": "council", "year_from": 2001, "ui": "en"}).get_data(as_text=True)
    assert "Nothing in from 2001." in in_range and "All years" in in_range


def test_interface_language_from_browser_switch_and_cookie(client):
    russian = client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="ru">' in russian and MESSAGES["ru"]["search_button"] in russian
    english = client.get("/", headers={"Accept-Language": "de, en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="en">' in english
    switched = client.get("/", query_string={"ui": "ru"}, headers={"Accept-Language": "en"})
    assert "ui=ru" in switched.headers["Set-Cookie"]
    remembered = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ru">' in remembered


def test_language_choice_and_russian_plurals():
    assert choose_language(None, None, "ru") == "ru"
    assert choose_language("en", "ru", "ru") == "en"
    assert choose_language("fr", None, None) == "en"
    assert [plural_index("ru", n) for n in (1, 2, 5, 11, 21, 22, 25, 112)] == [0, 1, 2, 2, 0, 1, 2, 2]


def test_record_page_side_by_side_highlighted_and_escaped(client):
    page = client.get(f"/documents/{SEED_ID}", query_string={"q": "совета", "ui": "en"}).get_data(as_text=True)
    assert 'class="texts side-by-side"' in page
    assert '<td lang="ru"' in page and '<td lang="en"' in page
    assert re.search(r'<mark id="m-\d+">Совета</mark>', page)
    assert f'href="/documents/{SEED_ID}/cite.ris"' in page and f'href="/documents/{SEED_ID}/cite.bib"' in page
    xss = client.get("/documents/test-xss").get_data(as_text=True)
    assert "<script>alert" not in xss and "<img src=x" not in xss
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in xss


def test_citation_downloads(client):
    ris = client.get(f"/documents/{SEED_ID}/cite.ris")
    assert ris.status_code == 200
    assert ris.headers["Content-Disposition"] == f'attachment; filename="{SEED_ID}.ris"; filename*=UTF-8\'\'{SEED_ID}.ris'
    lines = ris.get_data(as_text=True).split("\r\n")
    assert lines[0] == "TY  - MANSCPT" and "ER  - " in lines
    assert "DA  - 1950/08/27/" in lines and "PY  - 1950" in lines and "A4  - Gary Goldberg" in lines
    assert f"UR  - http://localhost/documents/{SEED_ID}" in lines
    assert any(line.startswith("AN  - Russian State Archive") for line in lines)
    assert any(line.startswith("AV  - Russian State Archive") for line in lines)
    bib = client.get(f"/documents/{SEED_ID}/cite.bib").get_data(as_text=True)
    assert bib.startswith(f"@misc{{{SEED_ID},\n")
    assert "  year = {1950}," in bib and "  translator = {Gary Goldberg}," in bib and bib.rstrip().endswith("}")
    assert "  title = {{Letter} from {Filipov} [{Stalin}] to {Soviet}" in bib
    payload = client.get("/documents/test-xss/cite.bib").get_data(as_text=True)
    assert r"entities \& inside" not in payload  # texts are not in the reference
    assert "title = {<script>alert('title')</script> {Payload} record}" in payload
    assert client.get("/documents/no-such/cite.ris").status_code == 404


def test_opensearch_description(client):
    response = client.get("/opensearch.xml")
    assert response.content_type.startswith("application/opensearchdescription+xml")
    assert 'template="http://localhost/?q={searchTerms}"' in response.get_data(as_text=True)
    assert 'rel="search" type="application/opensearchdescription+xml"' in client.get("/").get_data(as_text=True)


def test_widget_script_carries_both_languages(client):
    response = client.get("/widget.js")
    assert response.content_type.startswith("text/javascript")
    body = response.get_data(as_text=True)
    assert MESSAGES["ru"]["search_button"] in body and MESSAGES["en"]["open_all"] in body
    assert "{{" not in body


def test_public_api_answers_any_origin_by_default(client):
    for path in ("/api/search?q=council", f"/api/documents/{SEED_ID}"):
        response = client.get(path, headers={"Origin": "https://blog.example"})
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] in ("*", "https://blog.example")
    assert "Access-Control-Allow-Origin" not in client.get("/", headers={"Origin": "https://blog.example"}).headers


def test_admin_api_never_answers_cross_origin(client):
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}):
        response = client.post("/api/admin/reindex", headers=headers)
        assert response.status_code == 403, headers
        assert response.get_json()["error"]["code"] == "cross_origin"
        assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.options("/api/admin/reindex", headers={"Origin": "https://evil.example",
                                                              "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    same_origin = client.post("/api/admin/reindex", headers={"Origin": "http://localhost"})
    assert same_origin.get_json()["error"]["code"] != "cross_origin"


def test_allowed_origins_and_frame_ancestors_are_configurable(index_dir, monkeypatch):
    monkeypatch.setenv("SEARCH_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("SEARCH_FRAME_ANCESTORS", "https://a.example")
    client = create_app(Config.from_env(index_dir=index_dir)).test_client()
    allowed = client.get("/api/search?q=council", headers={"Origin": "https://b.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://b.example"
    refused = client.get("/api/search?q=council", headers={"Origin": "https://c.example"})
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert client.get("/embed").headers["Content-Security-Policy"].endswith("frame-ancestors https://a.example")
    assert client.get("/").headers["Content-Security-Policy"].endswith("frame-ancestors 'self'")


def test_default_embedding_policy(client):
    assert client.get("/embed?q=council").headers["Content-Security-Policy"].endswith("frame-ancestors *")
    assert "'unsafe-inline'" not in client.get("/embed?q=council").headers["Content-Security-Policy"]


def test_bad_origin_setting_is_refused(monkeypatch):
    monkeypatch.setenv("SEARCH_FRAME_ANCESTORS", "https://a.example; script-src *")
    with pytest.raises(ValueError, match="SEARCH_FRAME_ANCESTORS: 'https://a.example;' is not an origin"):
        Config.from_env()


def test_timeline_bars_fill_gaps_and_bin_long_spans():
    yearly = bars([(1950, 2), (1953, 1)], min_bars=1)
    assert [(bar.start, bar.count, bar.height) for bar in yearly] == [
        (1950, 2, 100.0), (1951, 0, 0.0), (1952, 0, 0.0), (1953, 1, 50.0)]
    decades = bars([(1901, 1), (1999, 3), (1995, 1)], max_bars=20)
    assert [(bar.start, bar.end) for bar in decades][:2] == [(1900, 1904), (1905, 1909)]
    assert decades[-1].start == 1995 and decades[-1].count == 4
    assert bars([]) == []
    widened = bars([(1950, 1)])
    assert [bar.start for bar in widened] == list(range(1945, 1956))
    assert [bar.count for bar in widened if bar.count] == [1]


def test_search_within_a_record_counts_and_numbers_its_matches(client):
    page = client.get(f"/documents/{SEED_ID}", query_string={"q": "Готвальду Gottwald", "ui": "en"}).get_data(
        as_text=True)
    numbers = [int(number) for number in re.findall(r'<mark id="m-(\d+)">', page)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 2
    assert f'data-matches="{len(numbers)}">{len(numbers)} matches</span>' in page
    assert '<a class="match-step" href="#m-1" data-step="1">First match</a>' in page
    assert 'action="/documents/' + SEED_ID + '"' in page and 'id="find-q" name="q" type="search" value="Готвальду Gottwald"' in page
    none = client.get(f"/documents/{SEED_ID}", query_string={"q": "Manchuria", "ui": "ru"}).get_data(as_text=True)
    assert "0 совпадений" in none and "match-step" not in none


@pytest.mark.parametrize("path", ["/", "/?q=council", "/embed", "/embed?q=council", f"/documents/{SEED_ID}",
                                  "/documents/no-such"])
def test_each_page_has_one_h1_and_the_favicon(client, path):
    page = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert page.count("<h1") == 1, path
    assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">' in page


def test_the_favicon_is_served(client):
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).startswith("<svg ")


def test_the_interface_cookie_is_secure_over_https(client, index_dir):
    assert "; Secure" in client.get("/?ui=ru", base_url="https://localhost").headers["Set-Cookie"]
    assert "Secure" not in client.application.test_client().get("/?ui=ru").headers["Set-Cookie"]
    proxied = create_app(Config(index_dir=index_dir, trusted_proxies=1)).test_client()
    behind_tls = proxied.get("/?ui=ru", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"})
    assert "; Secure" in behind_tls.headers["Set-Cookie"]
