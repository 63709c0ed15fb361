"""Issue 3's quality table: the project against the FTS5 peers, per query set and language.

    .venv/bin/python -m bench.quality.run [--set archive|ntrex ...] [--no-project] [--no-lemmas] [--quiet]

Prints, per query set and language, MRR@10, recall@10, zero-hit share and negatives passed for the
project and both peers side by side; MRR@10 by query category; every judged failure by name; and
the lemma accuracy against the UD gold. Needs ../shared/corpora (says so and stops without it).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from bench.quality.judgments import LANGUAGES, Query, load_queries
from bench.quality.metrics import Scores, score
from bench.quality.tables import PROJECT, format_categories, format_table, format_verdict
from bench.seed import SEED

REPO = Path(__file__).resolve().parents[2]
CORPORA = REPO.parent / "shared" / "corpora"
HERE = Path(__file__).resolve().parent
CACHE = REPO / "bench" / "out" / "quality-index"
LEMMA_GOLD = CORPORA / "ud-russian-lemma-gold.tsv"
QUALITY_TIME_LIMIT = 120.0  # seconds per search

SearchFn = Callable[[str], list[str]]


@dataclass(frozen=True)
class QuerySet:
    name: str
    queries: Path
    records: tuple[Path, ...]  # files or folders, read with search_service.records.read_records
    description: str


QUERY_SETS = {
    "archive": QuerySet("archive", HERE / "queries.tsv",
                        (SEED, CORPORA / "stalin-works-ru.jsonl", CORPORA / "frus-en.jsonl"),
                        "seed letter + Stalin's works (ru) + FRUS (en)"),
    "ntrex": QuerySet("ntrex", HERE / "ntrex.tsv", (CORPORA / "ntrex-news-ru-en.jsonl",),
                      "NTREX news, ru + en in each record (held-out-like questions)"),
}


@dataclass
class System:
    name: str
    search: SearchFn | None
    note: str = ""  # why it is unavailable, or how it was built
    errors: dict[str, str] | None = None


def read_set_records(query_set: QuerySet) -> list:
    from search_service.records import read_records

    result = read_records(list(query_set.records))
    if result.errors:
        raise SystemExit(f"{query_set.name}: {len(result.errors)} unreadable records, first: {result.errors[0]}")
    return result.records


def index_sources() -> list[Path]:
    """Source files of the `search_service` modules loaded so far: call it right after importing the
    engine, and it is the code that shapes the index (engine, analysis, records), not the web faces."""
    files = {Path(module.__file__) for name, module in list(sys.modules.items())
             if (name == "search_service" or name.startswith("search_service.")) and getattr(module, "__file__", None)}
    return sorted(files)


def inputs_hash(paths: Sequence[Path], sources: Sequence[Path]) -> str:
    """Hash of the record files, the given source files and the Whoosh version: the index cache key."""
    digest = hashlib.sha256()
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    files.extend(sources)
    for path in files:
        digest.update(str(path.relative_to(path.anchor)).encode())
        digest.update(path.read_bytes())
    try:
        import whoosh

        digest.update(repr(getattr(whoosh, "versionstring", lambda: "")()).encode())
    except ImportError:
        pass
    return digest.hexdigest()[:16]


def project_system(query_set: QuerySet, records: list) -> System:
    """The project's search, over an index built once per hash of its inputs and cached in bench/out/."""
    try:
        from search_service.engine import Engine

        sources = index_sources()
        from search_service.service.search import SearchOptions, search
    except ImportError as exc:
        return System(PROJECT, None, f"unavailable (cannot import the engine: {exc})")
    index_dir = CACHE / f"{query_set.name}-{inputs_hash(query_set.records, sources)}"
    started = time.perf_counter()
    engine, note = None, ""
    if index_dir.is_dir():
        try:
            engine = Engine.open(index_dir)
            note = f"index cached in {index_dir.relative_to(REPO)}"
        except Exception:  # an interrupted build leaves nothing published: build again
            shutil.rmtree(index_dir, ignore_errors=True)
    if engine is None:
        try:
            for stale in CACHE.glob(f"{query_set.name}-*"):
                shutil.rmtree(stale, ignore_errors=True)
            engine = Engine.build(records, index_dir)
            note = f"index built in {time.perf_counter() - started:.0f} s into {index_dir.relative_to(REPO)}"
        except Exception as exc:  # an engine mid-change should not hide the peers' table
            return System(PROJECT, None, f"unavailable (index build failed: {type(exc).__name__}: {exc})")

    # Quality, not speed: a loaded machine must not cut a search short at the service's time limit.
    engine.time_limit = QUALITY_TIME_LIMIT

    def run(text: str) -> list[str]:
        return [hit.id for hit in search(engine, SearchOptions(query=text, per_page=10)).hits]

    return System(PROJECT, run, note)


def peer_systems(records: list) -> list[System]:
    from bench.quality.peers import PEERS

    systems = []
    for name, make in PEERS.items():
        started = time.perf_counter()
        peer = make(records)
        systems.append(System(name, lambda text, peer=peer: peer.search(text, 10),
                              f"built in memory in {time.perf_counter() - started:.0f} s"))
    return systems


def run_queries(queries: Sequence[Query], system: System) -> dict[str, list[str]]:
    """Hit ids per qid; a query that raises counts as no hits and its error is kept on the system."""
    hits: dict[str, list[str]] = {}
    system.errors = {}
    for query in queries:
        try:
            hits[query.qid] = list(system.search(query.text))[:10]
        except Exception as exc:  # a failing query is a result to report, not a reason to stop
            hits[query.qid] = []
            system.errors[query.qid] = f"{type(exc).__name__}: {exc}"
    return hits


def evaluate_set(query_set: QuerySet, with_project: bool, quiet: bool) -> dict[str, dict[str, Scores]]:
    """Run one query set on every system and print its tables; returns scores by system and language."""
    queries = load_queries(query_set.queries)
    started = time.perf_counter()
    records = read_set_records(query_set)
    print(f"\n== {query_set.name}: {query_set.description}: {len(records):,} records, {len(queries)} queries "
          f"({', '.join(f'{sum(q.lang == lang for q in queries)} {lang}' for lang in LANGUAGES)}); "
          f"read in {time.perf_counter() - started:.1f} s")
    if with_project:
        systems = [project_system(query_set, records)]
    else:
        systems = [System(PROJECT, None, "skipped (--no-project)")]
    systems.extend(peer_systems(records))
    results = run_systems(queries, systems)
    table = score_tables(queries, results)
    if not quiet:
        print_failures(systems, results, table)
    return table


def run_systems(queries: Sequence[Query], systems: Sequence[System]) -> dict[str, dict[str, list[str]]]:
    """Hit ids per system and qid, printing each system's note and speed (or why it did not run)."""
    results: dict[str, dict[str, list[str]]] = {}
    for system in systems:
        if system.search is None:
            print(f"  {system.name}: {system.note}")
            continue
        started = time.perf_counter()
        results[system.name] = run_queries(queries, system)
        per_query = (time.perf_counter() - started) * 1000 / max(len(queries), 1)
        print(f"  {system.name}: {system.note}; {per_query:.1f} ms per query"
              + (f"; {len(system.errors)} queries raised" if system.errors else ""))
    return results


def score_tables(queries: Sequence[Query], results: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, Scores]]:
    """Scores by system and language, printing the table and the per-category figures of each language."""
    table: dict[str, dict[str, Scores]] = {}
    for lang in LANGUAGES:
        subset = [q for q in queries if q.lang == lang]
        if not subset:
            continue
        rows = [(name, score(subset, hits)) for name, hits in results.items()]
        for name, scores in rows:
            table.setdefault(name, {})[lang] = scores
        print()
        for line in format_table(lang, rows) + format_categories(lang, subset, results):
            print(line)
    return table


def print_failures(systems: Sequence[System], results: dict[str, dict[str, list[str]]],
                   table: dict[str, dict[str, Scores]]) -> None:
    """Every judged failure and every query that raised, per system that ran."""
    for system in systems:
        if system.name not in results:
            continue
        by_lang = table[system.name]
        failures = [f for lang in LANGUAGES for f in by_lang.get(lang, Scores(0, 0, 0, 0, 0, 0, ())).failures]
        print(f"\n  {system.name}: {len(failures)} judged failures")
        for failure in failures:
            print(f"    {failure}")
        for qid, error in (system.errors or {}).items():
            print(f"    {qid} raised {error}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.quality.run", description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="sets", action="append", choices=sorted(QUERY_SETS),
                        help="query set to run (repeatable; default: all)")
    parser.add_argument("--no-project", action="store_true", help="peers only")
    parser.add_argument("--no-lemmas", action="store_true", help="skip the lemma accuracy")
    parser.add_argument("--quiet", action="store_true", help="tables only, no failure lists")
    args = parser.parse_args(argv)
    if not CORPORA.is_dir():
        print(f"skipped: the shared corpora are not at {CORPORA} (see ../shared/corpora/README.md)")
        return 0
    tables = {}
    for name in args.sets or list(QUERY_SETS):
        tables[name] = evaluate_set(QUERY_SETS[name], with_project=not args.no_project, quiet=args.quiet)
    print("\n== verdict (issue 3: the project's MRR@10 at least the best peer's, per language)")
    for line in format_verdict(tables):
        print(line)
    if not args.no_lemmas:
        print()
        if LEMMA_GOLD.is_file():
            from bench.quality.lemmas import main as lemma_main

            lemma_main(LEMMA_GOLD)
        else:
            print(f"lemma accuracy skipped: no {LEMMA_GOLD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def cached_engine(name: str = "archive"):
    """The engine over the index this harness cached for query set `name`, opened with its vocabulary
    built, or None (said on stdout) when there is none. Call it before importing other parts of
    search_service: the cache key is the code loaded to build an index."""
    from search_service.engine import Engine

    query_set = QUERY_SETS[name]
    index_dir = CACHE / f"{query_set.name}-{inputs_hash(query_set.records, index_sources())}"
    if not index_dir.is_dir():
        print(f"no cached index at {index_dir}: run `.venv/bin/python -m bench.quality.run --set {name}` first")
        return None
    engine = Engine.open(index_dir, time_limit=30)
    engine.prepare()
    return engine
