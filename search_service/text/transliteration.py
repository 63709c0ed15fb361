"""Words across scripts: a word in Latin letters, and the consonant skeleton that Готвальд and
Gottwald share, for names written in the other script and for anchors between translations."""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii

from search_service.text.scripts import fold_lookalikes

# Spelling differences between the transliterated Russian and the English form of one name,
# folded to one spelling: Чехия `chekhiia` / Czech, Джонсон `dzhonson` / Johnson,
# Хрущёв `khrushchev` / Khrushchev, Австралия `avstraliia` / Australia, Европа `evropa` / Europe,
# Ельцин `el'tsin` / Yeltsin.
_SPELLINGS = (("cz", "ch"), ("dzh", "j"), ("shch", "s"), ("sch", "s"), ("zh", "j"), ("sh", "s"),
              ("ch", "k"), ("kh", "k"), ("ck", "k"), ("ph", "f"), ("th", "t"), ("ts", "s"), ("tz", "s"),
              ("au", "av"), ("eu", "ev"), ("x", "ks"), ("w", "v"), ("q", "k"))
_SOFT_C = re.compile(r"c(?=[eiy])")
# Sounds that the two scripts swap (Гамбург / Hamburg, Корея / Korea) share one letter; vowels go.
_CONSONANT_CLASSES = str.maketrans({"c": "k", "g": "k", "h": "k", "z": "s",
                                    "a": None, "e": None, "i": None, "o": None, "u": None, "y": None})
_DOUBLES = re.compile(r"(.)\1+")


@lru_cache(maxsize=100_000)
def latin_spelling(word: str) -> str:
    """A word in Latin letters only (anyascii's transliteration without the soft and hard signs' marks)."""
    return "".join(c for c in anyascii(word).lower() if c.isalnum())


@lru_cache(maxsize=100_000)
def sound_skeleton(word: str) -> str:
    """The consonants of a word in a script-neutral spelling: Готвальд and Gottwald both give 'ktvld'."""
    latin = anyascii(fold_lookalikes(word.lower())).lower()
    for written, folded in _SPELLINGS:
        latin = latin.replace(written, folded)
    # Past the first letter, an h left over from the digraphs above is silent (Johnson / Джонсон).
    latin = latin[:1] + latin[1:].replace("h", "")
    latin = _SOFT_C.sub("s", latin)
    consonants = "".join(c for c in latin.translate(_CONSONANT_CLASSES) if c.isalpha())
    return _DOUBLES.sub(r"\1", consonants)


def same_sound(a: str, b: str) -> bool:
    """True when two words, in any script, have the same consonant skeleton (Готвальд, Gottwald)."""
    return sound_skeleton(a) == sound_skeleton(b)
