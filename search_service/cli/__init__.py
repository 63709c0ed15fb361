"""`search-service index / serve / search`: everything a user does, from one command."""

from __future__ import annotations

import html
import re
import sys
import time
from pathlib import Path

import click

from search_service.service import jobs
from search_service.config import Config
from search_service.errors import IndexMissing, QueryError, RebuildRunning
from search_service.engine.build.building import IndexBuild, build
from search_service.engine.build.generations import current_generation, rebuild_lock
from search_service.service.index import has_index, open_index
from search_service.cli.progress import ConsoleProgress
from search_service.records import LANGUAGES, read_records
from search_service.service.search import SearchOptions, search

_MARK = re.compile(r"<mark>(.*?)</mark>")
_ERRORS_IN_JOB = 50  # bad records listed in an admin job's state (all of them go to its log)


@click.group()
def main() -> None:
    """Search bilingual (Russian/English) archival records."""


def build_index(documents: Path, index_dir: Path, full: bool = False, wait: bool = False, skip_bad: bool = False,
                job_id: str | None = None) -> bool:
    """Rebuild the index from the records in `documents`, report what changed; True when it succeeded.

    Bad records are reported as `file:line: reason`. Without `skip_bad` they stop the rebuild before
    anything is written, so every record, the bad ones included, stays searchable as it was. A first
    build has nothing to keep, so it indexes the good records and still reports failure.
    """
    started = time.perf_counter()
    job = jobs.Job(index_dir, job_id) if job_id else None
    console = ConsoleProgress()
    progress = console
    if job:
        job.update(state="waiting", started=jobs.now())
        progress = jobs.JobProgress(job, console)
    try:
        with rebuild_lock(index_dir, wait):
            if job:
                job.update(state="running")
            progress.stage(f"reading records from {documents}")
            read = read_records([documents])
            for error in read.errors:
                click.echo(f"error: {error}", err=True)
            failed = len(read.errors)
            if not read.records:
                return _finish(job, started, failed, f"no records to index in {documents}; "
                                                     "the published index is unchanged", read.errors)
            if read.errors and not skip_bad and current_generation(index_dir) is not None:
                return _finish(job, started, failed, f"{failed} bad records: nothing published, every record stays "
                                                     "searchable as it was; fix them, or pass --skip-bad to publish "
                                                     "the rest", read.errors)
            result = build(read.records, read.errors, index_dir, full=full, progress=progress)
    except RebuildRunning as exc:
        return _finish(job, started, 0, str(exc), [])
    except BaseException as exc:
        if job:
            job.update(state="failed", finished=jobs.now(), message=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        console.close()
    return _finish(job, started, failed, None, read.errors, result) and (skip_bad or not failed)


def _finish(job: jobs.Job | None, started: float, failed: int, problem: str | None, errors: list,
            result: IndexBuild | None = None) -> bool:
    """Print the summary (and complete the job); True when the rebuild did what was asked."""
    seconds = round(time.perf_counter() - started, 2)
    counts = {"added": result.added if result else 0, "updated": result.updated if result else 0,
              "deleted": result.deleted if result else 0, "failed": failed}
    summary = ", ".join(f"{name} {count}" for name, count in counts.items()) + f", {seconds} s"
    if problem:
        click.echo(f"error: {problem}", err=True)
        outcome = "nothing published"
    elif result.published:
        how = f"full rebuild, {result.written} records written" if result.full else f"{result.unchanged} unchanged"
        outcome = f"published {result.generation} ({how})"
    else:
        outcome = f"nothing changed; {result.generation} stays published"
    if result and result.kept_previous:
        outcome += f"; previous version kept for {len(result.kept_previous)} bad records"
    if result and result.held_back_deletes:
        outcome += (f"; {result.held_back_deletes} deletions held back (a bad record has no readable id, "
                    "so any of them may be it)")
    click.echo(f"summary: {summary}; {outcome}")
    if job:
        job.update(state="failed" if problem else "done", finished=jobs.now(), seconds=seconds, message=problem
                   or outcome, generation=result.generation if result else None,
                   errors=[str(error) for error in errors[:_ERRORS_IN_JOB]], **counts)
    return problem is None


@main.command()
@click.option("--documents", type=click.Path(path_type=Path), help="Folder (or file) of records [documents]")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index folder [index]")
@click.option("--full", is_flag=True, help="Rebuild every record, not only those that changed")
@click.option("--wait", is_flag=True, help="When another rebuild is running, wait for it instead of failing")
@click.option("--skip-bad", is_flag=True, help="Publish even when some records are bad (they keep their previous version)")
@click.option("--job", "job_id", hidden=True, help="Admin job id whose state this run reports")
def index(documents: Path | None, index_dir: Path | None, full: bool, wait: bool, skip_bad: bool,
          job_id: str | None) -> None:
    """Bring INDEX up to date with the records in DOCUMENTS (only what changed, unless --full)."""
    config = Config.from_env(documents_dir=documents, index_dir=index_dir)
    if not build_index(config.documents_dir, config.index_dir, full=full, wait=wait, skip_bad=skip_bad,
                       job_id=job_id):
        sys.exit(1)


@main.command()
@click.option("--host", help="Address to listen on [127.0.0.1]")
@click.option("--port", type=int, help="Port [$PORT or 8000]")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index folder [index]")
@click.option("--documents", type=click.Path(path_type=Path), help="Records, indexed first when there is no index")
@click.option("--workers", type=int, help="gunicorn worker processes [2]")
def serve(host: str | None, port: int | None, index_dir: Path | None, documents: Path | None,
          workers: int | None) -> None:
    """Serve the search pages and JSON API with gunicorn (building the index first when there is none)."""
    from search_service.cli.server import run

    config = Config.from_env(host=host, port=port, index_dir=index_dir, documents_dir=documents, workers=workers)
    if not has_index(config.index_dir):
        click.echo(f"no index in {config.index_dir} yet: indexing {config.documents_dir} first")
        build_index(config.documents_dir, config.index_dir, wait=True, skip_bad=True)
    click.echo(f"serving on http://{config.host}:{config.port}")
    run(config)


@main.command(name="search")
@click.argument("query")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index folder [index]")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Search one language only")
@click.option("--limit", type=click.IntRange(1, 50), default=10, show_default=True)
def search_command(query: str, index_dir: Path | None, lang: str | None, limit: int) -> None:
    """Print ranked hits for QUERY with their snippets."""
    config = Config.from_env(index_dir=index_dir)
    try:
        engine = open_index(config.index_dir, config.time_limit)
        result = search(engine, SearchOptions(query=query, per_page=limit, lang=lang))
    except (QueryError, IndexMissing) as exc:
        raise click.ClickException(str(exc)) from None
    color = sys.stdout.isatty()
    click.echo(f"{result.total} records ({result.took_ms} ms)" + (" - no record has every word" if result.relaxed else ""))
    for rank, hit in enumerate(result.hits, start=1):
        click.echo(f"\n{rank}. {hit.title or hit.id}  [{hit.date or 'undated'}]  {hit.id}  score {hit.score}")
        for lang_code, snippet in hit.snippets.items():
            click.echo(f"   {lang_code}: {_terminal(snippet, color)}")


def _terminal(snippet_html: str, color: bool) -> str:
    """Snippet HTML as terminal text: matches bold when on a terminal, in [brackets] otherwise."""
    marked = _MARK.sub(lambda m: click.style(m.group(1), bold=True, fg="yellow") if color else f"[{m.group(1)}]",
                       snippet_html)
    return html.unescape(marked)
