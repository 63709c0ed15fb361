"""`search-service index / serve / replicate / search`: everything a user does, from one command."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import click

from search_service.cli.progress import ConsoleProgress
from search_service.config import Config, SettingError
from search_service.errors import RebuildRunning, ReplicationFailed, UserError
from search_service.records import LANGUAGES
from search_service.service.index import has_index, open_index
from search_service.service.indexing import RebuildOptions, RebuildOutcome, documents_for, encoding_problem, \
    rebuild
from search_service.service.replication import replicate as replicate_to
from search_service.service.search import SearchOptions, search

_MARK = re.compile(r'<mark(?: class="translated")?>(.*?)</mark>')  # a translated query word too


class _Commands(click.Group):
    """The commands; the one place where an error a user can act on becomes its message, not a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (UserError, SettingError) as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=_Commands)
def main() -> None:
    """Search bilingual (Russian/English) archival records."""


def _encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and (problem := encoding_problem(value)):
        raise click.BadParameter(problem)
    return value


@main.command()
@click.option("--documents", type=click.Path(path_type=Path),
              help="Folder (or file) of records [the one the index remembers, else documents]")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index folder [index]")
@click.option("--full", is_flag=True, help="Rebuild every record, not only those that changed")
@click.option("--wait", is_flag=True, help="When another rebuild is running, wait for it instead of failing")
@click.option("--skip-bad", is_flag=True, help="Publish even when some records are bad (they keep their previous version)")
@click.option("--prune", is_flag=True,
              help="Delete indexed records that are not in DOCUMENTS, and remember DOCUMENTS as the index's source")
@click.option("--dry-run", is_flag=True, help="Print what would be added, updated and deleted; change nothing")
@click.option("--encoding", callback=_encoding, help="Read every file in this encoding (cp1251, koi8-r, utf-16, ...)")
@click.option("--job", "job_id", hidden=True, help="Admin job id whose state this run reports")
def index(documents: Path | None, index_dir: Path | None, job_id: str | None, **flags) -> None:
    """Bring INDEX up to date with the records in DOCUMENTS (only what changed, unless --full).

    Records not in DOCUMENTS are deleted only when DOCUMENTS is where the index remembers its records
    come from (the folder of its first build), or with --prune."""
    config = Config.from_env(index_dir=index_dir)
    source = documents_for(config.index_dir, documents, config.documents_dir)
    options = RebuildOptions(max_delete_share=config.max_delete_share, build_memory_mb=config.build_memory_mb, **flags)
    if not _rebuild(source, config.index_dir, options, job_id=job_id).succeeded:
        sys.exit(1)


def _rebuild(documents: Path, index_dir: Path, options: RebuildOptions, job_id: str | None = None) -> RebuildOutcome:
    """Run the rebuild with its progress on stderr, bad records and other encodings printed as they are read,
    then the summary."""
    console = ConsoleProgress()
    try:
        outcome = rebuild(documents, index_dir, options, job_id=job_id, progress=console,
                          bad_record=lambda error: click.echo(f"error: {error}", err=True),
                          notice=lambda line: click.echo(line, err=True))
    finally:
        console.close()
    if outcome.problem:
        click.echo(f"error: {outcome.problem}", err=True)
    click.echo(f"summary: {outcome.summary}")
    for line in outcome.details:
        click.echo(line)
    return outcome


@main.command()
@click.option("--host", help="Address to listen on [127.0.0.1]")
@click.option("--port", type=int, help="Port [$PORT or 8000]")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index folder [index]")
@click.option("--documents", type=click.Path(path_type=Path),
              help="Records, indexed first when there is no index [the ones the index remembers, else documents]")
@click.option("--workers", type=int, help="gunicorn worker processes [2]")
def serve(host: str | None, port: int | None, index_dir: Path | None, documents: Path | None,
          workers: int | None) -> None:
    """Serve the search pages and JSON API with gunicorn (building the index first when there is none)."""
    from search_service.cli.server import check_address, metrics_folder, run

    config = Config.from_env(host=host, port=port, index_dir=index_dir, documents_dir=documents, workers=workers)
    check_address(config)
    if not has_index(config.index_dir):
        source = documents_for(config.index_dir, documents, config.documents_dir)
        click.echo(f"no index in {config.index_dir} yet: indexing {source} first")
        _rebuild(source, config.index_dir,
                 RebuildOptions(wait=True, skip_bad=True, max_delete_share=config.max_delete_share,
                                build_memory_mb=config.build_memory_mb))
        check_address(config)  # again: the build may have taken long enough for something else to take it
    click.echo(f"serving on http://{config.host}:{config.port}")
    with metrics_folder():
        run(config)


@main.command()
@click.option("--index", "index_dir", type=click.Path(path_type=Path),
              help="Index folder whose published generation is copied [index]")
@click.option("--to", "destinations", multiple=True,
              help="Replica's index folder, or host:/path (rsync over ssh); repeatable [$SEARCH_REPLICAS]")
@click.option("--grace", type=click.FloatRange(min=0),
              help="Seconds a replaced generation is kept: under 31 s, a served replica may fail requests "
                   "still reading it [120]")
@click.option("--ssh", help="ssh command for host:/path replicas [$SEARCH_SSH or ssh in batch mode]")
@click.option("--wait", is_flag=True, help="When another run holds a replica's lock, wait for it instead of failing")
def replicate(index_dir: Path | None, destinations: tuple[str, ...], grace: float | None, ssh: str | None,
              wait: bool) -> None:
    """Make each replica serve INDEX's published generation: copied whole, checked against its manifest,
    then switched in one rename (a server there follows without a restart). Nothing to do when current."""
    config = Config.from_env(index_dir=index_dir, ssh_command=ssh, replicas=destinations or None)
    if not config.replicas:
        raise click.UsageError("no replica given: pass --to FOLDER or --to host:/path, or set SEARCH_REPLICAS")
    failed = 0
    for destination in config.replicas:  # one replica that fails leaves the others to be brought up to date
        try:
            click.echo(replicate_to(config.index_dir, destination, grace, config.ssh_command, wait).summary)
        except (ReplicationFailed, RebuildRunning) as exc:
            click.echo(f"error: {exc}", err=True)
            failed += 1
    if failed:
        sys.exit(1)


@main.command(name="search")
@click.argument("query")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index folder [index]")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Search one language only")
@click.option("--limit", type=click.IntRange(1, 50), default=10, show_default=True)
@click.option("--no-translate", is_flag=True, help="Search the words only as typed, not also through the lexicon")
def search_command(query: str, index_dir: Path | None, lang: str | None, limit: int, no_translate: bool) -> None:
    """Print ranked hits for QUERY with their snippets."""
    config = Config.from_env(index_dir=index_dir)
    engine = open_index(config.index_dir, config.time_limit)
    result = search(engine, SearchOptions(query=query, per_page=limit, lang=lang, translate=not no_translate))
    color = sys.stdout.isatty()
    click.echo(f"{result.total} records ({result.took_ms} ms)" + (" - no record has every word" if result.relaxed else ""))
    for lang_code, translated in result.translations.items():
        click.echo(f"also searched in {lang_code} as: {translated}")
    for rank, hit in enumerate(result.hits, start=1):
        via = "  (through translation)" if hit.via else ""
        click.echo(f"\n{rank}. {hit.title or hit.id}  [{hit.date or 'undated'}]  {hit.id}  score {hit.score}{via}")
        for lang_code, snippet in hit.snippets.items():
            click.echo(f"   {lang_code}: {_terminal(snippet, color)}")


def _terminal(snippet_html: str, color: bool) -> str:
    """Snippet HTML as terminal text: matches bold when on a terminal, in [brackets] otherwise."""
    marked = _MARK.sub(lambda m: click.style(m.group(1), bold=True, fg="yellow") if color else f"[{m.group(1)}]",
                       snippet_html)
    return html.unescape(marked)
