"""Scripts and languages: the languages records are written in, which letters are Cyrillic or
Latin, and the letters the two scripts share in look.

The one place that knows this; it imports nothing of the project, so records may use it too.
"""

from __future__ import annotations

import re

# Record texts, index fields and the `lang` option, in this order.
LANGUAGES = ("ru", "en")

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z]")

# Lowercase Latin letters that look like Cyrillic ones, pair by pair.
_LATIN_LOOKALIKES = "aceopxykmhtb"
_CYRILLIC_LOOKALIKES = "асеорхукмнтв"
_TO_CYRILLIC = str.maketrans(_LATIN_LOOKALIKES, _CYRILLIC_LOOKALIKES)
_TO_LATIN = str.maketrans(_CYRILLIC_LOOKALIKES, _LATIN_LOOKALIKES)


def has_cyrillic(text: str) -> bool:
    """True when `text` holds at least one Cyrillic letter."""
    return _CYRILLIC.search(text) is not None


def has_latin(text: str) -> bool:
    """True when `text` holds at least one Latin letter (A-Z, a-z)."""
    return _LATIN.search(text) is not None


def script_language(text: str) -> str | None:
    """'ru' when Cyrillic letters dominate, 'en' when Latin ones do, None for no letters."""
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    if cyrillic == latin == 0:
        return None
    return "ru" if cyrillic >= latin else "en"


def fold_lookalikes(word: str) -> str:
    """Fold Latin letters inside a mostly Cyrillic lowercase word to Cyrillic (`cовершенно`), and
    the reverse, when every letter of the minority script has a look-alike in the other."""
    if word.isascii():  # most English words: no Cyrillic letter to fold
        return word
    latin = _LATIN.findall(word)
    if not latin:
        return word
    cyrillic = _CYRILLIC.findall(word)
    if not cyrillic:
        return word
    if len(cyrillic) >= len(latin) and all(c in _LATIN_LOOKALIKES for c in latin):
        return word.translate(_TO_CYRILLIC)
    if len(latin) > len(cyrillic) and all(c in _CYRILLIC_LOOKALIKES for c in cyrillic):
        return word.translate(_TO_LATIN)
    return word
