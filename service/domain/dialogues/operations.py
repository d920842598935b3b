"""Dialogue sessions of the chairperson with the people (task 4.3 of the seed plans).

Luật Thực hiện dân chủ ở cơ sở 10/2022/QH15 Điều 32: UBND xã holds at least one dialogue conference a
year with the Fatherland Front (Ủy ban MTTQ); Luật Tiếp công dân Điều 15: the chairperson receives
citizens at least one day a week. The notice reaches the people at least 7 days before (issue #9;
practice of the plans). A session moves planned → announced → held → closed (one table, TRANSITIONS).
Citizens register to speak (web, bots), staff record the minutes and the commitments, which are then
tracked like petitions (service.domain.dialogues.commitments).

Registrations and chat subscriptions live in service.domain.dialogues.speakers.
Every function takes a Session and plain values, flushes and never commits.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.deadlines.calendar import VN_TZ, local_date
from service.domain.dialogues.speakers import _fields_error, _tell_registrant, find_petition, registrations_of
from service.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from service.domain.inbound import Actor
from service.domain.intake.validation import FieldError, clean_text
from service.domain.notifications import outbox as notify
from service.domain.people import access
from service.domain.people.access import HIDDEN_DENOUNCER
from service.domain.reports import periods as report_periods
from service.domain.routing.units import find_unit, office_of
from service.models.dialogue import AgendaItem, DialogueRegistration, DialogueSession, DialogueSubscription
from service.models.petition import Petition
from service.models.unit import Office, Unit
from service.models.user import User

logger = logging.getLogger(__name__)

STATUSES: dict[str, str] = {"planned": "Dự kiến", "announced": "Đã thông báo", "held": "Đã tổ chức",
                            "closed": "Đã kết thúc", "cancelled": "Đã hủy"}  # cancelled: dialogues.changes
# THE table of moves of a session: action -> (from, to).
TRANSITIONS: dict[str, tuple[str, str]] = {"announce": ("planned", "announced"), "hold": ("announced", "held"),
                                           "close": ("held", "closed")}
COMMITMENT_STATUSES: dict[str, str] = {"open": "Đang thực hiện", "done": "Đã thực hiện", "cancelled": "Đã hủy"}
MIN_NOTICE = dt.timedelta(days=7)
MINUTES_OPEN = ("announced", "held")  # minutes are taken during or after the session, before it is closed
MAX_TOPICS, MAX_PARTICIPANTS = 20, 30


def van_phong_code(unit: Unit) -> str:
    return "vp_ubnd_tp" if unit.kind == "city" else "van_phong"


def can_manage(user: User | None, ds_unit_id: int) -> bool:
    """Who manages a unit's dialogue sessions: the access policy decides (people.access.can_manage_dialogue)."""
    return access.can_manage_dialogue(user, ds_unit_id)


def check_manage(user: User | None, ds_unit_id: int) -> None:
    if not can_manage(user, ds_unit_id):
        raise Forbidden("Chỉ Chủ tịch UBND và Văn phòng HĐND-UBND của đơn vị được chuẩn bị phiên đối thoại.",
                        "Only the unit's chairperson and its Văn phòng HĐND-UBND manage dialogue sessions.")


def _text_list(value: Any, label: str, limit: int, required: bool) -> list[str]:
    if value is None:
        value = []
    if not isinstance(value, list):
        raise FieldError(f"{label.capitalize()} phải là danh sách.", f"{label} must be a list.")
    items = [t for t in (clean_text(v, label=label, max_chars=300) for v in value) if t]
    if required and not items:
        raise FieldError(f"Cần ít nhất một {label}.", f"At least one {label} is required.")
    if len(value) > limit:  # the items sent, blank ones too: the API's document states it as maxItems
        raise FieldError(f"Tối đa {limit} {label}.", f"At most {limit} items.")
    return items


def get_session(session: Session, session_id: int) -> DialogueSession:
    """The session by id; raises NotFound."""
    found = session.get(DialogueSession, session_id)
    if found is None:
        raise NotFound(f"Không tìm thấy phiên đối thoại số {session_id}.", f"No dialogue session {session_id}.")
    return found


# --- sessions ---------------------------------------------------------------------------------

# What parse_start reads, as the API's OpenAPI document states it (issue #18): a real day of 2000…2100, with or
# without a time; or a moment "YYYY-MM-DDTHH:MM[:SS[.ffffff]]" with "Z" or an offset ±HH:MM.
_HOUR, _MINUTE = r"([01]?[0-9]|2[0-3])", r"[0-5]?[0-9]"
TIME_PATTERN = rf"^\s*({_HOUR}:{_MINUTE})?\s*$"  # blank or null: 08:00


def _iso_moment_pattern() -> str:
    day = report_periods.ISO_DAY  # yyyy-mm-dd (two-digit month and day), a real day of 2000…2100
    return (rf"^\s*{day}T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{{1,6}})?)?"
            rf"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])\s*$")


ISO_MOMENT_PATTERN = _iso_moment_pattern()


def parse_start(date: Any, time: Any = None) -> dt.datetime | None:
    """'2026-12-20T08:00:00+07:00' (ISO_MOMENT_PATTERN); or a day ('20/12/2026', '2026-12-20': A_DAY_PATTERN) and
    a time ('14:00', default 08:00: TIME_PATTERN) in Hải Phòng. None when it cannot be read, a time among it."""
    if isinstance(date, dt.datetime):
        return date if date.tzinfo else None
    if not isinstance(date, str) or not date.strip() or not (time is None or isinstance(time, str)):
        return None
    if not re.fullmatch(TIME_PATTERN, time or ""):
        return None
    text = date.strip()
    if re.fullmatch(ISO_MOMENT_PATTERN, text):
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if not re.fullmatch(report_periods.A_DAY_PATTERN, text):
        return None
    hour, minute = ((time or "").strip() or "08:00").split(":")
    return dt.datetime.combine(report_periods.parse_day(text, "date"), dt.time(int(hour), int(minute)), tzinfo=VN_TZ)


def clean_details(place: Any, chair: Any, topics: Any, participants: Any,
                  errors: dict[str, FieldError]) -> dict[str, Any]:
    """A session's place, chair, topics and participants, cleaned; each problem goes into `errors`."""
    values: dict[str, Any] = {}
    for name, fn in (("place", lambda: clean_text(place, label="địa điểm", required=True, max_chars=300)),
                     ("chair", lambda: clean_text(chair, label="người chủ trì", max_chars=200)),
                     ("topics", lambda: _text_list(topics, "nội dung đối thoại", MAX_TOPICS, True)),
                     ("participants", lambda: _text_list(participants, "thành phần", MAX_PARTICIPANTS, False))):
        try:
            values[name] = fn()
        except FieldError as err:
            errors[name] = err
    return values


def create_session(session: Session, actor: Actor, *, unit: str, starts_at: Any, place: Any, topics: Any,
                   time: Any = None, chair: Any = None, participants: Any = None, user: User | None = None,
                   now: dt.datetime | None = None) -> DialogueSession:
    """A planned session; `user` (when given) must be allowed to manage the unit's sessions. `starts_at` is an
    aware datetime or text read by `parse_start` (with `time`)."""
    now = now or utcnow()
    starts_at = parse_start(starts_at, time)
    errors: dict[str, FieldError] = {}
    if not isinstance(unit, str) or not unit.strip():
        errors["unit"] = FieldError("Cần chọn xã, phường, đặc khu.", "unit is required.")
    if starts_at is None or starts_at.tzinfo is None:
        errors["date"] = FieldError("Cần ngày, giờ đối thoại hợp lệ (ngày dd/mm/yyyy, giờ hh:mm).",
                                    "date is missing or invalid (ISO 8601 with a time zone, or YYYY-MM-DD + time).")
    values = clean_details(place, chair, topics, participants, errors)
    found = find_unit(session, unit) if "unit" not in errors else None
    # Without other mistakes, a unit that does not exist is not found (404), else a moment already past conflicts
    # with the clock (409): what the API's document cannot state (issue #18); among other mistakes, all are 422.
    late = {} if "date" in errors or starts_at > now else {
        "date": FieldError("Ngày đối thoại phải sau thời điểm hiện tại.", "date must be in the future.")}
    unknown = {} if "unit" in errors or found is not None else {
        "unit": FieldError(f"Không tìm thấy xã, phường, đặc khu «{unit}».", f"Unknown unit '{unit}'.")}
    if errors:
        raise _fields_error({**errors, **late, **unknown})
    for key, problem, error in [*((k, p, NotFound) for k, p in unknown.items()), *((k, p, Conflict) for k, p in late.items())]:
        raise error(problem.message, problem.message_en, fields={key: [problem.message]})
    if user is not None:
        check_manage(user, found.id)
    ds = DialogueSession(unit_id=found.id, starts_at=starts_at, place=values["place"], chair=values["chair"],
                         topics=values["topics"], participants=_participants(session, found, values["participants"]),
                         status="planned", briefing={}, created_by_id=actor.user_id, created_at=now)
    session.add(ds)
    session.flush()
    logger.info("Dialogue session %s planned for unit %s", ds.id, found.code)
    return ds


def _participants(session: Session, unit: Unit, items: list[str]) -> list[str]:
    """Office codes become the office's name; the Fatherland Front is always invited (DCCS Điều 32)."""
    offices = {o.code: o.name for o in session.scalars(select(Office).where(Office.unit_id == unit.id))}
    named = [offices.get(item, item) for item in items]
    front = "Ủy ban Mặt trận Tổ quốc Việt Nam " + (unit.name if unit.kind != "city" else "thành phố")
    if not any("mặt trận" in n.lower() or "mttq" in n.lower() for n in named):
        named.insert(0, front)
    return named


def _move(ds: DialogueSession, action: str) -> None:
    source, target = TRANSITIONS[action]
    if ds.status != source:
        raise Conflict(f"Phiên đối thoại đang ở trạng thái «{STATUSES[ds.status]}», không thể "
                       f"chuyển sang «{STATUSES[target]}».",
                       f"The session is '{ds.status}'; '{action}' needs '{source}'.", code="transition_not_allowed")
    ds.status = target


def when_vn(moment: dt.datetime) -> str:
    local = moment.astimezone(VN_TZ)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def notice_text(session: Session, ds: DialogueSession) -> str:
    """The notice to the people: what, when, where, who chairs, the topics, how to register."""
    unit = ds.unit or session.get(Unit, ds.unit_id)
    lines = [f"THÔNG BÁO HỘI NGHỊ ĐỐI THOẠI — UBND {unit.name}",
             f"Thời gian: {when_vn(ds.starts_at)}", f"Địa điểm: {ds.place}"]
    if ds.chair:
        lines.append(f"Chủ trì: {ds.chair}")
    lines.append("Nội dung:")
    lines += [f"• {t}" for t in ds.topics]
    lines.append("Người dân đăng ký phát biểu, gửi câu hỏi trước: gõ /doithoai (Telegram) hoặc «đối thoại» (Zalo), "
                 "hoặc trên cổng Tiếp dân số, mục Đối thoại.")
    return "\n".join(lines)


def announce(session: Session, ds: DialogueSession, actor: Actor, now: dt.datetime | None = None) -> int:
    """Publish the notice on the citizen site and queue it to the unit's subscribers and invited offices;
    refused less than 7 days before the session. Returns how many chat notices were queued."""
    now = now or utcnow()
    if ds.starts_at - now < MIN_NOTICE:
        raise Conflict(f"Thông báo đối thoại phải được công bố ít nhất 7 ngày trước ngày đối thoại "
                       f"({local_date(ds.starts_at):%d/%m/%Y}); hạn cuối để thông báo là "
                       f"{local_date(ds.starts_at - MIN_NOTICE):%d/%m/%Y}. Hãy dời ngày đối thoại.",
                       "The notice must be published at least 7 days before the session; move the session date.",
                       code="notice_too_late")
    _move(ds, "announce")
    ds.notice_published_at = now
    text = notice_text(session, ds)
    subscribers = session.scalars(select(DialogueSubscription).where(DialogueSubscription.unit_id == ds.unit_id)
                                  .order_by(DialogueSubscription.id)).all()
    sent = sum(notify.enqueue(session, channel=s.channel, recipient=s.chat_user_id, text=text, now=now,
                              dedupe_key=f"dialogue:{ds.id}:notice:{s.channel}:{s.chat_user_id}",
                              payload={"dialogue_id": ds.id}) is not None for s in subscribers)
    unit = session.get(Unit, ds.unit_id)
    for office in session.scalars(select(Office).where(Office.unit_id == ds.unit_id, Office.name.in_(ds.participants))):
        notify.enqueue_office_notice(session, office, "[Mời dự đối thoại] " + text, f"dialogue:{ds.id}:invite:{office.id}",
                                     now=now)
    session.flush()
    logger.info("Dialogue session %s of %s announced to %d chats", ds.id, unit.code, sent)
    return sent


def mark_held(session: Session, ds: DialogueSession, actor: Actor, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    if local_date(now) < local_date(ds.starts_at):
        raise Conflict(f"Phiên đối thoại diễn ra ngày {local_date(ds.starts_at):%d/%m/%Y}, chưa thể ghi là đã tổ chức.",
                       "The session has not taken place yet.", code="not_yet_held")
    _move(ds, "hold")
    ds.held_at = now
    session.flush()


def save_minutes(session: Session, ds: DialogueSession, *, minutes: Any = None, conclusion: Any = None) -> None:
    """The general minutes and the chairperson's conclusions (text); not once the session is closed."""
    _check_open_for_minutes(ds)
    try:
        ds.minutes = clean_text(minutes, label="biên bản", max_chars=50_000, multiline=True)
        ds.conclusion = clean_text(conclusion, label="kết luận", max_chars=50_000, multiline=True)
    except FieldError as err:
        raise ValidationFailed(err.message, err.message_en, fields={"minutes": [err.message]})
    session.flush()


def close(session: Session, ds: DialogueSession, actor: Actor, now: dt.datetime | None = None) -> int:
    """Close a held session once its conclusions are written; the registered speakers are told.
    Returns how many citizens were told."""
    now = now or utcnow()
    if not (ds.conclusion or "").strip():
        raise Conflict("Cần ghi kết luận của Chủ tịch trước khi kết thúc phiên đối thoại.",
                       "Write the chairperson's conclusions before closing the session.", code="conclusion_missing")
    _move(ds, "close")
    ds.closed_at = now
    unit = session.get(Unit, ds.unit_id)
    text = (f"UBND {unit.name} đã ban hành kết luận hội nghị đối thoại ngày {local_date(ds.starts_at):%d/%m/%Y}. "
            f"Cảm ơn bạn đã tham gia. Tóm tắt kết luận:\n{ds.conclusion[:1500]}")
    told = 0
    for r in registrations_of(session, ds):
        told += _tell_registrant(session, r, text, f"dialogue:{ds.id}:closed:reg:{r.id}", now) is not None
    session.flush()
    return told


def _check_open_for_minutes(ds: DialogueSession) -> None:
    if ds.status not in MINUTES_OPEN:
        raise Conflict("Chỉ ghi biên bản, cam kết khi phiên đối thoại đã thông báo hoặc đã tổ chức và chưa kết thúc.",
                       "Minutes and commitments are recorded only for an announced or held session.",
                       code="minutes_closed")


def upcoming(session: Session, unit_id: int | None = None, now: dt.datetime | None = None,
             limit: int = 20) -> list[DialogueSession]:
    """Announced sessions still to come (of one unit, or of all), soonest first."""
    stmt = select(DialogueSession).where(DialogueSession.status == "announced",
                                         DialogueSession.starts_at > (now or utcnow()))
    if unit_id is not None:
        stmt = stmt.where(DialogueSession.unit_id == unit_id)
    return list(session.scalars(stmt.order_by(DialogueSession.starts_at, DialogueSession.id).limit(limit)))


def published(session: Session, unit_id: int | None = None, limit: int = 50) -> list[DialogueSession]:
    """Every session whose notice is public (announced, held or closed), newest first."""
    stmt = select(DialogueSession).where(DialogueSession.notice_published_at.is_not(None))
    if unit_id is not None:
        stmt = stmt.where(DialogueSession.unit_id == unit_id)
    return list(session.scalars(stmt.order_by(DialogueSession.starts_at.desc(), DialogueSession.id.desc())
                                .limit(limit)))


def sessions_for(session: Session, user: User, limit: int = 100) -> list[DialogueSession]:
    """The sessions a console user manages, newest first."""
    stmt = select(DialogueSession)
    unit_id = access.dialogue_unit_of(user)
    if unit_id is not None:
        stmt = stmt.where(DialogueSession.unit_id == unit_id)
    return list(session.scalars(stmt.order_by(DialogueSession.starts_at.desc(), DialogueSession.id.desc())
                                .limit(limit)))


def is_public(ds: DialogueSession) -> bool:
    return ds.notice_published_at is not None


# --- minutes ----------------------------------------------------------------------------------

def record_speech(session: Session, ds: DialogueSession, *, title: Any, speaker: Any = None, answer: Any = None,
                  petition_code: Any = None, registration_id: int | None = None, office: str | None = None,
                  matter_id: int | None = None) -> AgendaItem:
    """One point of the minutes: who spoke, on which petition or matter, what was answered and by whom."""
    _check_open_for_minutes(ds)
    errors: dict[str, FieldError] = {}
    values: dict[str, Any] = {}
    registration = session.get(DialogueRegistration, registration_id) if registration_id else None
    if registration_id and (registration is None or registration.session_id != ds.id):
        errors["registration_id"] = FieldError("Người đăng ký không thuộc phiên này.", "Unknown registration.")
    for key, fn in (("title", lambda: clean_text(title, label="nội dung", required=True, max_chars=2000,
                                                 multiline=True)),
                    ("speaker", lambda: clean_text(speaker, label="người phát biểu", max_chars=200)),
                    ("answer", lambda: clean_text(answer, label="trả lời", max_chars=20_000, multiline=True))):
        try:
            values[key] = fn()
        except FieldError as err:
            errors[key] = err
    petition, answered_by = None, None
    try:
        if petition_code:
            petition = find_petition(session, ds.unit_id, petition_code)
        elif registration is not None and registration.petition_id:
            petition = session.get(Petition, registration.petition_id)
        if office:
            answered_by = _office(session, ds, office)
    except FieldError as err:
        errors["petition_code" if petition_code and petition is None else "office"] = err
    if errors:
        raise _fields_error(errors)
    position = len(agenda_of(session, ds)) + 1
    item = AgendaItem(session_id=ds.id, position=position, title=values["title"],
                      speaker=values["speaker"] or (registration.name if registration else None),
                      answer=values["answer"], petition_id=petition.id if petition else None,
                      matter_id=matter_id or (petition.matter_id if petition else None),
                      registration_id=registration.id if registration else None,
                      answered_by_office_id=answered_by.id if answered_by else None)
    session.add(item)
    session.flush()
    return item


def agenda_of(session: Session, ds: DialogueSession) -> list[AgendaItem]:
    return list(session.scalars(select(AgendaItem).where(AgendaItem.session_id == ds.id)
                                .order_by(AgendaItem.position, AgendaItem.id)))


def agenda_speaker(session: Session, item: AgendaItem) -> str:
    """Who spoke, as the minutes may show it: never a denouncer's name."""
    if item.petition_id is not None:
        petition = session.get(Petition, item.petition_id)
        if petition is not None and petition.kind == "to_cao" and not petition.identity_disclosed:
            return HIDDEN_DENOUNCER
    return item.speaker or "Công dân"


def _office(session: Session, ds: DialogueSession, code_or_id: Any) -> Office:
    """An office of the session's unit, by code or id; raises FieldError."""
    unit = session.get(Unit, ds.unit_id)
    office = office_of(session, unit, str(code_or_id))
    if office is None and str(code_or_id).isdigit():
        office = session.get(Office, int(code_or_id))
        office = office if office is not None and office.unit_id == unit.id else None
    if office is None:
        raise FieldError("Cơ quan thực hiện không thuộc đơn vị này.", "The office is not one of the unit's offices.")
    return office

