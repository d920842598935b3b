"""Who speaks at a dialogue session: registrations to speak (web, API, bots) and the chats subscribed to a unit's
dialogue notices. Re-exported by service.domain.dialogues.operations, which callers use.

A registration is one per phone and session, phones compared once normalised ('+84 912…' is '0912…'). Only the
chat user who made it may change it; anyone else sending the same phone (in any spelling) gets 409 and the
registration stays as it was, so nobody replaces a citizen's name, question or linked petition with their own
(an identical retry is answered as the first time). A petition can be linked only by one of its own people
(same phone). A speaker linked to a denunciation is shown as
HIDDEN_DENOUNCER everywhere (Luật Tố cáo Điều 47).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.errors import Conflict, ValidationFailed
from service.domain.intake.validation import FieldError, clean_text, normalise_phone
from service.domain.notifications import outbox as notify
from service.domain.people.access import HIDDEN_DENOUNCER
from service.models.dialogue import DialogueRegistration, DialogueSession, DialogueSubscription
from service.models.person import Person
from service.models.petition import Petition
from service.models.unit import Unit

CHAT_CHANNELS = ("telegram", "zalo")
REGISTRATION_CHANNELS = ("web", "telegram", "zalo", "api")


def _fields_error(errors: dict[str, FieldError]) -> ValidationFailed:
    return ValidationFailed("Thông tin chưa hợp lệ, vui lòng xem lại các mục được đánh dấu.",
                            "Invalid fields: " + "; ".join(f"{k}: {e.message_en}" for k, e in errors.items()),
                            fields={k: [e.message] for k, e in errors.items()})


def registrations_of(session: Session, ds: DialogueSession) -> list[DialogueRegistration]:
    return list(session.scalars(select(DialogueRegistration).where(DialogueRegistration.session_id == ds.id)
                                .order_by(DialogueRegistration.created_at, DialogueRegistration.id)))


def find_petition(session: Session, unit_id: int, code: Any, phone: str | None = None) -> Petition:
    """A petition of the unit by tracking code; with `phone`, it must be one of its people's (so nobody links
    someone else's petition, least of all a denunciation, to their name). Raises FieldError."""
    from service.domain.intake.tracking import normalise_code

    normal = normalise_code(code) if isinstance(code, str) else None
    petition = session.scalar(select(Petition).where(Petition.code == normal)) if normal else None
    if petition is None or petition.unit_id != unit_id:
        raise FieldError("Không tìm thấy đơn có mã này ở đơn vị tổ chức đối thoại.",
                         "No petition with this code in the session's unit.")
    if phone is not None and session.scalar(select(Person.id).where(Person.petition_id == petition.id,
                                                                     Person.phone == phone).limit(1)) is None:
        raise FieldError("Mã đơn không khớp với số điện thoại đã khai trong đơn.",
                         "The tracking code does not match the phone number on the petition.")
    return petition


def register(session: Session, ds: DialogueSession, *, name: Any, phone: Any, question: Any,
             petition_code: Any = None, channel: str = "web", chat_user_id: str | None = None,
             now: dt.datetime | None = None) -> tuple[DialogueRegistration, bool]:
    """A citizen registers to speak. One registration per phone and session: an identical retry returns it
    unchanged, its own chat user may update it, anyone else gets Conflict. Returns (registration, created)."""
    now = now or utcnow()
    if ds.status != "announced" or ds.starts_at <= now:
        raise Conflict("Phiên đối thoại này không còn nhận đăng ký phát biểu.",
                       "This session no longer takes registrations.", code="registration_closed")
    errors: dict[str, FieldError] = {}
    values: dict[str, Any] = {}
    checks = (("name", lambda: clean_text(name, label="họ tên", required=True, max_chars=200)),
              ("phone", lambda: normalise_phone(phone) or _missing_phone()),
              ("question", lambda: clean_text(question, label="câu hỏi", required=True, max_chars=2000,
                                              multiline=True)))
    for key, fn in checks:
        try:
            values[key] = fn()
        except FieldError as err:
            errors[key] = err
    petition = None
    if petition_code not in (None, "") and "phone" in values:
        try:
            petition = find_petition(session, ds.unit_id, petition_code, values["phone"])
        except FieldError as err:
            errors["petition_code"] = err
    if channel not in REGISTRATION_CHANNELS:
        errors["channel"] = FieldError("Kênh không hợp lệ.", "Unknown channel.")
    if errors:
        raise _fields_error(errors)
    existing = _registration(session, ds.id, values["phone"])
    if existing is None:
        row = DialogueRegistration(session_id=ds.id, name=values["name"], phone=values["phone"], channel=channel,
                                   chat_user_id=chat_user_id, question=values["question"],
                                   petition_id=petition.id if petition else None, created_at=now)
        try:
            with session.begin_nested():  # a concurrent retry with the same phone lands on the unique key
                session.add(row)
            return row, True
        except IntegrityError:
            existing = _registration(session, ds.id, values["phone"])
    same_chat = bool(chat_user_id) and (existing.channel, existing.chat_user_id) == (channel, chat_user_id)
    retry = (existing.name, existing.question) == (values["name"], values["question"]) and \
        (petition is None or existing.petition_id == petition.id)
    if retry and not same_chat:
        return existing, False
    if not same_chat:
        raise Conflict("Số điện thoại này đã đăng ký phát biểu tại phiên đối thoại này; đăng ký trước đó được giữ "
                       "nguyên. Nếu cần thay đổi, vui lòng liên hệ Văn phòng HĐND và UBND.",
                       "This phone number is already registered to speak at this session; the registration is kept "
                       "unchanged.", code="already_registered")
    existing.name, existing.question = values["name"], values["question"]
    existing.petition_id = petition.id if petition else existing.petition_id
    existing.chat_user_id = chat_user_id or existing.chat_user_id
    session.flush()
    return existing, False


def _missing_phone() -> str:
    raise FieldError("Cần số điện thoại để cơ quan liên hệ.", "phone is required.")


def _registration(session: Session, session_id: int, phone: str) -> DialogueRegistration | None:
    return session.scalar(select(DialogueRegistration).where(DialogueRegistration.session_id == session_id,
                                                             DialogueRegistration.phone == phone))


def speaker_name(session: Session, r: DialogueRegistration) -> str:
    """The name to show: a speaker linked to a denunciation stays secret (Luật Tố cáo Điều 47)."""
    if r.petition_id is not None:
        petition = session.get(Petition, r.petition_id)
        if petition is not None and petition.kind == "to_cao" and not petition.identity_disclosed:
            return HIDDEN_DENOUNCER
    return r.name


def _tell_registrant(session: Session, r: DialogueRegistration, text: str, key: str, now: dt.datetime):
    if r.chat_user_id and r.channel in CHAT_CHANNELS:
        return notify.enqueue(session, channel=r.channel, recipient=r.chat_user_id, text=text, dedupe_key=key, now=now)
    if r.phone:
        return notify.enqueue(session, channel="sms", recipient=r.phone, text=text, dedupe_key=key, now=now)
    return None


def subscribe(session: Session, channel: str, chat_user_id: str, unit: Unit) -> bool:
    """The chat receives the unit's dialogue notices; False when it already did."""
    if session.scalar(select(DialogueSubscription.id).where(
            DialogueSubscription.channel == channel, DialogueSubscription.chat_user_id == chat_user_id,
            DialogueSubscription.unit_id == unit.id)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(DialogueSubscription(channel=channel, chat_user_id=chat_user_id, unit_id=unit.id))
    except IntegrityError:
        return False
    return True


def unsubscribe(session: Session, channel: str, chat_user_id: str) -> int:
    rows = session.scalars(select(DialogueSubscription).where(DialogueSubscription.channel == channel,
                                                              DialogueSubscription.chat_user_id == chat_user_id)).all()
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def subscribed_units(session: Session, channel: str, chat_user_id: str) -> list[Unit]:
    return list(session.scalars(select(Unit).join(DialogueSubscription, DialogueSubscription.unit_id == Unit.id)
                                .where(DialogueSubscription.channel == channel,
                                       DialogueSubscription.chat_user_id == chat_user_id).order_by(Unit.name)))
