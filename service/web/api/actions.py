"""API v1: workflow actions on a petition (thụ lý, trả lại, hướng dẫn, chuyển đơn, gia hạn, trả lời, …).

POST /api/v1/petitions/<code>/actions with {"action": ..., "at": optional, ...parameters}.
Who may do what is the access policy's (service.domain.people.access): a petition the caller may not view is a 404
like an unknown code, one they may only read (the chairperson, the inspectors, another office's action) a 403.
A move the law or the petition's state forbids is a 409 from `workflow.perform`. Every action is audited.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import jsonify, request
from marshmallow import Schema, ValidationError, fields, validate, validates
from sqlalchemy import select

from service.db import utcnow
from service.domain.codes import KINDS, categories
from service.domain.errors import Forbidden, ValidationFailed
from service.domain.inbound import Actor
from service.domain.intake.tracking import normalise_code
from service.domain.matters import suggestions
from service.domain.people import access, audit
from service.domain.workflow import operations as workflow
from service.models.petition import Petition
from service.models.user import User
from service.schemas.base import StrictBoolean, flatten, vietnamese
from service.web.api import bp
from service.web.api.auth import require_staff
from service.web.api.body import json_body
from service.web.api.serialize import deadline_json
from service.web.session import db_session

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


def petition_for_action(user: User, code: str, action: str | None) -> Petition:
    """The petition the user may do `action` on, by the one access policy (service.domain.people.access). A petition
    the user may not view answers exactly like a code that does not exist (404, the same body), so codes
    cannot be probed; one they may view but not act on is a 403. No known action: the body's check says 422."""
    petition = db_session().scalar(select(Petition).where(Petition.code == (normalise_code(code) or code)))
    if petition is None or not access.can_view(user, petition):
        raise access.not_found(code)
    if action is not None:
        access.require_act(user, petition, action, code)
    return petition


def _requested_action() -> str | None:
    """The action named in the body, for the access check that comes before the body's validation (so a
    petition the caller may not view is a 404 whatever they send); None when it names no known action."""
    data = request.get_json(silent=True)
    action = data.get("action") if isinstance(data, dict) else None
    return action if isinstance(action, str) and action in SCHEMAS else None


@bp.post("/petitions/<code>/actions")
def petition_action(code: str):
    user = require_staff()
    petition = petition_for_action(user, code, _requested_action())
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
    session, before = db_session(), petition.status
    workflow.perform(session, petition, action, actor, at=at, paper=at is not None, **params)
    # The same audit line as the console's twin (console/petition.py), marked as coming through the API.
    audit.record(session, "petition_action", user=user, object_type="petition", object_id=petition.code,
                 ip=request.remote_addr, op=action, status_from=before, status_to=petition.status, via="api")
    now = utcnow()
    return jsonify({"code": petition.code, "status": petition.status,
                    "allowed_actions": workflow.allowed_actions(petition),
                    "deadlines": [deadline_json(d, now) for d in petition.deadlines]})


@bp.post("/petitions/<code>/matter-suggestions/<int:suggestion_id>")
def answer_matter_suggestion(code: str, suggestion_id: int):
    """Văn phòng's answer to "có thể cùng vụ việc": {"decision": "confirm" | "reject", "reason": optional}."""
    user = require_staff()
    petition = petition_for_action(user, code, None)
    body = json_body()
    decision, reason = body.get("decision"), body.get("reason")
    if not isinstance(decision, str) or not (reason is None or isinstance(reason, str)):
        raise ValidationFailed("Cần chọn decision: confirm hoặc reject.", "decision must be confirm or reject.",
                               fields={"decision": ["confirm | reject"]})
    actor = Actor(label=user.full_name or user.username, user_id=user.id, role=user.role)
    session = db_session()
    row = suggestions.decide(session, suggestions.get(session, petition, suggestion_id), decision, actor, reason)
    audit.record(session, "matter_changed", user=user, object_type="petition", object_id=petition.code,
                 ip=request.remote_addr, op=f"suggestion_{decision}", suggestion=row.id, matter=row.matter_id,
                 via="api")
    return jsonify({"id": row.id, "state": row.state, "matter_id": row.matter_id,
                    "petition_matter_id": petition.matter_id})
