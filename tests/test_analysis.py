import json
from collections import defaultdict
from itertools import islice

import pytest

from conftest import DOCUMENTS, corpus
from search_service.text import analysis
from search_service.text.analysis import INDEX_CHAIN, QUERY_CHAIN, analyze, index_terms, normalize, words
from search_service.text.morphology import is_stop_term
from search_service.text.scripts import fold_lookalikes


def terms(text: str) -> set[str]:
    return {t.text for t in analyze(text)}


def test_words_keep_hyphenated_words_whole():
    assert [w.surface for w in words("Во-первых, социал-демократический 1950 г.")] == [
        "Во-первых", "социал-демократический", "1950", "г"]


def test_normalize_lowercases_and_folds_yo():
    assert normalize("Ёлка") == "елка"
    assert terms("Хрущёв") == terms("Хрущев")


def test_lookalike_latin_letters_inside_cyrillic_words_are_folded():
    assert fold_lookalikes("cовершенно") == "совершенно"  # Latin c
    assert fold_lookalikes("sоviet") == "soviet"  # Cyrillic о in a Latin word
    assert terms("Cовершенно") == terms("совершенно")


@pytest.mark.parametrize("forms", [
    ("Совета", "Совете", "Совет"),
    ("ушли", "уйти"),
    ("Америки", "Америка"),
    ("Готвальду", "Готвальд", "Готвальдом"),  # unknown to the dictionary: guesses must still meet
    ("Санжееву", "Санжеев"),  # the dictionary knows Санжеев only as a plural of the name Санжей
    ("стали", "сталь"),  # a rare lemma (0.03 of стать) that steel queries need
    ("Norrköping", "Norrkoping"),  # accents folded on Latin words
    ("Norrköping", "Norrkoeping"),  # and umlauts also spelt out, as English texts do
    ("withdrawal", "withdrawing"),
    ("aggressors", "aggressor"),
])
def test_inflected_forms_meet(forms):
    first = terms(forms[0])
    for other in forms[1:]:
        assert first & terms(other), f"{forms[0]} and {other} share no term: {first} / {terms(other)}"


def test_hyphenated_word_is_indexed_whole_and_by_parts():
    found = terms("Во-первых")
    assert "во-первых" in found
    assert terms("первых") <= found
    assert terms("демократический") <= terms("социал-демократический")


def test_query_words_leave_hyphen_parts_out_but_keep_positions():
    query_terms = [(t.text, t.position) for t in QUERY_CHAIN("во-первых цель")]
    index_terms = [(t.text, t.position) for t in analyze("во-первых цель")]
    assert ("в", 0) not in query_terms
    assert [p for t, p in query_terms if t == "цель"] == [p for t, p in index_terms if t == "цель"] == [2]


def test_character_offsets_point_at_the_surface_word():
    text = "Мы ушли из Совета"
    spans = {text[t.start:t.end] for t in analyze(text) if t.text == "совет"}
    assert spans == {"Совета"}


def test_lemmas_pymorphy_rates_as_negligible_are_left_out():
    assert "быль" not in terms("были")  # быть 0.997, быль 0.005: `быль` must not find every `были`
    assert "быть" in terms("были")


@pytest.mark.parametrize("word, stop", [
    ("почему", True), ("из", True), ("какой", True), ("сколько", True), ("были", True),
    ("совета", False), ("стали", False),
    ("why", True), ("did", True), ("the", True), ("council", False), ("leave", False),
])
def test_function_words_are_stop_terms(word, stop):
    assert all(is_stop_term(t.text) == stop for t in analyze(word))


@pytest.mark.parametrize("text", [
    "Мы ушли из (Совета Безопасности), во-первых, с целью... Council's withdrawal; Cовершенно секретно",
    "  социал-демократический\u00a0«Готвальду»—1950 г.\n\nrock'n'roll re-entry’s  ",
    "",
])
def test_index_terms_are_analyze_grouped_by_term(text):
    expected = defaultdict(list)
    for term in analyze(text):
        expected[term.text].append((term.position, term.start, term.end))
    assert index_terms(text) == expected


# Strings where the steps interact: hyphens of three kinds, ё, words mixing scripts (folded or not),
# typographic and ASCII apostrophes, digits, letters whose lowercase is longer (İ), no words at all.
TRICKY = [
    "Во-первых, социал‐демократический 50-летие Ленина‑вождя, x-ray и рентген-аппарат",
    "Ёлка, ЁЖ, Хрущёв и хрущев; ПОЧЕМУ-ТО всё-таки",
    "Cовершенно секретно: sоviet, Сoвет-Soviet, abcд, wiкипедия, ТОВАРИЩ-Tovarishch",
    "Council's withdrawal, Council’s re-entry’s, rock'n'roll, don’t, O'Neill-Smith's",
    "1950 г. 12-го 3,000 1 000 № 7 1950-1953 IV-V 2-3-4",
    "İstanbul-İzmir, Norrköping-Köln, straße, ﬁnance, Ǆemal",
    "  \n\n  —«»… ", "", "-", "’", "a-", "-b", "а--б", "word_with_underscore",
]


def _texts(source: str) -> list[str]:
    """Texts to run both ways: the demonstration records, a slice of a shared corpus, or TRICKY."""
    if source == "tricky":
        return TRICKY
    if source == "documents":
        return [path.read_text(encoding="utf-8") for path in sorted(DOCUMENTS.glob("*.txt"))]
    with corpus(source).open(encoding="utf-8") as lines:
        return [text for line in islice(lines, 25) for text in json.loads(line)["texts"].values()]


def _grouped(terms) -> dict:
    grouped = defaultdict(list)
    for term in terms:
        grouped[term.text].append((term.position, term.start, term.end))
    return grouped


@pytest.mark.parametrize("source", ["tricky", "documents", "stalin-works-ru.jsonl", "frus-en.jsonl"])
def test_the_cached_path_gives_exactly_what_the_chain_gives(source):
    for text in _texts(source):
        chain_terms = list(INDEX_CHAIN(text))
        assert list(analyze(text)) == chain_terms
        assert index_terms(text) == _grouped(chain_terms)


def test_a_word_with_a_character_unicode_does_not_name_is_indexed_as_written():
    """pymorphy3 classifies a word by its characters' Unicode names and fails on a character without one."""
    assert [term.text for term in analyze("слово 𗀀а")] == ["слово", "𗀀а"]
    assert not is_stop_term("𗀀а")


def test_the_chunk_cache_stays_within_its_bound(monkeypatch):
    """Indexing caches each chunk's terms; past the bound the cache starts again, with the same terms."""
    text = " ".join(f"слово{number}, word{number}-x" for number in range(50))
    expected = index_terms(text)
    monkeypatch.setattr(analysis, "CHUNKS_CACHED", 7)
    analysis._chunk_terms.cache_clear()
    for _ in range(3):
        assert index_terms(text) == expected
        assert analysis._chunk_terms.cache_info().currsize <= 7
