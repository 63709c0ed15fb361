"""What the Flask blueprints share: the application's engine and the one JSON error shape."""

from __future__ import annotations

from flask import current_app, jsonify

from search_service.engine import Engine


def engine() -> Engine:
    """The application's engine, opened on first use (so a server can start before an index exists)."""
    if current_app.extensions.get("search_engine") is None:
        current_app.extensions["search_engine"] = Engine.open(current_app.config["SEARCH"].index_dir)
    return current_app.extensions["search_engine"]


def json_error(code: str, message: str, status: int):
    """`{"error": {"code", "message"}}` with a 4xx/5xx status."""
    return jsonify({"error": {"code": code, "message": message}}), status
