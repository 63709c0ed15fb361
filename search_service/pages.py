"""HTML pages: the search page and the record page. They work without JavaScript."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, render_template, request
from markupsafe import Markup

from search_service.api import document_url
from search_service.engine import QueryError
from search_service.records import LANGUAGES
from search_service.search import SearchResult, parse_options, search
from search_service.snippets import find_matches, mark
from search_service.web import engine

blueprint = Blueprint("pages", __name__)
LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}


@blueprint.get("/")
def search_page():
    args = request.args
    query = (args.get("q") or "").strip()
    result: SearchResult | None = None
    error = None
    if query:
        try:
            result = search(engine(), parse_options(query, args.get("page"), args.get("per_page"), args.get("lang")))
        except QueryError as exc:
            error = str(exc)
    return render_template("search.html", query=query, lang=args.get("lang") or "", result=result, error=error,
                           languages=LANGUAGE_NAMES, document_url=document_url, page_url=_page_url,
                           markup=Markup)


@blueprint.get("/documents/<path:record_id>")
def document_page(record_id: str):
    record = engine().document(record_id)
    if record is None:
        abort(404)
    query = (request.args.get("q") or "").strip()
    terms = {}
    if query:
        try:
            terms = engine().query_terms(query)
        except QueryError:
            terms = {}
    texts = {lang: [Markup(mark(paragraph, find_matches(paragraph, terms.get(lang, frozenset()))))
                    for paragraph in record["texts"][lang].split("\n\n")]
             for lang in LANGUAGES if record["texts"].get(lang)}
    return render_template("document.html", record=record, texts=texts, query=query, languages=LANGUAGE_NAMES)


def error_page(message: str, status: int):
    return render_template("error.html", message=message, status=status), status


def _page_url(query: str, lang: str, page: int) -> str:
    params = {"q": query, "page": page}
    if lang:
        params["lang"] = lang
    return "/?" + urlencode(params)
