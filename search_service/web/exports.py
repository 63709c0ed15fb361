"""Result-list downloads: /api/search.csv, .ris and .bib, the list /api/search pages through, whole."""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterator

from flask import Blueprint, Response, current_app, request, url_for

from search_service.records import Record
from search_service.service.export import csv_text, export_list
from search_service.service.search import MAX_LIMIT, RankedRecords, parse_limit
from search_service.web import citations
from search_service.web.metrics import count_search
from search_service.web.pages import attachment, record_url
from search_service.web.requests import search_index, search_options

blueprint = Blueprint("exports", __name__)
# What a results page's address holds beside the list's own parameters: the page of it shown, the interface.
_PAGE_ONLY = ("page", "per_page", "ui")
_NOT_IN_FILENAME = re.compile(r"[^\w-]+")
MAX_FILENAME_QUERY = 60  # characters of the query in a download's file name


@blueprint.get("/api/search.csv")
def search_csv():
    ranked = _ranked()
    body = csv_text(ranked.records, current_app.config["SEARCH"].facets, record_url)
    return _download(ranked, body, "csv", "text/csv")


@blueprint.get("/api/search.ris")
def search_ris():
    ranked = _ranked()
    body = "\r\n".join(citations.ris(record, record_url(record.id)) for record in ranked.records)
    return _download(ranked, body, "ris", "application/x-research-info-systems")


@blueprint.get("/api/search.bib")
def search_bib():
    ranked = _ranked()
    return _download(ranked, "\n".join(_bibtex_entries(ranked.records)), "bib", "application/x-bibtex")


@blueprint.app_context_processor
def export_links() -> dict:
    return {"export_url": export_url, "export_limit": MAX_LIMIT}


def export_url(extension: str) -> str:
    """The download of the current result list: this request's search parameters, less the page's own."""
    kept = {key: request.args.getlist(key) for key in request.args if key not in _PAGE_ONLY}
    return url_for(f"exports.search_{extension}", **kept)


def _bibtex_entries(records: list[Record]) -> Iterator[str]:
    """Each record's entry, its key made unique in the list: ids that differ only in characters a key
    cannot hold would share one, and a reference manager keeps one entry per key."""
    seen: Counter[str] = Counter()
    for record in records:
        key = citations.bibtex_key(record.id)
        seen[key] += 1
        yield citations.bibtex(record, record_url(record.id), key if seen[key] == 1 else f"{key}-{seen[key]}")


def _ranked() -> RankedRecords:
    ranked = export_list(search_index(), search_options(request), parse_limit(request.args.get("limit")))
    count_search(ranked)
    return ranked


def _download(ranked: RankedRecords, body: str, extension: str, mimetype: str) -> Response:
    """A file to save, named after the query; its headers say how many records matched and whether
    the time limit cut the list short (the file itself holds only records, so that it still parses)."""
    words = _NOT_IN_FILENAME.sub("-", ranked.query).strip("-")[:MAX_FILENAME_QUERY].strip("-")
    filename = f"search-{words}.{extension}" if words else f"search.{extension}"
    headers = {"Content-Disposition": attachment(filename), "X-Search-Total": str(ranked.total),
               "X-Search-Timed-Out": "true" if ranked.timed_out else "false"}
    return Response(body, mimetype=mimetype, headers=headers)
