"""Domain errors: a stable code, a Vietnamese message for people, an English one for the API."""
from __future__ import annotations


class DomainError(Exception):
    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, message_en: str | None = None, *, fields: dict[str, list[str]] | None = None,
                 code: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message
        self.fields = fields or {}
        if code:
            self.code = code


class ValidationFailed(DomainError):
    """An input field is invalid (HTTP 422)."""

    code = "invalid"
    http_status = 422


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403


class Conflict(DomainError):
    """The action is not allowed in the petition's current state (HTTP 409)."""

    code = "conflict"
    http_status = 409
