"""API v1: reception days (Luật Tiếp công dân Điều 15) and bookings.

POST /api/v1/reception-days {unit, date, starts_at, ends_at, host, capacity, kind?, place?} (staff) -> 201
GET  /api/v1/reception-days?unit=CODE (public): the unit's coming days with their free slots
POST /api/v1/reception-days/<id>/bookings {name, phone, topic, petition_code?, group_size?, representatives?}
     (public, rate-limited) -> 201 {code, …}; 409 with `next_free_day` when the day is full
POST /api/v1/reception-bookings/<code>/cancel {phone} (public) -> 200
"""
from __future__ import annotations

from typing import Any

from flask import jsonify
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from service.domain.reception import schedule
from service.domain.reception.schedule import TIME_PATTERN
from service.domain.reports.periods import A_DAY_PATTERN
from service.models.reception import ReceptionBooking, ReceptionDay
from service.models.unit import Unit
from service.schemas.base import JsonInteger, text_field
from service.web.api import bp
from service.web.api.auth import require_staff
from service.web.api.body import json_body
from service.web.api.petitions import invalid
from service.web.errors import error_body
from service.web.security import limiter, public_limit
from service.web.session import db_session, roll_back


def _text(required: bool = False, max_chars: int = 300) -> fields.String:
    options: dict[str, Any] = {"required": True} if required else {"load_default": None}
    return fields.String(validate=validate.Length(max=max_chars), **options)


class DayCreateSchema(Schema):
    """The rules schedule.create_day enforces, stated for the OpenAPI document (issue #18); a date already past
    is a 409 (the clock), a unit that does not exist a 404; `ends_at` after `starts_at` is the one rule across
    fields it cannot state (422)."""
    unit = text_field(200, required=True, description="Mã hoặc tên đơn vị; không có: 404")
    date = fields.String(required=True, validate=validate.Length(max=20), metadata={
        "pattern": A_DAY_PATTERN, "description": "yyyy-mm-dd hoặc dd/mm/yyyy; ngày đã qua: 409"})
    starts_at = fields.String(required=True, validate=validate.Length(max=5), metadata={"pattern": TIME_PATTERN})
    ends_at = fields.String(required=True, validate=validate.Length(max=5), metadata={
        "pattern": TIME_PATTERN, "description": "Sau giờ bắt đầu"})
    host = text_field(200, required=True)
    capacity = JsonInteger(required=True, metadata={"minimum": 1, "maximum": schedule.MAX_CAPACITY})  # the domain checks
    kind = fields.String(validate=validate.OneOf(tuple(schedule.KINDS)), load_default=None, allow_none=True)
    place = text_field(300)


class RepresentativeSchema(Schema):
    name = _text(required=True, max_chars=200)
    phone = _text(required=True, max_chars=30)


class BookingSchema(Schema):
    name = _text(required=True, max_chars=200)
    phone = _text(required=True, max_chars=30)
    topic = _text(required=True, max_chars=2000)
    petition_code = _text(max_chars=20)
    group_size = fields.Integer(strict=True, load_default=1)
    representatives = fields.List(fields.Nested(RepresentativeSchema), load_default=None)


class CancelSchema(Schema):
    phone = _text(required=True, max_chars=30)


def _load(schema: Schema) -> dict[str, Any]:
    try:
        return schema.load(json_body())
    except ValidationError as err:
        raise invalid(err)


def day_json(day: ReceptionDay, unit: Unit | None = None, free: int | None = None) -> dict[str, Any]:
    unit = unit or db_session().get(Unit, day.unit_id)
    return {"id": day.id, "unit": unit.code, "unit_name": unit.name, "date": day.day.isoformat(),
            "date_label": f"{day.day:%d/%m/%Y}", "starts_at": day.starts_at, "ends_at": day.ends_at,
            "host": day.host, "kind": day.kind, "kind_label": schedule.KINDS.get(day.kind, day.kind),
            "place": day.place, "capacity": day.capacity, "status": day.status,
            "free": schedule.free_slots(db_session(), day) if free is None else free,
            "links": {"bookings": f"/api/v1/reception-days/{day.id}/bookings"}}


@bp.post("/reception-days")
def create_reception_day():
    user = require_staff()
    data = _load(DayCreateSchema())
    day = schedule.create_day(db_session(), user, unit=data["unit"], date=data["date"], starts_at=data["starts_at"],
                              ends_at=data["ends_at"], host=data["host"], capacity=data["capacity"],
                              kind=data["kind"], place=data["place"])
    return jsonify(day_json(day)), 201


@bp.get("/reception-days")
def list_reception_days():
    from flask import request

    code = (request.args.get("unit") or "").strip()
    s = db_session()
    unit = s.scalar(select(Unit).where(Unit.code == code)) if code else None
    if code and unit is None:
        return jsonify({"items": [], "total": 0})
    days = schedule.upcoming(s, unit.id if unit else None)
    items = [day_json(d) for d in days]
    return jsonify({"items": items, "total": len(items),
                    "law": "Luật Tiếp công dân 2013, Điều 15: Chủ tịch UBND cấp xã tiếp công dân ít nhất 1 ngày "
                           "mỗi tuần."})


@bp.post("/reception-days/<int:day_id>/bookings")
@limiter.limit(public_limit)
def book_reception_day(day_id: int):
    s = db_session()
    day = schedule.get_day(s, day_id)
    data = _load(BookingSchema())
    try:
        booking, created = schedule.book(s, day, name=data["name"], phone=data["phone"], topic=data["topic"],
                                         petition_code=data["petition_code"], group_size=data["group_size"],
                                         representatives=data["representatives"], channel="api")
    except schedule.DayFull as full:
        roll_back()
        body = error_body(409, code=full.code, message=full.message, message_en=full.message_en)
        body["error"]["next_free_day"] = day_json(full.next_day) if full.next_day is not None else None
        body["next_free_day"] = body["error"]["next_free_day"]
        return jsonify(body), 409
    return jsonify(booking_json(booking, day)), 201 if created else 200


def booking_json(b: ReceptionBooking, day: ReceptionDay) -> dict[str, Any]:
    return {"code": b.code, "status": b.status, "day": day_json(day), "name": b.name, "topic": b.topic,
            "group_size": b.group_size, "representatives": [r.get("name") for r in b.representatives or []],
            "message": "Đã đăng ký lịch tiếp công dân; tin nhắn xác nhận đã được gửi và sẽ nhắc lịch trước một "
                       "ngày. Giữ mã đăng ký để hủy lịch khi cần."}


@bp.post("/reception-bookings/<code>/cancel")
@limiter.limit(public_limit)
def cancel_reception_booking(code: str):
    data = _load(CancelSchema())
    s = db_session()
    booking = schedule.cancel(s, code, data["phone"])
    return jsonify({"code": booking.code, "status": booking.status,
                    "message": "Đã hủy lịch tiếp công dân."})


def openapi_paths(errors) -> dict[str, dict[str, Any]]:
    from service.web.api.reception_book import VisitSchema
    from service.web.api.similar import SupportSchema

    staff = [{"bearer": []}]
    did = {"in": "path", "name": "day_id", "required": True, "schema": {"type": "integer"}}
    from service.domain.reports.periods import DAY_PATTERN

    # reception_book.period: a real day of 2000…2100, yyyy-mm-dd or dd/mm/yyyy, either order; blank: this month
    day = {n: {"pattern": DAY_PATTERN} for n in ("from", "to")}

    def body(schema) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {"schema": schema}}}

    return {
        "/api/v1/reception-days": {
            "post": {"summary": "Lập ngày tiếp công dân (Văn phòng HĐND-UBND; Luật TCD Điều 15)", "security": staff,
                     "requestBody": body(DayCreateSchema),
                     "responses": {"201": {"description": "{id, unit, date, starts_at, ends_at, host, capacity, free}"},
                                   **errors(400, 401, 403, 404, 409, 415, 422)}},
            "get": {"summary": "Lịch tiếp công dân sắp tới (công khai)",
                    "parameters": [{"in": "query", "name": "unit", "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "{items, total}"}}}},
        "/api/v1/reception-days/{day_id}/bookings": {"post": {
            "summary": "Đăng ký lịch tiếp công dân (công khai)", "parameters": [did], "requestBody": body(BookingSchema),
            "responses": {"201": {"description": "{code, status, day}"}, "200": {"description": "Đã đăng ký trước đó"},
                          **errors(400, 404, 409, 415, 422, 429)}}},
        "/api/v1/reception-visits": {
            "post": {"summary": "Ghi sổ tiếp công dân (TT 04/2021 Mẫu 03)", "security": staff,
                     "requestBody": body(VisitSchema),
                     "responses": {"201": {"description": "{id, columns}"},
                                   **errors(400, 401, 403, 404, 409, 415, 422)}},
            "get": {"summary": "Sổ tiếp công dân của kỳ (JSON hoặc XLSX với format=xlsx)", "security": staff,
                    "parameters": [{"in": "query", "name": n, "schema": {"type": "string", **day.get(n, {})}}
                                   for n in ("unit", "from", "to", "format")],
                    "responses": {"200": {"description": "{columns, items} hoặc tệp XLSX"},
                                  **errors(401, 403, 404, 422)}}},
        "/api/v1/reception-visits/{visit_id}/petition": {"post": {
            "summary": "Chuyển lượt tiếp thành đơn (một bước, qua tiếp nhận)", "security": staff,
            "parameters": [{"in": "path", "name": "visit_id", "required": True, "schema": {"type": "integer"}}],
            "responses": {"201": {"description": "{code}"}, **errors(401, 403, 404, 409, 422)}}},
        "/api/v1/public/similar": {"get": {
            "summary": "Phản ánh tương tự đang giải quyết (công khai, tối đa 3)",
            "parameters": [{"in": "query", "name": n, "schema": {"type": "string"}}
                           for n in ("unit", "text", "lat", "long")],
            "responses": {"200": {"description": "{items}"}, **errors(429)}}},
        "/api/v1/public/supporters": {"post": {
            "summary": "Tôi cũng gặp vấn đề này (công khai)", "requestBody": body(SupportSchema),
            "responses": {"201": {"description": "Đã ghi nhận"}, "200": {"description": "Đã ghi nhận trước đó"},
                          **errors(400, 404, 415, 422, 429)}}},
        "/api/v1/reception-bookings/{code}/cancel": {"post": {
            "summary": "Hủy lịch đã đăng ký (mã đăng ký và số điện thoại)",
            "parameters": [{"in": "path", "name": "code", "required": True, "schema": {"type": "string"}}],
            "requestBody": body(CancelSchema),
            "responses": {"200": {"description": "Đã hủy"}, **errors(400, 404, 415, 422, 429)}}},
    }
