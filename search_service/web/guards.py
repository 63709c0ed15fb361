"""Guards for the operators' endpoints (admin, metrics): never cross-origin, a bearer token when one is set."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import request

from search_service.web.errors import json_error


def cross_origin() -> bool:
    """A browser marks cross-origin requests with Origin (and Sec-Fetch-Site); other clients send neither."""
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        return True
    return request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site")


def cross_origin_refused(what: str):
    """`403 cross_origin` for a cross-origin request to `what`, or None."""
    if cross_origin():
        return json_error("cross_origin", f"{what} do not answer cross-origin requests", 403)
    return None


def token_refused(token: str, realm: str):
    """`401 unauthorized` unless the request carries `Authorization: Bearer <token>` (compared in constant
    time), or None."""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return None
    body, status = json_error("unauthorized", f"missing or wrong {realm} token: send Authorization: Bearer <token>",
                              401)
    body.headers["WWW-Authenticate"] = f'Bearer realm="{realm}"'
    return body, status
