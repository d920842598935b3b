"""Commitments made at a dialogue session: what, which office, by when; tracked like petitions.

Each commitment is linked to the petitions it answers: an event on each, and the citizens concerned
are told (outbox) when it is made and when it is met. The jobs process reminds the office 3 days
before the deadline and flags it overdue (office, Văn phòng HĐND-UBND and chairperson told), once each:
`reminded_at` and `overdue_flagged_at` mark what was done, so a rerun sends nothing twice.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.deadlines.calendar import end_of_day, local_date
from service.domain.dialogues.operations import _check_open_for_minutes, _office, van_phong_code, when_vn
from service.domain.dialogues.speakers import _fields_error, _tell_registrant, find_petition, registrations_of
from service.domain.errors import Conflict, ValidationFailed
from service.domain.events import record
from service.domain.inbound import Actor
from service.domain.intake.validation import FieldError, clean_text
from service.domain.notifications import outbox as notify
from service.domain.routing.units import office_of
from service.models.dialogue import Commitment, DialogueSession
from service.models.petition import Petition
from service.models.unit import Office, Unit

logger = logging.getLogger(__name__)

DUE_SOON = dt.timedelta(days=3)
MAX_PETITIONS = 50


def parse_day(value: Any) -> dt.date:
    """'20/12/2026', '2026-12-20' or a date; raises FieldError."""
    if isinstance(value, dt.datetime):
        return local_date(value)
    if isinstance(value, dt.date):
        return value
    text = (value or "").strip() if isinstance(value, str) else ""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise FieldError("Ngày không hợp lệ (dd/mm/yyyy).", "Invalid date (dd/mm/yyyy or YYYY-MM-DD).")


def _petitions(session: Session, ds: DialogueSession, codes: Any) -> list[Petition]:
    if isinstance(codes, str):
        codes = [c for c in codes.replace(";", ",").replace("\n", ",").split(",")]
    codes = [c.strip() for c in (codes or []) if isinstance(c, str) and c.strip()]
    if len(codes) > MAX_PETITIONS:
        raise FieldError(f"Tối đa {MAX_PETITIONS} đơn cho một cam kết.", f"At most {MAX_PETITIONS} petitions.")
    found: dict[int, Petition] = {}
    for code in codes:
        petition = find_petition(session, ds.unit_id, code)
        found[petition.id] = petition
    return list(found.values())


def add_commitment(session: Session, ds: DialogueSession, actor: Actor, *, text: Any, office: Any, due: Any,
                   petition_codes: Any = None, matter_id: int | None = None,
                   now: dt.datetime | None = None) -> Commitment:
    """Record a commitment; the office and the citizens of the linked petitions are told."""
    now = now or utcnow()
    _check_open_for_minutes(ds)
    errors: dict[str, FieldError] = {}
    values: dict[str, Any] = {}
    checks = (("text", lambda: clean_text(text, label="nội dung cam kết", required=True, max_chars=2000,
                                          multiline=True)),
              ("office", lambda: _office(session, ds, office or "")),
              ("due", lambda: _check_due(parse_day(due), ds, now)),
              ("petition_codes", lambda: _petitions(session, ds, petition_codes)))
    for key, fn in checks:
        try:
            values[key] = fn()
        except FieldError as err:
            errors[key] = err
    if errors:
        raise _fields_error(errors)
    petitions: list[Petition] = values["petition_codes"]
    matters = {p.matter_id for p in petitions if p.matter_id}
    commitment = Commitment(session_id=ds.id, text=values["text"], office_id=values["office"].id,
                            due_at=end_of_day(values["due"]), status="open", petition_ids=[p.id for p in petitions],
                            matter_id=matter_id or (matters.pop() if len(matters) == 1 else None), created_at=now)
    session.add(commitment)
    session.flush()
    office_row: Office = values["office"]
    unit = session.get(Unit, ds.unit_id)
    due_vn = f"{values['due']:%d/%m/%Y}"
    for p in petitions:
        record(session, p, "commitment_made", actor, at=now, reason=commitment.text, public=True,
               data={"commitment_id": commitment.id, "session_id": ds.id, "office": office_row.code, "due": due_vn})
        notify.notify_citizen(session, p, f"Tại hội nghị đối thoại ngày {local_date(ds.starts_at):%d/%m/%Y}, UBND "
                              f"{unit.name} đã kết luận về đơn {p.code}: {commitment.text} Cơ quan thực hiện: "
                              f"{office_row.name}; thời hạn: {due_vn}.",
                              f"commitment:{commitment.id}:made:petition:{p.id}", now=now)
    notify.enqueue_office_notice(session, office_row, f"[Cam kết đối thoại] {commitment.text} — hạn {due_vn}"
                                 + (f"; đơn {', '.join(p.code for p in petitions)}" if petitions else ""),
                                 f"commitment:{commitment.id}:assigned", now=now)
    session.flush()
    logger.info("Commitment %s of session %s to office %s", commitment.id, ds.id, office_row.code)
    return commitment


def _check_due(day: dt.date, ds: DialogueSession, now: dt.datetime) -> dt.date:
    if day < local_date(ds.starts_at) or day < local_date(now):
        raise FieldError("Thời hạn phải từ ngày đối thoại và từ hôm nay trở đi.",
                         "The deadline must be on or after the session date and today.")
    return day


def _linked(session: Session, c: Commitment) -> list[Petition]:
    return [p for p in (session.get(Petition, pid) for pid in c.petition_ids or []) if p is not None]


def _finish(session: Session, c: Commitment, status: str, actor: Actor, result: str, now: dt.datetime) -> None:
    if c.status != "open":
        raise Conflict("Cam kết này đã được đóng.", "The commitment is no longer open.", code="commitment_closed")
    c.status, c.result = status, result
    c.met_at = now if status == "done" else None
    kind = "commitment_met" if status == "done" else "commitment_cancelled"
    for p in _linked(session, c):
        record(session, p, kind, actor, at=now, reason=result, public=True,
               data={"commitment_id": c.id, "session_id": c.session_id})
        if status == "done":
            notify.notify_citizen(session, p, f"Cam kết tại hội nghị đối thoại về đơn {p.code} đã được thực hiện: "
                                  f"{c.text} Kết quả: {result}", f"commitment:{c.id}:met:petition:{p.id}", now=now)
    session.flush()


def complete_commitment(session: Session, c: Commitment, actor: Actor, result: Any,
                        now: dt.datetime | None = None) -> Commitment:
    """The office reports the commitment done; the citizens concerned are told."""
    try:
        text = clean_text(result, label="kết quả thực hiện", required=True, max_chars=5000, multiline=True)
    except FieldError as err:
        raise ValidationFailed(err.message, err.message_en, fields={"result": [err.message]})
    _finish(session, c, "done", actor, text, now or utcnow())
    return c


def cancel_commitment(session: Session, c: Commitment, actor: Actor, reason: Any,
                      now: dt.datetime | None = None) -> Commitment:
    try:
        text = clean_text(reason, label="lý do", required=True, max_chars=5000, multiline=True)
    except FieldError as err:
        raise ValidationFailed(err.message, err.message_en, fields={"reason": [err.message]})
    _finish(session, c, "cancelled", actor, text, now or utcnow())
    return c


def is_overdue(c: Commitment, now: dt.datetime | None = None) -> bool:
    return c.status == "open" and c.due_at < (now or utcnow())


def commitments_of(session: Session, ds: DialogueSession) -> list[Commitment]:
    return list(session.scalars(select(Commitment).where(Commitment.session_id == ds.id)
                                .order_by(Commitment.due_at, Commitment.id)))


def open_commitments_before(session: Session, ds: DialogueSession) -> list[tuple[Commitment, DialogueSession]]:
    """Commitments still open from the unit's earlier sessions, oldest deadline first."""
    rows = session.execute(select(Commitment, DialogueSession).join(DialogueSession,
                                                                    DialogueSession.id == Commitment.session_id)
                           .where(DialogueSession.unit_id == ds.unit_id, DialogueSession.id != ds.id,
                                  DialogueSession.starts_at < ds.starts_at, Commitment.status == "open")
                           .order_by(Commitment.due_at, Commitment.id))
    return [(c, s) for c, s in rows]


# --- the jobs ---------------------------------------------------------------------------------

def remind_commitments(session: Session, now: dt.datetime | None = None) -> dict[str, int]:
    """Due within 3 days: remind the office once. Past due: flag once and tell the office, Văn phòng
    HĐND-UBND and the chairperson. Returns the counts."""
    now = now or utcnow()
    reminded = overdue = 0
    soon = session.scalars(select(Commitment).where(Commitment.status == "open", Commitment.reminded_at.is_(None),
                                                    Commitment.due_at > now, Commitment.due_at <= now + DUE_SOON)
                           .order_by(Commitment.id)).all()
    for c in soon:
        c.reminded_at = now
        office = session.get(Office, c.office_id)
        notify.enqueue_office_notice(session, office, f"[Sắp đến hạn cam kết đối thoại] {c.text} — hạn "
                                     f"{local_date(c.due_at):%d/%m/%Y}.", f"commitment:{c.id}:due-soon", now=now)
        reminded += 1
    late = session.scalars(select(Commitment).where(Commitment.status == "open",
                                                    Commitment.overdue_flagged_at.is_(None), Commitment.due_at < now)
                           .order_by(Commitment.id)).all()
    for c in late:
        c.overdue_flagged_at = now
        _tell_overdue(session, c, now)
        overdue += 1
    session.flush()
    return {"reminded": reminded, "overdue": overdue}


def _tell_overdue(session: Session, c: Commitment, now: dt.datetime) -> None:
    office = session.get(Office, c.office_id)
    ds = session.get(DialogueSession, c.session_id)
    unit = session.get(Unit, ds.unit_id)
    text = (f"[Quá hạn cam kết đối thoại] {office.name}: {c.text} — hạn {local_date(c.due_at):%d/%m/%Y}, "
            f"phiên đối thoại ngày {local_date(ds.starts_at):%d/%m/%Y}.")
    targets = {office.id: office}
    van_phong = office_of(session, unit, van_phong_code(unit))
    if van_phong is not None:
        targets[van_phong.id] = van_phong
    for target in targets.values():
        notify.enqueue_office_notice(session, target, text, f"commitment:{c.id}:overdue:{target.id}", now=now)
    notify.notify_users(session, role="chairperson", unit_id=unit.id, text=text,
                        dedupe_key=f"commitment:{c.id}:overdue", now=now)
    for p in _linked(session, c):
        record(session, p, "commitment_overdue", Actor(label="Hệ thống"), at=now,
               data={"commitment_id": c.id, "session_id": c.session_id})


def remind_speakers(session: Session, now: dt.datetime | None = None) -> int:
    """The day before a session, each registered speaker gets a reminder (once: the dedupe key)."""
    now = now or utcnow()
    sent = 0
    for ds in session.scalars(select(DialogueSession).where(DialogueSession.status == "announced",
                                                            DialogueSession.starts_at > now,
                                                            DialogueSession.starts_at <= now + dt.timedelta(days=1))):
        text = (f"Nhắc lịch: hội nghị đối thoại của UBND {session.get(Unit, ds.unit_id).name} lúc "
                f"{when_vn(ds.starts_at)} tại {ds.place}. Bạn đã đăng ký phát biểu; vui lòng mang theo giấy tờ "
                f"tùy thân.")
        for r in registrations_of(session, ds):
            sent += _tell_registrant(session, r, text, f"dialogue:{ds.id}:reminder:reg:{r.id}", now) is not None
    session.flush()
    return sent
