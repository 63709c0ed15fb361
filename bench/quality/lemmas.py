"""Lemmatizer accuracy against human gold: does a query for the lemma find the word form?

Gold: `ud-russian-lemma-gold.tsv` (columns form, lemma, upos, count) from Universal Dependencies.
For each row, the form's index terms are `{t.text for t in analyze(form)}` and the lemma's query
terms are `{t.text for t in analyze(lemma)}`, both through the project's one analysis chain.

- hit (the reported accuracy): the two sets share a term. That is exactly "a one-word query for the
  lemma finds a record containing the form" when the engine ORs a word's alternative terms, which it
  must for all-lemma indexing to work at all.
- best-lemma agreement (reported beside it): the first term of each side is the same, i.e. what a
  best-lemma-only analyzer would score; the gap between the two figures is what the alternatives buy.
- extra terms per token: form terms that are not among the lemma's terms (`были` indexed also as
  быль), the price of the alternatives: each can make an unrelated query find the form.

Every figure is weighted by the row's count (token frequency in the treebanks). Rows where either
side yields no term are skipped and counted. UD conventions differ from pymorphy's in places
(participles, pronouns, ё), so part of the misses are convention, not error: read the list.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

Analyze = Callable[[str], Iterable]  # text -> Term objects with .text


@dataclass(frozen=True)
class GoldRow:
    form: str
    lemma: str
    upos: str
    count: int


@dataclass(frozen=True)
class LemmaMiss:
    row: GoldRow
    form_terms: tuple[str, ...]
    lemma_terms: tuple[str, ...]

    def __str__(self) -> str:
        return (f"{self.row.count:5d}  {self.row.form} -> {self.row.lemma} ({self.row.upos}): "
                f"form terms {', '.join(self.form_terms)}; lemma terms {', '.join(self.lemma_terms)}")


@dataclass
class LemmaReport:
    rows: int = 0
    tokens: int = 0
    hit_tokens: int = 0
    best_tokens: int = 0
    extra_terms: int = 0  # form terms outside the lemma's terms, weighted by count
    skipped_rows: int = 0
    skipped_tokens: int = 0
    misses: list[LemmaMiss] = field(default_factory=list)
    by_upos: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # upos -> [hit, all]

    @property
    def accuracy(self) -> float:
        return self.hit_tokens / self.tokens if self.tokens else 0.0

    @property
    def extra_terms_per_token(self) -> float:
        return self.extra_terms / self.tokens if self.tokens else 0.0

    @property
    def best_lemma_accuracy(self) -> float:
        return self.best_tokens / self.tokens if self.tokens else 0.0

    def top_misses(self, n: int = 20) -> list[LemmaMiss]:
        return sorted(self.misses, key=lambda m: (-m.row.count, m.row.form))[:n]


def read_gold(path: Path) -> list[GoldRow]:
    """Rows of the gold TSV (header: form, lemma, upos, count)."""
    rows = []
    with open(path, encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            rows.append(GoldRow(record["form"], record["lemma"], record["upos"], int(record["count"])))
    return rows


def _terms(analyze: Analyze, text: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for term in analyze(text):
        seen.setdefault(term.text, None)
    return tuple(seen)


def evaluate(rows: Iterable[GoldRow], analyze: Analyze) -> LemmaReport:
    """Score every gold row with the given analysis function."""
    report = LemmaReport()
    for row in rows:
        form_terms = _terms(analyze, row.form)
        lemma_terms = _terms(analyze, row.lemma)
        if not form_terms or not lemma_terms:
            report.skipped_rows += 1
            report.skipped_tokens += row.count
            continue
        report.rows += 1
        report.tokens += row.count
        tally = report.by_upos[row.upos]
        tally[1] += row.count
        if set(form_terms) & set(lemma_terms):
            report.hit_tokens += row.count
            tally[0] += row.count
        else:
            report.misses.append(LemmaMiss(row, form_terms, lemma_terms))
        if form_terms[0] == lemma_terms[0]:
            report.best_tokens += row.count
        report.extra_terms += row.count * len(set(form_terms) - set(lemma_terms))
    return report


def format_report(report: LemmaReport, top: int = 20) -> Iterator[str]:
    """Lines for the console: accuracy, best-lemma agreement, by part of speech, the top misses."""
    yield (f"lemma accuracy (a query for the gold lemma finds the form): {report.accuracy:.1%} of "
           f"{report.tokens:,} tokens ({report.rows:,} forms); best-lemma agreement {report.best_lemma_accuracy:.1%}; "
           f"extra terms per token {report.extra_terms_per_token:.3f}; "
           f"skipped {report.skipped_rows} forms without terms")
    parts = sorted(report.by_upos.items(), key=lambda item: -item[1][1])
    yield "  by part of speech: " + ", ".join(f"{upos} {hit / total:.1%} of {total:,}" for upos, (hit, total) in parts
                                             if total)
    yield f"  the {top} most frequent misses:"
    for miss in report.top_misses(top):
        yield f"  {miss}"


def main(gold: Path) -> LemmaReport:
    """Evaluate the project's `analyze` on the gold file and print the report."""
    from search_service.text.analysis import analyze

    report = evaluate(read_gold(gold), analyze)
    for line in format_report(report):
        print(line)
    return report
