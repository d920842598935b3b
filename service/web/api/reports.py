"""API v1 periodic reports: GET /api/v1/reports?unit=…&period=… | &from=…&to=…, &format=json|xlsx (staff)."""
from __future__ import annotations

from flask import Response, jsonify, request

from service.domain.documents import spreadsheets
from service.domain.errors import NotFound, ValidationFailed
from service.domain.people import audit
from service.domain.reports import periods as report_periods
from service.domain.reports import queries as reports
from service.web.api import bp
from service.web.api.auth import require_staff
from service.web.downloads import attachment
from service.web.session import db_session

FORMATS = ("json", "xlsx")


def report_from_args(user, args) -> dict:
    """The report a query string asks for; the scope and period rules live in the domain."""
    return reports.report_for(db_session(), user, unit=args.get("unit"), period=args.get("period"),
                              first=args.get("from"), last=args.get("to"), missing_unit=NotFound)


def audit_export(user, report: dict, fmt: str, ip: str | None) -> None:
    audit.record(db_session(), "export", user=user, object_type="report", object_id=report["unit"]["code"], ip=ip,
                 period=report["period"]["code"], date_from=report["period"]["from"], date_to=report["period"]["to"],
                 format=fmt)


def xlsx_response(report: dict) -> Response:
    return attachment(spreadsheets.workbook(report), spreadsheets.XLSX_TYPE, spreadsheets.filename(report))


def refuse_unknown(args) -> None:
    """The document lists every parameter; a misspelt one must not silently give another report (or scorecard)."""
    unknown = sorted(set(args) - {"unit", "period", "from", "to", "format"})
    if unknown:
        raise ValidationFailed("Tham số không được hỗ trợ: " + ", ".join(unknown[:5]) + ".",
                               "Unknown query parameters: " + ", ".join(unknown[:5]) + ".",
                               fields={k: ["Tham số không được hỗ trợ."] for k in unknown[:5]})


@bp.get("/reports")
def get_report():
    user = require_staff()
    fmt = request.args.get("format", "json")  # exactly as the OpenAPI enum says: a fuzzer holds us to it
    if fmt not in FORMATS:
        raise ValidationFailed("Định dạng phải là json hoặc xlsx.", "format must be json or xlsx.",
                               fields={"format": ["Chọn json hoặc xlsx."]})
    refuse_unknown(request.args)
    report = report_from_args(user, request.args)
    audit_export(user, report, fmt, request.remote_addr)
    if fmt == "xlsx":
        return xlsx_response(report)
    response = jsonify(report)
    response.headers["Cache-Control"] = "no-store"
    return response


# The query rules of service/domain/reports/periods.py as the OpenAPI document states them (also used by the
# public figures and the scorecards): one form-exploded object parameter, so that the query string is exactly the
# same (?unit=…&period=…) while the rules across parameters can be stated in JSON Schema: a period excludes a
# range, `from` and `to` go together (blank is "not given"). A period is of a year 2000…2100, any case; a day is a
# real one of those years, dd/mm/yyyy or yyyy-mm-dd; `from` after `to` is the same range (periods.date_range).
PERIOD_PATTERN, DAY_PATTERN = report_periods.PERIOD_PATTERN, report_periods.DAY_PATTERN
_GIVEN, _BLANK = {"type": "string", "pattern": r"\S"}, {"type": "string", "pattern": r"^\s*$"}


def period_filters(unit: str, *, extra: dict | None = None, closed: bool = False) -> dict:
    """The query parameters unit, period, from, to (and `extra`) as one OpenAPI parameter; `closed`: any other
    parameter is refused (a 422), as GET /api/v1/reports does."""
    def given(name: str) -> dict:
        return {"required": [name], "properties": {name: _GIVEN}}

    schema: dict = {"type": "object", "properties": {
        "unit": {"type": "string", "description": unit},
        "period": {"type": "string", "pattern": PERIOD_PATTERN, "description":
                   "YYYY-q1…q4, YYYY-6m, YYYY-9m, YYYY-year (TT 01/2024/TT-TTCP: 15/12 năm trước → 14/03, 14/06, "
                   "14/09, 14/12); bỏ trống cùng với from/to: năm báo cáo hiện tại"},
        "from": {"type": "string", "pattern": DAY_PATTERN,
                 "description": "Từ ngày (dd/mm/yyyy hoặc yyyy-mm-dd, năm 2000…2100), cùng với `to`"},
        "to": {"type": "string", "pattern": DAY_PATTERN,
               "description": "Đến ngày (tính cả ngày này); trước `from` thì hai ngày được đổi chỗ"},
        **(extra or {})},
        "allOf": [{"if": given("period"), "then": {"properties": {"from": _BLANK, "to": _BLANK}}},
                  {"if": given("from"), "then": given("to")}, {"if": given("to"), "then": given("from")}]}
    if closed:
        schema["additionalProperties"] = False
    return {"in": "query", "name": "filters", "style": "form", "explode": True, "schema": schema,
            "description": "Kỳ báo cáo (`period`) hoặc khoảng ngày (`from` và `to`), không cả hai"}


def openapi_operation(errors: dict) -> dict:
    """The OpenAPI description of GET /api/v1/reports (added to the document by openapi.py)."""
    counts = {"type": "object", "additionalProperties": {"type": "integer"}}
    return {
        "summary": "Báo cáo định kỳ (cán bộ): kỳ chốt số liệu theo TT 01/2024/TT-TTCP hoặc khoảng ngày",
        "security": [{"bearer": []}],
        "parameters": [period_filters(
            "Mã hoặc tên đơn vị; bỏ trống hoặc `city`: toàn thành phố (thanh tra, quản trị); không có: 404",
            extra={"format": {"type": "string", "enum": list(FORMATS), "description": "json (mặc định) hoặc xlsx"}},
            closed=True)],
        "responses": {
            "200": {"description": "Báo cáo", "content": {
                "application/json": {"schema": {"type": "object", "required": [
                    "unit", "period", "total", "by_kind", "by_category", "by_channel", "by_office", "by_status",
                    "on_time", "overdue", "flagged"], "properties": {
                    "total": {"type": "integer"}, "on_time": {"type": "integer"}, "overdue": {"type": "integer"},
                    **{k: counts for k in ("by_kind", "by_category", "by_channel", "by_office", "by_status")},
                    "flagged": {"type": "object"}, "received": {"type": "object"}, "deadlines": {"type": "object"},
                    "ratings": {"type": "object"}, "plan": {"type": "object"}}}},
                spreadsheets.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}},
            **errors,
        },
    }
