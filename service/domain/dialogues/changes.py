"""Changing a dialogue session after it was planned: edit its details, postpone it, cancel it.

The notice reaches the people at least 7 days before the session (operations.MIN_NOTICE): creating a session
closer than that is allowed (a date may still move) but `notice_warning` says so at once, and postponing an
announced session keeps that rule for the new date. Every citizen registered to speak is told of a change through
the notifications outbox (their chat, else an SMS: speakers._tell_registrant), and so are the chats subscribed to
the unit's notices once the notice was public. Each change is written in `DialogueSession.history`.
Functions take a Session and plain values, flush and never commit.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.deadlines.calendar import local_date
from service.domain.dialogues.operations import (MIN_NOTICE, STATUSES, _participants, clean_details, parse_start,
                                                 when_vn)
from service.domain.dialogues.speakers import _fields_error, _tell_registrant, registrations_of
from service.domain.errors import Conflict
from service.domain.inbound import Actor
from service.domain.intake.validation import FieldError, clean_text
from service.domain.notifications import outbox as notify
from service.models.dialogue import DialogueSession, DialogueSubscription
from service.models.unit import Unit

CANCELLED = "cancelled"
CHANGEABLE = ("planned", "announced")  # a session held, closed or cancelled is not changed any more


def notice_warning(ds: DialogueSession, now: dt.datetime | None = None) -> str | None:
    """Said at creation (and on the page) when the session is less than 7 days ahead: its notice could not be
    published any more; None otherwise."""
    now = now or utcnow()
    if ds.status != "planned" or ds.starts_at - now >= MIN_NOTICE:
        return None
    return (f"Phiên đối thoại ngày {local_date(ds.starts_at):%d/%m/%Y} còn chưa đến 7 ngày: thông báo phải được công "
            f"bố ít nhất 7 ngày trước nên sẽ không công bố được. Hãy dời ngày đối thoại (từ ngày "
            f"{local_date(now + MIN_NOTICE):%d/%m/%Y} trở đi).")


def _check_changeable(ds: DialogueSession) -> None:
    if ds.status not in CHANGEABLE:
        raise Conflict(f"Phiên đối thoại đang ở trạng thái «{STATUSES[ds.status]}», không sửa, dời hoặc hủy được.",
                       f"A '{ds.status}' session cannot be changed.", code="transition_not_allowed")


def _reason(value: Any, required: bool) -> str | None:
    return clean_text(value, label="lý do", max_chars=1000, required=required, multiline=True)


def _tell(session: Session, ds: DialogueSession, text: str, key: str, now: dt.datetime) -> int:
    """The registered speakers, and the unit's subscribers once the notice was public; returns how many."""
    told = sum(_tell_registrant(session, r, text, f"{key}:reg:{r.id}", now) is not None
               for r in registrations_of(session, ds))
    if ds.notice_published_at is not None:
        for s in session.scalars(select(DialogueSubscription).where(DialogueSubscription.unit_id == ds.unit_id)
                                 .order_by(DialogueSubscription.id)):
            told += notify.enqueue(session, channel=s.channel, recipient=s.chat_user_id, text=text, now=now,
                                   dedupe_key=f"{key}:sub:{s.channel}:{s.chat_user_id}",
                                   payload={"dialogue_id": ds.id}) is not None
    return told


def _note(ds: DialogueSession, actor: Actor, what: str, now: dt.datetime, **data: Any) -> None:
    ds.history = [*(ds.history or []), {"at": now.isoformat(), "what": what, "by": actor.label, **data}]


def edit_session(session: Session, ds: DialogueSession, actor: Actor, *, place: Any, topics: Any,
                 chair: Any = None, participants: Any = None, now: dt.datetime | None = None) -> int:
    """New place, chair, participants or topics; the registered (and, once announced, the subscribed) are told
    when the place or the topics change. Returns how many were told."""
    now = now or utcnow()
    _check_changeable(ds)
    errors: dict[str, FieldError] = {}
    values = clean_details(place, chair, topics, participants, errors)
    if errors:
        raise _fields_error(errors)
    unit = session.get(Unit, ds.unit_id)
    moved = values["place"] != ds.place or values["topics"] != list(ds.topics or [])
    ds.place, ds.chair, ds.topics = values["place"], values["chair"], values["topics"]
    ds.participants = _participants(session, unit, values["participants"])
    _note(ds, actor, "edited", now, place=ds.place)
    told = 0
    if moved:
        text = (f"UBND {unit.name} thay đổi thông tin hội nghị đối thoại lúc {when_vn(ds.starts_at)}: địa điểm "
                f"{ds.place}; nội dung: {'; '.join(ds.topics)}.")
        told = _tell(session, ds, text, f"dialogue:{ds.id}:edited:{len(ds.history)}", now)
    session.flush()
    return told


def postpone(session: Session, ds: DialogueSession, actor: Actor, *, date: Any, time: Any = None,
             reason: Any = None, now: dt.datetime | None = None) -> int:
    """Move the session to a later (or earlier) day; an announced session keeps 7 days' notice for its new date.
    The registered (and, once announced, the subscribed) are told. Returns how many were told."""
    now = now or utcnow()
    _check_changeable(ds)
    starts_at = parse_start(date, time)
    errors: dict[str, FieldError] = {}
    if starts_at is None:
        errors["date"] = FieldError("Cần ngày, giờ đối thoại mới hợp lệ (ngày dd/mm/yyyy, giờ hh:mm).",
                                    "The new date is missing or invalid.")
    elif starts_at <= now:
        errors["date"] = FieldError("Ngày đối thoại mới phải sau thời điểm hiện tại.", "The new date must be ahead.")
    elif ds.notice_published_at is not None and starts_at - now < MIN_NOTICE:
        errors["date"] = FieldError(
            f"Phiên đã thông báo: ngày mới phải cách hôm nay ít nhất 7 ngày (từ ngày "
            f"{local_date(now + MIN_NOTICE):%d/%m/%Y}) để người dân được báo trước.",
            "An announced session needs 7 days' notice for its new date.")
    try:
        why = _reason(reason, required=False)
    except FieldError as err:
        errors["reason"] = err
    if errors:
        raise _fields_error(errors)
    before = ds.starts_at
    ds.starts_at = starts_at
    _note(ds, actor, "postponed", now, **{"from": before.isoformat(), "to": starts_at.isoformat(), "reason": why})
    unit = session.get(Unit, ds.unit_id)
    text = (f"UBND {unit.name} dời hội nghị đối thoại dự kiến lúc {when_vn(before)} sang {when_vn(starts_at)}, "
            f"tại {ds.place}." + (f" Lý do: {why}" if why else "") + " Đăng ký phát biểu của bạn vẫn được giữ.")
    told = _tell(session, ds, text, f"dialogue:{ds.id}:postponed:{len(ds.history)}", now)
    session.flush()
    return told


def cancel(session: Session, ds: DialogueSession, actor: Actor, *, reason: Any,
           now: dt.datetime | None = None) -> int:
    """Cancel the session (a reason is required, it is told to the people); returns how many were told."""
    now = now or utcnow()
    _check_changeable(ds)
    try:
        why = _reason(reason, required=True)
    except FieldError as err:
        raise _fields_error({"reason": err})
    ds.status, ds.cancelled_at = CANCELLED, now
    _note(ds, actor, "cancelled", now, reason=why)
    unit = session.get(Unit, ds.unit_id)
    text = (f"UBND {unit.name} hủy hội nghị đối thoại dự kiến lúc {when_vn(ds.starts_at)} tại {ds.place}. "
            f"Lý do: {why}")
    told = _tell(session, ds, text, f"dialogue:{ds.id}:cancelled", now)
    session.flush()
    return told
