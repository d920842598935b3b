"""API v1: workflow actions on a petition (thụ lý, trả lại, hướng dẫn, chuyển đơn, gia hạn, trả lời, …).

POST /api/v1/petitions/<code>/actions with {"action": ..., "at": optional, ...parameters}.
Staff act on their unit's petitions, admins everywhere, inspectors only read. A move the law or
the petition's state forbids is a 409 from `workflow.perform`.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import jsonify
from marshmallow import Schema, ValidationError, fields, validate, validates
from sqlalchemy import select

from service.db import utcnow
from service.domain import workflow
from service.domain.codes import KINDS, categories
from service.domain.errors import DomainError, Forbidden, NotFound, ValidationFailed
from service.domain.inbound import Actor
from service.domain.tracking import normalise_code
from service.models.petition import Petition
from service.models.user import User
from service.schemas.base import StrictBoolean, flatten, vietnamese
from service.web.api import bp
from service.web.api.auth import require_staff
from service.web.api.body import json_body
from service.web.api.serialize import deadline_json
from service.web.session import commit, db_session

READ_ONLY_ROLES = {"inspector"}
CLOCK_SKEW = dt.timedelta(minutes=5)


def _text(required: bool = False, max_chars: int = 2000) -> fields.String:
    options: dict[str, Any] = {"required": True} if required else {"load_default": None}
    return fields.String(validate=validate.Length(min=1, max=max_chars), **options)


class ActionSchema(Schema):
    """Fields every action accepts; each action's schema lists its own parameters (unknown -> 422)."""

    action = fields.String(required=True)
    at = fields.AwareDateTime(load_default=None)  # admin only: entering paper history


class ClassifySchema(ActionSchema):
    kind = fields.String(load_default=None, validate=validate.OneOf(list(KINDS)))
    category = fields.String(load_default=None)
    office = fields.String(load_default=None, validate=validate.Length(min=1, max=32))
    competent = StrictBoolean(load_default=True)
    reason = _text()

    @validates("category")
    def _known_category(self, value: str | None, **kwargs: Any) -> None:
        if value is not None and value not in categories():
            raise ValidationError("Lĩnh vực không hợp lệ.")


class AcceptSchema(ActionSchema):
    document_number = _text(max_chars=64)
    note = _text()


class ReturnSchema(ActionSchema):
    reason = _text(required=True)
    document_number = _text(max_chars=64)


class GuideSchema(ActionSchema):
    to_body = _text(required=True, max_chars=300)
    reason = _text()


class TransferSchema(ActionSchema):
    to_body = _text(required=True, max_chars=300)
    document_number = _text(max_chars=64)
    reason = _text()


class ExtendSchema(ActionSchema):
    reason = _text(required=True)
    document_number = _text(max_chars=64)


class MarkComplexSchema(ActionSchema):
    reason = _text(required=True)
    level = fields.String(load_default="complex", validate=validate.OneOf(["complex", "especially_complex"]))
    # The criteria of NĐ 31/2019 Đ3 k2 / NĐ 155/2026 Đ3a, by letter.
    criteria = fields.List(fields.String(validate=validate.OneOf(list("abcdđeg"))), load_default=None)


class AnswerSchema(ActionSchema):
    text = _text(required=True, max_chars=20000)
    document_number = _text(max_chars=64)


class ReasonSchema(ActionSchema):
    reason = _text()


class RequiredReasonSchema(ActionSchema):
    reason = _text(required=True)


SCHEMAS: dict[str, type[ActionSchema]] = {
    "classify": ClassifySchema, "accept": AcceptSchema, "return": ReturnSchema, "guide": GuideSchema,
    "transfer": TransferSchema, "start": ActionSchema, "extend": ExtendSchema, "mark_complex": MarkComplexSchema,
    "answer": AnswerSchema, "close": ReasonSchema, "reopen": RequiredReasonSchema, "withdraw": ReasonSchema,
}
assert set(SCHEMAS) == set(workflow.ACTIONS), "every workflow action needs a schema"


def _invalid(messages: Any) -> ValidationFailed:
    fields_ = flatten(vietnamese(messages if isinstance(messages, dict) else {"_schema": messages}))
    return ValidationFailed("Thông tin gửi lên chưa hợp lệ, vui lòng xem lại các mục được đánh dấu.",
                            "Invalid fields: " + ", ".join(sorted(fields_)), fields=fields_)


def load_action(data: dict[str, Any]) -> dict[str, Any]:
    """The validated body: the action's schema decides which parameters exist."""
    schema = SCHEMAS.get(data.get("action")) if isinstance(data.get("action"), str) else None
    if schema is None:
        raise _invalid({"action": [f"Chọn một trong: {', '.join(SCHEMAS)}."]})
    try:
        return schema().load(data)
    except ValidationError as err:
        raise _invalid(err.messages)


def petition_for_action(user: User, code: str) -> Petition:
    """The petition the user may act on. Raises NotFound (no such code) or Forbidden (inspector, or
    another unit's petition for anyone but an admin)."""
    petition = db_session().scalar(select(Petition).where(Petition.code == (normalise_code(code) or code)))
    if petition is None:
        raise NotFound(f"Không tìm thấy đơn {code}.", f"No petition {code}.")
    if user.role in READ_ONLY_ROLES:
        raise Forbidden("Thanh tra chỉ được xem, không thực hiện thao tác trên đơn.",
                        "Inspectors have read-only access.")
    if user.role != "admin" and user.unit_id != petition.unit_id:
        raise Forbidden("Đơn thuộc đơn vị khác: bạn chỉ thao tác trên đơn của đơn vị mình.",
                        "The petition belongs to another unit.")
    return petition


@bp.post("/petitions/<code>/actions")
def petition_action(code: str):
    user = require_staff()
    petition = petition_for_action(user, code)
    params = load_action(json_body())
    action, at = params.pop("action"), params.pop("at", None)
    if at is not None and user.role != "admin":
        raise Forbidden("Chỉ quản trị viên được ghi thời điểm thao tác (nhập hồ sơ giấy).",
                        "Only an admin may set 'at' (entering paper history).")
    if at is not None and at > utcnow() + CLOCK_SKEW:
        raise ValidationFailed("Thời điểm thao tác không thể ở tương lai.", "'at' cannot be in the future.",
                               fields={"at": ["Thời điểm ở tương lai."]})
    params = {k: v for k, v in params.items() if v is not None}
    actor = Actor(label=user.full_name or user.username, user_id=user.id, role=user.role)
    session = db_session()
    try:
        workflow.perform(session, petition, action, actor, at=at, paper=at is not None, **params)
    except DomainError:
        session.rollback()  # the error handler answers; nothing of the refused action may be committed
        raise
    commit()
    now = utcnow()
    return jsonify({"code": petition.code, "status": petition.status,
                    "allowed_actions": workflow.allowed_actions(petition),
                    "deadlines": [deadline_json(d, now) for d in petition.deadlines]})
