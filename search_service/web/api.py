"""JSON API: /api/search, /api/documents/<id>, /api/openapi.json, /health."""

from __future__ import annotations

from importlib.resources import files
from urllib.parse import quote, urlencode

from flask import Blueprint, current_app, jsonify, request

from search_service.service.search import search
from search_service.service.completions import completions
from search_service.service.documents import count, document, related
from search_service.web.errors import json_error
from search_service.web.metrics import count_search
from search_service.web.requests import query_log, search_index, search_options

blueprint = Blueprint("api", __name__)
OPENAPI = files("search_service.web").joinpath("openapi.json").read_bytes()


@blueprint.get("/api/search")
def api_search():
    options = search_options(request)
    result = search(search_index(), options)
    count_search(result)
    query_log().record(options, result, "api")
    # The dataclasses' own fields, copied one level deep: dataclasses.asdict deep-copies every
    # snippet string and list, a tenth of a millisecond per hit.
    body = dict(vars(result))
    body["hits"] = [_hit_json(hit, options.query) for hit in result.hits]
    body["years"] = [dict(vars(year)) for year in result.years]
    body["corrected"] = dict(vars(result.corrected)) if result.corrected else None
    body["facets"] = {name: [dict(vars(count)) for count in counts] for name, counts in result.facets.items()}
    return jsonify(body)


def _hit_json(hit, query: str) -> dict:
    body = dict(vars(hit))
    body["url"] = document_url(hit.id, query, body.pop("anchor"))
    return body


@blueprint.get("/api/documents/<path:record_id>")
def api_document(record_id: str):
    record = document(search_index(), record_id)
    if record is None:
        return json_error("not_found", f"no record with id {record_id[:200]!r}", 404)
    return jsonify(record.to_json())


@blueprint.get("/api/documents/<path:record_id>/related")
def api_related(record_id: str):
    hits = related(search_index(), record_id, request.args.get("limit"))
    if hits is None:
        return json_error("not_found", f"no record with id {record_id[:200]!r}", 404)
    return jsonify({"id": record_id, "hits": [_hit_json(hit, "") for hit in hits]})


@blueprint.get("/api/suggest")
def api_suggest():
    found = completions(search_index(), request.args.get("q"), request.args.get("lang"))
    return jsonify({"query": found.query, "suggestions": [dict(vars(item)) for item in found.suggestions]})


@blueprint.get("/api/openapi.json")
def openapi():
    """The OpenAPI description of this API."""
    return current_app.response_class(OPENAPI, mimetype="application/json")


@blueprint.get("/health")
def health():
    return jsonify({"status": "ok", "documents": count(search_index())})


def document_url(record_id: str, query: str = "", anchor: str = "") -> str:
    """A record page's URL: its matches marked for `query`, scrolled to the passage `anchor`."""
    url = f"/documents/{quote(record_id)}"
    url = f"{url}?{urlencode({'q': query})}" if query else url
    return f"{url}#{anchor}" if anchor else url
