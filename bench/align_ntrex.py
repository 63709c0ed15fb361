"""Passage alignment accuracy and speed on NTREX news (issue 8).

    .venv/bin/python bench/align_ntrex.py

NTREX texts are parallel line by line, so line i of the Russian is the truth for line i of the
English. Besides the plain corpus it scores two harder variants made with a fixed seed: adjacent
lines merged on one side (1-2 and 2-1 beads) and lines dropped from one side (1-0 and 0-1 beads);
and the same three on one long record made of the whole corpus, to show the time on thousands of
paragraphs. A passage counts as right when its aligned counterpart is exactly its true one.
Exits 1 when a variant falls below the issue's 95% target.
"""

from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search_service.text.alignment import align, aligned_counterpart, passages  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "ntrex-news-ru-en.jsonl"
SEED = 8
MERGE_SHARE = 0.15
DROP_SHARE = 0.05
TARGET = 0.95
WORST_SHOWN = 5


@dataclass
class Case:
    """Two passage lists and, for each passage, the other side's true counterpart."""

    id: str
    ru: list[str]
    en: list[str]
    ru_truth: list[tuple[int, ...]]
    en_truth: list[tuple[int, ...]]


@dataclass
class Score:
    id: str
    right: int
    total: int
    seconds: float


def main() -> int:
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} is absent (it lives in the shared corpora folder beside the repo)")
        return 0
    documents = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    plain = [_plain(doc) for doc in documents]
    whole = _concatenated(plain)
    variants = _variants(plain, whole)
    print(f"NTREX news ru-en: {len(plain)} documents, {len(whole.ru)} line pairs. A passage is right when its")
    print(f"aligned counterpart is exactly its true one. merged: {MERGE_SHARE:.0%} of lines joined to the next")
    print(f"on one side; dropped: {DROP_SHARE:.0%} of lines removed from one side (random seed {SEED});")
    print("long: the whole corpus as one record. Seconds: CPU time in align(), which is single-threaded:")
    print("the wall-clock time on an idle machine, and still true when other work shares the machine.")
    print(f"\n{'variant':<13} {'records':>7} {'passages':>8} {'right':>8} {'seconds':>8} {'slowest':>8}")
    worst_lines: list[str] = []
    passed = True
    for name, cases in variants.items():
        met, worst = _print_variant(name, cases)
        passed &= met
        worst_lines += worst
    print(f"\ntarget: at least {TARGET:.0%} in every variant: {'met' if passed else 'NOT met'}")
    print("worst records:" if worst_lines else "no record has an error")
    print("\n".join(worst_lines))
    return 0 if passed else 1


def _variants(plain: list[Case], whole: Case) -> dict[str, list[Case]]:
    """The plain corpus, the long record and their merged and dropped variants, from one seeded generator."""
    rng = random.Random(SEED)
    return {
        "plain": plain,
        "merged": [_merged(case, rng) for case in plain],
        "dropped": [_dropped(case, rng) for case in plain],
        "long plain": [whole],
        "long merged": [_merged(whole, rng)],
        "long dropped": [_dropped(whole, rng)],
    }


def _print_variant(name: str, cases: list[Case]) -> tuple[bool, list[str]]:
    """Score a variant and print its row; whether it meets the target, and lines naming its worst records."""
    scores = [_score(case) for case in cases]
    right = sum(s.right for s in scores)
    total = sum(s.total for s in scores)
    seconds = sum(s.seconds for s in scores)
    slowest = max(s.seconds for s in scores)
    print(f"{name:<13} {len(cases):>7} {total:>8} {right / total:>8.2%} {seconds:>8.2f} {slowest:>8.3f}")
    worst = sorted((s for s in scores if s.right < s.total), key=lambda s: s.right / s.total)[:WORST_SHOWN]
    return right / total >= TARGET, [f"  {name}: {s.id} {s.right}/{s.total} ({s.right / s.total:.1%})" for s in worst]


def _score(case: Case) -> Score:
    """Align a case, timing it, and count the passages whose counterpart is the true one."""
    started = time.process_time()
    beads = align(case.ru, case.en)
    seconds = time.process_time() - started
    right = sum(aligned_counterpart(beads, "ru", i) == truth for i, truth in enumerate(case.ru_truth))
    right += sum(aligned_counterpart(beads, "en", j) == truth for j, truth in enumerate(case.en_truth))
    return Score(case.id, right, len(case.ru) + len(case.en), seconds)


def _plain(document: dict) -> Case:
    """A document as it is: line i of each side is the truth for line i of the other."""
    ru = [p.text for p in passages(document["texts"]["ru"])]
    en = [p.text for p in passages(document["texts"]["en"])]
    if len(ru) != len(en):
        raise SystemExit(f"{document['id']}: {len(ru)} Russian lines but {len(en)} English ones")
    return Case(document["id"], ru, en, [(i,) for i in range(len(ru))], [(i,) for i in range(len(en))])


def _merged(case: Case, rng: random.Random) -> Case:
    """A plain case with some lines joined to the next on one side, as a translator may merge paragraphs."""
    groups: list[list[int]] = []
    for i in range(len(case.ru)):
        if groups and len(groups[-1]) == 1 and rng.random() < MERGE_SHARE:
            groups[-1].append(i)
        else:
            groups.append([i])
    return _regrouped(case, groups, rng)


def _dropped(case: Case, rng: random.Random) -> Case:
    """A plain case with some lines removed from one side, like a header or note only one language has."""
    groups = [[i] if rng.random() >= DROP_SHARE else [] for i in range(len(case.ru))]
    return _regrouped(case, groups, rng)


def _regrouped(case: Case, groups: list[list[int]], rng: random.Random) -> Case:
    """A plain case with one side's lines regrouped: each group joined, an empty group's line dropped."""
    changed = "ru" if rng.random() < 0.5 else "en"
    texts = getattr(case, changed)
    kept_groups = [group for group in groups if group]
    new_texts = [" ".join(texts[i] for i in group) for group in kept_groups]
    new_truth = [tuple(group) for group in kept_groups]
    owner = {i: index for index, group in enumerate(kept_groups) for i in group}
    kept_truth = [(owner[i],) if i in owner else () for i in range(len(texts))]
    if changed == "ru":
        return Case(case.id, new_texts, case.en, new_truth, kept_truth)
    return Case(case.id, case.ru, new_texts, kept_truth, new_truth)


def _concatenated(cases: list[Case]) -> Case:
    """All plain cases as one long record."""
    ru: list[str] = []
    en: list[str] = []
    for case in cases:
        ru += case.ru
        en += case.en
    truth = [(i,) for i in range(len(ru))]
    return Case("whole-corpus", ru, en, truth, list(truth))


if __name__ == "__main__":
    sys.exit(main())
