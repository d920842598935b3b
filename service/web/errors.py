"""Maps errors to precise answers: JSON `{"error": {...}}` on the API, a Vietnamese page elsewhere."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from service.domain.errors import DomainError
from service.web.session import roll_back

logger = logging.getLogger(__name__)

# Vietnamese and English wording of the HTTP errors the service answers itself.
HTTP_MESSAGES: dict[int, tuple[str, str, str]] = {
    400: ("malformed", "Yêu cầu không hợp lệ.", "The request is malformed."),
    401: ("unauthorized", "Cần đăng nhập hoặc mã truy cập hợp lệ.", "Authentication is required."),
    403: ("forbidden", "Bạn không có quyền thực hiện thao tác này.", "You may not do this."),
    404: ("not_found", "Không tìm thấy.", "Not found."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ.", "Method not allowed."),
    409: ("conflict", "Thao tác không phù hợp với trạng thái hiện tại.", "Conflicts with the current state."),
    413: ("too_large", "Dữ liệu gửi lên quá lớn.", "The request body is too large."),
    414: ("uri_too_long", "Địa chỉ yêu cầu quá dài (quá nhiều điều kiện tìm kiếm).", "The request URI is too long."),
    415: ("unsupported_media_type", "Kiểu dữ liệu không được hỗ trợ.", "Unsupported media type."),
    422: ("invalid", "Dữ liệu không hợp lệ.", "Invalid data."),
    429: ("rate_limited", "Bạn gửi quá nhiều yêu cầu, vui lòng thử lại sau ít phút.", "Too many requests; try again later."),
    500: ("internal", "Lỗi hệ thống, vui lòng thử lại sau.", "Internal error; please try again later."),
    503: ("unavailable", "Hệ thống tạm thời gián đoạn, vui lòng thử lại sau ít phút. Dữ liệu của bạn chưa được gửi.",
          "The service is temporarily unavailable; nothing was stored. Please retry shortly."),
}


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/open311/", "/bots/", "/healthz"))


def error_body(status: int, code: str | None = None, message: str | None = None, message_en: str | None = None,
               fields: dict | None = None) -> dict:
    default_code, default_vi, default_en = HTTP_MESSAGES.get(status, HTTP_MESSAGES[400 if status < 500 else 500])
    return {"error": {"code": code or default_code, "message": message or default_vi,
                      "message_en": message_en or default_en, "fields": fields or {}}}


def error_response(status: int, **kwargs):
    roll_back()  # nothing of a failed request is stored
    if request.path.startswith("/open311/"):
        from service.web.open311_answers import open311_error

        return open311_error(status, kwargs.get("message"), kwargs.get("message_en"))
    body = error_body(status, **kwargs)
    if wants_json():
        response = jsonify(body)
        response.status_code = status
        return response
    return render_template("error.html", error=body["error"], status=status), status


# The longest query string answered (bytes); gunicorn reads request lines up to limit_request_line
# (config/gunicorn.conf.py, 8190), so a longer query than this gets our 414 rather than gunicorn's HTML page.
MAX_QUERY_BYTES = 4096


def register(app: Flask) -> None:
    @app.before_request
    def _query_too_long():
        if len(request.query_string) > MAX_QUERY_BYTES:
            return error_response(414)
        return None

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        return error_response(exc.http_status, code=exc.code, message=exc.message, message_en=exc.message_en,
                              fields=exc.fields)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        response = app.make_response(error_response(status))
        for name, value in exc.get_headers():  # e.g. Allow on 405 (RFC 9110), Retry-After on 429
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(OperationalError)
    def _database_down(exc: OperationalError):
        logger.warning("database unavailable: %s", exc.__class__.__name__)
        return error_response(503)

    @app.errorhandler(DBAPIError)
    def _database_error(exc: DBAPIError):
        if exc.connection_invalidated:
            return error_response(503)
        logger.exception("database error")
        return error_response(500)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500)
