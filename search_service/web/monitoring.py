"""For the people who run the service: a request id and a JSON log line per request, counts, `/metrics`.

The log lines go to the `search_service.requests` logger at INFO (`serve` writes them to stderr;
another WSGI host configures it as it likes). Neither they nor the counts ever fail or hold up a
request: a line is handed to a writer thread (dropped, and counted, when the log falls far behind),
and a failure of either is swallowed.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import datetime, timezone

from flask import Blueprint, Flask, Response, current_app, g, request

from search_service.errors import IndexMissing
from search_service.service.background import BackgroundWriter
from search_service.service.index import ServedGeneration, served_generation
from search_service.service.rebuilds import tally
from search_service.web.guards import cross_origin_refused, token_refused
from search_service.web.metrics import CONTENT_TYPE, LOG_DROPPED, count_request, exposition
from search_service.web.requests import search_index

blueprint = Blueprint("monitoring", __name__)
REQUEST_ID = "X-Request-Id"
_SANE_REQUEST_ID = re.compile(r"^[\x21-\x7e]{1,100}$")  # printable ASCII, no spaces: safe to log and echo
request_log = logging.getLogger("search_service.requests")


def _log_lines(lines: list[str]) -> None:
    for line in lines:
        request_log.info(line)  # a handler that fails reports it (logging's handleError) and goes on


REQUEST_LOG: BackgroundWriter[str] = BackgroundWriter("request-log", _log_lines, LOG_DROPPED.inc)


def register(app: Flask) -> None:
    """Hook in before any other hook, so the time counts from the start and every answer is logged,
    a rate limit's or a guard's included (after_request hooks run last-registered first)."""
    app.before_request(_start)
    app.after_request(_finish)
    app.register_blueprint(blueprint)


def _start() -> None:
    g.started = time.perf_counter()
    given = request.headers.get(REQUEST_ID, "")
    g.request_id = given if _SANE_REQUEST_ID.match(given) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    try:
        seconds = time.perf_counter() - g.get("started", time.perf_counter())
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers[REQUEST_ID] = request_id
        if request_log.isEnabledFor(logging.INFO):
            # The path only: query strings hold what readers search for, which is not the operators' log.
            REQUEST_LOG.put(json.dumps({
                "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), "method": request.method,
                "path": request.path, "status": response.status_code, "duration_ms": round(seconds * 1000, 1),
                "request_id": request_id}))
        count_request(request.endpoint or "none", response.status_code, seconds)
    except Exception:  # a lost log line or count is better than a failed request
        pass
    return response


@blueprint.get("/metrics")
def metrics():
    """Prometheus text format; never cross-origin, and only with the token when SEARCH_METRICS_TOKEN is set."""
    config = current_app.config["SEARCH"]
    if refused := cross_origin_refused("metrics"):
        return refused
    if config.metrics_token and (refused := token_refused(config.metrics_token, "metrics")):
        return refused
    body = exposition(_served, lambda: tally(config.index_dir))
    return current_app.response_class(body, content_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})


def _served() -> ServedGeneration | None:
    try:
        return served_generation(search_index())
    except (IndexMissing, OSError):  # none published yet, or retired and removed while read
        return None
