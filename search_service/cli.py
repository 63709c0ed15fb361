"""`search-service index / serve / search`: everything a user does, from one command."""

from __future__ import annotations

import html
import re
import sys
import time
from pathlib import Path

import click

from search_service.config import Config
from search_service.engine import Engine, IndexMissing, QueryError
from search_service.engine.index import build_generation, current_generation
from search_service.records import read_records
from search_service.search import SearchOptions, search

_MARK = re.compile(r"<mark>(.*?)</mark>")


@click.group()
def main() -> None:
    """Search bilingual (Russian/English) archival records."""


def build_index(documents: Path, index_dir: Path) -> bool:
    """Read records and publish a new index generation; report bad records; True when all were good."""
    started = time.perf_counter()
    result = read_records([documents])
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    if not result.records:
        click.echo(f"error: no records to index in {documents}; the published index is unchanged", err=True)
        return False
    build_generation(result.records, index_dir)
    click.echo(f"indexed {len(result.records)} records from {documents} into {index_dir} "
               f"in {time.perf_counter() - started:.1f} s; {len(result.errors)} failed")
    return not result.errors


@main.command()
@click.option("--documents", type=click.Path(path_type=Path), help="Folder (or file) of records [documents]")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index folder [index]")
def index(documents: Path | None, index_dir: Path | None) -> None:
    """Index the records in DOCUMENTS into INDEX."""
    config = Config.from_env(documents_dir=documents, index_dir=index_dir)
    if not build_index(config.documents_dir, config.index_dir):
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
    from search_service.server import run

    config = Config.from_env(host=host, port=port, index_dir=index_dir, documents_dir=documents, workers=workers)
    if current_generation(config.index_dir) is None:
        click.echo(f"no index in {config.index_dir} yet: indexing {config.documents_dir} first")
        build_index(config.documents_dir, config.index_dir)
    click.echo(f"serving on http://{config.host}:{config.port}")
    run(config)


@main.command(name="search")
@click.argument("query")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index folder [index]")
@click.option("--lang", type=click.Choice(["ru", "en"]), help="Search one language only")
@click.option("--limit", type=click.IntRange(1, 50), default=10, show_default=True)
def search_command(query: str, index_dir: Path | None, lang: str | None, limit: int) -> None:
    """Print ranked hits for QUERY with their snippets."""
    config = Config.from_env(index_dir=index_dir)
    try:
        result = search(Engine.open(config.index_dir), SearchOptions(query=query, per_page=limit, lang=lang))
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
