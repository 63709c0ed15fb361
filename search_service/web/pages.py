"""HTML pages: search, record, the /embed variant for iframes, citations, OpenSearch and the widget script.

The pages work without JavaScript; the only scripts are static files (the CSP forbids inline ones).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, abort, current_app, g, render_template, request, url_for
from markupsafe import Markup

from search_service.web import citations
from search_service.web.api import document_url
from search_service.dates import DateError, parse_date
from search_service.errors import QueryError
from search_service.service.documents import document, record_view, related_to
from search_service.service.query_log import DEFAULT_DAYS
from search_service.web.metrics import count_search
from search_service.web.i18n import UI_LANGUAGES, Translator, choose_language, widget_messages
from search_service.records import LANGUAGES
from search_service.service.search import LANG_FACET, SearchOptions, SearchResult, clean_query, search
from search_service.web.timeline import bars
from search_service.web.requests import query_log, search_index, search_options

blueprint = Blueprint("pages", __name__)
UI_COOKIE = "ui"
UI_COOKIE_SECONDS = 365 * 24 * 3600
# Parameters a results page keeps when it links to another page of itself (and its facet filters).
_KEPT = ("q", "lang", "year_from", "year_to", "per_page", "page", "sort", "translate")
PAGE_WINDOW = 2  # page links shown either side of the current page
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
_LOG_SOURCE = {"pages.search_page": "page", "pages.embed_page": "embed"}  # the query log's name for each page


@blueprint.before_app_request
def pick_interface_language() -> None:
    g.t = Translator(choose_language(request.args.get("ui"), request.cookies.get(UI_COOKIE),
                                     request.accept_languages.best_match(UI_LANGUAGES)))


@blueprint.after_app_request
def remember_interface_language(response: Response) -> Response:
    """A language chosen with the switch (`?ui=`) stays chosen on the next visit."""
    if request.args.get("ui") in UI_LANGUAGES and request.cookies.get(UI_COOKIE) != request.args["ui"]:
        response.set_cookie(UI_COOKIE, request.args["ui"], max_age=UI_COOKIE_SECONDS, samesite="Lax",
                            secure=request.is_secure)
    return response


@blueprint.app_context_processor
def interface() -> dict:
    return {"t": g.get("t") or Translator("en"), "switch_url": _switch_url, "ui_languages": UI_LANGUAGES,
            "markup": Markup, "date_start": _date_start}


@blueprint.get("/")
def search_page():
    return render_template("search.html", **_results_context("pages.search_page"))


@blueprint.get("/embed")
def embed_page():
    """The search for an iframe: no site chrome, links open the full record in a new tab."""
    return render_template("embed.html", **_results_context("pages.embed_page"))


@blueprint.get("/documents/<path:record_id>")
def document_page(record_id: str):
    view = record_view(search_index(), record_id, (request.args.get("q") or "").strip(),
                       translate=request.args.get("translate") != "0")
    if view is None:
        abort(404)
    return render_template("document.html", view=view, record=view.record,
                           related=related_to(search_index(), view.record), document_url=document_url,
                           back_url=url_for("pages.search_page", **_search_state()),
                           facets=current_app.config["SEARCH"].facets)


@blueprint.get("/admin/queries")
def queries_page():
    """What readers search for: the page asks /api/admin/queries for it with the admin token typed in it."""
    return render_template("queries.html", retention=current_app.config["SEARCH"].query_log_days,
                           default_days=DEFAULT_DAYS)


@blueprint.get("/documents/<path:record_id>/cite.ris")
def cite_ris(record_id: str):
    return _citation(record_id, citations.ris, "ris", "application/x-research-info-systems")


@blueprint.get("/documents/<path:record_id>/cite.bib")
def cite_bibtex(record_id: str):
    return _citation(record_id, citations.bibtex, "bib", "application/x-bibtex")


@blueprint.get("/opensearch.xml")
def opensearch():
    body = render_template("opensearch.xml", root=request.url_root)
    return Response(body, mimetype="application/opensearchdescription+xml")


@blueprint.get("/widget.js")
def widget_script():
    """The embeddable widget, with the interface strings from the one translation table."""
    return _script(render_template("widget.js", messages=widget_messages()))


@blueprint.get("/autocomplete.js")
def autocomplete_script():
    """The pages' search box as a combobox (the same code the widget carries)."""
    return _script(render_template("autocomplete.js"))


def _script(body: str) -> Response:
    response = Response(body, mimetype="text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


def _results_context(endpoint: str) -> dict:
    """What the search page and its iframe variant show for the current query string."""
    args = request.args
    query = clean_query(args.get("q") or "")
    params = {key: args.get(key, "").strip() for key in _KEPT}
    chosen = _chosen_facets()
    options: SearchOptions | None = None
    result: SearchResult | None = None
    error = None
    try:
        # The search page browses when its box is empty; an embedded one waits for a query.
        if query or endpoint == "pages.search_page":
            options = search_options(request)
            result = search(search_index(), options)
            count_search(result)
            query_log().record(options, result, _LOG_SOURCE[endpoint])
    except QueryError as exc:
        error = str(exc)

    def link(**changes) -> str:
        """This page's URL with some parameters changed (None drops one; page 1 is the default)."""
        merged = {**params, **chosen, **{key: "" if value is None else str(value) for key, value in changes.items()}}
        if "page" not in changes or merged["page"] == "1":
            merged["page"] = ""
        if endpoint == "pages.embed_page" and args.get("ui") in UI_LANGUAGES:
            merged["ui"] = args["ui"]  # an iframe cannot count on the cookie
        return url_for(endpoint, **{key: value for key, value in merged.items() if value})

    def record_link(hit) -> str:
        """A hit's record page, carrying this search (query, filters, order, page) for the way back."""
        url = url_for("pages.document_page", record_id=hit.id, **_search_state())
        return f"{url}#{hit.anchor}" if hit.anchor else url

    pages = -(-result.total // result.per_page) if result else 0
    return {"query": query, "params": params, "options": options, "result": result, "error": error,
            "link": link, "chosen": chosen, "facet_panel": _facet_panel(result, chosen),
            "lang_counts": {count.value: count.count for count in result.facets.get(LANG_FACET, [])}
            if result and not (query and options.lang) else {}, "record_link": record_link, "languages": LANGUAGES,
            "bars": bars((year.year, year.count) for year in result.years) if result else [],
            "pages": pages, "page_numbers": _page_numbers(result.page, pages) if result else []}


def _chosen_facets() -> dict[str, list[str]]:
    """The facet values the request asks for, by facet."""
    return {name: [value for value in request.args.getlist(name) if value.strip()]
            for name in current_app.config["SEARCH"].facets}


def _search_state() -> dict[str, str | list[str]]:
    """The search the request carries (query, filters, order, page), as URL parameters."""
    state = {key: request.args.get(key, "").strip() for key in _KEPT}
    return {key: value for key, value in {**state, **_chosen_facets()}.items() if value}


def _facet_panel(result: SearchResult | None, chosen: dict[str, list[str]]) -> list[tuple[str, list[tuple]]]:
    """Each facet with its values as (value, count, checked): the values counted, then any chosen
    value beyond them (count None), so that it can be unchecked. The language is chosen above."""
    panel = []
    for name, counts in (result.facets.items() if result else ()):
        if name == LANG_FACET:
            continue
        wanted = chosen.get(name, [])
        values = [(count.value, count.count, count.value in wanted) for count in counts]
        shown = {count.value for count in counts}
        values += [(value, None, True) for value in wanted if value not in shown]
        if values:
            panel.append((name, values))
    return panel


def _page_numbers(page: int, pages: int) -> list[int | None]:
    """Page links around the current page, the first and the last; None marks a gap."""
    shown = sorted({1, pages, *range(max(1, page - PAGE_WINDOW), min(pages, page + PAGE_WINDOW) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers if pages > 1 else []


def _date_start(value: str | None) -> str:
    """A `<time datetime>` value for a record date: its first day, month or year (`ca. 1950-1952`: 1950)."""
    try:
        when = parse_date(value)
    except DateError:
        return ""
    return when.start if when else ""


def _switch_url(ui: str) -> str:
    """The current page in another interface language."""
    return request.path + "?" + urlencode({**request.args.to_dict(), "ui": ui})


def _citation(record_id: str, render, extension: str, mimetype: str):
    record = document(search_index(), record_id)
    if record is None:
        abort(404)
    return Response(render(record, record_url(record_id)), mimetype=mimetype,
                    headers={"Content-Disposition": attachment(f"{record_id}.{extension}")})


def record_url(record_id: str) -> str:
    """A record page's absolute URL, for a reference or a list read away from this site."""
    return request.url_root.rstrip("/") + document_url(record_id)


def attachment(filename: str) -> str:
    """A download's Content-Disposition: the name in ASCII for old clients, and whole in UTF-8 (RFC 6266),
    since record ids are shelfmarks with slashes, spaces and Cyrillic letters."""
    fallback = _UNSAFE_FILENAME.sub("_", filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
