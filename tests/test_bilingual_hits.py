"""Bilingual hits (issue 8): the matching passage beside its aligned translation, in search results, the
API and the record page; the alignment stored at indexing and kept up to date by incremental rebuilds."""

from __future__ import annotations

import re

from search_service.text.alignment import Alignment, Bead, align_texts, passages
from search_service.engine import Engine
from search_service.engine.build import building
from search_service.engine.build.generations import rebuild_lock
from search_service.service.snippets import passage_snippets
from search_service.records import Record
from search_service.service.search import SearchOptions, search
from search_service.service.highlight import find_matches

from conftest import SEED_ID


def hit_for(engine, query: str, **options):
    hits = search(engine, SearchOptions(query=query, **options)).hits
    assert hits and hits[0].id == SEED_ID, [hit.id for hit in hits]
    return hits[0]


def test_russian_words_mark_their_passage_and_show_its_english_translation_beside_it(engine):
    hit = hit_for(engine, "гоминьдановское чучело")
    assert hit.passages == {"ru": [4], "en": [5]}
    assert hit.anchor == "p-ru-4"
    assert hit.snippets["ru"].startswith("… Во-вторых, с целью подчеркнуть")
    assert "признающей <mark>гоминьдановское</mark> <mark>чучело</mark> в Совете" in hit.snippets["ru"]
    assert hit.snippets["en"].startswith("… Second, to underscore the foolishness")
    assert "recognizing the Guomindang puppet in the Security Council" in hit.snippets["en"]
    assert "<mark>" not in hit.snippets["en"]


def test_english_words_mark_their_passage_and_show_its_russian_original_beside_it(engine):
    hit = hit_for(engine, "Guomindang puppet")
    assert hit.passages == {"ru": [4], "en": [5]}
    assert hit.anchor == "p-en-5"
    assert "recognizing the <mark>Guomindang</mark> <mark>puppet</mark> in the" in hit.snippets["en"]
    assert "признающей гоминьдановское чучело в Совете" in hit.snippets["ru"]
    assert "<mark>" not in hit.snippets["ru"]


def test_the_translation_is_marked_where_the_query_matches_it_too(engine):
    hit = hit_for(engine, "Gottwald OR Готвальду")
    assert hit.passages["ru"][0] == 1 and hit.passages["en"][0] == 2  # 'Top Secret' and 'Prague' come first in English
    assert hit.snippets["ru"].startswith("… Передайте <mark>Готвальду</mark> на словах")
    assert hit.snippets["en"].startswith("… Pass <mark>Gottwald</mark> the following message")


def test_several_matching_passages_lead_with_the_best_and_stay_short(engine):
    hit = hit_for(engine, "совета безопасности")
    # Passage 4 names the Security Council three times; two more passages follow, in text order.
    assert hit.passages == {"ru": [4, 10, 11], "en": [5]}
    assert hit.snippets["ru"].count(" … ") == 2  # three fragments
    assert len(re.sub(r"</?mark>", "", hit.snippets["ru"])) < 3 * 200
    assert "Security Council" in hit.snippets["en"] and len(hit.snippets["en"]) < 200


def test_a_passage_without_translation_shows_the_other_text_from_its_opening(engine):
    # 'Prague, Soviet Ambassador' is a header only the English has. As typed: through translation a
    # short Russian record that names Прага outscores the letter.
    hit = hit_for(engine, "Prague", translate=False)
    assert hit.anchor == "p-en-1" and hit.passages == {"ru": [0], "en": [1]}
    assert hit.snippets["ru"].startswith("Cовершенно секретно Передайте Готвальду")


def test_language_filter_gives_one_language_and_its_passages(engine):
    hit = hit_for(engine, "Guomindang", lang="en")
    assert set(hit.snippets) == set(hit.passages) == {"en"}
    assert hit.passages["en"] == [5] and hit.anchor == "p-en-5"


def test_api_gives_passage_positions_and_links_to_the_passage(client):
    body = client.get("/api/search", query_string={"q": "Guomindang puppet"}).get_json()
    hit = body["hits"][0]
    assert hit["id"] == SEED_ID
    assert hit["passages"] == {"ru": [4], "en": [5]}
    assert hit["url"] == f"/documents/{SEED_ID}?q=Guomindang+puppet#p-en-5"
    assert "anchor" not in hit
    # The positions count paragraphs as README says (split at blank lines): check them against the record.
    record = client.get(f"/api/documents/{SEED_ID}").get_json()
    assert "Guomindang puppet" in passages(record["texts"]["en"])[5].text
    assert "гоминьдановское чучело" in passages(record["texts"]["ru"])[4].text


def test_api_hit_with_no_text_match_links_to_the_record_top(client):
    hit = client.get("/api/search", query_string={"q": "title:Gottwald"}).get_json()["hits"][0]
    assert hit["url"] == f"/documents/{SEED_ID}?q=title%3AGottwald"
    assert hit["passages"] == {"ru": [0], "en": [0]}


def test_record_page_shows_aligned_rows_with_an_anchor_per_passage(client):
    page = client.get(f"/documents/{SEED_ID}", query_string={"q": "гоминьдановское чучело", "ui": "en"}
                      ).get_data(as_text=True)
    body = page[page.index("<tbody>"):page.index("</tbody>")]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    assert len(rows) == 14  # 13 Russian passages against 14 English: 'Prague, Soviet Ambassador' stands alone
    cells = [dict(re.findall(r'<td lang="(ru|en)"[^>]*>(.*?)</td>', row, re.S)) for row in rows]
    ids = [{lang: re.findall(r'<p id="(p-(?:ru|en)-\d+)">', cell) for lang, cell in row.items()} for row in cells]
    assert ids[0] == {"ru": ["p-ru-0"], "en": ["p-en-0"]}  # Cовершенно секретно / Top Secret
    assert ids[1] == {"ru": [], "en": ["p-en-1"]}
    assert ids[5] == {"ru": ["p-ru-4"], "en": ["p-en-5"]}
    assert ids[13] == {"ru": ["p-ru-12"], "en": ["p-en-13"]}
    every = [anchor for row in ids for found in row.values() for anchor in found]
    assert sorted(every) == sorted([f"p-ru-{i}" for i in range(13)] + [f"p-en-{i}" for i in range(14)])
    assert re.search(r'<mark id="m-\d+">гоминьдановское</mark> <mark id="m-\d+">чучело</mark>', cells[5]["ru"])
    assert "Guomindang puppet" in cells[5]["en"] and "<mark" not in cells[5]["en"]


def test_search_page_links_each_hit_to_its_passage(client):
    page = client.get("/", query_string={"q": "Guomindang puppet", "ui": "en"}).get_data(as_text=True)
    assert f'href="/documents/{SEED_ID}?q=Guomindang+puppet#p-en-5"' in page


# Choosing fragments, on made-up texts: no index needed.

def test_the_translation_fragment_follows_the_match_inside_a_long_passage():
    ru = "Первая строка.\n\n" + "слово " * 100 + "Готвальд приехал. " + "слово " * 100
    en = "First line.\n\n" + "word " * 100 + "Gottwald came. " + "word " * 100
    texts = {"ru": ru, "en": en}
    alignment = align_texts(texts)
    matches = {"ru": find_matches(ru, frozenset({"готвальд"})), "en": []}
    shown = passage_snippets(texts, matches, alignment)
    assert shown.passages == {"ru": [1], "en": [1]}
    # No match in English: the fragment is cut where the Russian one stands in its paragraph.
    assert "Gottwald came." in shown.html["en"] and "<mark>" not in shown.html["en"]
    assert len(shown.html["en"]) < 200


def test_a_translation_in_two_passages_is_shown_as_one_fragment():
    texts = {"ru": "Один абзац, длинный и целый.", "en": "One paragraph,\n\nin two parts."}
    alignment = Alignment({"ru": [(0, 28)], "en": [(0, 14), (16, 29)]}, [Bead((0,), (0, 1))])
    shown = passage_snippets(texts, {"ru": find_matches(texts["ru"], frozenset({"абзац"})), "en": []}, alignment)
    assert shown.html["en"] == "One paragraph, in two parts."
    assert shown.passages["en"] == [0] and shown.anchor == "p-ru-0"


# The alignment as stored in the index, and rebuilds.

def stored(index_dir) -> dict[str, Alignment]:
    engine = Engine.open(index_dir)
    return {record_id: engine.aligned_document(record_id)[1] for record_id in ("a", "b")}


def test_alignment_is_stored_at_indexing_and_follows_the_content_hash(tmp_path):
    a = Record("a", "A", None, {"ru": "Москва.\n\nГотвальд приехал.", "en": "Moscow.\n\nGottwald came."})
    b = Record("b", "B", None, {"en": "Only English."})
    Engine.build([a, b], tmp_path)
    first = stored(tmp_path)
    assert first["a"] == align_texts(a.texts)
    assert first["a"].beads == [Bead((0,), (0,)), Bead((1,), (1,))]
    assert first["b"] == Alignment({"en": [(0, 13)]}, [Bead((), (0,))])

    changed = Record("a", "A", None, {"ru": a.texts["ru"], "en": "Top Secret\n\nMoscow.\n\nGottwald came."})
    with rebuild_lock(tmp_path, wait=True):
        result = building.build([changed, b], [], tmp_path)
    assert (result.updated, result.unchanged, result.full) == (1, 1, False)
    second = stored(tmp_path)
    assert second["a"].beads == [Bead((), (0,)), Bead((0,), (1,)), Bead((1,), (2,))]
    assert second["b"] == first["b"]


def test_an_index_from_before_stored_alignments_is_served_then_rebuilt_in_full(tmp_path, monkeypatch):
    a = Record("a", "A", None, {"ru": "Москва.\n\nГотвальд приехал.", "en": "Moscow.\n\nGottwald came."})
    b = Record("b", "B", None, {"en": "Only English."})

    def old_schema():
        schema = building_schema()
        schema.remove("alignment")
        return schema

    def old_fields(record, record_hash):
        fields = fields_for(record, record_hash)
        del fields["alignment"]
        return fields

    building_schema, fields_for = building.build_schema, building._fields_for
    with monkeypatch.context() as patch:
        patch.setattr(building, "build_schema", old_schema)
        patch.setattr(building, "_fields_for", old_fields)
        Engine.build([a, b], tmp_path)
    # Served as it is, aligning on the fly, until the next rebuild.
    assert hit_alignment(Engine.open(tmp_path), "Gottwald") == align_texts(a.texts)
    with rebuild_lock(tmp_path, wait=True):
        result = building.build([a, b], [], tmp_path)
    assert result.full and result.published and result.written == 2
    assert stored(tmp_path)["a"] == align_texts(a.texts)


def hit_alignment(engine: Engine, query: str) -> Alignment:
    found = engine.search(query, 1, 10)
    assert found.hits, query
    return found.hits[0].alignment

