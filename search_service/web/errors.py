"""Errors answered in one place: JSON for the API and for clients that do not ask for HTML, a page for browsers."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from search_service.errors import IndexMissing, QueryError


def register(app: Flask) -> None:
    """Answer the service's errors and HTTP errors with `{"error": {"code", "message"}}` or an error page."""

    @app.errorhandler(QueryError)
    def query_error(error: QueryError):
        return _error("bad_query", str(error), 400)

    @app.errorhandler(IndexMissing)
    def index_missing(error: IndexMissing):
        # Visitors learn that the search is coming; the folder and the command to run are for the operator's log.
        current_app.logger.warning("%s", error)
        if _wants_json():
            body, status = json_error("index_missing", PREPARING, 503)
        else:
            body, status = render_template("preparing.html"), 503
        return body, status, {"Retry-After": str(PREPARING_RETRY_SECONDS)}

    @app.errorhandler(404)
    def not_found(error):
        return _error("not_found", f"nothing at {request.path}", 404)

    @app.errorhandler(405)
    def method_not_allowed(error):
        return _error("method_not_allowed", f"{request.method} is not allowed on {request.path}", 405)

    @app.errorhandler(429)
    def too_many_requests(error):
        return _error("rate_limited", f"too many requests from your address (the limit is {error.description}); "
                                     "wait as many seconds as Retry-After says", 429)

    @app.errorhandler(HTTPException)
    def other_http_error(error: HTTPException):
        return _error(error.name.lower().replace(" ", "_"), error.description or error.name, error.code or 500)

    @app.errorhandler(500)
    def internal_error(error):
        return _error("internal", "the server failed to answer; the error was logged", 500)


PREPARING = "the search is being prepared: its records are being indexed; try again in a few minutes"
PREPARING_RETRY_SECONDS = 60


def json_error(code: str, message: str, status: int):
    """`{"error": {"code", "message"}}` with a 4xx/5xx status."""
    return jsonify({"error": {"code": code, "message": message}}), status


def _error(code: str, message: str, status: int):
    """JSON for the API and for clients that do not ask for HTML; an error page for browsers."""
    if _wants_json():
        return json_error(code, message, status)
    return render_template("error.html", message=message, status=status), status


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/health" or not request.accept_mimetypes.accept_html
