"""API v1 petitions: submit (public, idempotent), read and list (staff), the citizen's status."""
from __future__ import annotations

import hashlib
import json

from flask import g, jsonify, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service.domain.casework import listing, search, status
from service.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from service.domain.inbound import CITIZEN, Actor
from service.domain.intake import operations as intake
from service.domain.people import access, audit
from service.models.channel import IdempotencyRecord
from service.models.petition import Petition
from service.schemas.base import flatten, vietnamese
from service.schemas.petition import PUBLIC_CHANNEL, PetitionCreateSchema
from service.schemas.query import PetitionQuerySchema
from service.web.api import bp
from service.web.api.auth import require_staff, user_from_bearer
from service.web.api.body import json_body
from service.web.api.serialize import created_json, detail_json, iso, summary_json
from service.web.public import look_up
from service.web.security import intake_limits, limiter, public_limit
from service.web.session import database, db_session

IDEMPOTENCY_SCOPE = "POST /api/v1/petitions"


def invalid(err: ValidationError) -> ValidationFailed:
    fields = flatten(vietnamese(err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}))
    return ValidationFailed("Thông tin gửi lên chưa hợp lệ, vui lòng xem lại các mục được đánh dấu.",
                            "Invalid fields: " + ", ".join(sorted(fields)), fields=fields)


@bp.post("/petitions")
@limiter.limit(public_limit, exempt_when=lambda: user_from_bearer() is not None)
def create_petition():
    data = json_body()
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 200:
        raise ValidationFailed("Idempotency-Key dài quá 200 ký tự.", "Idempotency-Key is longer than 200 characters.")
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    if key:
        replay = _replay(key, digest)
        if replay is not None:
            return replay
    user = user_from_bearer()
    try:
        message = PetitionCreateSchema().load_message(data, staff=user is not None)
    except ValidationError as err:
        if err.messages == {"channel": [PUBLIC_CHANNEL]}:  # only staff enter other channels: who, not what
            raise Forbidden(PUBLIC_CHANNEL, "A public client submits through channel api only; staff enter "
                                            "the other channels with a staff token.", fields={"channel": [PUBLIC_CHANNEL]})
        raise invalid(err)
    actor = Actor(label=user.full_name or user.username, user_id=user.id, role=user.role) if user else CITIZEN
    session = db_session()
    try:
        submitted = intake.submit(session, message, actor, quota=intake_limits().phone)
    except ValidationFailed as err:
        raise _alone(err, staff=user is not None) from None
    body = created_json(session, submitted.petition, submitted.deadlines)
    if key:  # a replay never repeats the access key: it is given once and kept only as a digest
        session.add(IdempotencyRecord(scope=IDEMPOTENCY_SCOPE, key=key, request_hash=digest, status_code=201,
                                      response=body))
    if submitted.access_key:
        body = {**body, "access_key": submitted.access_key}
    try:
        session.flush()  # the request's one commit follows the answer; a duplicate key shows here already
    except IntegrityError:
        # Another request with the same key committed first: ours is rolled back, theirs is the answer.
        session.rollback()
        replay = _replay(key, digest) if key else None
        if replay is None:
            raise
        return replay
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/petitions/{body['code']}"
    return response


def _alone(err: ValidationFailed, *, staff: bool) -> ValidationFailed | NotFound | Conflict | Forbidden:
    """What the OpenAPI document cannot state, when it is all that is wrong (issue #18): a received_at from a
    public client is a 403, a unit that does not exist a 404, a received_at the clock refuses (future, over three
    years ago) a 409 (every such field named); beside any other mistake all are listed in the 422."""
    if not err.fields or not set(err.fields) <= {"unit", "received_at"}:
        return err
    english = dict(part.split(": ", 1) for part in err.message_en.removeprefix("Invalid fields: ").split("; ")
                   if ": " in part)
    name = "received_at" if "received_at" in err.fields and not staff else "unit" if "unit" in err.fields \
        else "received_at"
    error = {"unit": NotFound, "received_at": Conflict if staff else Forbidden}[name]
    return error(err.fields[name][0], english.get(name, err.message_en), fields=err.fields)


def _replay(key: str, digest: str):
    with database().session_scope() as session:
        record = session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.scope == IDEMPOTENCY_SCOPE,
                                                                IdempotencyRecord.key == key))
        if record is None:
            return None
        if record.request_hash != digest:
            raise Conflict("Idempotency-Key này đã dùng cho một yêu cầu khác.",
                              "This Idempotency-Key was used with a different body.", code="idempotency_mismatch")
        response = jsonify(record.response)
        response.status_code = record.status_code
        response.headers["Idempotent-Replayed"] = "true"
        return response


def load_visible(code: str) -> Petition:
    """The petition by code if the caller may see it; raises NotFound otherwise (never 403, so codes don't leak)."""
    user = require_staff()
    petition = db_session().scalar(select(Petition).where(Petition.code == code.upper()))
    if petition is None or not access.can_view(user, petition):
        raise access.not_found(code)
    return petition


@bp.get("/petitions/<code>")
def get_petition(code: str):
    petition = load_visible(code)
    body = detail_json(db_session(), petition, g.api_user)
    if any(not person["hidden"] for person in body["people"]):  # personal data shown: audited (TC Đ47, BVDLCN)
        audit.record(db_session(), "view_identity", user=g.api_user, object_type="petition", object_id=petition.code,
                     ip=request.remote_addr, people=len(body["people"]), kind=petition.kind, via="api")
    return jsonify(body)


@bp.get("/petitions")
def list_petitions():
    user = require_staff()
    try:
        args = PetitionQuerySchema().load(request.args.to_dict())
    except ValidationError as err:
        raise invalid(err)
    page, per_page, after = args.pop("page"), args.pop("per_page"), args.pop("after", None)
    session = db_session()
    # The total is exact up to search.COUNT_CAP petitions, an estimate past it (`total_exact`: false); the next
    # page is asked for by `next_cursor` (keyset: as fast as the first page at any depth, issue #19).
    try:
        listed = listing.list_page(session, user, search.PetitionFilters(**args), page=page, per_page=per_page,
                                   after=after)
    except search.BadFilter as err:
        raise ValidationFailed(err.message, err.message_en, fields=err.fields) from None
    following = None
    if listed.next_cursor:
        query = {**request.args.to_dict(), "page": str(page + 1), "after": listed.next_cursor}
        following = url_for("api.list_petitions", **query)
    return jsonify({"items": [summary_json(session, p) for p in listed.items], "total": listed.total,
                    "total_exact": listed.total_exact, "has_next": listed.has_next, "page": page,
                    "per_page": per_page, "next_cursor": listed.next_cursor, "next": following})


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


@bp.get("/status/<code>")
@limiter.limit(public_limit)
def citizen_status(code: str):
    """The citizen's view, with `phone` (on record) or `key` (the access key of a petition without a phone);
    one 404 for every mismatch, and failed attempts limited per IP and per code (lookup_guard)."""
    session = db_session()
    petition = look_up(code, request.args.get("phone"), request.args.get("key"))
    view = status.citizen_view(session, petition)
    return jsonify({
        "code": view.code, "status": view.status, "status_label": view.status_label, "kind": view.kind,
        "kind_label": view.kind_label, "category_label": view.category_label, "unit": view.unit,
        "title": view.title, "received_at": iso(view.received_at),
        "deadlines": [{"step": d["step"], "label": d["label"], "due": iso(d["due"]), "met_at": iso(d["met_at"])}
                      for d in view.deadlines],
        "timeline": [{"at": iso(e["at"]), "kind": e["kind"], "label": e["label"]} for e in view.timeline],
        "answers": [{"at": iso(a["at"]), "kind": a["kind"], "text": a["text"],
                     "document_number": a["document_number"]} for a in view.answers],
        "rating": view.rating, "can_rate": view.can_rate, "review": view.review,
        "office": view.office, "status_text": view.status_text,
    })


@bp.post("/status/<code>/rating")
@limiter.limit(public_limit)
def citizen_rating(code: str):
    data = json_body()
    session = db_session()
    petition = look_up(code, _text(data.get("phone")), _text(data.get("key")))
    rating = status.rate(session, petition, data.get("score"), _text(data.get("comment")), data.get("reopen"))
    # A 1-2 rating without "reopen" asks: send it again with "reopen": true to have the petition looked at again.
    return jsonify({"code": petition.code, "score": rating.score, "status": petition.status,
                    "review": rating.review, "ask_reopen": rating.review == "offered"}), 201
