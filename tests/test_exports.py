"""Result-list exports (/api/search.csv, .ris, .bib) read back with Python's csv module, rispy and
bibtexparser, on a real index; the reference fields reference managers import; the page's links."""

from __future__ import annotations

import csv
import io
import json

import bibtexparser
import pytest
import rispy

from conftest import SEED_ID, build_test_index
from search_service.config import Config, SettingError
from search_service.service import export
from search_service.web.app import create_app

COUNCILS = 80  # more than the collector reads between two looks at the clock
FORMULA = {"id": "formula", "title": '=HYPERLINK("http://evil.example","x") council', "date": "1951",
           "citation": "+cmd|' /C calc'!A0", "collection": "@SUM(1+1)", "type": "-2+3",
           "texts": {"en": "A council formula."}}
CYRILLIC = {"id": "письмо-558", "title": "Письмо Готвальду о совете", "date": "1950-09",
            "citation": "РГАСПИ, ф. 558", "collection": "Фонд 558", "type": "Письмо",
            "translator": "Иван Петров", "texts": {"ru": "Письмо о совете безопасности.", "en": "A letter on the council."}}
COLUMNS = ["id", "title", "date", "citation", "collection", "type", "lang", "url"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export-records")
    councils = [{"id": f"council-{number:02d}", "title": f"Council note {number}", "date": str(1940 + number % 30),
                 "collection": f"box-{number % 3}", "type": "Note",
                 "texts": {"en": "council " * (1 + number % 7) + "minutes of the meeting"}}
                for number in range(COUNCILS)]
    twins = [{"id": twin, "title": "Twin", "date": None, "texts": {"en": "A duplicate shelfmark."}} for twin in ("box/1", "box 1")]
    lines = (json.dumps(record, ensure_ascii=False) for record in [*councils, FORMULA, CYRILLIC, *twins])
    (folder / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    index_dir = build_test_index(tmp_path_factory, "export-index", folder / "records.jsonl")
    return create_app(Config(index_dir=index_dir)).test_client()


def _csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))


def _search_ids(client, **params) -> list[str]:
    """Every id /api/search gives for `params`, page by page."""
    ids, page = [], 1
    while True:
        hits = client.get("/api/search", query_string={**params, "page": page, "per_page": 10}).get_json()["hits"]
        if not hits:
            return ids
        ids += [hit["id"] for hit in hits]
        page += 1


def test_csv_is_the_search_list_in_its_order(client):
    expected = _search_ids(client, q="council")
    assert len(expected) == COUNCILS + 3  # the seed names the Security Council too
    response = client.get("/api/search.csv", query_string={"q": "council"})
    assert response.status_code == 200 and response.content_type == "text/csv; charset=utf-8"
    assert response.headers["X-Search-Total"] == str(len(expected))
    assert response.headers["X-Search-Timed-Out"] == "false"
    assert [row["id"] for row in _csv_rows(response)] == expected
    limited = client.get("/api/search.csv", query_string={"q": "council", "limit": 7, "page": 3})
    assert [row["id"] for row in _csv_rows(limited)] == expected[:7]
    filtered = client.get("/api/search.csv", query_string={"q": "council", "lang": "ru"})
    assert [row["id"] for row in _csv_rows(filtered)] == _search_ids(client, q="council", lang="ru")


def test_csv_columns_bom_and_cyrillic(client):
    response = client.get("/api/search.csv", query_string={"q": "совет"})
    assert response.get_data().startswith(b"\xef\xbb\xbf")
    text = response.get_data().decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == COLUMNS
    row = next(row for row in _csv_rows(response) if row["id"] == CYRILLIC["id"])
    assert row["title"] == CYRILLIC["title"] and row["collection"] == "Фонд 558" and row["type"] == "Письмо"
    assert row["lang"] == "en, ru" and row["date"] == "1950-09"
    assert row["url"] == "http://localhost/documents/%D0%BF%D0%B8%D1%81%D1%8C%D0%BC%D0%BE-558"


def test_csv_cells_that_would_be_formulas_are_text(client):
    row = next(row for row in _csv_rows(client.get("/api/search.csv?q=formula")) if row["id"] == "formula")
    assert row["title"] == "'" + FORMULA["title"]
    assert row["citation"] == "'+cmd|' /C calc'!A0"
    assert row["collection"] == "'@SUM(1+1)" and row["type"] == "'-2+3"
    table = export.csv_text([], ("note",), str)
    assert table == "\ufeffid,title,date,citation,note,lang,url\r\n"


def test_the_facet_columns_follow_the_setting(client, monkeypatch):
    monkeypatch.setenv("SEARCH_FACETS", "type, fond")
    assert Config.from_env().facets == ("type", "fond")
    monkeypatch.setenv("SEARCH_FACETS", "")
    assert Config.from_env().facets == ("collection", "type")
    monkeypatch.setenv("SEARCH_FACETS", "type;drop")
    with pytest.raises(SettingError, match="SEARCH_FACETS"):
        Config.from_env()
    app = create_app(Config(index_dir=client.application.config["SEARCH"].index_dir, facets=("type",)))
    header = app.test_client().get("/api/search.csv?q=formula").get_data().decode("utf-8-sig").splitlines()[0]
    assert header == "id,title,date,citation,type,lang,url"


def test_downloads_are_named_after_the_query(client):
    for extension, mimetype in (("csv", "text/csv"), ("ris", "application/x-research-info-systems"),
                                ("bib", "application/x-bibtex")):
        response = client.get(f"/api/search.{extension}", query_string={"q": 'council "minutes"'})
        assert response.mimetype == mimetype
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="search-council-minutes.{extension}"; '
            f"filename*=UTF-8''search-council-minutes.{extension}")
    cyrillic = client.get("/api/search.ris", query_string={"q": "совет/безопасности"})
    assert cyrillic.headers["Content-Disposition"].endswith(
        "filename*=UTF-8''search-%D1%81%D0%BE%D0%B2%D0%B5%D1%82-%D0%B1%D0%B5%D0%B7%D0%BE%D0%BF%D0%B0%D1%81%D0%BD"
        "%D0%BE%D1%81%D1%82%D0%B8.ris")


def test_ris_list_reads_in_a_ris_parser(client):
    expected = _search_ids(client, q="council")
    entries = rispy.loads(client.get("/api/search.ris?q=council").get_data(as_text=True))
    assert [entry["id"] for entry in entries] == expected
    assert {entry["type_of_reference"] for entry in entries} == {"MANSCPT"}
    seed = next(entry for entry in entries if entry["id"] == SEED_ID)
    assert seed["subsidiary_authors"] == ["Gary Goldberg"]  # A4: the translator
    assert seed["accession_number"].startswith("Russian State Archive")  # AN
    assert seed["unknown_tag"]["AV"] == [seed["accession_number"]]
    assert seed["urls"] == [f"http://localhost/documents/{SEED_ID}"]
    letter = rispy.loads(client.get("/api/search.ris?q=совет").get_data(as_text=True))
    assert next(entry for entry in letter if entry["id"] == CYRILLIC["id"])["subsidiary_authors"] == ["Иван Петров"]


def test_bibtex_list_reads_in_a_bibtex_parser(client):
    expected = _search_ids(client, q="council")
    library = bibtexparser.parse_string(client.get("/api/search.bib?q=council").get_data(as_text=True))
    assert not library.failed_blocks
    keys = [entry.key for entry in library.entries]
    assert keys == [key.replace("письмо", "pismo") for key in expected]
    seed = next(entry for entry in library.entries if entry.key == SEED_ID)
    assert seed.entry_type == "misc" and seed["translator"] == "Gary Goldberg"
    assert seed["title"].startswith("{Letter} from {Filipov} [{Stalin}] to {Soviet} {Ambassador} in {Prague},")
    formula = next(entry for entry in library.entries if entry.key == "formula")
    assert formula["title"] == '={HYPERLINK}("http://evil.example","x") council'
    twins = bibtexparser.parse_string(client.get("/api/search.bib?q=duplicate").get_data(as_text=True))
    assert not twins.failed_blocks and sorted(entry.key for entry in twins.entries) == ["box-1", "box-1-2"]


def test_an_export_cut_by_the_deadline_says_so_and_still_parses(client, monkeypatch):
    monkeypatch.setattr(export.Deadline, "after", classmethod(lambda cls, seconds: cls(0.0)))
    response = client.get("/api/search.csv", query_string={"q": "council"})
    assert response.status_code == 200
    assert response.headers["X-Search-Timed-Out"] == "true"
    rows = _csv_rows(response)
    assert len(rows) < COUNCILS and all(set(row) == set(COLUMNS) and row["id"] for row in rows)


def test_bad_parameters_are_json_400s(client):
    for params in ({"q": "council", "limit": "0"}, {"q": "council", "limit": "1001"},
                   {"q": "council", "limit": "ten"}, {"q": "council", "lang": "fr"}, {"sort": "random"}):
        response = client.get("/api/search.csv", query_string=params)
        assert response.status_code == 400, params
        assert response.get_json()["error"]["code"] == "bad_query"


def test_the_search_page_links_the_list_downloads(client):
    page = client.get("/", query_string={"q": "council", "lang": "en", "page": 2, "ui": "en"}).get_data(as_text=True)
    for extension in ("csv", "ris", "bib"):
        assert f'href="/api/search.{extension}?q=council&amp;lang=en" download' in page
    assert "/api/search.csv" not in client.get("/?q=nothingmatchesthis").get_data(as_text=True)
    assert "/api/search.csv" not in client.get("/embed?q=council").get_data(as_text=True)


def test_the_list_follows_the_keyboard_layout_correction_and_reads_no_positions(client):
    typed = client.get("/api/search", query_string={"q": "ujndfkml"}).get_json()  # готвальд on a Latin layout
    assert typed["corrected"] and typed["hits"]
    exported = _csv_rows(client.get("/api/search.csv", query_string={"q": "ujndfkml"}))
    assert [row["id"] for row in exported] == [hit["id"] for hit in typed["hits"]]
    engine = client.application.extensions["search_engine"]
    assert all(hit.spans == {} for hit in engine.search("council", 1, 50, spans=False).hits)
    assert any(hit.spans for hit in engine.search("council", 1, 50).hits)
