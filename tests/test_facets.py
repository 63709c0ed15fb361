"""Facets, date order and browsing on a real index: the seed letter plus tests/data/facets.jsonl, records
with `collection` and `type` and every kind of date (a day, a month, a year, a range, none)."""

from __future__ import annotations

import pytest

from search_service.config import Config, SettingError
from search_service.deadline import Deadline
from search_service.engine import Engine, Filters
from search_service.engine.facets import COUNT_CHUNK, FacetCheck, count_facets
from search_service.web.app import create_app
from conftest import SEED_ID, TEST_DATA, build_test_index

VOLUME_A = "frus-test-volume-a"
MARKUP = "<script>alert('collection')</script> & <b>bold</b>"
# Volume A oldest first: a range sorts by its start (1917-11), a year by its first day, a month
# by its first day (tied with 1918-03-01, so by id), then the undated ones by id.
VOLUME_A_BY_DATE = ["facet-a4", "facet-a3", "facet-a0", "facet-a2", "facet-a1", "facet-a5", "facet-a6"]
VOLUME_A_NEWEST = ["facet-a1", "facet-a0", "facet-a2", "facet-a3", "facet-a4", "facet-a5", "facet-a6"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    index_dir = build_test_index(tmp_path_factory, "facets", TEST_DATA / "facets.jsonl")
    return create_app(Config(index_dir=index_dir)).test_client()


def api(client, **params) -> dict:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def counts(body: dict, facet: str) -> dict[str, int]:
    return {entry["value"]: entry["count"] for entry in body["facets"][facet]}


@pytest.mark.parametrize("q", ["treaty", "договор", ""])
def test_facet_counts_equal_the_filtered_totals(client, q):
    body = api(client, q=q)
    assert set(body["facets"]) == {"collection", "type", "lang"}
    for facet in ("collection", "type", "lang"):
        for value, count in counts(body, facet).items():
            total = api(client, q=q, **{facet: value})["total"]
            if facet == "lang" and q:
                # With a query, `lang` also narrows the text searched to that language's: the count
                # is of the matches that have text in it.
                assert count >= total, value
            else:
                assert count == total, (facet, value)


def test_facets_are_disjunctive(client):
    body = api(client, q="treaty", collection=VOLUME_A)
    assert body["total"] == 7
    # The other collections are still offered, with what choosing them would add.
    assert counts(body, "collection") == counts(api(client, q="treaty"), "collection")
    assert counts(body, "type") == {"Letter": 5, "Telegram": 2}
    both = api(client, q="treaty", collection=[VOLUME_A, "Volume B"])
    assert both["total"] == 7 + api(client, q="treaty", collection="Volume B")["total"]
    letters = api(client, q="treaty", collection=VOLUME_A, type="Letter")
    assert letters["total"] == 5
    assert counts(letters, "collection")["Volume B"] == api(client, q="treaty", collection="Volume B",
                                                            type="Letter")["total"]


def test_facets_combine_with_years_and_language(client):
    body = api(client, q="treaty", collection=VOLUME_A, year_from="1918", year_to="1918")
    assert body["total"] == 5  # the range 1917-11/1918-02 overlaps 1918
    assert {year["year"]: year["count"] for year in body["years"]} == {1917: 1, 1918: 4}
    assert api(client, q="", collection=VOLUME_A, lang="ru")["total"] == 1
    assert counts(api(client, q="", collection=VOLUME_A, lang="ru"), "lang") == {"en": 7, "ru": 1}


def test_an_unknown_facet_value_finds_nothing(client):
    for q in ("treaty", ""):
        body = api(client, q=q, collection="no such volume")
        assert body["total"] == 0 and body["hits"] == []


def test_browsing_a_collection_in_date_order_across_pages(client):
    pages = [api(client, collection=VOLUME_A, per_page="3", page=str(page)) for page in (1, 2, 3)]
    assert [body["sort"] for body in pages] == ["date"] * 3
    assert all(body["total"] == 7 for body in pages)
    assert [hit["id"] for body in pages for hit in body["hits"]] == VOLUME_A_BY_DATE


@pytest.mark.parametrize("q", ["", "treaty"])
def test_date_orders_put_undated_records_last(client, q):
    oldest = api(client, q=q, collection=VOLUME_A, sort="date", per_page="50")
    newest = api(client, q=q, collection=VOLUME_A, sort="-date", per_page="50")
    assert [hit["id"] for hit in oldest["hits"]] == VOLUME_A_BY_DATE
    assert [hit["id"] for hit in newest["hits"]] == VOLUME_A_NEWEST


def test_a_query_defaults_to_relevance_and_browsing_to_date(client):
    assert api(client, q="treaty")["sort"] == "relevance"
    assert api(client)["sort"] == "date"
    assert api(client, sort="relevance")["sort"] == "date"  # nothing to rank without a query
    assert client.get("/api/search", query_string={"q": "treaty", "sort": "newest"}).status_code == 400


def test_browsing_lists_every_record(client):
    body = api(client, per_page="50")
    assert body["total"] == 11  # the seed letter and the ten facet records
    assert sum(counts(body, "lang").values()) >= body["total"]


def test_markup_in_a_facet_value_is_text(client):
    assert MARKUP in counts(api(client, q="treaty"), "collection")
    html = client.get("/", query_string={"q": "treaty"}).get_data(as_text=True)
    assert "<script>alert('collection')" not in html and "<i>Note</i>" not in html
    assert "&lt;script&gt;alert(" in html and "&lt;i&gt;Note&lt;/i&gt;" in html


def test_the_search_page_has_a_facet_panel_and_a_sort_control(client):
    html = client.get("/", query_string={"q": "treaty", "collection": VOLUME_A, "sort": "-date"}).get_data(
        as_text=True)
    assert f'name="collection" value="{VOLUME_A}" checked' in html
    assert 'name="collection" value="Volume B">' in html
    assert '<option value="-date" selected>' in html
    assert html.index("Record facet-a1") < html.index("Record facet-a4")
    # Page links keep the query, the filters and the order.
    page = client.get("/", query_string={"collection": VOLUME_A, "per_page": "3"}).get_data(as_text=True)
    assert f"collection={VOLUME_A}" in page and "per_page=3&amp;page=2" in page.replace("page=2&amp;per_page=3",
                                                                                         "per_page=3&amp;page=2")


def test_the_empty_search_page_browses(client):
    html = client.get("/").get_data(as_text=True)
    assert "Record facet-a4" in html and 'class="facets"' in html


@pytest.mark.parametrize("q, ids", [
    ("collection:frus-test-volume-a", set(VOLUME_A_BY_DATE)),
    ('collection:"volume  b"', {"facet-b1", "facet-b2"}),  # case and spacing aside
    ("type:Письмо", {"facet-b2"}),
    ("type:письмо договор", {"facet-b2"}),
    ("treaty type:Telegram", {"facet-a2", "facet-a5"}),
    ("treaty NOT collection:frus-test-volume-a", {"facet-b1", "facet-x1"}),
    ("lang:ru collection:frus-test-volume-a", {"facet-a2"}),
])
def test_facet_values_can_be_searched(client, q, ids):
    # Words as typed: through translation `treaty` would also find a Russian letter's `договор`.
    body = api(client, q=q, per_page="50", translate="0")
    assert {hit["id"] for hit in body["hits"]} == ids
    assert body["total"] == len(ids)


def test_a_relaxed_query_keeps_its_facet_values(client):
    body = api(client, q="type:Telegram ratified armistice telegram", per_page="50")
    assert body["relaxed"] and {hit["id"] for hit in body["hits"]} <= {"facet-a2", "facet-a5"}


def test_a_record_page_leads_back_to_the_same_search(client):
    search = {"q": "treaty", "collection": VOLUME_A, "sort": "-date", "per_page": "3", "page": "2"}
    html = client.get("/", query_string=search).get_data(as_text=True)
    record_url = html[html.index('href="/documents/facet-a3'):].split('"')[1].replace("&amp;", "&")
    page = client.get(record_url).get_data(as_text=True)
    back = page[page.index('<p class="back"><a href="'):].split('"')[3].replace("&amp;", "&")
    assert back.startswith("/?")
    assert dict(item.split("=") for item in back[2:].split("&")) == {**search, "collection": VOLUME_A}


def test_facets_come_from_the_setting(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("SEARCH_FACETS", " translator, collection ,")
    assert Config.from_env().facets == ("translator", "collection")
    monkeypatch.setenv("SEARCH_FACETS", "a b")
    with pytest.raises(SettingError, match="SEARCH_FACETS"):
        Config.from_env()


def test_a_record_page_links_its_collection_and_type_to_browsing_them(client):
    html = client.get("/documents/facet-b2").get_data(as_text=True)
    assert '<a href="/?collection=Volume+B">Volume B</a>' in html
    assert '<a href="/?type=%D0%9F%D0%B8%D1%81%D1%8C%D0%BC%D0%BE">Письмо</a>' in html
    marked = client.get("/documents/facet-x1").get_data(as_text=True)
    assert "<i>Note</i>" not in marked and "&lt;i&gt;Note&lt;/i&gt;</a>" in marked
    browsed = client.get("/", query_string={"collection": "Volume B"}).get_data(as_text=True)
    assert browsed.index("Record facet-b2") < browsed.index("Record facet-b1")  # 1919 before 1920


def test_counting_stops_at_the_deadline(tmp_path_factory):
    engine = Engine.open(build_test_index(tmp_path_factory, "facets-deadline", TEST_DATA / "facets.jsonl"))
    table = engine.index.facet_table(engine.index.searcher())
    records = table.orders["date"] * (2 * COUNT_CHUNK // len(table.orders["date"]) + 1)  # more than two chunks
    check = FacetCheck(table, (("collection", (VOLUME_A,)),))
    counted = count_facets(table, records, ("collection",), check, Deadline(at=0))
    assert counted.timed_out and 0 < len(counted.passing) < len(records) * 7 // 11
    late = engine.browse(1, 10, Filters(facets=(("collection", (VOLUME_A,)),)), Deadline(at=0))
    assert late.total <= 7 and not late.timed_out  # one chunk is always counted: a small index answers whole


def test_the_words_of_facet_values_count_in_plain_queries_with_a_low_weight(client):
    body = api(client, q="letter")
    letters = {"facet-a0", "facet-a1", "facet-a3", "facet-a4", "facet-a6", "facet-b1"}  # type: Letter
    assert {hit["id"] for hit in body["hits"]} == letters | {SEED_ID}  # the seed letter says "letter"
    # The records with the word in their own text come first.
    assert {hit["id"] for hit in body["hits"][:2]} == {"facet-a6", SEED_ID}


def test_a_query_error_keeps_the_chosen_filters_for_the_next_search(client):
    page = client.get("/", query_string={"q": "a*", "collection": VOLUME_A, "type": ["Letter", "Telegram"]})
    html = page.get_data(as_text=True)
    assert 'role="alert"' in html
    for name, value in (("collection", VOLUME_A), ("type", "Letter"), ("type", "Telegram")):
        assert f'<input type="hidden" form="search-form" name="{name}" value="{value}">' in html
