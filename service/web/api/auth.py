"""Who is calling the API: a bearer token created by `flask tokens create`, with that user's role."""
from __future__ import annotations

from flask import g, request

from service.domain.errors import DomainError
from service.domain.people import accounts
from service.models.user import User
from service.web.session import db_session


def user_from_bearer() -> User | None:
    """The token's user, or None when the header is missing or the token unknown or revoked."""
    if "api_user" in g:
        return g.api_user
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = None
    if scheme.lower() == "bearer" and token.strip():
        user = accounts.user_for_token(db_session(), token.strip())
    g.api_user = user
    return user


def require_staff() -> User:
    """The calling staff user; raises Unauthorized (401) without a valid bearer token."""
    user = user_from_bearer()
    if user is None:
        raise Unauthorized("Cần mã truy cập hợp lệ (Authorization: Bearer …).",
                           "A valid bearer token is required (Authorization: Bearer …).")
    return user


class Unauthorized(DomainError):
    code = "unauthorized"
    http_status = 401
