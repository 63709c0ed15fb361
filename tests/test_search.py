import pytest

from search_service.errors import QueryError
from search_service.service.search import SearchOptions, parse_options, search
from search_service.service.highlight import find_matches, merge_spans

from conftest import SEED_ID


def ids(engine, query: str, **options) -> list[str]:
    return [hit.id for hit in search(engine, SearchOptions(query=query, **options)).hits]


@pytest.mark.parametrize("query", [
    "совета безопасности", "Совете", "Совет Безопасности", "ушли", "уйти", "Америка", "Америки",
    "Готвальд", "Готвальду", "Готвальдом", "withdrawal", "withdrawing", "aggressors",
    "withdrawal from the Security Council", "совершенно секретно", "Хрущёв OR Готвальд",
])
def test_inflected_and_unknown_forms_find_the_letter(engine, query):
    assert ids(engine, query)[0] == SEED_ID


def test_mixed_language_query(engine):
    assert ids(engine, "Gottwald Готвальду") == [SEED_ID]


def test_phrases_respect_order(engine):
    assert ids(engine, '"Совете Безопасности"') == [SEED_ID]
    assert ids(engine, '"Security Council"')[0] == SEED_ID
    assert ids(engine, '"Council Security"') == []


def test_phrase_with_a_hyphenated_word(engine):
    assert ids(engine, '"во-первых, с целью"') == [SEED_ID]


def test_boolean_operators_and_fields(engine):
    # The letter's English says Prague: it comes after the record that has the word as typed.
    assert ids(engine, "Праге") == ["test-benes", SEED_ID]
    assert set(ids(engine, "Праге OR Gottwald")) == {"test-benes", SEED_ID}
    assert ids(engine, "Праге OR Gottwald NOT Korea") == ["test-benes"]
    assert ids(engine, "title:Gottwald") == [SEED_ID]
    assert ids(engine, "title:Готвальд") == [SEED_ID]  # the title spells it Gottwald
    assert ids(engine, "title:Бенеш") == []
    assert set(ids(engine, "финал OR Gottwald")) == {SEED_ID, "test-sport"}


def test_a_word_counts_once_however_many_lemmas_it_has(engine):
    # `Бенешем` is unknown to the dictionary: four guessed lemmas, each in test-benes's text. Counted
    # four times, the one name outranked the letter, which has every word of the group.
    assert ids(engine, "(Совете Безопасности Security Council) OR Бенешем") == [SEED_ID, "test-benes"]


def test_prefix_search(engine):
    assert SEED_ID in ids(engine, "безопасн*")


def test_question_words_are_not_required(engine):
    # The seed letter never says "почему" or "why"; it is what these questions are about.
    assert ids(engine, "Почему Советский Союз ушёл из Совета Безопасности?")[0] == SEED_ID
    assert ids(engine, "Why did the Soviet Union leave the Security Council?")[0] == SEED_ID
    assert ids(engine, "why did the")  # all function words: required as typed, and still found


def test_natural_language_question_is_not_a_wildcard(engine):
    result = search(engine, SearchOptions(query="Сколько очков набрала команда?"))
    assert [hit.id for hit in result.hits][0] == "test-sport"


def test_records_with_every_word_rank_first_then_most_words(engine):
    strict = search(engine, SearchOptions(query="Бенеш Прага"))
    assert [h.id for h in strict.hits] == ["test-benes"] and not strict.relaxed
    # One record has both words; with so few, the records with one of them follow it.
    filled = search(engine, SearchOptions(query="council report"))
    assert [h.id for h in filled.hits] == ["test-xss", SEED_ID] and not filled.relaxed
    relaxed = search(engine, SearchOptions(query="Готвальд Бенеш финал"))
    assert relaxed.relaxed
    assert {h.id for h in relaxed.hits} == {SEED_ID, "test-benes", "test-sport"}


def test_language_filter(engine):
    assert ids(engine, "aggressor", lang="ru") == []  # a dictionary word is translated, not transliterated
    assert ids(engine, "aggressor", lang="en") == [SEED_ID]
    assert ids(engine, "Праге", lang="en") == [SEED_ID]  # its English text says Prague
    assert ids(engine, "Бенеш", lang="en") == []
    hit = search(engine, SearchOptions(query="aggressor", lang="en")).hits[0]
    assert set(hit.snippets) == {"en"}


def test_snippets_mark_surface_forms_in_both_languages(engine):
    hit = search(engine, SearchOptions(query="совета безопасности withdrawal")).hits[0]
    assert "<mark>Совете</mark> <mark>Безопасности</mark>" in hit.snippets["ru"]
    assert "<mark>withdrawal</mark>" in hit.snippets["en"]
    assert hit.snippets["ru"].count("…") <= 4  # at most 3 fragments


@pytest.mark.parametrize("query", ["совета безопасности withdrawal", "первых", "Готвальду OR Gottwald", "безопасн*",
                                   '"Security Council"', "council report"])
def test_matches_from_stored_characters_equal_a_fresh_analysis(engine, query):
    found = engine.search(query, 1, 10)
    assert found.hits
    for hit in found.hits:
        for lang, text in hit.record.texts.items():
            assert merge_spans(hit.spans.get(lang, ())) == find_matches(text, found.terms.get(lang, frozenset()))


def test_snippet_of_a_side_without_matches_is_the_translation_of_the_match(engine):
    # Not a name: Готвальдом would now also mark Gottwald, its spelling in the other script.
    hit = search(engine, SearchOptions(query="Передайте")).hits[0]
    assert "<mark>Передайте</mark> Готвальду" in hit.snippets["ru"]
    assert hit.snippets["en"] == "… Pass Gottwald the following message orally. Put it in writing if he so requests. …"


def test_snippets_are_the_openings_when_no_text_matches(engine):
    hit = search(engine, SearchOptions(query="title:Gottwald")).hits[0]
    assert hit.snippets["en"].startswith("Top Secret Prague, Soviet Ambassador")
    assert hit.snippets["ru"].startswith("Cовершенно секретно Передайте Готвальду")
    assert "<mark>" not in hit.snippets["en"] + hit.snippets["ru"]
    assert hit.passages == {"ru": [0], "en": [0]} and hit.anchor == ""


def test_snippets_are_escaped(engine):
    hit = search(engine, SearchOptions(query="council report")).hits[0]
    assert hit.id == "test-xss"
    assert "<script>" not in hit.snippets["en"]
    assert "&lt;script&gt;alert(&#x27;text&#x27;)&lt;/script&gt;" in hit.snippets["en"]
    assert "&amp;amp;" in hit.snippets["en"]
    assert "<img" not in hit.snippets["ru"]


def test_paging(engine):
    first = search(engine, SearchOptions(query="совет OR council OR матч", per_page=1))
    second = search(engine, SearchOptions(query="совет OR council OR матч", per_page=1, page=2))
    beyond = search(engine, SearchOptions(query="совет OR council OR матч", per_page=1, page=50))
    assert first.total == second.total == beyond.total >= 3
    assert first.hits[0].id != second.hits[0].id
    assert beyond.hits == []


@pytest.mark.parametrize("query", ["???", "NOT Готвальд", "x" * 1001])
def test_queries_that_cannot_run_raise_query_error(engine, query):
    with pytest.raises(QueryError):
        search(engine, SearchOptions(query=query))


@pytest.mark.parametrize("args, message", [
    (("q", "0", None, None), "page must be between 1"),
    (("q", "x", None, None), "page must be a whole number"),
    (("q", None, "500", None), "per_page must be between 1 and 50"),
    (("q", None, None, "de"), "lang must be one of ru, en"),
])
def test_bad_options_name_the_parameter(args, message):
    with pytest.raises(QueryError, match=message):
        parse_options(*args)
