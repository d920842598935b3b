"""Security headers and the rate limiter of the public entry points."""
from __future__ import annotations

import datetime as dt

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.routing import IntegerConverter

from service.domain import lookup_guard, quota

limiter = Limiter(key_func=get_remote_address, default_limits=[])

CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


class BoundedInt(IntegerConverter):
    """`<int:…>` path parts that fit the database's integer ids: a 30-digit id is a 404, not an overflow (500)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's parameter name)
        kwargs.setdefault("max", 2**31 - 1)  # PostgreSQL INTEGER
        super().__init__(map, *args, **kwargs)


def init_security(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedInt  # before any blueprint adds its routes
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # Flask's config already holds these keys (SameSite None, 31 days), so setdefault would not apply.
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"  # behind CSRF tokens
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if app.config.get("PERMANENT_SESSION_LIFETIME") == dt.timedelta(days=31):
        app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=10)  # a staff login lasts one working day
    app.config["RATELIMIT_ENABLED"] = bool(app.config.get("RATELIMIT_ENABLED"))
    limiter.init_app(app)
    # Petitions per phone number, counted in the database by intake for every channel (web, API, bots).
    quota.bind(app.extensions["db"].sessionmaker, app.config.get("RATELIMIT_PER_PHONE"),
               enabled=app.config["RATELIMIT_ENABLED"])
    # Failed status look-ups per requester and per code, counted in the database for every channel.
    lookup_guard.bind(app.extensions["db"].sessionmaker, app.config.get("LOOKUP_LIMIT_PER_CLIENT"),
                      app.config.get("LOOKUP_LIMIT_PER_CODE"), enabled=app.config["RATELIMIT_ENABLED"])

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure or request.headers.get("X-Forwarded-Proto") == "https":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
