"""Open figures without an account (issue #21): GET /api/v1/public/stats?unit=…&period=…|from=…&to=…
and GET /api/v1/public/answers?unit=…; both read the accountability domain and show no one's identity."""
from __future__ import annotations

from flask import jsonify, request

from service.domain.accountability import publication, stats
from service.domain.errors import NotFound
from service.web import public_cache
from service.web.api import bp
from service.web.security import limiter, public_limit
from service.web.session import db_session


def _public(body, max_age: int = 300):
    response = jsonify(body)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


@bp.get("/public/stats")
@limiter.limit(public_limit)
def public_stats():
    return _public(public_cache.public_stats(request.args, missing_unit=NotFound))  # an unknown unit: 404


@bp.get("/public/answers")
@limiter.limit(public_limit)
def public_answers():
    args = request.args
    unit = stats.unit_for(db_session(), args.get("unit"), missing=NotFound)  # the answers asked for: none
    try:
        limit = max(1, min(int(args.get("limit", 50)), 200))
    except ValueError:
        limit = 50
    items = publication.published(db_session(), unit, limit=limit)
    return _public({"unit": unit.code if unit else stats.CITY, "items": items})


def openapi_paths(errors) -> dict:
    """The OpenAPI description of the accountability endpoints (added to the document by openapi.py)."""
    def query(name: str, description: str, **schema) -> dict:
        return {"in": "query", "name": name, "description": description, "schema": {"type": "string", **schema}}

    unit = query("unit", "Mã hoặc tên đơn vị; bỏ trống hoặc `city`: toàn thành phố")
    from service.web.api.reports import period_filters

    unit_text = "Mã hoặc tên đơn vị; bỏ trống hoặc `city`: toàn thành phố; không có đơn vị này: 404"
    office = {"type": "object", "required": ["office", "received", "answered", "on_time_rate", "satisfaction_avg"],
              "properties": {"office": {"type": "string"}, "received": {"type": "integer"},
                             "answered": {"type": "integer"}, "answered_on_time": {"type": "integer"},
                             "on_time_rate": {"type": ["number", "null"]}, "open_now": {"type": "integer"},
                             "overdue_now": {"type": "integer"},
                             "median_days_to_answer": {"type": ["number", "null"]},
                             "satisfaction_avg": {"type": ["number", "null"]}, "ratings": {"type": "integer"},
                             "reopened_by_citizens": {"type": "integer"}}}
    return {
        "/api/v1/public/stats": {"get": {
            "summary": "Số liệu công khai theo đơn vị và cơ quan (không cần tài khoản)", "parameters": [period_filters(unit_text)],
            "responses": {"200": {"description": "Số liệu", "content": {"application/json": {"schema": {
                "type": "object", "required": ["unit", "period", "totals", "offices"],
                "properties": {"offices": {"type": "array", "items": office}}}}}}, **errors(404, 422, 429)}}},
        "/api/v1/public/answers": {"get": {
            "summary": "Câu trả lời đã công khai (đã xóa thông tin cá nhân; không bao giờ có đơn tố cáo)",
            "parameters": [unit, {"in": "query", "name": "limit", "schema": {"type": "string"},
                                  "description": "1…200 (mặc định 50; giá trị khác số: mặc định)"}],
            "responses": {"200": {"description": "{unit, items}"}, **errors(404, 429)}}},
        "/api/v1/scorecards": {"get": {
            "summary": "Chấm điểm cơ quan và người đứng đầu (Chủ tịch UBND, thanh tra, quản trị)",
            "security": [{"bearer": []}],
            "parameters": [period_filters(unit_text, extra={"format": {
                "type": "string", "enum": ["json", "xlsx"], "description": "json (mặc định) hoặc xlsx"}}, closed=True)],
            "responses": {"200": {"description": "{unit, period, offices, heads, criteria}"},
                          **errors(401, 403, 404, 422)}}},
        "/api/v1/plan-tasks": {"get": {
            "summary": "Nhiệm vụ của kế hoạch: hạn, trạng thái (cán bộ)", "security": [{"bearer": []}],
            "parameters": [unit], "responses": {"200": {"description": "{unit, statuses, tasks}"},
                                                **errors(401, 403, 404)}}},
    }
