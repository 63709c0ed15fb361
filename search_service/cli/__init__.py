"""`search-service index / serve / search`: everything a user does, from one command."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import click

from search_service.cli.progress import ConsoleProgress
from search_service.config import Config
from search_service.errors import IndexMissing, QueryError
from search_service.records import LANGUAGES
from search_service.service.index import has_index, open_index
from search_service.service.indexing import RebuildOutcome, rebuild
from search_service.service.search import SearchOptions, search

_MARK = re.compile(r"<mark>(.*?)</mark>")


@click.group()
def main() -> None:
    """Search bilingual (Russian/English) archival records."""


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
    if not _rebuild(config.documents_dir, config.index_dir, full=full, wait=wait, skip_bad=skip_bad,
                    job_id=job_id).succeeded:
        sys.exit(1)


def _rebuild(documents: Path, index_dir: Path, **options) -> RebuildOutcome:
    """Run the rebuild with its progress on stderr, bad records printed as they are read, then the summary."""
    console = ConsoleProgress()
    try:
        outcome = rebuild(documents, index_dir, progress=console,
                          bad_record=lambda error: click.echo(f"error: {error}", err=True), **options)
    finally:
        console.close()
    if outcome.problem:
        click.echo(f"error: {outcome.problem}", err=True)
    click.echo(f"summary: {outcome.summary}")
    return outcome


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
        _rebuild(config.documents_dir, config.index_dir, wait=True, skip_bad=True)
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
