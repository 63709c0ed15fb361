"""Highlighted HTML from plain text: escape everything, then mark the words a query matched.

Matches come from our own analysis, so a query for `совета` marks `Совете` as written in the text:
for search hits, from the character spans the index stored for each term (no text is analysed
again); for a record page, by analysing the text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Iterable

from search_service.text.analysis import analyze

FRAGMENT_CHARS = 180
MAX_FRAGMENTS = 3
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    terms: frozenset[str]
    translated: bool = False  # a translation of a query word (the record lacks the word's language)


def find_matches(text: str, terms: frozenset[str], translated: frozenset[str] = frozenset()) -> list[Match]:
    """Character spans of words whose index terms meet `terms` or the `translated` query words,
    found by analysing `text`."""
    if not terms and not translated:
        return []
    wanted = terms | translated
    return merge_spans(((term.start, term.end, term.text) for term in analyze(text) if term.text in wanted),
                       translated)


def merge_spans(spans: Iterable[tuple[int, int, str]], translated: frozenset[str] = frozenset()) -> list[Match]:
    """Matches from (start, end, term) spans given in text order; overlapping spans are merged. A
    match of `translated` terms only is marked as a translation."""
    matches: list[Match] = []
    for start, end, term in spans:
        if matches and start < matches[-1].end:
            last = matches[-1]
            matches[-1] = Match(min(last.start, start), max(last.end, end), last.terms | {term})
        else:
            matches.append(Match(start, end, frozenset({term})))
    if translated:
        matches = [Match(m.start, m.end, m.terms, m.terms <= translated) for m in matches]
    return matches


def hit_matches(spans: list[tuple[int, int, str]], translated: list[tuple[int, int, str]]) -> list[Match]:
    """A hit's matches in one text from the spans the index stored: the query's words, and its
    translated words (marked as such)."""
    if not translated:
        return merge_spans(spans)
    # A term the query matches as typed (a name's other-script spelling among the near terms) is not a translation.
    own = {term for *_, term in spans}
    return merge_spans(sorted([*spans, *translated]), frozenset(term for *_, term in translated if term not in own))


def mark(text: str, matches: list[Match], start: int = 0, end: int | None = None, number_from: int | None = None
         ) -> str:
    """Escaped `text[start:end]` with every match inside it wrapped in <mark>; with `number_from`, the
    marks are numbered from it as element ids (`m-1`, `m-2`, ...) a page can step through."""
    end = len(text) if end is None else end
    out, cursor = [], start
    for match in matches:
        if match.start < start or match.end > end:
            continue
        out.append(html.escape(text[cursor:match.start]))
        attribute = f' id="m-{number_from}"' if number_from is not None else ""
        number_from = number_from + 1 if number_from is not None else None
        attribute += ' class="translated"' if match.translated else ""
        out.append(f"<mark{attribute}>{html.escape(text[match.start:match.end])}</mark>")
        cursor = match.end
    out.append(html.escape(text[cursor:end]))
    return "".join(out)


def render(text: str, matches: list[Match], spans: list[tuple[int, int]]) -> str:
    """The fragments `text[begin:end]` as one line of escaped HTML, matches marked, joined by ellipses."""
    pieces = [_SPACE.sub(" ", mark(text, matches, begin, finish)).strip() for begin, finish in spans]
    return ("… " if spans[0][0] > 0 else "") + " … ".join(pieces) + (" …" if spans[-1][1] < len(text) else "")


def match_windows(matches: list[Match], fragment_chars: int = FRAGMENT_CHARS) -> list[list[Match]]:
    """Group neighbouring matches into windows no longer than a fragment."""
    windows: list[list[Match]] = []
    for match in matches:
        if windows and match.end - windows[-1][0].start <= fragment_chars:
            windows[-1].append(match)
        else:
            windows.append([match])
    return windows


def fragment_span(text: str, start: int, end: int, fragment_chars: int = FRAGMENT_CHARS) -> tuple[int, int]:
    """Where a fragment around text[start:end] begins and ends: about `fragment_chars`, whole words."""
    pad = max(0, (fragment_chars - (end - start)) // 2)
    begin = _word_boundary(text, max(0, start - pad), backwards=True)
    if begin == 0:
        finish = min(len(text), max(end + pad, fragment_chars))
    else:
        finish = min(len(text), end + pad)
    return begin, _word_boundary(text, finish, backwards=False)


def _word_boundary(text: str, index: int, backwards: bool) -> int:
    """Move `index` to the nearest whitespace so a fragment does not cut a word."""
    if index <= 0 or index >= len(text):
        return max(0, min(index, len(text)))
    step = -1 if backwards else 1
    limit = 30
    probe = index
    while 0 < probe < len(text) and not text[probe].isspace() and limit:
        probe += step
        limit -= 1
    return probe if limit else index
