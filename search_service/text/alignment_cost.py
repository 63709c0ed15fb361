"""What a bead costs: how unlikely it is that passages translate each other, from their lengths
(Gale and Church, 1993) and from anchors that survive translation (numbers, names and cognates
compared by sound). Plain Python, used by `alignment`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from search_service.text.transliteration import sound_skeleton

# Digits, with thousands grouped by a comma or a (thin, no-break) space read as one number.
_NUMBER = re.compile(r"\d{1,3}(?:[,\u00a0\u202f ]\d{3})+(?!\d)|\d+")
_GROUPING = re.compile(r"[,\u00a0\u202f ]")
_LETTERS = re.compile(r"[^\W\d_]+")
_SENTENCE_END = set(".!?…:;\"«“„(—–")

# Variance of English length per Russian character. NTREX news measures 2.6, but Gale and
# Church's 6.8 aligns NTREX with merged and dropped lines better and leaves room for looser
# archival translations.
LENGTH_VARIANCE = 6.8
# English characters per Russian character when a record is too lopsided to estimate it (NTREX: 0.90).
DEFAULT_RATIO = 0.9
# Cost saved by each anchor found on both sides of a bead, and added by each name or number that
# the other side lacks (chosen on NTREX with lines merged and dropped; see bench/align_ntrex.py).
ANCHOR_BONUS = 2.0
MISSING_NAME_PENALTY = 0.6
# A record's own ratio is weighed against this many characters of text at DEFAULT_RATIO.
RATIO_PRIOR_CHARS = 500

# A key is the first consonants of a word: enough to tell names apart, short enough that Russian
# case endings (Готвальду, Готвальдом) do not change it.
_KEY_LENGTH = 4
# Capitalized words (names) need two consonants to be an anchor, other words (cognates) four:
# short common words would match by chance.
_NAME_CONSONANTS = 2
_WORD_CONSONANTS = 4


@dataclass(frozen=True, slots=True)
class Side:
    """What the cost function needs of one passage, or of two adjacent ones taken together."""

    length: int
    anchors: dict[str, int]
    names: dict[str, int]
    sounds: frozenset[str]


def match_cost(ru: Side, en: Side, ratio: float) -> float:
    """Minus log-likelihood that `en` translates `ru`, beyond the bead's shape.

    A one-sided bead costs its prior alone: Gale-Church's length term would price a long note as a
    huge length mismatch, so merging it into a neighbour would always look cheaper.
    """
    shared = _common(ru.anchors, en.anchors)
    # Names and numbers that a translation would carry over but the other side lacks.
    missing = _missing(ru.names, en.sounds) + _missing(en.names, ru.sounds)
    return _length_cost(ru.length, en.length, ratio) - ANCHOR_BONUS * shared + MISSING_NAME_PENALTY * missing


def _common(one: dict[str, int], other: dict[str, int]) -> int:
    """How many tokens two bags share, counting repeats."""
    return sum(min(one[key], other[key]) for key in one.keys() & other.keys())


def _missing(names: dict[str, int], sounds: frozenset[str]) -> int:
    """How many names and numbers of one side sound like no word or number of the other."""
    return sum(names[key] for key in names.keys() - sounds)


def _length_cost(ru_length: int, en_length: int, ratio: float) -> float:
    """Gale-Church: how unlikely this English length is as a translation of this Russian length."""
    mean = (ru_length + en_length / ratio) / 2
    if mean == 0:
        return 0.0
    z = abs(ratio * ru_length - en_length) / math.sqrt(LENGTH_VARIANCE * mean)
    # Two-tailed probability of a deviation this large; floored so the log stays finite.
    return -math.log(max(math.erfc(z / math.sqrt(2)), 1e-300))


def length_ratio(ru_total: int, en_total: int) -> float:
    """English characters per Russian character, estimated from the texts and pulled towards the usual."""
    if not ru_total or not en_total:
        return DEFAULT_RATIO
    # A short record says little about its ratio; RATIO_PRIOR_CHARS of typical text steady it.
    ratio = (en_total + DEFAULT_RATIO * RATIO_PRIOR_CHARS) / (ru_total + RATIO_PRIOR_CHARS)
    # A record with most of its translation missing would otherwise squeeze every bead.
    return min(max(ratio, DEFAULT_RATIO / 2), DEFAULT_RATIO * 2)


def passage_sides(texts: list[str]) -> dict[int, list[Side]]:
    """What costs need of each passage alone (key 1) and joined with the next (key 2), indexed by
    first passage."""
    sides = [_side(text) for text in texts]
    pairs = [Side(one.length + two.length, _joined(one.anchors, two.anchors), _joined(one.names, two.names),
                   one.sounds | two.sounds) for one, two in zip(sides, sides[1:])]
    return {1: sides, 2: pairs}


def _joined(one: dict[str, int], two: dict[str, int]) -> dict[str, int]:
    return dict(Counter(one) + Counter(two))


def _side(text: str) -> Side:
    found, names, sounds = _anchors(text)
    return Side(len(text), dict(found), dict(names), frozenset(sounds))


def _anchors(text: str) -> tuple[Counter[str], Counter[str], set[str]]:
    """A passage's anchors, the names among them, and the sounds a name on the other side may match.

    Anchors are numbers and the sound keys of capitalized words (names) and long words (cognates).
    Names are the numbers and the capitalized words inside a sentence, where a capital marks a name
    rather than a sentence start: a translation carries them over. Sounds are the numbers and the
    leading consonants of every word, so that Soviet finds советского, which no capital marks.
    """
    found = Counter("#" + _GROUPING.sub("", number).lstrip("0") for number in _NUMBER.findall(text))
    names = Counter(found)
    sounds = set(found)
    previous_end = 0
    for match in _LETTERS.finditer(text):
        word = match.group()
        gap = text[previous_end:match.start()].strip()
        sentence_start = (previous_end == 0 and not gap) or gap[-1:] in _SENTENCE_END
        previous_end = match.end()
        skeleton = sound_skeleton(word)
        sounds.update(skeleton[:size] for size in range(_NAME_CONSONANTS, min(len(skeleton), _KEY_LENGTH) + 1))
        capitalized = word[0].isupper()
        if len(skeleton) < (_NAME_CONSONANTS if capitalized else _WORD_CONSONANTS):
            continue
        key = skeleton[:_KEY_LENGTH]
        found[key] += 1
        if capitalized and not sentence_start:
            names[key] += 1
    return found, names, sounds
