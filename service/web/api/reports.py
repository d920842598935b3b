"""API v1 periodic reports: GET /api/v1/reports?unit=…&period=… | &from=…&to=…, &format=json|xlsx (staff)."""
from __future__ import annotations

from flask import Response, jsonify, request

from service.domain.documents import spreadsheets
from service.domain.errors import ValidationFailed
from service.domain.people import audit
from service.domain.reports import queries as reports
from service.web.api import bp
from service.web.api.auth import require_staff
from service.web.downloads import attachment
from service.web.session import db_session

FORMATS = ("json", "xlsx")


def report_from_args(user, args) -> dict:
    """The report a query string asks for; the scope and period rules live in the domain."""
    return reports.report_for(db_session(), user, unit=args.get("unit"), period=args.get("period"),
                              first=args.get("from"), last=args.get("to"))


def audit_export(user, report: dict, fmt: str, ip: str | None) -> None:
    audit.record(db_session(), "export", user=user, object_type="report", object_id=report["unit"]["code"], ip=ip,
                 period=report["period"]["code"], date_from=report["period"]["from"], date_to=report["period"]["to"],
                 format=fmt)


def xlsx_response(report: dict) -> Response:
    return attachment(spreadsheets.workbook(report), spreadsheets.XLSX_TYPE, spreadsheets.filename(report))


@bp.get("/reports")
def get_report():
    user = require_staff()
    fmt = request.args.get("format", "json")  # exactly as the OpenAPI enum says: a fuzzer holds us to it
    if fmt not in FORMATS:
        raise ValidationFailed("Định dạng phải là json hoặc xlsx.", "format must be json or xlsx.",
                               fields={"format": ["Chọn json hoặc xlsx."]})
    unknown = sorted(set(request.args) - {"unit", "period", "from", "to", "format"})
    if unknown:  # the document lists every parameter; a misspelt one must not silently give another report
        raise ValidationFailed("Tham số không được hỗ trợ: " + ", ".join(unknown[:5]) + ".",
                               "Unknown query parameters: " + ", ".join(unknown[:5]) + ".",
                               fields={k: ["Tham số không được hỗ trợ."] for k in unknown[:5]})
    report = report_from_args(user, request.args)
    audit_export(user, report, fmt, request.remote_addr)
    if fmt == "xlsx":
        return xlsx_response(report)
    response = jsonify(report)
    response.headers["Cache-Control"] = "no-store"
    return response


# The query rules of service/domain/reports/periods.py as the OpenAPI document states them (also used by the
# public figures and the scorecards): a legal period of a year 2000…2100, any case; a day dd/mm/yyyy or yyyy-mm-dd;
# blank is "not given". Rules across parameters (a period or a range, `from` with `to`) are stated in words only.
PERIOD_PATTERN = r"^\s*((20\d\d|2100)-([qQ][1-4]|[69][mM]|[yY][eE][aA][rR]))?\s*$"
DAY_PATTERN = r"^\s*(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{1,2}-\d{1,2})?\s*$"


def openapi_operation(errors: dict) -> dict:
    """The OpenAPI description of GET /api/v1/reports (added to the document by openapi.py)."""
    def query(name: str, description: str, **schema) -> dict:
        return {"in": "query", "name": name, "description": description, "schema": {"type": "string", **schema}}

    counts = {"type": "object", "additionalProperties": {"type": "integer"}}
    return {
        "summary": "Báo cáo định kỳ (cán bộ): kỳ chốt số liệu theo TT 01/2024/TT-TTCP hoặc khoảng ngày",
        "security": [{"bearer": []}],
        "parameters": [
            query("unit", "Mã hoặc tên đơn vị; bỏ trống hoặc `city`: toàn thành phố (thanh tra, quản trị)"),
            query("period", "YYYY-q1…q4, YYYY-6m, YYYY-9m, YYYY-year (15/12 năm trước → 14/03, 14/06, 14/09, 14/12)",
                  pattern=PERIOD_PATTERN),  # empty: the current period
            query("from", "Từ ngày (dd/mm/yyyy hoặc yyyy-mm-dd), cùng với `to`", pattern=DAY_PATTERN),
            query("to", "Đến ngày (tính cả ngày này)", pattern=DAY_PATTERN),
            query("format", "json (mặc định) hoặc xlsx", enum=list(FORMATS)),
        ],
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
