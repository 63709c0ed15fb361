"""Admin JSON API: start an index rebuild and follow it; what readers searched for. Bearer token only; never
cross-origin."""

from __future__ import annotations

from flask import Blueprint, current_app, request, url_for

from search_service.errors import QueryError
from search_service.service import jobs
from search_service.service.indexing import encoding_problem
from search_service.service.query_log import QueryLogUnreadable
from search_service.web.errors import json_error
from search_service.web.guards import cross_origin_refused, token_refused
from search_service.web.requests import query_log

blueprint = Blueprint("admin", __name__, url_prefix="/api/admin")
_OPTIONS = {**{flag: bool for flag in jobs.FLAGS}, "encoding": str}  # option -> the JSON type it takes


@blueprint.before_request
def guard():
    """Refuse cross-origin requests, then requests without the right token (or all, with no token set)."""
    if refused := cross_origin_refused("admin endpoints"):
        return refused
    token = current_app.config["SEARCH"].admin_token
    if not token:
        return json_error("admin_disabled", "admin endpoints are disabled: set SEARCH_ADMIN_TOKEN to enable them", 403)
    return token_refused(token, "admin")


@blueprint.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/reindex")
def start_reindex():
    options = request.get_json(force=True, silent=True) if request.get_data() else {}
    if not isinstance(options, dict) or set(options) - set(_OPTIONS) \
            or any(not isinstance(value, _OPTIONS[name]) for name, value in options.items()):
        return json_error("bad_request", 'expected a JSON object like {"full": true, "prune": false, '
                                         '"dry_run": false, "encoding": "cp1251"} (full, skip_bad, prune and '
                                         "dry_run booleans, encoding a name; all optional) or an empty body", 400)
    if "encoding" in options and (problem := encoding_problem(options["encoding"])):
        return json_error("bad_request", problem, 400)
    state = jobs.start(current_app.config["SEARCH"], options)
    url = url_for("admin.reindex_job", job_id=state["job"])
    return {**state, "url": url}, 202, {"Location": url}


@blueprint.get("/reindex/<job_id>")
def reindex_job(job_id: str):
    state = jobs.read(current_app.config["SEARCH"].index_dir, job_id)
    if state is None:
        return json_error("not_found", f"no reindex job {job_id[:100]!r}", 404)
    return state



@blueprint.get("/queries")
def queries():
    """The most frequent queries and the queries that found nothing in the last `days` (1 to the retention)."""
    log = query_log()
    if not log.enabled:
        return json_error("query_log_disabled", "the query log is off: set SEARCH_QUERY_LOG_DAYS to the days "
                                                "it keeps searches (0 turns it off)", 404)
    try:
        summary = log.summary(request.args.get("days"), request.args.get("limit"))
    except QueryError as exc:
        return json_error("bad_request", str(exc), 400)
    except QueryLogUnreadable as exc:
        current_app.logger.error("%s", exc)
        return json_error("query_log_unreadable", str(exc), 503)
    return {"days": summary.days, "retention_days": log.days, "since": summary.since,
            "searches": summary.searches, "empty": summary.empty,
            "frequent": [vars(count) for count in summary.frequent],
            "found_nothing": [vars(count) for count in summary.found_nothing]}
