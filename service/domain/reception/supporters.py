"""Supporters of a matter: a citizen who has the same problem as an open, public petition says "tôi cũng gặp vấn đề
này" instead of filing again. They are stored once per matter and phone (normalised), counted as distinct people
of the matter (đông người, Luật Tiếp công dân Điều 29: counted by matters.people.distinct_people), and told
when the matter is answered (the notifications outbox, once: the dedupe key and `notified_at`).

Every function takes a Session and plain values, flushes and never commits.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.errors import Conflict, NotFound, ValidationFailed
from service.domain.intake.tracking import normalise_code
from service.domain.matters import flags
from service.domain.intake.validation import FieldError, clean_text, normalise_phone
from service.domain.notifications import outbox as notify
from service.domain.people import confidential
from service.domain.reception.similar import OPEN_STATUSES
from service.models.matter import Matter
from service.models.petition import Petition
from service.models.reception import Supporter
from service.models.reply import Reply
from service.models.unit import Unit

CHANNELS = ("web", "api", "telegram", "zalo")
CHAT_CHANNELS = ("telegram", "zalo")
ANSWERED = ("answered", "closed")


def supportable(session: Session, code: Any) -> Petition:
    """The open, public petition a citizen may support; NotFound for anything else (a denunciation included)."""
    normal = normalise_code(code) if isinstance(code, str) else None
    petition = session.scalar(select(Petition).where(Petition.code == normal)) if normal else None
    if petition is None or petition.kind == "to_cao" or petition.status not in OPEN_STATUSES \
            or petition.matter_id is None:
        raise NotFound("Không tìm thấy phản ánh đang giải quyết có mã này.", "No open public petition with this code.",
                       code="not_supportable")
    return petition


def support(session: Session, code: Any, *, name: Any, phone: Any, channel: str = "web",
            chat_user_id: str | None = None, consent: bool = False,
            now: dt.datetime | None = None) -> tuple[Supporter, bool]:
    """Add the citizen as a supporter of the petition's matter; (supporter, created). The same phone twice is one."""
    petition = supportable(session, code)
    errors: dict[str, FieldError] = {}
    values: dict[str, Any] = {}
    for key, fn in (("name", lambda: clean_text(name, label="họ tên", required=True, max_chars=200)),
                    ("phone", lambda: normalise_phone(phone) or _missing_phone())):
        try:
            values[key] = fn()
        except FieldError as err:
            errors[key] = err
    if not consent:
        errors["consent"] = FieldError("Bạn cần đồng ý cho cơ quan xử lý họ tên, số điện thoại để báo kết quả "
                                       "(Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15).", "consent is required.")
    if channel not in CHANNELS:
        errors["channel"] = FieldError("Kênh không hợp lệ.", "Unknown channel.")
    if errors:
        raise ValidationFailed("Thông tin chưa hợp lệ, vui lòng xem lại các mục được đánh dấu.",
                               "Invalid fields: " + ", ".join(errors),
                               fields={k: [e.message] for k, e in errors.items()})
    existing = _find(session, petition.matter_id, values["phone"])
    if existing is not None:
        return existing, False
    row = Supporter(matter_id=petition.matter_id, petition_id=petition.id, name=values["name"],
                    phone=values["phone"], channel=channel, chat_user_id=chat_user_id, created_at=now or utcnow())
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        found = _find(session, petition.matter_id, values["phone"])
        if found is None:
            raise Conflict("Chưa ghi nhận được, vui lòng thử lại.", "Try again.") from None
        return found, False
    # A supporter is one more person behind the matter: đông người may now hold (Luật Tiếp công dân Điều 29).
    flags.evaluate_matter_flags(session, session.get(Matter, petition.matter_id), now=row.created_at)
    return row, True


def _missing_phone() -> str:
    raise FieldError("Cần số điện thoại để cơ quan báo kết quả giải quyết.", "phone is required.")


def _find(session: Session, matter_id: int, phone: str) -> Supporter | None:
    return session.scalar(select(Supporter).where(Supporter.matter_id == matter_id, Supporter.phone == phone))


def of_matter(session: Session, matter_id: int) -> list[Supporter]:
    return list(session.scalars(select(Supporter).where(Supporter.matter_id == matter_id).order_by(Supporter.id)))


def notify_answered(session: Session, now: dt.datetime | None = None) -> int:
    """Supporters of a matter one of whose petitions is answered are told, once (the jobs process)."""
    now = now or utcnow()
    sent = 0
    pending = session.scalars(select(Supporter).where(Supporter.notified_at.is_(None))).all()
    for s in pending:
        answered = session.scalar(select(Petition).where(Petition.matter_id == s.matter_id,
                                                         Petition.status.in_(ANSWERED), Petition.kind != "to_cao")
                                  .order_by(Petition.updated_at.desc()).limit(1))
        if answered is None:
            continue
        reply = session.scalar(select(Reply).where(Reply.petition_id == answered.id, Reply.kind == "answer")
                               .order_by(Reply.created_at.desc()).limit(1))
        unit = session.get(Unit, answered.unit_id)
        answer = confidential.redacted(answered.kind, reply.text, [p.name for p in answered.people if p.name],
                                       [p.address for p in answered.people if p.address]) if reply else None
        text = (f"UBND {unit.name}: vấn đề bạn cùng phản ánh (đơn {answered.code}) đã được trả lời."
                + (f" Nội dung trả lời: {answer[:600]}" if answer else ""))
        key = f"supporter:{s.id}:answered"
        if s.chat_user_id and s.channel in CHAT_CHANNELS:
            queued = notify.enqueue(session, channel=s.channel, recipient=s.chat_user_id, text=text, dedupe_key=key,
                                    now=now)
        else:
            queued = notify.enqueue(session, channel="sms", recipient=s.phone, text=text, dedupe_key=key, now=now)
        s.notified_at = now
        sent += queued is not None
    session.flush()
    return sent
