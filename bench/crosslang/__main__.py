"""Across languages, measured on NTREX split by document (issue 19).

100 documents are indexed in both languages (the lexicon is learned from them), the 23 of
`queries.json` held out and indexed in one language only: Russian for the English questions,
English for the Russian ones. Each direction has its own index; every question is asked with
translation and with `translate=0`. Prints MRR@10 and recall@10, the lexicon's size and build cost,
the aligner's peak memory, and milliseconds per query. `--distractors` indexes the 1x archive corpora
(Stalin's works, FRUS) beside them. `--scale` instead builds the 1x archive (the seed, the NTREX
sample of documents/, Stalin's works, FRUS) with `search-service index` and prints what the build and
its lexicon cost, and what a rebuild that changes nothing bilingual costs.

    .venv/bin/python -m bench.crosslang [--distractors] [--scale]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.perf.service import build as cli_build
from bench.quality.metrics import recall, reciprocal_rank
from search_service.engine import Engine
from search_service.engine.build import building
from search_service.engine.build.generations import current_generation
from search_service.engine.build.lexicon_build import read_lexicon
from search_service.records import Record
from search_service.service.search import SearchOptions, search
from search_service.text.alignment import align_texts
from search_service.text.lexicon import learn, passage_pairs

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
             f"{lexicon.pairs} passage pairs of {lexicon.records} records, {lexicon.entries} entries; "
             f"learning alone peaks at {aligner_peak([r for r in records if len(r.texts) == 2])}"]
    for translate in (True, False):
        measure(engine, queries[:5], translate)  # warm the caches before timing
        scores = measure(engine, queries, translate)
        lines.append(f"  translate={int(translate)}  MRR@10 {scores['mrr']:.3f}  recall@10 {scores['recall']:.3f}  "
                     f"{scores['ms_median']:.1f} ms median, {scores['ms_mean']:.1f} ms mean per query")
    return lines


def aligner_peak(records: list[Record]) -> str:
    """The peak resident memory of learning the lexicon of `records` in a fresh process: the Python
    side (passages, counting) and eflomal's binary."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as handle:
        handle.writelines(json.dumps(record.to_json(), ensure_ascii=False) + "\n" for record in records)
        handle.flush()
        found = subprocess.run([sys.executable, "-m", "bench.crosslang", "--learn", handle.name], cwd=REPO,
                               check=True, capture_output=True, text=True).stdout
    python_kb, eflomal_kb = json.loads(found)
    return f"{python_kb / 1024:.0f} MB (Python) and {eflomal_kb / 1024:.0f} MB (eflomal)"


def learn_peak(path: Path) -> None:
    """Learn the lexicon of the records in `path` and print the peak RSS (KB) of this process and of
    eflomal's, read from /proc as VmHWM: `ru_maxrss` would carry over the peak of the process that
    started this one (Linux keeps it across exec)."""
    peaks = {"eflomal": 0}
    done = threading.Event()

    def watch() -> None:  # eflomal's process lives only while it aligns: its peak is sampled
        while not done.wait(0.05):
            for children in Path("/proc/self/task").glob("*/children"):
                for pid in children.read_text().split():
                    # Until it execs eflomal, a forked child still shows this process's memory.
                    if _read(Path(f"/proc/{pid}/comm")).strip() == "eflomal":
                        peaks["eflomal"] = max(peaks["eflomal"], _high_water(Path(f"/proc/{pid}/status")))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    texts = [record.texts for record in read_jsonl(path)]
    learn(pair for text in texts for pair in passage_pairs(text, align_texts(text)))
    done.set()
    watcher.join()
    print(json.dumps([_high_water(Path("/proc/self/status")), peaks["eflomal"]]))


def _high_water(status: Path) -> int:
    """A process's peak resident set (VmHWM) in KB; 0 when it has gone."""
    return next((int(line.split()[1]) for line in _read(status).splitlines() if line.startswith("VmHWM")), 0)


def _read(path: Path) -> str:
    """A /proc file's text; empty when its process has gone."""
    try:
        return path.read_text()
    except OSError:
        return ""


def scale() -> list[str]:
    """The 1x archive built as a user builds it, and rebuilt in full with no bilingual record changed."""
    documents = OUT / "1x-documents"
    shutil.rmtree(documents, ignore_errors=True)
    documents.mkdir(parents=True)
    seed = REPO / "documents" / "1950-08-27-stalin-to-gottwald-security-council.txt"
    (documents / seed.name).symlink_to(seed)
    for name in DISTRACTORS:
        (documents / name).symlink_to(CORPORA / name)
    with open(REPO / "documents" / "sample.jsonl", encoding="utf-8") as sample, \
            open(documents / "ntrex-sample.jsonl", "w", encoding="utf-8") as kept:
        kept.writelines(line for line in sample if '"ntrex-' in line)
    index_dir = OUT / "1x-index"
    shutil.rmtree(index_dir, ignore_errors=True)
    seconds, peak_mb = cli_build(documents, index_dir)
    lexicon = read_lexicon(current_generation(index_dir))[0]
    lines = [f"1x archive: build {seconds:.1f} s, peak RSS {peak_mb:.0f} MB; lexicon {lexicon.seconds:.1f} s "
             f"from {lexicon.pairs} passage pairs, {lexicon.entries} entries"]
    records = [Record.from_json(json.loads(line)) for line in (documents / "ntrex-sample.jsonl").open()]
    lines.append(f"  learning it alone peaks at {aligner_peak(records)}")
    (documents / "extra.jsonl").write_text(json.dumps({"id": "crosslang-bench-extra", "title": "", "date": None,
                                                       "texts": {"en": "One more monolingual record."}}) + "\n")
    seconds, peak_mb = cli_build(documents, index_dir)
    lines.append(f"  adding one English record: {seconds:.1f} s, peak RSS {peak_mb:.0f} MB (lexicon kept)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distractors", action="store_true", help="index Stalin's works and FRUS beside NTREX")
    parser.add_argument("--lang", choices=("en", "ru"), action="append", help="the questions' language (both)")
    parser.add_argument("--scale", action="store_true", help="measure the 1x archive's build and lexicon instead")
    parser.add_argument("--learn", type=Path, help=argparse.SUPPRESS)  # aligner_peak's measuring process
    args = parser.parse_args(argv)
    if not (CORPORA / "ntrex-news-ru-en.jsonl").is_file():
        print(f"needs the shared corpora in {CORPORA}", file=sys.stderr)
        return 2
    if args.learn:
        learn_peak(args.learn)
        return 0
    if args.scale:
        print("\n".join(scale()))
        return 0
    spec = json.loads((HERE / "queries.json").read_text(encoding="utf-8"))
    for lang in args.lang or ("en", "ru"):
        print("\n".join(direction(lang, spec, args.distractors)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
