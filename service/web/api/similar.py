"""API v1, public: "already reported here" and supporting an existing matter.

GET  /api/v1/public/similar?unit=CODE&text=…&lat=…&long=… -> {items: [{code, summary, status, status_label,
     received, distance_m, supporters, support_url}]} (at most 3; never a denunciation; redacted text only)
POST /api/v1/public/supporters {petition, name, phone, consent: true} -> 201 (200 when already a supporter)
"""
from __future__ import annotations

from typing import Any

from flask import jsonify, request
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from service.domain.reception import similar, supporters
from service.models.unit import Unit
from service.web.api import bp
from service.web.api.body import json_body
from service.web.api.petitions import invalid
from service.web.security import limiter, public_limit
from service.web.session import db_session

MAX_TEXT = 4000


def coordinate(name: str, bound: float) -> float | None:
    try:
        value = float(request.args.get(name, ""))
    except ValueError:
        return None
    return value if -bound <= value <= bound else None


@bp.get("/public/similar")
@limiter.limit(public_limit)
def similar_petitions():
    s = db_session()
    code = (request.args.get("unit") or "").strip()
    unit = s.scalar(select(Unit).where(Unit.code == code)) if code else None
    if unit is None:
        return jsonify({"items": []})
    lat, lon = coordinate("lat", 90), coordinate("long", 180)
    found = similar.find(s, unit.id, (request.args.get("text") or "")[:MAX_TEXT], lat, lon)
    return jsonify({"items": [similar.as_dict(x) for x in found]})


class SupportSchema(Schema):
    petition = fields.String(required=True, validate=validate.Length(max=20))
    name = fields.String(required=True, validate=validate.Length(max=200))
    phone = fields.String(required=True, validate=validate.Length(max=30))
    consent = fields.Boolean(load_default=False)


@bp.post("/public/supporters")
@limiter.limit(public_limit)
def add_supporter():
    try:
        data: dict[str, Any] = SupportSchema().load(json_body())
    except ValidationError as err:
        raise invalid(err)
    row, created = supporters.support(db_session(), data["petition"], name=data["name"], phone=data["phone"],
                                      channel="api", consent=data["consent"])
    return jsonify({"petition": data["petition"], "created": created,
                    "message": "Đã ghi nhận bạn cũng gặp vấn đề này; cơ quan sẽ báo kết quả giải quyết."}), \
        201 if created else 200
