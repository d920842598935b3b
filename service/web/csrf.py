"""CSRF protection for HTML forms: one random token per browser, kept in the signed session cookie.

Every form that changes something carries `csrf_token()` in a hidden field; the view calls
`check_csrf()` first. A cross-site page cannot read the token, so it cannot forge the post.
"""
from __future__ import annotations

import hmac
import secrets

from flask import Blueprint, request, session

from service.domain.errors import DomainError

SESSION_KEY = "_csrf"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


class CsrfFailed(DomainError):
    """The form's token is missing or does not match the browser's session (HTTP 400)."""

    code = "csrf_failed"
    http_status = 400


def csrf_token() -> str:
    """The browser's token, created on first use."""
    token = session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def check_csrf() -> None:
    """Raises CsrfFailed unless the request carries this browser's token (form field or header)."""
    expected = session.get(SESSION_KEY)
    given = request.form.get(FIELD) or request.headers.get(HEADER) or ""
    # Bytes: compare_digest refuses non-ASCII str (a TypeError, a 500) and a forged form may carry any text.
    if not expected or not hmac.compare_digest(str(expected).encode(), given.encode("utf-8", "replace")):
        raise CsrfFailed("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang "
                         "và gửi lại; thông tin chưa được lưu.",
                         "The form's CSRF token is missing or invalid; nothing was stored.")


def register(bp: Blueprint) -> None:
    """Makes `csrf_token()` available in every template."""
    bp.add_app_template_global(csrf_token, "csrf_token")
