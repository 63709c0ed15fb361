"""The quality harness's printed tables: scores per system, MRR@10 by category, and the verdict."""

from __future__ import annotations

from typing import Sequence

from bench.quality.judgments import CATEGORIES, LANGUAGES, Query
from bench.quality.metrics import Scores, score

PROJECT = "project"


def format_table(lang: str, rows: list[tuple[str, Scores]]) -> list[str]:
    lines = [f"  {lang}  {'system':<15}{'queries':>8}{'MRR@10':>9}{'recall@10':>11}{'zero-hit':>10}{'negatives':>11}"
             f"{'failures':>10}"]
    for name, s in rows:
        lines.append(f"      {name:<15}{s.ranked_queries:>8}{s.mrr:>9.3f}{s.recall:>11.3f}{s.zero_hit_share:>10.1%}"
                     f"{f'{s.negatives_passed}/{s.negatives}':>11}{len(s.failures):>10}")
    return lines


def format_categories(lang: str, queries: Sequence[Query], results: dict[str, dict[str, list[str]]]) -> list[str]:
    present = [c for c in CATEGORIES if any(q.category == c and q.relevant for q in queries)]
    if len(present) < 2:
        return []
    lines = [f"  {lang}  MRR@10/queries  " + "".join(f"{c:>11}" for c in present)]
    for name, hits in results.items():
        cells = []
        for category in present:
            scored = score([q for q in queries if q.category == category], hits)
            cells.append(f"{scored.mrr:>7.2f}/{scored.ranked_queries:<3}")
        lines.append(f"      {name:<15}" + "".join(cells))
    return lines


def format_verdict(tables: dict[str, dict[str, dict[str, Scores]]]) -> list[str]:
    """Issue 3's bar: the project's MRR@10 against the best peer's, per set and language."""
    lines = []
    for set_name, table in tables.items():
        if PROJECT not in table:
            lines.append(f"  {set_name}: project not measured")
            continue
        for lang in LANGUAGES:
            peers = {name: by_lang[lang].mrr for name, by_lang in table.items() if name != PROJECT and lang in by_lang}
            if lang not in table[PROJECT] or not peers:
                continue
            best = max(peers, key=peers.get)
            mine = table[PROJECT][lang].mrr
            mark = "at least the best peer" if mine >= peers[best] else "BELOW the best peer"
            lines.append(f"  {set_name:<8} {lang}: project MRR@10 {mine:.3f} vs {best} {peers[best]:.3f}: {mark}")
    return lines
