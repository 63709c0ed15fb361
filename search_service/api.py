"""JSON API: /api/search, /api/documents/<id>, /health."""

from __future__ import annotations

from dataclasses import asdict
from urllib.parse import quote, urlencode

from flask import Blueprint, jsonify, request

from search_service.web import engine, json_error
from search_service.search import options_from, search

blueprint = Blueprint("api", __name__)


@blueprint.get("/api/search")
def api_search():
    options = options_from(request.args)
    result = search(engine(), options)
    body = asdict(result)
    for hit in body["hits"]:
        hit["url"] = document_url(hit["id"], options.query)
    return jsonify(body)


@blueprint.get("/api/documents/<path:record_id>")
def api_document(record_id: str):
    record = engine().document(record_id)
    if record is None:
        return json_error("not_found", f"no record with id {record_id[:200]!r}", 404)
    return jsonify(record)


@blueprint.get("/health")
def health():
    return jsonify({"status": "ok", "documents": engine().count()})


def document_url(record_id: str, query: str = "") -> str:
    url = f"/documents/{quote(record_id)}"
    return f"{url}?{urlencode({'q': query})}" if query else url
