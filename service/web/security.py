"""Security headers, caching of personal data, the client's address behind proxies and the rate limiter of
the public entry points."""
from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, request
from flask_limiter import Limiter
from werkzeug.routing import IntegerConverter

from service.domain.intake.limits import IntakeLimits
from service.settings import InsecureSettings
from service.web.proxies import TrustedProxies, parse_networks


def client_address() -> str:
    """The rate-limit key: the client's address, behind trusted proxies too (service.web.proxies rewrites
    REMOTE_ADDR only when the peer is one of TRUSTED_PROXIES, so a client cannot pick its own bucket)."""
    return request.remote_addr or "127.0.0.1"


limiter = Limiter(key_func=client_address, default_limits=[])
LIMITS = "intake_limits"  # app.extensions key: the IntakeLimits built once by init_security


def public_limit() -> str:
    """The per-address limit of every public entry point (RATELIMIT_PUBLIC), for `@limiter.limit`."""
    return current_app.config.get("RATELIMIT_PUBLIC") or "30 per minute"


def intake_limits() -> IntakeLimits:
    """This app's petitions-per-phone and failed-look-up limits, to pass to intake.submit, status.look_up…"""
    return current_app.extensions[LIMITS]

# Answers that carry personal data must not stay in a browser's or a proxy's cache (a shared computer at
# the commune office, the back button after logging out): every console page, every API answer but the
# public reference data below, the citizen's status, confirmation and personal-data pages, and every
# answer to a POST (a refused form shows back what was typed).
NO_STORE_PATHS = ("/can-bo", "/api/")
NO_STORE_ENDPOINTS = {"public.submitted", "public.lookup", "public.status_page", "public.rate",
                      "privacy.requests_page", "public_dialogues.register"}
CACHEABLE_API = {"api.openapi_document", "api.list_categories", "api.list_units", "api.unit_tasks"}


def needs_no_store() -> bool:
    if request.method not in ("GET", "HEAD"):
        return True
    if request.endpoint in NO_STORE_ENDPOINTS or request.blueprint in ("console", "privacy_staff"):
        return True
    return request.path.startswith(NO_STORE_PATHS) and request.endpoint not in CACHEABLE_API


CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def csp_for(tile_url: str | None) -> str:
    """The policy, with the map tile server (MAP_TILE_URL) allowed as an image source."""
    from urllib.parse import urlsplit

    parts = urlsplit((tile_url or "").replace("{s}", "*"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return CSP
    return CSP.replace("img-src 'self' data: blob:;", f"img-src 'self' data: blob: {parts.scheme}://{parts.netloc};")


def check_limit_storage(uri: str | None) -> str:
    """The rate limiter's store (RATELIMIT_STORAGE_URI), checked at start: `memory://` (one process, the
    default) or a store every web machine shares, e.g. redis://127.0.0.1:6379/0. A wrong URI or a store
    that does not answer stops the start with a message naming the setting, instead of every limited page
    answering 500 later."""
    from limits.errors import ConfigurationError
    from limits.storage import storage_from_string

    uri = (uri or "").strip() or "memory://"
    hint = ("đặt memory:// (một máy) hoặc redis://máy:6379/0 (nhiều máy) — use memory:// for one machine or "
            "redis://host:6379/0 shared by several")
    try:
        storage = storage_from_string(uri)
    except (ConfigurationError, ValueError) as err:  # unknown scheme, missing client package, bad port…
        raise InsecureSettings(f"RATELIMIT_STORAGE_URI='{_without_password(uri)}' không dùng được ({err}); "
                               f"{hint}.") from err
    if not uri.startswith("memory://") and not storage.check():
        raise InsecureSettings(f"RATELIMIT_STORAGE_URI='{_without_password(uri)}': không kết nối được kho đếm "
                               f"giới hạn (the rate-limit store does not answer); {hint}.")
    return uri


def _without_password(uri: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(uri)
    if parts.password:
        return uri.replace(f":{parts.password}@", ":***@", 1)
    return uri


class BoundedInt(IntegerConverter):
    """`<int:…>` path parts that fit the database's integer ids: a 30-digit id is a 404, not an overflow (500)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's parameter name)
        kwargs.setdefault("max", 2**31 - 1)  # PostgreSQL INTEGER
        super().__init__(map, *args, **kwargs)


def init_security(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedInt  # before any blueprint adds its routes
    app.wsgi_app = TrustedProxies(app.wsgi_app, parse_networks(app.config.get("TRUSTED_PROXIES")))
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # Flask's config already holds these keys (SameSite None, 31 days), so setdefault would not apply.
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"  # behind CSRF tokens
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    # The cookie lasts as long as a staff session may (a working day); the server decides before that
    # (service.domain.people.staff_sessions: idle lifetime, logout, password change).
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=app.config.get("STAFF_SESSION_MAX_HOURS") or 10)
    app.config["RATELIMIT_ENABLED"] = bool(app.config.get("RATELIMIT_ENABLED"))
    if app.config["RATELIMIT_ENABLED"]:
        # Counted where every web machine sees the same numbers (redis://… in production, README "Vận hành").
        app.config["RATELIMIT_STORAGE_URI"] = check_limit_storage(app.config.get("RATELIMIT_STORAGE_URI"))
        # Should the shared store fail later, each process counts on its own meanwhile: limits per machine
        # rather than every public page answering 500.
        app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)
    # Petitions per phone number and failed status look-ups per requester and per code, counted in the
    # database for every channel (web, API, the webhooks of the bots); passed by each adapter.
    app.extensions[LIMITS] = IntakeLimits.from_settings(app.extensions["settings"])

    policy = csp_for(app.config.get("MAP_TILE_URL"))

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure or request.headers.get("X-Forwarded-Proto") == "https":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if needs_no_store():
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"  # HTTP/1.0 caches
        return response
