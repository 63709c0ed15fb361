"""Passage alignment: pair a record's Russian paragraphs with their English translations.

Gale-Church dynamic programming over paragraph lengths, helped by anchors that survive
translation: numbers, and words that sound alike in both scripts once transliterated (names such
as Готвальд / Gottwald, and cognates such as секретно / secret); what a bead costs is worked out
in `alignment_cost`. Plain Python: no Flask, no Whoosh.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Mapping

from search_service.text.alignment_cost import Side, length_ratio, match_cost, passage_sides
from search_service.text.scripts import LANGUAGES

_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_LINE = re.compile(r"\n")

# Bead shapes (Russian passages, English passages) and their prior probabilities. Merges and splits
# as in Gale and Church (1993); one-sided passages (headers, notes, a translator's additions) are
# commoner in records than between sentences, and here they pay no length cost, only this prior.
_PRIORS = {(1, 1): 0.871, (2, 1): 0.0445, (1, 2): 0.0445, (1, 0): 0.02, (0, 1): 0.02}
_PRIOR_COSTS = {shape: -math.log(p) for shape, p in _PRIORS.items()}

# Realign when the ratio of the passages paired one to one differs from the first guess by more.
RATIO_TOLERANCE = 0.02
# How far from the diagonal paths are scored: first, and at most (the band doubles in between).
MIN_BAND = 20
MAX_BAND = 320


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


def align(ru: list[str], en: list[str]) -> list[Bead]:
    """Align Russian and English passages: monotone beads of shapes 1-1, 2-1, 1-2, 1-0, 0-1 covering all."""
    n, m = len(ru), len(en)
    if not n or not m:
        return [Bead((i,), ()) for i in range(n)] + [Bead((), (j,)) for j in range(m)]
    ru_spans = passage_sides(ru)
    en_spans = passage_sides(en)
    ratio = length_ratio(sum(s.length for s in ru_spans[1]), sum(s.length for s in en_spans[1]))
    beads = _banded_path(ru_spans, en_spans, ratio)
    # Passages that one side lacks skew a ratio taken over whole texts (and may hide in a merge);
    # passages paired one to one do not.
    paired = [(bead.ru[0], bead.en[0]) for bead in beads if len(bead.ru) == len(bead.en) == 1]
    refined = length_ratio(sum(ru_spans[1][i].length for i, _ in paired),
                            sum(en_spans[1][j].length for _, j in paired))
    if abs(refined - ratio) > RATIO_TOLERANCE * ratio:
        beads = _banded_path(ru_spans, en_spans, refined)
    return beads


def _banded_path(ru_spans: dict[int, list[Side]], en_spans: dict[int, list[Side]],
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


def _best_path(ru_spans: dict[int, list[Side]], en_spans: dict[int, list[Side]], ratio: float,
               windows: list[tuple[int, int]]) -> tuple[list[Bead], bool]:
    """The cheapest beads within the band, and whether their path touches the band's edge."""
    return _trace_back(_cheapest_moves(ru_spans, en_spans, ratio, windows), windows, len(en_spans[1]))


def _cheapest_moves(ru_spans: dict[int, list[Side]], en_spans: dict[int, list[Side]], ratio: float,
                    windows: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """For each cell of the band (i Russian and j English passages aligned, row i shifted by its
    window's start), the bead shape that ends the cheapest path to that cell."""
    costs: list[list[float]] = []
    moves: list[list[tuple[int, int]]] = []
    for i in range(len(ru_spans[1]) + 1):
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
                    total += match_cost(ru_spans[a][pi], en_spans[b][pj], ratio)
                if total < best:
                    best, best_move = total, (a, b)
            row_costs[j - low] = best
            row_moves[j - low] = best_move
        costs.append(row_costs)
        moves.append(row_moves)
    return moves


def _trace_back(moves: list[list[tuple[int, int]]], windows: list[tuple[int, int]],
                m: int) -> tuple[list[Bead], bool]:
    """The beads of the cheapest path, read back from its last cell, and whether it touches the
    band's edge (an edge of the English text is not the band's)."""
    beads: list[Bead] = []
    on_edge = False
    i, j = len(moves) - 1, m
    while i or j:
        low, high = windows[i]
        on_edge |= (j == low and low > 0) or (j == high and high < m)
        a, b = moves[i][j - low]
        beads.append(Bead(tuple(range(i - a, i)), tuple(range(j - b, j))))
        i, j = i - a, j - b
    beads.reverse()
    return beads, on_edge
