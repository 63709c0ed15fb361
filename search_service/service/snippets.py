"""Snippets that pair the languages: a hit's best-matching passage beside its aligned translation.

The passages and their pairs were worked out when the record was indexed (`alignment.Alignment`);
here they are only looked up, so a hit costs no more than plain snippets did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from search_service.text.alignment import Alignment
from search_service.service.highlight import MAX_FRAGMENTS, Match, fragment_span, match_windows, render

Span = tuple[int, int]


@dataclass(frozen=True)
class PassageSnippets:
    """A hit's snippet in each language, the passage each fragment comes from, and the best passage's anchor.

    The first fragment of each language is the aligned pair: the best-matching passage, and its
    translation in the other language. Up to `MAX_FRAGMENTS` fragments per language.
    """

    html: dict[str, str]  # language -> escaped HTML, matches in <mark>, fragments joined by ellipses
    passages: dict[str, list[int]]  # language -> for each fragment, the passage it begins in
    anchor: str  # "p-ru-4": the best-matching passage on the record page; "" when no passage matched


def passage_anchor(lang: str, index: int) -> str:
    """The record page's element id of a passage."""
    return f"p-{lang}-{index}"


def passage_snippets(texts: Mapping[str, str], matches: Mapping[str, list[Match]],
                     alignment: Alignment) -> PassageSnippets:
    """Snippets of `texts` (the languages to show) around `matches`, led by the best passage and its pair."""
    ranked = {lang: _ranked_windows(matches.get(lang, []), alignment, lang) for lang in texts}
    leads = [(lang, *ranked[lang][0]) for lang in texts if ranked[lang]]
    first: dict[str, Span] = {}
    anchor = ""
    if leads:
        # Most distinct words, then most matches; a tie goes to the language listed first.
        lang, index, window = max(leads, key=lambda lead: _strength(lead[2]))
        passage = alignment.spans[lang][index]
        first[lang] = _within(texts[lang], passage, window[0].start, window[-1].end)
        anchor = passage_anchor(lang, index)
        for other in texts:
            counterpart = alignment.counterpart(lang, index) if other != lang else ()
            if counterpart:
                region = alignment.spans[other][counterpart[0]][0], alignment.spans[other][counterpart[-1]][1]
                first[other] = _translation_span(texts[other], region, ranked[other], passage, window)
    html, passages = {}, {}
    for lang, text in texts.items():
        spans = _spans(text, alignment, lang, ranked[lang], first.get(lang))
        html[lang] = render(text, matches.get(lang, []), spans)
        passages[lang] = [alignment.passage_at(lang, begin) for begin, _ in spans]
    return PassageSnippets(html, passages, anchor)


def _ranked_windows(matches: list[Match], alignment: Alignment, lang: str) -> list[tuple[int, list[Match]]]:
    """Windows of neighbouring matches inside one passage each, with their passage index, best first."""
    by_passage: dict[int, list[Match]] = {}
    for match in matches:
        by_passage.setdefault(alignment.passage_at(lang, match.start), []).append(match)
    windows = [(index, window) for index, found in by_passage.items() for window in match_windows(found)]
    return sorted(windows, key=lambda item: (*(-value for value in _strength(item[1])), item[1][0].start))


def _strength(window: list[Match]) -> tuple[int, int]:
    """Distinct words matched, then matches. Words, not terms: a Russian word may have several lemmas."""
    return len({match.terms for match in window}), len(window)


def _translation_span(text: str, region: Span, ranked: list[tuple[int, list[Match]]], source: Span,
                      window: list[Match]) -> Span:
    """The fragment of the aligned passages `region`: around the query's own matches there if any, else
    where the source window stands, in proportion (a translation keeps a paragraph's order)."""
    inside = [found for _, found in ranked if region[0] <= found[0].start < region[1]]
    if inside:
        return _within(text, region, inside[0][0].start, inside[0][-1].end)
    share = ((window[0].start + window[-1].end) / 2 - source[0]) / max(1, source[1] - source[0])
    at = region[0] + round(share * (region[1] - region[0]))
    return _within(text, region, at, at)


def _spans(text: str, alignment: Alignment, lang: str, ranked: list[tuple[int, list[Match]]],
           first: Span | None) -> list[Span]:
    """The lead fragment, then the best other windows in text order; the opening when nothing matched."""
    spans: list[Span] = [first] if first else []
    for index, window in ranked:
        if len(spans) == MAX_FRAGMENTS:
            break
        span = _within(text, alignment.spans[lang][index], window[0].start, window[-1].end)
        if not any(span[0] < end and begin < span[1] for begin, end in spans):
            spans.append(span)
    if not spans:
        return [fragment_span(text, 0, 0)]
    return spans[:1] + sorted(spans[1:]) if first else sorted(spans)


def _within(text: str, region: Span, start: int, end: int) -> Span:
    """A fragment around `text[start:end]` that stays inside `region` (a passage, or aligned passages)."""
    local = fragment_span(text[region[0]:region[1]], start - region[0], end - region[0])
    return region[0] + local[0], region[0] + local[1]
