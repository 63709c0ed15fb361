"""Hostile input: every bad query, parameter or id gets a clear 4xx JSON error or a sensible search,
never a 5xx; hostile records and queries come out escaped; security headers; rate limiting."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import requests

from conftest import SEED_ID, TEST_DATA, build_test_index
from search_service.web.app import create_app
from search_service.config import Config

HOSTILE_ID = "hostile-markup"


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    return build_test_index(tmp_path_factory, "hostile-index", TEST_DATA / "hostile.jsonl")


@pytest.fixture(scope="module")
def hostile_client(hostile_index):
    return create_app(Config(index_dir=hostile_index)).test_client()


def search(client, **params):
    return client.get("/api/search", query_string=params)


def assert_bad_request(response, *words: str) -> str:
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.content_type == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == "bad_query"
    for word in words:
        assert word in error["message"]
    return error["message"]


# Query text -------------------------------------------------------------------------------------

@pytest.mark.parametrize("q, words", [
    ("x" * 1001, ["1001 characters", "limit is 1000"]),
    ("*", ["no words"]),
    ("?", ["no words"]),
    (":", ["no words"]),
    ("( ) \" * ? :", ["no words"]),
    ("\ufffd\ufffd", ["no words"]),
    ("😀🇷🇺", ["no words"]),
    ("а*", ["`а*` is too short", "at least 2 letters"]),
    ("*a*", ["too short"]),
    ("Готвальд с*", ["`с*` is too short"]),
    (" ".join(f"слово{i}" for i in range(51)), ["51 words", "limit is 50"]),
    ("a OR " * 60 + "b", ["61 words"]),
])
def test_queries_refused_with_a_reason(hostile_client, q, words):
    assert_bad_request(search(hostile_client, q=q), *words)


@pytest.mark.parametrize("q", [
    '"Совете Безопасности',        # unbalanced quote: the words are searched
    "(совета безопасности",        # unbalanced parenthesis
    "совета) безопасности)",
    "NOT NOT Готвальд",           # Whoosh's parser fails on this; plain words then
    "Готвальд AND",               # lone operators are words or ignored
    "OR Готвальд",
    "(" * 496 + "Готвальд" + ")" * 496,   # about the deepest nesting 1,000 characters allow
    "(" * 900 + "Готвальд",
    "record:Готвальд",             # not a searchable field: plain words
    "content_hash:Готвальд id:x year:abc langs:ru",
    "foo:Готвальд",
    "Готвальд\x00",                # NUL, other controls, bidi overrides, zero-width and emoji
    "\u202eГотвальд\u202c",
    "Гот\u200dвальд",
    "😀 Готвальд 🇷🇺",
    "Готвальд~2 Gottwald~2",
    "Готвальд^100",
    "Готвальд\ufffd",
])
def test_odd_syntax_still_finds_the_letter(hostile_client, q):
    response = search(hostile_client, q=q)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert SEED_ID in [hit["id"] for hit in body["hits"]], (q, body)


def test_invisible_characters_are_removed_from_the_echoed_query(hostile_client):
    body = search(hostile_client, q="\u202eГотвальд\x00\u2066 Gottwald").get_json()
    assert body["query"] == "Готвальд  Gottwald"


@pytest.mark.parametrize("q", ["AND", "NOT", "OR", "AND OR NOT", "title:", ":title", "a~2 b~2 c~2 d~2 e~2",
                               "[a TO z]", "ru:(a OR", "*:*", "\\", "'", "''", '"" ""', "-", "NOT (a"])
def test_lone_operators_and_fragments_are_never_a_server_error(hostile_client, q):
    response = search(hostile_client, q=q)
    assert response.status_code in (200, 400), (q, response.status_code)
    assert response.content_type == "application/json"


# Parameters -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, value, words", [
    ("page", "x", ["page must be a whole number"]),
    ("page", "0", ["page must be between 1 and 1000"]),
    ("page", "-1", ["page must be a whole number"]),
    ("page", "1.5", ["whole number"]),
    ("page", "1e3", ["whole number"]),
    ("page", " 1", ["whole number"]),
    ("page", "+1", ["whole number"]),
    ("page", "１", ["whole number"]),
    ("page", "1_0", ["whole number"]),
    ("page", "9" * 5000, ["page must be between 1 and 1000"]),
    ("page", "1001", ["page must be between 1 and 1000"]),
    ("per_page", "51", ["per_page must be between 1 and 50"]),
    ("per_page", "0", ["per_page"]),
    ("per_page", "100000", ["per_page"]),
    ("lang", "fr", ["lang must be one of ru, en"]),
    ("lang", "RU", ["lang"]),
    ("lang", "ru,en", ["lang"]),
])
def test_bad_parameters_name_the_parameter(hostile_client, name, value, words):
    assert_bad_request(search(hostile_client, q="Готвальд", **{name: value}), *words)


def test_a_page_past_the_results_is_an_empty_200(hostile_client):
    body = search(hostile_client, q="Готвальд", page="1000", per_page="50").get_json()
    assert body["hits"] == [] and body["total"] >= 1 and body["page"] == 1000


@pytest.mark.parametrize("query_string, words", [
    ("q=a&q=b", ["q is given 2 times"]),
    ("q=Gottwald&page=1&page=2", ["page is given 2 times"]),
    ("q=Gottwald&lang=ru&lang=en&lang=ru", ["lang is given 3 times"]),
])
def test_repeated_parameters_are_refused(hostile_client, query_string, words):
    assert_bad_request(hostile_client.get(f"/api/search?{query_string}"), *words)


def test_unknown_parameters_are_ignored(hostile_client):
    assert hostile_client.get("/api/search?q=Gottwald&_=123&callback=x").status_code == 200


@pytest.mark.parametrize("query_string, status", [
    ("q=%FF%FE", 400),                                          # invalid UTF-8
    ("q=%D0%93%D0%BE%D1%82%D0%B2%D0%B0%D0%BB%D1%8C%D0%B4%C3", 400),  # Готвальд + a cut-off character
    ("q=Gottwald&lang=%C0%AF", 400),                            # an overlong encoding of /
    ("q=Gottwald&x=%ED%A0%80", 400),                            # an encoded surrogate, in any parameter
    ("q=Gottwald%ZZ%", 200),                                    # invalid percent-encoding stays literal
    ("q=Gottwald&page=%ZZ", 400),
    ("q=%00", 200),                                             # a blank query: browsing
])
def test_invalid_utf8_and_percent_encoding(hostile_client, query_string, status):
    response = hostile_client.get(f"/api/search?{query_string}")
    assert response.status_code == status
    assert response.content_type == "application/json"
    if status == 400 and "%ZZ" not in query_string and "%00" not in query_string:
        assert "not UTF-8" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("path", [
    "/api/documents/..%2F..%2Fetc%2Fpasswd",
    "/api/documents/../../etc/passwd",
    "/api/documents/%2e%2e/%2e%2e/etc/passwd",
    "/api/documents/" + "a" * 201,
    "/api/documents/" + "a" * 20000,
    "/api/documents/%00",
    "/api/documents/%FF%FE",
    "/api/documents/" + SEED_ID + "%00",
    "/api/documents/" + SEED_ID + "/..",
    "/api/documents/ " + SEED_ID,
])
def test_bad_document_ids_are_404_json(hostile_client, path):
    response = hostile_client.get(path)
    assert response.status_code == 404
    assert response.content_type == "application/json"
    assert response.get_json()["error"]["code"] == "not_found"
    assert len(response.get_data()) < 2000  # an over-long id is not echoed whole


@pytest.mark.parametrize("path", ["/documents/..%2F..%2Fetc%2Fpasswd", "/documents/" + "a" * 20000,
                                  "/documents/%00"])
def test_bad_document_ids_on_pages_are_404(hostile_client, path):
    assert hostile_client.get(path, headers={"Accept": "text/html"}).status_code == 404


def test_real_server_takes_a_full_length_cyrillic_query(live_server):
    """1,000 Cyrillic characters are 6,000 bytes percent-encoded: more than gunicorn's default request line."""
    ok = requests.get(f"{live_server}/api/search", params={"q": ("Готвальд " * 112)[:1000]}, timeout=30)
    assert ok.status_code == 400 and "limit is 50" in ok.json()["error"]["message"]  # the app answered
    long = requests.get(f"{live_server}/api/search", params={"q": "Ж" * 1001}, timeout=30)
    assert long.status_code == 400 and "limit is 1000" in long.json()["error"]["message"]
    raw = requests.get(f"{live_server}/api/search?q=%FF%FE%00&page=%ZZ", timeout=30)
    assert raw.status_code == 400 and raw.json()["error"]["code"] == "bad_query"
    traversal = requests.get(f"{live_server}/api/documents/..%2F..%2Fetc%2Fpasswd", timeout=30)
    assert traversal.status_code == 404 and traversal.json()["error"]["code"] == "not_found"


# Escaping ---------------------------------------------------------------------------------------

class _Elements(HTMLParser):
    """Every element and attribute of a page, and its text as a browser would show it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def parse_html(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


OWN_SCRIPTS = ("/static/", "/autocomplete.js")  # the service's own script files, never inline


def script_vectors(html: str) -> list[str]:
    """What in `html` could run script: inline or foreign scripts, frames, handlers, javascript: URLs."""
    found = []
    for tag, attrs in parse_html(html).elements:
        if tag == "script" and not attrs.get("src", "").startswith(OWN_SCRIPTS):
            found.append(f"<script {attrs}>")
        if tag in {"iframe", "frame", "object", "embed", "base", "style"}:
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}=...>")
            if value.strip().lower().replace("\x00", "").startswith(("javascript:", "data:text/html")):
                found.append(f"<{tag} {name}={value!r}>")
    return found


PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
            "javascript:alert(1)", "&lt;script&gt;alert(1)&lt;/script&gt;", "&#60;script&#62;",
            "</textarea><script>alert(1)</script>", "' onmouseover='alert(1)", "<mark onclick=alert(1)>x</mark>"]


def test_snippets_carry_only_our_own_mark(hostile_client):
    hit = search(hostile_client, q="hostile embassy депеша").get_json()["hits"][0]
    assert hit["id"] == HOSTILE_ID
    assert hit["title"].startswith("<script>alert('title')</script>")  # plain text, as stored
    for lang, snippet in hit["snippets"].items():
        parsed = parse_html(snippet)
        assert {tag for tag, _ in parsed.elements} == {"mark"}, snippet
        assert all(attrs == {} for _, attrs in parsed.elements), snippet
    shown = "".join(parse_html(hit["snippets"]["en"]).text)
    assert "<script>alert('en')</script>" in shown  # escaped, not dropped
    assert "&lt;script&gt; as entities, &#60;mark&#62; as numeric ones, <mark>a fake mark</mark>" in shown
    assert "<mark>поддельная</mark>" in "".join(parse_html(hit["snippets"]["ru"]).text)


def test_pages_escape_a_hostile_record(hostile_client):
    results = hostile_client.get("/", query_string={"q": "hostile embassy"}).get_data(as_text=True)
    record = hostile_client.get(f"/documents/{HOSTILE_ID}", query_string={"q": "embassy"}).get_data(as_text=True)
    for page in (results, record):
        assert script_vectors(page) == []
        shown = "".join(parse_html(page).text)
        assert "<script>alert('title')</script>" in shown
        assert "&lt;b&gt; &amp;lt;i&amp;gt; &#x3C;script&#x3E;" in shown
    shown = "".join(parse_html(record).text)
    assert "<svg onload=alert(3)>" in shown and "<iframe" in shown and "<mark>a fake mark</mark>" in shown
    assert [attrs for tag, attrs in parse_html(record).elements if tag == "mark"] == [{"id": "m-1"}]  # "embassy" only


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_queries_are_escaped_everywhere(hostile_client, payload):
    q = f"Готвальд {payload}"
    for path in ("/", f"/documents/{SEED_ID}", f"/documents/{HOSTILE_ID}"):
        page = hostile_client.get(path, query_string={"q": q}).get_data(as_text=True)
        assert script_vectors(page) == [], (path, payload)
    page = hostile_client.get("/", query_string={"q": q}).get_data(as_text=True)
    assert any(attrs.get("value") == q for tag, attrs in parse_html(page).elements if tag == "input")
    api = search(hostile_client, q=q)
    assert api.status_code in (200, 400)
    if api.status_code == 200:
        body = api.get_json()
        assert body["query"] == q  # JSON: plain text; a client inserts it as text
        for hit in body["hits"]:
            for snippet in hit["snippets"].values():
                assert {tag for tag, _ in parse_html(snippet).elements} <= {"mark"}
                assert all(attrs == {} for _, attrs in parse_html(snippet).elements)


def test_error_pages_escape_the_path(hostile_client):
    page = hostile_client.get("/nowhere/<script>alert(1)</script>", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert script_vectors(page.get_data(as_text=True)) == []


# Headers ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/?q=Gottwald", f"/documents/{SEED_ID}", "/api/search?q=Gottwald",
                                  "/api/search?q=", f"/api/documents/{SEED_ID}", "/health", "/nowhere",
                                  "/api/openapi.json"])
def test_every_response_sends_security_headers(hostile_client, path):
    response = hostile_client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    if path.startswith(("/api/", "/health", "/nowhere")):  # a client not asking for HTML gets JSON errors
        assert response.content_type == "application/json"
    else:
        assert response.content_type.startswith("text/html")


def test_unknown_methods_are_json_405(hostile_client):
    response = hostile_client.post("/api/search?q=x")
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"


# Rate limiting ----------------------------------------------------------------------------------

def test_rate_limit_answers_429_json_with_retry_after(hostile_index):
    client = create_app(Config(index_dir=hostile_index, rate_limit="3 per minute")).test_client()
    statuses = [search(client, q="Gottwald").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    limited = search(client, q="Gottwald")
    assert limited.status_code == 429
    assert limited.content_type == "application/json"
    error = limited.get_json()["error"]
    assert error["code"] == "rate_limited" and "3 per 1 minute" in error["message"]
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert client.get(f"/api/documents/{SEED_ID}").status_code == 429  # one budget per address
    assert client.get("/health").status_code == 200  # health checks are never limited
    other = client.get("/api/search?q=Gottwald", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200  # counted per client address


def test_trusted_proxy_address_is_the_client_address(hostile_index):
    client = create_app(Config(index_dir=hostile_index, rate_limit="1 per minute", trusted_proxies=1)).test_client()
    first = {"X-Forwarded-For": "203.0.113.1"}
    assert client.get("/api/search?q=Gottwald", headers=first).status_code == 200
    assert client.get("/api/search?q=Gottwald", headers=first).status_code == 429
    assert client.get("/api/search?q=Gottwald", headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 200


def test_no_rate_limit_by_default(hostile_client):
    assert {search(hostile_client, q="Gottwald").status_code for _ in range(40)} == {200}


# OpenAPI ----------------------------------------------------------------------------------------

def test_openapi_description_is_served_and_matches_the_routes(hostile_client):
    response = hostile_client.get("/api/openapi.json")
    assert response.status_code == 200 and response.content_type == "application/json"
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")

    def shape(path: str) -> str:
        return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)

    routes = {shape(rule.rule) for rule in hostile_client.application.url_map.iter_rules()
              if rule.rule.startswith(("/api/", "/health"))}
    assert {shape(path) for path in spec["paths"]} == routes  # every API route is described, admin included
    admin = [operation for path, item in spec["paths"].items() if path.startswith("/api/admin/")
             for operation in item.values()]
    assert admin and all(operation["security"] == [{"adminToken": []}] for operation in admin)
