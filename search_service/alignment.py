"""Passage alignment: pair a record's Russian paragraphs with their English translations.

Gale-Church dynamic programming over paragraph lengths, helped by anchors that survive
translation: numbers, and words that sound alike in both scripts once transliterated (names such
as Готвальд / Gottwald, and cognates such as секретно / secret). Plain Python: no Flask, no Whoosh.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

from search_service.analysis import fold_lookalikes

_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_LINE = re.compile(r"\n")
_NUMBER = re.compile(r"\d+")
_LETTERS = re.compile(r"[^\W\d_]+")

# Bead shapes (Russian passages, English passages) and their prior probabilities, from Gale and
# Church (1993): nearly everything is one to one, merges and splits are rare, one-sided passages
# (headers, notes) rarer still.
_PRIORS = {(1, 1): 0.89, (2, 1): 0.0445, (1, 2): 0.0445, (1, 0): 0.005, (0, 1): 0.005}
_PRIOR_COSTS = {shape: -math.log(p) for shape, p in _PRIORS.items()}

# Variance of English length per Russian character; NTREX news measures 2.6, Gale and Church's
# 6.8 leaves room for looser archival translations.
LENGTH_VARIANCE = 6.8
# English characters per Russian character when a record is too lopsided to estimate it (NTREX: 0.90).
DEFAULT_RATIO = 0.9
# Cost saved by each anchor found on both sides of a bead.
ANCHOR_BONUS = 1.0
UNMATCHED_PENALTY = 0.0
# Beyond this distance from the diagonal no path is considered, so long records stay linear.
MIN_BAND = 20
MAX_BAND = 300

# Spelling differences between the transliterated Russian and the English form of one name,
# folded to one spelling: Джонсон `dzhonson` / Johnson, Хрущёв `khrushchev` / Khrushchev,
# Австралия `avstraliia` / Australia, Европа `evropa` / Europe, Ельцин `el'tsin` / Yeltsin.
_SPELLINGS = (("dzh", "j"), ("shch", "s"), ("sch", "s"), ("zh", "j"), ("sh", "s"), ("ch", "k"),
              ("kh", "k"), ("ck", "k"), ("ph", "f"), ("th", "t"), ("ts", "s"), ("tz", "s"),
              ("au", "av"), ("eu", "ev"), ("x", "ks"), ("w", "v"), ("q", "k"))
_SOFT_C = re.compile(r"c(?=[eiy])")
# Sounds that the two scripts swap (Гамбург / Hamburg, Корея / Korea) share one letter; vowels go.
_CONSONANT_CLASSES = str.maketrans({"c": "k", "g": "k", "h": "k", "z": "s",
                                    "a": None, "e": None, "i": None, "o": None, "u": None, "y": None})
_DOUBLES = re.compile(r"(.)\1+")
# A key is the first consonants of a word: enough to tell names apart, short enough that Russian
# case endings (Готвальду, Готвальдом) do not change it.
_KEY_LENGTH = 4
# Capitalized words (names) need two consonants to be an anchor, other words (cognates) four:
# short common words would match by chance.
_NAME_CONSONANTS = 2
_WORD_CONSONANTS = 4


@dataclass(frozen=True, slots=True)
class Passage:
    """One paragraph of a text: its position among the paragraphs and its characters `start:end`."""

    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Bead:
    """Russian passage indices paired with the English passage indices that translate them."""

    ru: tuple[int, ...]
    en: tuple[int, ...]


def passages(text: str) -> list[Passage]:
    """Split a text into paragraphs: at blank lines if it has any (records), else at line breaks (NTREX)."""
    separator = _BLANK_LINE if _BLANK_LINE.search(text) else _LINE
    found: list[Passage] = []
    start = 0
    for match in [*separator.finditer(text), None]:
        end = match.start() if match else len(text)
        chunk = text[start:end]
        stripped = chunk.strip()
        if stripped:
            offset = start + chunk.index(stripped)
            found.append(Passage(len(found), offset, offset + len(stripped), stripped))
        if match:
            start = match.end()
    return found


def aligned_counterpart(beads: list[Bead], lang: str, index: int) -> tuple[int, ...]:
    """The other language's passage indices aligned with passage `index` of `lang` ('ru' or 'en')."""
    for bead in beads:
        mine, other = (bead.ru, bead.en) if lang == "ru" else (bead.en, bead.ru)
        if index in mine:
            return other
    raise IndexError(f"no {lang} passage {index} in the alignment")


@dataclass(frozen=True, slots=True)
class _Side:
    """What the cost function needs of one passage."""

    length: int
    anchors: Counter[str]


def align(ru: list[str], en: list[str]) -> list[Bead]:
    """Align Russian and English passages: monotone beads of shapes 1-1, 2-1, 1-2, 1-0, 0-1 covering all."""
    ru_sides = [_side(text) for text in ru]
    en_sides = [_side(text) for text in en]
    n, m = len(ru_sides), len(en_sides)
    ratio = _length_ratio(ru_sides, en_sides)
    band = min(max(n, m), max(MIN_BAND, min(MAX_BAND, abs(n - m) + MIN_BAND)))

    def window(i: int) -> tuple[int, int]:
        # The diagonal runs from (0, 0) to (n, m); only cells near it are scored.
        centre = i * m / n if n else 0
        return max(0, math.floor(centre) - band), min(m, math.ceil(centre) + band)

    windows = [window(i) for i in range(n + 1)]
    costs: list[list[float]] = []
    moves: list[list[tuple[int, int]]] = []
    for i in range(n + 1):
        low, high = windows[i]
        row_costs = [math.inf] * (high - low + 1)
        row_moves = [(0, 0)] * (high - low + 1)
        for j in range(low, high + 1):
            if i == j == 0:
                row_costs[0] = 0.0
                continue
            best, best_move = math.inf, (0, 0)
            for a, b in _PRIOR_COSTS:
                pi, pj = i - a, j - b
                if pi < 0 or pj < 0:
                    continue
                p_low, p_high = windows[pi]
                if not p_low <= pj <= p_high:
                    continue
                before = (costs[pi] if pi < i else row_costs)[pj - p_low]
                if before == math.inf:
                    continue
                total = before + _bead_cost(ru_sides[pi:i], en_sides[pj:j], ratio)
                if total < best:
                    best, best_move = total, (a, b)
            row_costs[j - low] = best
            row_moves[j - low] = best_move
        costs.append(row_costs)
        moves.append(row_moves)
    return _trace(moves, windows, n, m)


def _trace(moves: list[list[tuple[int, int]]], windows: list[tuple[int, int]], n: int, m: int) -> list[Bead]:
    beads: list[Bead] = []
    i, j = n, m
    while i or j:
        a, b = moves[i][j - windows[i][0]]
        beads.append(Bead(tuple(range(i - a, i)), tuple(range(j - b, j))))
        i, j = i - a, j - b
    beads.reverse()
    return beads


def _bead_cost(ru: list[_Side], en: list[_Side], ratio: float) -> float:
    """Minus log-probability of a bead: its shape, its length mismatch, less its shared anchors."""
    cost = _PRIOR_COSTS[len(ru), len(en)]
    cost += _length_cost(sum(s.length for s in ru), sum(s.length for s in en), ratio)
    if ru and en:
        shared = _shared(ru, en)
        total = sum(sum(s.anchors.values()) for s in ru) + sum(sum(s.anchors.values()) for s in en)
        cost -= ANCHOR_BONUS * shared
        cost += UNMATCHED_PENALTY * (total - 2 * shared)
    return cost


def _shared(ru: list[_Side], en: list[_Side]) -> int:
    """How many anchors the two sides have in common (counting repeats)."""
    ru_anchors = ru[0].anchors if len(ru) == 1 else sum((s.anchors for s in ru), Counter())
    en_anchors = en[0].anchors if len(en) == 1 else sum((s.anchors for s in en), Counter())
    if not ru_anchors or not en_anchors:
        return 0
    return sum(min(count, en_anchors[key]) for key, count in ru_anchors.items() if key in en_anchors)


def _length_cost(ru_length: int, en_length: int, ratio: float) -> float:
    """Gale-Church: how unlikely this English length is as a translation of this Russian length."""
    mean = (ru_length + en_length / ratio) / 2
    if mean == 0:
        return 0.0
    z = abs(ratio * ru_length - en_length) / math.sqrt(LENGTH_VARIANCE * mean)
    # Two-tailed probability of a deviation this large; floored so the log stays finite.
    return -math.log(max(math.erfc(z / math.sqrt(2)), 1e-300))


def _length_ratio(ru: list[_Side], en: list[_Side]) -> float:
    """English characters per Russian character, from the two texts themselves."""
    ru_total = sum(s.length for s in ru)
    en_total = sum(s.length for s in en)
    if not ru_total or not en_total:
        return DEFAULT_RATIO
    # A record with half its translation missing would otherwise squeeze every bead.
    return min(max(en_total / ru_total, DEFAULT_RATIO / 2), DEFAULT_RATIO * 2)


def _side(text: str) -> _Side:
    return _Side(len(text), anchors(text))


def anchors(text: str) -> Counter[str]:
    """Tokens of a passage that survive translation: numbers, and sound keys of names and long words."""
    found: Counter[str] = Counter("#" + number.lstrip("0") for number in _NUMBER.findall(text))
    for match in _LETTERS.finditer(text):
        word = match.group()
        skeleton = sound_skeleton(word)
        needed = _NAME_CONSONANTS if word[0].isupper() else _WORD_CONSONANTS
        if len(skeleton) >= needed:
            found[skeleton[:_KEY_LENGTH]] += 1
    return found


@lru_cache(maxsize=100_000)
def sound_skeleton(word: str) -> str:
    """The consonants of a word in a script-neutral spelling: Готвальд and Gottwald both give 'ktvlt'."""
    latin = anyascii(fold_lookalikes(word.lower())).lower()
    for written, folded in _SPELLINGS:
        latin = latin.replace(written, folded)
    latin = _SOFT_C.sub("s", latin)
    consonants = "".join(c for c in latin.translate(_CONSONANT_CLASSES) if c.isalpha())
    return _DOUBLES.sub(r"\1", consonants)
