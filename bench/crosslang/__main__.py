"""Across languages, measured on NTREX split by document (issue 19).

100 documents are indexed in both languages (the lexicon is learned from them), the 23 of
`queries.json` held out and indexed in one language only: Russian for the English questions,
English for the Russian ones. Each direction has its own index; every question is asked with
translation and with `translate=0`. Prints MRR@10 and recall@10, the lexicon's size and build cost,
and milliseconds per query. `--distractors` indexes the 1x archive corpora (Stalin's works, FRUS)
beside them.

    .venv/bin/python -m bench.crosslang [--distractors]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

from bench.quality.metrics import recall, reciprocal_rank
from search_service.engine import Engine
from search_service.engine.build import building
from search_service.records import Record
from search_service.service.search import SearchOptions, search

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
OUT = REPO / "bench" / "out" / "crosslang"
DISTRACTORS = ("stalin-works-ru.jsonl", "frus-en.jsonl")
OTHER = {"en": "ru", "ru": "en"}


def read_jsonl(path: Path) -> list[Record]:
    with open(path, encoding="utf-8") as handle:
        return [Record.from_json(json.loads(line)) for line in handle if line.strip()]


def split_records(held_out: set[str], kept_lang: str, distractors: bool) -> list[Record]:
    """NTREX with the held-out documents in `kept_lang` only, and the archive corpora when asked."""
    records = []
    for record in read_jsonl(CORPORA / "ntrex-news-ru-en.jsonl"):
        if record.id in held_out:
            # NTREX titles are English: a record indexed in Russian only would still match English
            # questions by its title. Its text opens with the headline in its own language.
            record = Record.from_json({**record.to_json(), "title": "", "texts": {kept_lang: record.texts[kept_lang]}})
        records.append(record)
    for name in DISTRACTORS if distractors else ():
        records += read_jsonl(CORPORA / name)
    return records


def measure(engine: Engine, queries: list[dict], translate: bool) -> dict:
    """MRR@10, recall@10 and the milliseconds per query of `queries` (each with one relevant id)."""
    ranks, recalls, times = [], [], []
    for item in queries:
        started = time.perf_counter()
        found = search(engine, SearchOptions(query=item["query"], per_page=10, translate=translate))
        times.append((time.perf_counter() - started) * 1000)
        ids = [hit.id for hit in found.hits]
        ranks.append(reciprocal_rank(ids, [item["relevant"]]))
        recalls.append(recall(ids, [item["relevant"]]))
    return {"mrr": statistics.fmean(ranks), "recall": statistics.fmean(recalls),
            "ms_median": statistics.median(times), "ms_mean": statistics.fmean(times)}


def direction(lang: str, spec: dict, distractors: bool) -> list[str]:
    """Build the index for questions in `lang` and measure them; the report's lines."""
    index_dir = OUT / f"{lang}-questions{'-distractors' if distractors else ''}"
    shutil.rmtree(index_dir, ignore_errors=True)
    records = split_records(set(spec["held_out"]), OTHER[lang], distractors)
    started = time.perf_counter()
    built = building.build(records, [], index_dir, full=True)
    seconds = time.perf_counter() - started
    engine = Engine.open(index_dir, time_limit=30)  # quality, not speed: a loaded machine must not cut it
    engine.prepare()
    queries = [item for item in spec["queries"] if item["lang"] == lang]
    lexicon = built.lexicon
    lines = [f"{lang} questions, held-out documents in {OTHER[lang]} only: {len(records)} records, "
             f"{len(queries)} queries; build {seconds:.1f} s, lexicon {lexicon.seconds:.1f} s from "
             f"{lexicon.pairs} passage pairs of {lexicon.records} records, {lexicon.entries} entries, "
             f"aligner peak {lexicon.peak_kb / 1024:.0f} MB"]
    for translate in (True, False):
        measure(engine, queries[:5], translate)  # warm the caches before timing
        scores = measure(engine, queries, translate)
        lines.append(f"  translate={int(translate)}  MRR@10 {scores['mrr']:.3f}  recall@10 {scores['recall']:.3f}  "
                     f"{scores['ms_median']:.1f} ms median, {scores['ms_mean']:.1f} ms mean per query")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distractors", action="store_true", help="index Stalin's works and FRUS beside NTREX")
    parser.add_argument("--lang", choices=("en", "ru"), action="append", help="the questions' language (both)")
    args = parser.parse_args(argv)
    if not (CORPORA / "ntrex-news-ru-en.jsonl").is_file():
        print(f"needs the shared corpora in {CORPORA}", file=sys.stderr)
        return 2
    spec = json.loads((HERE / "queries.json").read_text(encoding="utf-8"))
    for lang in args.lang or ("en", "ru"):
        print("\n".join(direction(lang, spec, args.distractors)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
