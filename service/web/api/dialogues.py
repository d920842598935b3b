"""API v1: dialogue sessions (task 4.3). Staff of the unit's Văn phòng HĐND-UBND and its chairperson
manage them (others 403); citizens register to speak without an account.

POST /api/v1/dialogues {unit, date, place, topics, time?, chair?, participants?} -> 201 {id, …}
GET  /api/v1/dialogues, /api/v1/dialogues/<id>; POST …/<id>/announce; POST …/<id>/registrations (public);
POST …/<id>/commitments; GET …/<id>/briefing.docx | briefing.pdf | conclusion.docx
"""
from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify, request
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from service.domain.deadlines.calendar import VN_TZ
from service.domain.dialogues import changes, commitments
from service.domain.dialogues import operations as dialogue
from service.domain.dialogues import speakers
from service.domain.dialogues.briefing import current_briefing
from service.domain.documents.administrative import build_docx, docx_to_pdf
from service.domain.documents.dialogue import briefing_document, conclusion_document
from service.domain.errors import NotFound
from service.domain.inbound import Actor
from service.domain.people import audit
from service.domain.reports.periods import A_DAY_PATTERN
from service.models.dialogue import DialogueSession
from service.models.petition import Petition
from service.models.unit import Office, Unit
from service.schemas.base import VISIBLE, text_field
from service.web.api import bp
from service.web.api.auth import require_staff
from service.web.api.body import json_body
from service.web.api.petitions import invalid
from service.web.api.serialize import iso
from service.web.downloads import attachment
from service.web.security import limiter, public_limit
from service.web.session import db_session

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _text(required: bool = False, max_chars: int = 300) -> fields.String:
    options: dict[str, Any] = {"required": True} if required else {"load_default": None}
    return fields.String(validate=validate.Length(max=max_chars), **options)


def _items(limit: int, required: bool) -> fields.List:
    """A list of short texts (dialogue.clean_details): at most `limit` sent, blank ones dropped, one needed."""
    item = text_field(300)
    rules: dict[str, Any] = {"maxItems": limit}
    if required:  # not every item blank: one at least with a visible character
        rules["not"] = {"items": {"not": {"pattern": VISIBLE}}}
    options: dict[str, Any] = {"required": True} if required else {"load_default": None, "allow_none": True}
    return fields.List(fields.String(validate=validate.Length(max=300), metadata=item.metadata), metadata=rules,
                       **options)


class DialogueCreateSchema(Schema):
    """The rules dialogue.create_session enforces, stated for the OpenAPI document (issue #18); a unit that does
    not exist is a 404, a moment already past a 409 (the clock)."""
    unit = text_field(200, required=True, description="Mã hoặc tên xã, phường, đặc khu; không có: 404")
    date = fields.String(required=True, validate=validate.Length(max=40), metadata={
        "anyOf": [{"pattern": dialogue.ISO_MOMENT_PATTERN}, {"pattern": A_DAY_PATTERN}],
        "description": "ISO 8601 có múi giờ, hoặc ngày (yyyy-mm-dd, dd/mm/yyyy) cùng `time`; đã qua: 409"})
    time = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5), metadata={
        "pattern": dialogue.TIME_PATTERN, "description": "hh:mm (mặc định 08:00)"})
    place = text_field(300, required=True)
    topics = _items(dialogue.MAX_TOPICS, True)
    chair = text_field(200)
    participants = _items(dialogue.MAX_PARTICIPANTS, False)


class RegistrationSchema(Schema):
    name = _text(required=True, max_chars=200)
    phone = _text(required=True, max_chars=30)
    question = _text(required=True, max_chars=2000)
    petition_code = _text(max_chars=20)


class CommitmentSchema(Schema):
    text = _text(required=True, max_chars=2000)
    office = _text(required=True, max_chars=32)
    due = _text(required=True, max_chars=20)
    petitions = fields.List(fields.String(validate=validate.Length(max=20)), load_default=None)


def _load(schema: Schema) -> dict[str, Any]:
    try:
        return schema.load(json_body())
    except ValidationError as err:
        raise invalid(err)


def _actor(user) -> Actor:
    return Actor(label=user.full_name or user.username, user_id=user.id, role=user.role)


def load_managed(session_id: int) -> DialogueSession:
    """The session if the caller manages its unit; 401 without a token, 404 unknown, 403 otherwise."""
    user = require_staff()
    ds = dialogue.get_session(db_session(), session_id)
    dialogue.check_manage(user, ds.unit_id)
    return ds


def session_json(ds: DialogueSession, *, detail: bool = False) -> dict[str, Any]:
    s = db_session()
    unit = s.get(Unit, ds.unit_id)
    body: dict[str, Any] = {
        "id": ds.id, "unit": unit.code, "unit_name": unit.name, "starts_at": iso(ds.starts_at),
        "date": f"{ds.starts_at.astimezone(VN_TZ):%d/%m/%Y}", "time": f"{ds.starts_at.astimezone(VN_TZ):%H:%M}",
        "place": ds.place, "chair": ds.chair, "participants": list(ds.participants or []),
        "topics": list(ds.topics or []), "status": ds.status, "status_label": dialogue.STATUSES[ds.status],
        "notice_published_at": iso(ds.notice_published_at), "held_at": iso(ds.held_at), "closed_at": iso(ds.closed_at),
        "cancelled_at": iso(ds.cancelled_at), "warning": changes.notice_warning(ds),  # < 7 days ahead: move it
        "links": {"self": f"/api/v1/dialogues/{ds.id}", "briefing_docx": f"/api/v1/dialogues/{ds.id}/briefing.docx",
                  "briefing_pdf": f"/api/v1/dialogues/{ds.id}/briefing.pdf",
                  "conclusion_docx": f"/api/v1/dialogues/{ds.id}/conclusion.docx"},
    }
    if detail:
        offices = dict(s.execute(select(Office.id, Office.code).where(Office.unit_id == ds.unit_id)).all())
        codes = dict(s.execute(select(Petition.id, Petition.code).where(Petition.unit_id == ds.unit_id)).all())
        body["registrations"] = [{"id": r.id, "name": speakers.speaker_name(s, r), "question": r.question,
                                  "petition": codes.get(r.petition_id), "channel": r.channel,
                                  "created_at": iso(r.created_at)} for r in speakers.registrations_of(s, ds)]
        body["agenda"] = [{"id": a.id, "position": a.position, "title": a.title,
                           "speaker": dialogue.agenda_speaker(s, a), "petition": codes.get(a.petition_id),
                           "answer": a.answer, "answered_by": offices.get(a.answered_by_office_id)}
                          for a in dialogue.agenda_of(s, ds)]
        body["commitments"] = [commitment_json(c, offices, codes) for c in commitments.commitments_of(s, ds)]
        body["minutes"], body["conclusion"] = ds.minutes, ds.conclusion
        body["briefing_compiled_at"] = (ds.briefing or {}).get("compiled_at")
    return body


def commitment_json(c, offices: dict[int, str], codes: dict[int, str]) -> dict[str, Any]:
    return {"id": c.id, "text": c.text, "office": offices.get(c.office_id), "due": iso(c.due_at),
            "status": c.status, "overdue": commitments.is_overdue(c), "result": c.result, "met_at": iso(c.met_at),
            "petitions": [codes[p] for p in c.petition_ids or [] if p in codes]}


@bp.post("/dialogues")
def create_dialogue():
    user = require_staff()
    data = _load(DialogueCreateSchema())
    ds = dialogue.create_session(db_session(), _actor(user), unit=data["unit"], starts_at=data["date"],
                                 time=data["time"], place=data["place"], topics=data["topics"], chair=data["chair"],
                                 participants=data["participants"], user=user)
    body = session_json(ds)
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = body["links"]["self"]
    return response


@bp.get("/dialogues")
def list_dialogues():
    user = require_staff()
    items = dialogue.sessions_for(db_session(), user)
    return jsonify({"items": [session_json(ds) for ds in items], "total": len(items)})


@bp.get("/dialogues/<int:session_id>")
def get_dialogue(session_id: int):
    return jsonify(session_json(load_managed(session_id), detail=True))


@bp.post("/dialogues/<int:session_id>/announce")
def announce_dialogue(session_id: int):
    ds = load_managed(session_id)
    queued = dialogue.announce(db_session(), ds, _actor(g.api_user))
    body = {**session_json(ds), "notices_queued": queued}
    return jsonify(body)


@bp.post("/dialogues/<int:session_id>/registrations")
@limiter.limit(public_limit)
def register_to_speak(session_id: int):
    s = db_session()
    ds = dialogue.get_session(s, session_id)
    if not dialogue.is_public(ds):
        raise NotFound(f"Không tìm thấy phiên đối thoại số {session_id}.", f"No dialogue session {session_id}.")
    data = _load(RegistrationSchema())
    registration, created = speakers.register(s, ds, name=data["name"], phone=data["phone"], question=data["question"],
                                              petition_code=data["petition_code"], channel="api")
    body = {"id": registration.id, "session": ds.id, "created": created}
    return jsonify(body), 201 if created else 200


@bp.post("/dialogues/<int:session_id>/commitments")
def add_commitment(session_id: int):
    ds = load_managed(session_id)
    data = _load(CommitmentSchema())
    s = db_session()
    c = commitments.add_commitment(s, ds, _actor(g.api_user), text=data["text"], office=data["office"],
                                   due=data["due"], petition_codes=data["petitions"])
    offices = dict(s.execute(select(Office.id, Office.code).where(Office.unit_id == ds.unit_id)).all())
    codes = dict(s.execute(select(Petition.id, Petition.code).where(Petition.id.in_(c.petition_ids or []))).all())
    body = commitment_json(c, offices, codes)
    return jsonify(body), 201


def _file(data: bytes, mimetype: str, name: str) -> Response:
    return attachment(data, mimetype, name)


def _export(ds: DialogueSession, document: str, fmt: str) -> None:
    audit.record(db_session(), "export", user=g.api_user, object_type="dialogue", object_id=ds.id,
                 ip=request.remote_addr, document=document, format=fmt)


@bp.get("/dialogues/<int:session_id>/briefing.docx")
def briefing_docx(session_id: int):
    ds = load_managed(session_id)
    current_briefing(db_session(), ds)
    data = build_docx(briefing_document(db_session(), ds))
    _export(ds, "briefing", "docx")
    return _file(data, DOCX, f"tai-lieu-doi-thoai-{ds.id}.docx")


@bp.get("/dialogues/<int:session_id>/briefing.pdf")
def briefing_pdf(session_id: int):
    ds = load_managed(session_id)
    pdf = docx_to_pdf(build_docx(briefing_document(db_session(), ds)))
    _export(ds, "briefing", "pdf")
    return _file(pdf, "application/pdf", f"tai-lieu-doi-thoai-{ds.id}.pdf")


@bp.get("/dialogues/<int:session_id>/conclusion.docx")
def conclusion_docx(session_id: int):
    ds = load_managed(session_id)
    data = build_docx(conclusion_document(db_session(), ds))
    _export(ds, "conclusion", "docx")
    return _file(data, DOCX, f"thong-bao-ket-luan-doi-thoai-{ds.id}.docx")


def openapi_paths(errors) -> dict[str, dict[str, Any]]:
    """The dialogue endpoints for the OpenAPI document (`errors(*codes)` gives the error responses)."""
    staff = [{"bearer": []}]
    sid = {"in": "path", "name": "session_id", "required": True, "schema": {"type": "integer"}}

    def body(schema) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {"schema": schema}}}

    def download(summary: str, mimetype: str, *codes: int) -> dict[str, Any]:
        return {"get": {"summary": summary, "security": staff, "parameters": [sid],
                        "responses": {"200": {"description": summary, "content": {mimetype: {}}},
                                      **errors(401, 403, 404, *codes)}}}

    return {
        "/api/v1/dialogues": {
            "post": {"summary": "Tạo phiên đối thoại (Chủ tịch, Văn phòng HĐND-UBND)", "security": staff,
                     "requestBody": body(DialogueCreateSchema),
                     "responses": {"201": {"description": "{id, unit, starts_at, status, links, …}"},
                                   **errors(400, 401, 403, 404, 409, 415, 422)}},
            "get": {"summary": "Các phiên đối thoại của đơn vị", "security": staff,
                    "responses": {"200": {"description": "{items, total}"}, **errors(401)}}},
        "/api/v1/dialogues/{session_id}": {"get": {
            "summary": "Phiên đối thoại: đăng ký phát biểu, biên bản, cam kết", "security": staff, "parameters": [sid],
            "responses": {"200": {"description": "Chi tiết"}, **errors(401, 403, 404)}}},
        "/api/v1/dialogues/{session_id}/announce": {"post": {
            "summary": "Công bố thông báo đối thoại (ít nhất 7 ngày trước)", "security": staff, "parameters": [sid],
            "responses": {"200": {"description": "Đã thông báo"}, **errors(401, 403, 404, 409)}}},
        "/api/v1/dialogues/{session_id}/registrations": {"post": {
            "summary": "Đăng ký phát biểu, gửi câu hỏi trước (công khai)", "parameters": [sid],
            "requestBody": body(RegistrationSchema),
            "responses": {"201": {"description": "Đã đăng ký"}, "200": {"description": "Đã cập nhật đăng ký"},
                          **errors(400, 404, 409, 415, 422, 429)}}},
        "/api/v1/dialogues/{session_id}/commitments": {"post": {
            "summary": "Ghi cam kết (nội dung, cơ quan, thời hạn, đơn liên quan)", "security": staff,
            "parameters": [sid], "requestBody": body(CommitmentSchema),
            "responses": {"201": {"description": "Đã ghi"}, **errors(401, 403, 404, 409, 422)}}},
        "/api/v1/dialogues/{session_id}/briefing.docx": download("Tài liệu phục vụ đối thoại (DOCX)", DOCX),
        "/api/v1/dialogues/{session_id}/briefing.pdf": download("Tài liệu phục vụ đối thoại (PDF)", "application/pdf",
                                                                503),
        "/api/v1/dialogues/{session_id}/conclusion.docx": download("Thông báo kết luận (DOCX)", DOCX),
    }
