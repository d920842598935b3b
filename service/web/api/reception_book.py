"""API v1: the sổ tiếp công dân (TT 04/2021/TT-TTCP Mẫu 03), for the unit's Văn phòng HĐND-UBND and chairperson.

POST /api/v1/reception-visits {unit, name, summary, kind, visited_on?, address?, id_number?, people_count?,
     handled_by?, within_competence?, guidance?, transferred_to?, follow_up?, result?, booking_code?} -> 201
GET  /api/v1/reception-visits?unit=&from=&to=[&format=xlsx]  (dd/mm/yyyy or YYYY-MM-DD, either order; default this
     month; an unknown unit: 404)
POST /api/v1/reception-visits/<id>/petition -> 201 {code}: the visit becomes a petition through intake
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import jsonify, request
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from service.domain.errors import Forbidden, NotFound
from service.domain.people import audit
from service.domain.reception import book, book_xlsx, schedule
from service.domain.reports import periods as report_periods
from service.domain.routing.units import find_unit
from service.models.petition import Petition
from service.models.reception import ReceptionVisit
from service.schemas.base import JsonInteger, StrictBoolean, text_field
from service.web.api import bp
from service.web.api.auth import require_staff
from service.web.api.body import json_body
from service.web.api.petitions import invalid
from service.web.downloads import attachment
from service.web.session import db_session

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(max_chars: int = 500, required: bool = False) -> fields.String:
    options: dict[str, Any] = {"required": True} if required else {"load_default": None}
    return fields.String(validate=validate.Length(max=max_chars), **options)


class VisitSchema(Schema):
    """The rules book.log_visit enforces, stated for the OpenAPI document (issue #18). A visit dated after today
    is a 409 (the clock), a unit or booking code that does not exist a 404."""
    unit = text_field(200, required=True, description="Mã hoặc tên đơn vị; không có: 404")
    visited_on = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20), metadata={
        "pattern": report_periods.DAY_PATTERN, "description": "Ngày tiếp (mặc định hôm nay); sau hôm nay: 409"})
    name = text_field(200, required=True)
    address = text_field(300, multiline=True)
    id_number = text_field(20, multiline=True)
    summary = text_field(4000, required=True, multiline=True)
    kind = fields.String(required=True, validate=validate.OneOf(tuple(book.KIND_NAMES)))
    people_count = JsonInteger(load_default=1, metadata={"minimum": 1, "maximum": 1000})  # book._people checks
    handled_by = text_field(500, multiline=True)
    within_competence = StrictBoolean(load_default=False)
    guidance = text_field(500, multiline=True)
    transferred_to = text_field(500, multiline=True)
    follow_up = text_field(1000, multiline=True)
    result = text_field(1000, multiline=True)
    booking_code = text_field(20, description="Mã lịch đã đăng ký; không có: 404")


def period(first: str | None, last: str | None) -> tuple[dt.date, dt.date]:
    """The period asked for: a real day of 2000…2100 each (the document's pattern), from the first of this month
    to today by default; given in either order (a rule across two parameters a document cannot state)."""
    today = schedule.today()
    first, last = ((v or "").strip() for v in (first, last))
    start = report_periods.parse_day(first, "from") if first else today.replace(day=1)
    end = report_periods.parse_day(last, "to") if last else today
    return (start, end) if start <= end else (end, start)


def visit_json(user, visit: ReceptionVisit, number: int, code: str | None) -> dict[str, Any]:
    columns = book.row(user, visit, number, code)
    return {"id": visit.id, "petition": code, "columns": dict(zip(book.COLUMNS, columns)), "kind": visit.kind,
            **book.shown(user, visit)}


@bp.post("/reception-visits")
def log_reception_visit():
    user = require_staff()
    try:
        data = VisitSchema().load(json_body())
    except ValidationError as err:
        raise invalid(err)
    unit = schedule.managed_unit(db_session(), user, data.pop("unit"))
    visit = book.log_visit(db_session(), user, unit, **data)
    audit.record(db_session(), "reception_visit_logged", user=user, object_type="reception_visit",
                 object_id=visit.id, ip=request.remote_addr)
    return jsonify(visit_json(user, visit, 1, None)), 201


@bp.get("/reception-visits")
def list_reception_visits():
    user = require_staff()
    wanted = (request.args.get("unit") or "").strip()
    if not wanted and user.unit is None:  # as GET /api/v1/reports: an account of no unit names one
        raise Forbidden("Tài khoản chưa gắn với đơn vị nào: hãy chọn đơn vị (unit).",
                        "This account belongs to no unit: name one (unit).")
    unit = find_unit(db_session(), wanted or user.unit.code)
    if unit is None:  # the book of a unit that does not exist: not found
        raise NotFound("Không tìm thấy đơn vị.", "Unknown unit.", fields={"unit": ["Không tìm thấy đơn vị."]})
    schedule.check_manage(user, unit.id)
    first, last = period(request.args.get("from"), request.args.get("to"))
    s = db_session()
    audit.record(s, "export" if request.args.get("format") == "xlsx" else "view_reception_book", user=user,
                 object_type="reception_book", object_id=unit.code, ip=request.remote_addr,
                 period=f"{first.isoformat()}/{last.isoformat()}")
    if request.args.get("format") == "xlsx":
        return attachment(book_xlsx.workbook(s, user, unit, first, last), XLSX, book_xlsx.filename(unit, first, last))
    items = book.visits(s, unit.id, first, last)
    codes = dict(s.execute(select(Petition.id, Petition.code).where(
        Petition.id.in_([v.petition_id for v in items if v.petition_id]))).all()) if items else {}
    body = {"unit": unit.code, "from": first.isoformat(), "to": last.isoformat(), "columns": list(book.COLUMNS),
            "items": [visit_json(user, v, n, codes.get(v.petition_id)) for n, v in enumerate(items, 1)]}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/reception-visits/<int:visit_id>/petition")
def reception_visit_to_petition(visit_id: int):
    user = require_staff()
    s = db_session()
    visit = book.get_visit(s, user, visit_id)
    petition = book.to_petition(s, user, visit)
    return jsonify({"visit": visit.id, "code": petition.code, "status": petition.status,
                    "links": {"petition": f"/api/v1/petitions/{petition.code}"}}), 201
