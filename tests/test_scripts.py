"""Scripts and languages: one module tells Cyrillic from Latin and holds the language list."""

import re
from pathlib import Path

import pytest

from search_service.text.scripts import LANGUAGES, fold_lookalikes, has_cyrillic, has_latin, script_language

PACKAGE = Path(__file__).resolve().parents[1] / "search_service"


def test_languages_are_russian_then_english():
    assert LANGUAGES == ("ru", "en")


@pytest.mark.parametrize("text, cyrillic, latin", [
    ("Совет", True, False), ("Soviet", False, True), ("Ёж", True, False), ("sоviet", True, True),
    ("1950 — №7", False, False), ("", False, False), ("Straße", False, True), ("Ǆ", False, False),
])
def test_script_detection(text, cyrillic, latin):
    assert has_cyrillic(text) is cyrillic
    assert has_latin(text) is latin


@pytest.mark.parametrize("text, language", [
    ("Совершенно секретно", "ru"), ("Top Secret", "en"), ("Готвальд / Gottwald", "ru"),
    ("Gottwald, Prague (Прага)", "en"), ("12.03.1949", None),
])
def test_script_language_follows_the_dominant_script(text, language):
    assert script_language(text) == language


@pytest.mark.parametrize("word, folded", [
    ("cовершенно", "совершенно"),  # a Latin c in a Russian word
    ("sоviet", "soviet"),  # a Cyrillic о in an English word
    ("wiкипедия", "wiкипедия"),  # w has no Cyrillic look-alike: left as written
    ("совет", "совет"), ("soviet", "soviet"),
])
def test_lookalike_letters_fold_to_the_word_s_main_script(word, folded):
    assert fold_lookalikes(word) == folded


def test_no_other_module_spells_out_a_script_or_the_language_list():
    spelled = re.compile(r"\\u04[0fF]{2}|\[A-Za-z\]|\[a-z\]|\(\"ru\", \"en\"\)|\[\"ru\", \"en\"\]")
    owners = {PACKAGE / "text" / "scripts.py"}
    found = [f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
             for path in sorted(PACKAGE.rglob("*.py")) if path not in owners
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if spelled.search(line)]
    assert not found, "use search_service.text.scripts instead:\n" + "\n".join(found)
