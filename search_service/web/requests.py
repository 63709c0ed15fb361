"""What the Flask blueprints read from a request: the application's index and the search options."""

from __future__ import annotations

import threading
from urllib.parse import unquote_to_bytes

from flask import Request, current_app

from search_service.errors import QueryError
from search_service.service.index import open_index
from search_service.service.query_log import QueryLog
from search_service.service.search import PARAMETERS, SearchOptions, options_from

_OPENING = threading.Lock()


def search_index():
    """The application's index, opened on first use (so a server can start before an index exists),
    by one thread: a large index takes seconds to open, and the requests arriving meanwhile (a
    health check polled every fraction of a second) would each open another copy of it."""
    engine = current_app.extensions.get("search_engine")
    if engine is None:
        with _OPENING:
            engine = current_app.extensions.get("search_engine")
            if engine is None:
                config = current_app.config["SEARCH"]
                engine = current_app.extensions["search_engine"] = open_index(config.index_dir, config.time_limit)
    return engine


def search_options(request: Request) -> SearchOptions:
    """Search options from the query string; QueryError says what is wrong with it."""
    try:
        unquote_to_bytes(request.query_string).decode("utf-8")
    except UnicodeDecodeError as exc:
        # Werkzeug would keep such bytes percent-encoded, and `%FF` would be searched as the word `FF`.
        raise QueryError(f"the query string is not UTF-8 (byte {exc.object[exc.start]:#04x} after "
                         "percent-decoding); send the query as UTF-8") from None
    args = request.args
    for name in PARAMETERS:
        if len(args.getlist(name)) > 1:
            raise QueryError(f"{name} is given {len(args.getlist(name))} times; give it once")
    return options_from(args, current_app.config["SEARCH"].facets)


def query_log() -> QueryLog:
    """The application's query log (off when SEARCH_QUERY_LOG_DAYS is 0); its `record` never waits or raises."""
    return current_app.extensions["query_log"]
