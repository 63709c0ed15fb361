"""`create_app(config)`: the Flask application factory."""

from __future__ import annotations

from flask import Flask, request
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from search_service.web import admin, api, errors, exports, monitoring, pages
from search_service.config import Config
from search_service.service.query_log import QueryLog
from search_service.web.metrics import QUERY_LOG_DROPPED

# Pages load nothing from elsewhere and run no inline script; only /embed may be framed by other sites.
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}")
_PAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
# The public read API answers other sites' pages; the admin API (admin.py) never does.
PUBLIC_API_PATHS = (r"/api/search(\.csv|\.ris|\.bib)?$", r"/api/suggest$", r"/api/documents/.*")


def create_app(config: Config | None = None) -> Flask:
    config = config or Config.from_env()
    app = Flask(__name__)
    app.config["SEARCH"] = config
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["query_log"] = QueryLog(config.query_log_path, config.query_log_days, QUERY_LOG_DROPPED.inc)
    monitoring.register(app)  # first: see there
    app.register_blueprint(api.blueprint)
    app.register_blueprint(admin.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(exports.blueprint)
    CORS(app, resources={path: {"origins": list(config.cors_origins)} for path in PUBLIC_API_PATHS},
         methods=["GET", "HEAD", "OPTIONS"])
    embed_csp = _CSP.format(ancestors=" ".join(config.frame_ancestors))
    own_csp = _CSP.format(ancestors="'self'")
    if config.trusted_proxies:
        # The client address (for rate limits) is then the one the proxies saw, not the proxy's own, and
        # the scheme the one the client used (a cookie set over HTTPS is marked Secure).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.trusted_proxies, x_proto=config.trusted_proxies)
    # Flask-Limiter: one budget per client address for the whole service (searching through the pages
    # counts too), X-RateLimit-* and Retry-After headers.
    limits = [config.rate_limit] if config.rate_limit else []
    limiter = Limiter(get_remote_address, app=app, application_limits=limits, enabled=bool(limits),
                      storage_uri=config.rate_limit_storage, headers_enabled=True)
    limiter.exempt(api.health)
    limiter.exempt(api.openapi)
    limiter.exempt(monitoring.metrics)  # a scrape never spends a client's budget, nor is refused

    errors.register(app)

    @app.after_request
    def security_headers(response):
        for name, value in _PAGE_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", embed_csp if request.path == "/embed" else own_csp)
        return response

    return app
