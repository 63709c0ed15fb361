"""Across languages (issue 19): a lexicon learned at each build from the bilingual records' aligned
passages, and questions in one language finding records that exist only in the other."""

from __future__ import annotations

import json
import random

import pytest

from search_service.config import Config
from search_service.engine import Engine
from search_service.engine.build import building
from search_service.engine.build.generations import current_generation, rebuild_lock
from search_service.engine.build.lexicon_build import LEXICON_FILE, read_lexicon
from search_service.records import Record
from search_service.service.documents import record_view
from search_service.service.search import SearchOptions, search
from search_service.text.alignment import align_texts
from search_service.text.lexicon import Lexicon, learn, passage_pairs, term_language
from search_service.web.app import create_app

from conftest import run_cli

WORDS = [("договор", "treaty"), ("граница", "border"), ("письмо", "letter"), ("река", "river"),
         ("армия", "army"), ("музей", "museum"), ("министр", "minister"), ("Прага", "Prague")]


def bilingual(number: int) -> Record:
    """A translated record whose passages teach the WORDS: each passage names three of them, in the
    same order in both languages, and each pair of words meets in some passages only, so the
    aligner can tell which translates which."""
    chosen = [random.Random(number * 10 + passage).sample(WORDS, 3) for passage in range(4)]
    texts = {lang: "\n\n".join(" ".join(pair[side] for pair in words) + "." for words in chosen)
             for side, lang in enumerate(("ru", "en"))}
    return Record.from_json({"id": f"pair-{number}", "title": "", "date": "1950", "texts": texts})


RUSSIAN_ONLY = Record.from_json({"id": "only-ru", "title": "", "date": "1951",
                                 "texts": {"ru": "Новый договор о границе с соседями."}})
ENGLISH_ONLY = Record.from_json({"id": "only-en", "title": "", "date": "1952",
                                 "texts": {"en": "A museum opened by the border."}})
RECORDS = [*(bilingual(number) for number in range(10)), RUSSIAN_ONLY, ENGLISH_ONLY]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("crosslang")
    with rebuild_lock(path, wait=True):
        built = building.build(RECORDS, [], path, full=True)
    assert built.lexicon is not None and not built.lexicon.kept
    return path


@pytest.fixture(scope="module")
def engine(index_dir):
    engine = Engine.open(index_dir)
    engine.prepare()
    return engine


def test_the_lexicon_links_words_that_translate_each_other():
    pairs = [pair for record in RECORDS[:10] for pair in passage_pairs(record.texts, align_texts(record.texts))]
    assert len(pairs) == 40 and all(len(ru) == len(en) == 3 for ru, en in pairs)
    lexicon = learn(pairs)
    assert lexicon.pairs == 40
    assert lexicon.translate("договор")[0][0] == "treati"
    assert lexicon.translate("border")[0][0] == "граница"
    assert lexicon.translate("pragu")[0][0] == "прага"
    # Function words and numbers are searched as they are, never translated.
    assert learn([(["в", "1950", "договор"], ["in", "1950", "treati"])]).translate("в") == ()
    assert learn([(["в", "1950", "договор"], ["in", "1950", "treati"])]).translate("1950") == ()
    read_back = Lexicon.from_data(json.loads(json.dumps(lexicon.to_data())))
    assert (read_back.translations, read_back.pairs) == (lexicon.translations, lexicon.pairs)
    assert (term_language("договор"), term_language("treati"), term_language("1950")) == ("ru", "en", None)


def test_learning_from_nothing_gives_an_empty_lexicon():
    assert learn([]).entries == 0
    assert learn([([], ["the"])]).pairs == 0  # a passage with no words on one side is no pair


def test_an_english_question_finds_a_record_that_is_only_in_russian(engine):
    found = search(engine, SearchOptions(query="treaty border"))
    assert "only-ru" in [hit.id for hit in found.hits]
    hit = next(hit for hit in found.hits if hit.id == "only-ru")
    assert hit.via == "translation"
    assert '<mark class="translated">договор</mark>' in hit.snippets["ru"]
    assert found.translations == {"ru": "договор граница"}
    # The records that have English are found as typed: not marked, nothing translated in them.
    for other in found.hits:
        if other.id != "only-ru":
            assert other.via is None and 'class="translated"' not in "".join(other.snippets.values())


def test_a_russian_question_finds_a_record_that_is_only_in_english(engine):
    found = search(engine, SearchOptions(query="граница"))
    hit = next(hit for hit in found.hits if hit.id == "only-en")
    assert hit.via == "translation" and found.translations == {"en": "border"}


@pytest.mark.parametrize("text", ["treaty", "treaty border", "army minister letter"])
def test_translation_leaves_the_records_in_the_query_language_as_they_were(engine, text):
    """Scores included: the translations standing close together in a bilingual record's Russian
    text add no proximity boost to a record that has the words in English."""
    on = search(engine, SearchOptions(query=text, per_page=50))
    off = search(engine, SearchOptions(query=text, per_page=50, translate=False))
    assert [(hit.id, hit.score) for hit in on.hits if hit.id != "only-ru"] == [(hit.id, hit.score) for hit in off.hits]
    assert "only-ru" not in [hit.id for hit in off.hits] and off.translations == {}


def test_the_record_page_marks_the_translated_words_only_in_a_record_without_the_query_language(engine):
    view = record_view(engine, "only-ru", "treaty")
    assert view.matches == 1 and 'class="translated"' in view.rows[0]["ru"][0][1]
    assert record_view(engine, "only-ru", "treaty", translate=False).matches == 0
    bilingual_view = record_view(engine, "pair-0", "treaty")
    assert 'class="translated"' not in json.dumps(bilingual_view.rows, ensure_ascii=False)


def test_the_api_and_the_page_say_what_was_translated(index_dir):
    client = create_app(Config(index_dir=index_dir)).test_client()
    body = client.get("/api/search", query_string={"q": "treaty"}).get_json()
    assert body["translations"] == {"ru": "договор"}
    assert {hit["id"]: hit["via"] for hit in body["hits"]}["only-ru"] == "translation"
    off = client.get("/api/search", query_string={"q": "treaty", "translate": "0"}).get_json()
    assert off["translations"] == {} and "only-ru" not in [hit["id"] for hit in off["hits"]]
    bad = client.get("/api/search", query_string={"q": "treaty", "translate": "yes"})
    assert bad.status_code == 400 and "translate" in bad.get_json()["error"]["message"]
    page = client.get("/", query_string={"q": "treaty", "ui": "en"}).get_data(as_text=True)
    assert "Also searched in Russian as “договор”." in page and "translate=0" in page
    assert "found through translation" in page
    page = client.get("/", query_string={"q": "граница", "ui": "ru"}).get_data(as_text=True)
    assert "Также искали по-английски: «border»." in page
    page = client.get("/documents/only-ru", query_string={"q": "treaty"}).get_data(as_text=True)
    assert '<mark id="m-1" class="translated">договор</mark>' in page


def test_a_build_that_changes_no_bilingual_record_keeps_the_lexicon(tmp_path):
    with rebuild_lock(tmp_path, wait=True):
        building.build(RECORDS, [], tmp_path, full=True)
        first = (current_generation(tmp_path) / LEXICON_FILE).read_bytes()
        changed = Record.from_json({**ENGLISH_ONLY.to_json(), "texts": {"en": "A museum closed by the border."}})
        kept = building.build([*RECORDS[:-1], changed], [], tmp_path)
        assert kept.published and kept.lexicon.kept and "lexicon kept" in kept.lexicon.summary()
        assert (current_generation(tmp_path) / LEXICON_FILE).read_bytes() == first
        full = building.build([*RECORDS[:-1], changed], [], tmp_path, full=True)
        assert full.lexicon.kept
        retold = Record.from_json({**RECORDS[0].to_json(), "title": "Another title"})
        learned = building.build([retold, *RECORDS[1:-1], changed], [], tmp_path)
        assert not learned.lexicon.kept and learned.lexicon.pairs == 40 and learned.lexicon.records == 10
        assert "lexicon learned from 40 passage pairs of 10 bilingual records" in learned.lexicon.summary()


def test_a_damaged_lexicon_is_learned_again_and_costs_no_record(tmp_path):
    with rebuild_lock(tmp_path, wait=True):
        building.build(RECORDS, [], tmp_path, full=True)
        (current_generation(tmp_path) / LEXICON_FILE).write_text("{not json", encoding="utf-8")
        assert read_lexicon(current_generation(tmp_path)) is None
        rebuilt = building.build(RECORDS, [], tmp_path, full=True)
    assert not rebuilt.lexicon.kept and rebuilt.written == len(RECORDS)
    assert read_lexicon(current_generation(tmp_path))[0].entries > 0


def test_the_command_line_says_what_was_translated(index_dir):
    said = run_cli("search", "treaty", "--index", index_dir)
    assert said.exit_code == 0, said.stderr
    assert "also searched in ru as: договор" in said.stdout and "only-ru  score" in said.stdout
    assert "(through translation)" in said.stdout and "[договор]" in said.stdout
    plain = run_cli("search", "treaty", "--index", index_dir, "--no-translate")
    assert "also searched" not in plain.stdout and "only-ru" not in plain.stdout


def test_translated_words_close_together_get_the_proximity_boost(engine):
    def score(text: str) -> float:
        return next(hit.score for hit in search(engine, SearchOptions(query=text)).hits if hit.id == "only-ru")

    # `договор о границе`: in the order typed, the translations stand close; reversed, they do not.
    assert score("treaty border") > score("border treaty")
