"""Passage alignment: pair a record's Russian paragraphs with their English translations.

Gale-Church dynamic programming over paragraph lengths, helped by anchors that survive
translation: numbers, and words that sound alike in both scripts once transliterated (names such
as Готвальд / Gottwald, and cognates such as секретно / secret). Plain Python: no Flask, no Whoosh.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from typing import Mapping

from search_service.text.scripts import LANGUAGES
from search_service.text.transliteration import sound_skeleton

_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_LINE = re.compile(r"\n")
# Digits, with thousands grouped by a comma or a (thin, no-break) space read as one number.
_NUMBER = re.compile(r"\d{1,3}(?:[,\u00a0\u202f ]\d{3})+(?!\d)|\d+")
_GROUPING = re.compile(r"[,\u00a0\u202f ]")
_LETTERS = re.compile(r"[^\W\d_]+")
_SENTENCE_END = set(".!?…:;\"«“„(—–")

# Bead shapes (Russian passages, English passages) and their prior probabilities. Merges and splits
# as in Gale and Church (1993); one-sided passages (headers, notes, a translator's additions) are
# commoner in records than between sentences, and here they pay no length cost, only this prior.
_PRIORS = {(1, 1): 0.871, (2, 1): 0.0445, (1, 2): 0.0445, (1, 0): 0.02, (0, 1): 0.02}
_PRIOR_COSTS = {shape: -math.log(p) for shape, p in _PRIORS.items()}

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
# Realign when the ratio of the passages paired one to one differs from the first guess by more.
RATIO_TOLERANCE = 0.02
# How far from the diagonal paths are scored: first, and at most (the band doubles in between).
MIN_BAND = 20
MAX_BAND = 320

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
    if lang not in LANGUAGES:
        raise ValueError(f"language must be 'ru' or 'en', not {lang!r}")
    for bead in beads:
        mine, other = (bead.ru, bead.en) if lang == "ru" else (bead.en, bead.ru)
        if index in mine:
            return other
    raise IndexError(f"no {lang} passage {index} in the alignment")


@dataclass(frozen=True)
class Alignment:
    """A record's passages in each language, as character spans of its text, and the beads pairing them.

    Worked out once, when the record is indexed (`align_texts`), and stored with it as JSON.
    """

    spans: dict[str, list[tuple[int, int]]]
    beads: list[Bead]

    def passage_at(self, lang: str, offset: int) -> int:
        """The index of the `lang` passage that holds character `offset` (or the last one before it)."""
        return max(0, bisect_right(self.spans[lang], (offset, math.inf)) - 1)

    def counterpart(self, lang: str, index: int) -> tuple[int, ...]:
        """The other language's passages aligned with passage `index` of `lang`."""
        return aligned_counterpart(self.beads, lang, index)

    def to_json(self) -> str:
        return json.dumps({"spans": self.spans, "beads": [[bead.ru, bead.en] for bead in self.beads]},
                          separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "Alignment":
        data = json.loads(text)
        return cls({lang: [tuple(span) for span in spans] for lang, spans in data["spans"].items()},
                   [Bead(tuple(ru), tuple(en)) for ru, en in data["beads"]])


def align_texts(texts: Mapping[str, str]) -> Alignment:
    """Split a record's texts into passages and align them (one-sided beads when it has one language)."""
    found = {lang: passages(texts[lang]) for lang in LANGUAGES if texts.get(lang)}
    beads = align([p.text for p in found.get("ru", [])], [p.text for p in found.get("en", [])])
    return Alignment({lang: [(p.start, p.end) for p in found_passages] for lang, found_passages in found.items()},
                     beads)


@dataclass(frozen=True, slots=True)
class _Side:
    """What the cost function needs of one passage, or of two adjacent ones taken together."""

    length: int
    anchors: dict[str, int]
    names: dict[str, int]
    sounds: frozenset[str]


def align(ru: list[str], en: list[str]) -> list[Bead]:
    """Align Russian and English passages: monotone beads of shapes 1-1, 2-1, 1-2, 1-0, 0-1 covering all."""
    n, m = len(ru), len(en)
    if not n or not m:
        return [Bead((i,), ()) for i in range(n)] + [Bead((), (j,)) for j in range(m)]
    ru_spans = _spans([_side(text) for text in ru])
    en_spans = _spans([_side(text) for text in en])
    ratio = _length_ratio(sum(s.length for s in ru_spans[1]), sum(s.length for s in en_spans[1]))
    beads = _banded_path(ru_spans, en_spans, ratio)
    # Passages that one side lacks skew a ratio taken over whole texts (and may hide in a merge);
    # passages paired one to one do not.
    paired = [(bead.ru[0], bead.en[0]) for bead in beads if len(bead.ru) == len(bead.en) == 1]
    refined = _length_ratio(sum(ru_spans[1][i].length for i, _ in paired),
                            sum(en_spans[1][j].length for _, j in paired))
    if abs(refined - ratio) > RATIO_TOLERANCE * ratio:
        beads = _banded_path(ru_spans, en_spans, refined)
    return beads


def _banded_path(ru_spans: dict[int, list[_Side]], en_spans: dict[int, list[_Side]],
                 ratio: float) -> list[Bead]:
    """The best path through a band around the diagonal, widened while the path runs along its edge.

    Only cells near the diagonal are scored, so time grows with the record's length, not its
    square. Each row must move right by m/n; a better path may lie outside the band only where the
    best one inside touches its edge.
    """
    n, m = len(ru_spans[1]), len(en_spans[1])
    band = max(MIN_BAND, math.ceil(m / n) + 2)
    while True:
        windows = [_window(i, n, m, band) for i in range(n + 1)]
        beads, on_edge = _best_path(ru_spans, en_spans, ratio, windows)
        if not on_edge or band >= min(max(n, m), MAX_BAND):
            return beads
        band *= 2


def _window(i: int, n: int, m: int, band: int) -> tuple[int, int]:
    """The English positions scored after `i` Russian passages: the band around the diagonal."""
    centre = i * m / n
    return max(0, math.floor(centre) - band), min(m, math.ceil(centre) + band)


def _best_path(ru_spans: dict[int, list[_Side]], en_spans: dict[int, list[_Side]], ratio: float,
               windows: list[tuple[int, int]]) -> tuple[list[Bead], bool]:
    """The cheapest beads within the band, and whether their path touches the band's edge."""
    n, m = len(ru_spans[1]), len(en_spans[1])
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
            for (a, b), prior in _PRIOR_COSTS.items():
                pi, pj = i - a, j - b
                if pi < 0 or pj < 0:
                    continue
                p_low, p_high = windows[pi]
                if not p_low <= pj <= p_high:
                    continue
                before = (costs[pi] if a else row_costs)[pj - p_low]
                if before == math.inf:
                    continue
                total = before + prior
                if a and b:
                    total += _match_cost(ru_spans[a][pi], en_spans[b][pj], ratio)
                if total < best:
                    best, best_move = total, (a, b)
            row_costs[j - low] = best
            row_moves[j - low] = best_move
        costs.append(row_costs)
        moves.append(row_moves)

    beads: list[Bead] = []
    on_edge = False
    i, j = n, m
    while i or j:
        low, high = windows[i]
        on_edge |= (j == low and low > 0) or (j == high and high < m)
        a, b = moves[i][j - low]
        beads.append(Bead(tuple(range(i - a, i)), tuple(range(j - b, j))))
        i, j = i - a, j - b
    beads.reverse()
    return beads, on_edge


def _match_cost(ru: _Side, en: _Side, ratio: float) -> float:
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


def _length_ratio(ru_total: int, en_total: int) -> float:
    """English characters per Russian character, estimated from the texts and pulled towards the usual."""
    if not ru_total or not en_total:
        return DEFAULT_RATIO
    # A short record says little about its ratio; RATIO_PRIOR_CHARS of typical text steady it.
    ratio = (en_total + DEFAULT_RATIO * RATIO_PRIOR_CHARS) / (ru_total + RATIO_PRIOR_CHARS)
    # A record with most of its translation missing would otherwise squeeze every bead.
    return min(max(ratio, DEFAULT_RATIO / 2), DEFAULT_RATIO * 2)


def _spans(sides: list[_Side]) -> dict[int, list[_Side]]:
    """Each passage alone (key 1) and joined with the next (key 2), indexed by first passage."""
    pairs = [_Side(one.length + two.length, _joined(one.anchors, two.anchors), _joined(one.names, two.names),
                   one.sounds | two.sounds) for one, two in zip(sides, sides[1:])]
    return {1: sides, 2: pairs}


def _joined(one: dict[str, int], two: dict[str, int]) -> dict[str, int]:
    return dict(Counter(one) + Counter(two))


def _side(text: str) -> _Side:
    found, names, sounds = _anchors(text)
    return _Side(len(text), dict(found), dict(names), frozenset(sounds))


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
