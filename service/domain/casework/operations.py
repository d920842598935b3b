"""Casework on one petition: who may act on it, assignment, internal notes, moving it to another unit, and
the read models of the staff console's petition page (deadline states, matter, flags, history).

Verbs flush and never commit; the acting user is an argument (an Actor, or a User for the rules of access).
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.codes import STATUSES, STEPS
from service.domain.deadlines.calendar import Calendar, local_date
from service.domain.deadlines.rules import due_soon_cutoff
from service.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from service.domain.events import record
from service.domain.inbound import Actor
from service.domain.matters import flags
from service.domain.matters.flags import _RULE_LABELS as FLAG_RULE_LABELS  # noqa: F401 (the page explains flags alike)
from service.domain.notifications import outbox as notify
from service.domain.people import access
from service.domain.people.access import visible_petitions
from service.domain.routing import operations as routing
from service.domain.routing.units import find_unit
from service.domain.text import strip_invisible
from service.domain.workflow import operations as workflow
from service.models.deadline import Deadline
from service.models.event import Event
from service.models.flag import Flag
from service.models.matter import Matter
from service.models.petition import Petition
from service.models.user import User

logger = logging.getLogger(__name__)

HANDLING_ROLES = ("staff", "office_head")
FINISHED = frozenset({"returned", "guided", "transferred", "closed", "withdrawn"})
NOTE_MAX = 4000


# --- who may act ------------------------------------------------------------------------------------

def may_act(user: User, petition: Petition) -> bool:
    """Whether any action of the access policy is the user's on this petition (`access.ACT`): the rules live
    in service.domain.people.access alone."""
    return access.can_act_at_all(user, petition)


def _staff_only(actor: Actor) -> None:
    if not actor.is_staff:
        raise Forbidden("Chỉ cán bộ được thực hiện việc này.", "Staff only.")


# --- assignment and notes ---------------------------------------------------------------------------

def assignable_users(session: Session, petition: Petition) -> list[User]:
    """Active staff and heads of the office leading the petition: who it may be assigned to."""
    if petition.lead_office_id is None:
        return []
    return list(session.scalars(select(User).where(
        User.office_id == petition.lead_office_id, User.unit_id == petition.unit_id, User.active.is_(True),
        User.role.in_(HANDLING_ROLES)).order_by(User.full_name, User.username)))


def assign(session: Session, petition: Petition, assignee: User | None, actor: Actor, *,
           reason: str | None = None, now: dt.datetime | None = None) -> Event:
    """Give the petition to one person of the office leading it (None: nobody); tells them on their console.
    Only the head of that office, the Văn phòng or an admin chooses (access.can_assign; TC Đ47 k2)."""
    _staff_only(actor)
    access.check_act(session, actor, petition, "assign")
    if petition.status in FINISHED:
        raise Conflict(f"Đơn ở trạng thái “{STATUSES[petition.status]}”, không giao người xử lý.",
                       "A finished petition is not assigned.")
    if assignee is not None and assignee.id not in {u.id for u in assignable_users(session, petition)}:
        raise ValidationFailed("Chỉ giao cho cán bộ đang làm việc ở phòng ban chủ trì xử lý đơn.",
                               "The assignee must be active staff of the lead office.",
                               fields={"assignee": ["Không thuộc phòng ban chủ trì."]})
    new_id = assignee.id if assignee is not None else None
    if new_id == petition.assignee_id:
        raise Conflict("Đơn đã được giao cho người này.", "Already assigned to this person.")
    before, petition.assignee_id = petition.assignee_id, new_id
    label = (assignee.full_name or assignee.username) if assignee is not None else None
    event = record(session, petition, "assigned", actor, at=now, reason=strip_invisible(reason or "").strip() or None,
                   data={"from": before, "to": new_id, "to_label": label})
    session.flush()
    if assignee is not None:
        notify.enqueue(session, channel="console", recipient=f"user:{assignee.id}", petition=petition, now=now,
                       text=f"Bạn được giao xử lý đơn {petition.code} ({actor.label}).",
                       dedupe_key=f"assigned:{event.id}")
    logger.info("Petition %s assigned to user %s", petition.code, new_id)
    return event


def add_note(session: Session, petition: Petition, actor: Actor, text: str, now: dt.datetime | None = None) -> Event:
    """An internal note on the case file: staff only, never shown to the citizen."""
    _staff_only(actor)
    access.check_act(session, actor, petition, "note")
    text = strip_invisible(text or "").strip()
    if not text or len(text) > NOTE_MAX:
        raise ValidationFailed(f"Ghi chú phải có từ 1 đến {NOTE_MAX} ký tự.", f"A note has 1-{NOTE_MAX} characters.",
                               fields={"text": [f"Từ 1 đến {NOTE_MAX} ký tự."]})
    return record(session, petition, "note", actor, at=now, public=False, data={"text": text})


def notes(session: Session, petition: Petition) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.petition_id == petition.id, Event.kind == "note")
                                .order_by(Event.at.desc(), Event.id.desc())))


# --- moving a petition inside the government -------------------------------------------------------

def move_to_unit(session: Session, petition: Petition, actor: Actor, *, unit: str, office: str | None,
                 reason: str) -> Petition:
    """Send a petition still being triaged to another commune, ward or special zone, or to the city: the
    routing is recomputed there (or the named office leads). The workflow's classify move is recorded first,
    while the petition is still this unit's, so the access policy judges the sender, not the receiver.
    A petition outside the whole local government is transferred with the workflow's `transfer` instead."""
    _staff_only(actor)
    access.check_act(session, actor, petition, "route")
    if not workflow.can(petition, "classify"):
        raise workflow.refusal("not_in_state", action_vi="chuyển sang đơn vị khác", action_en="move",
                               status=petition.status, status_vi=STATUSES[petition.status])
    target = find_unit(session, unit)
    if target is None:
        raise ValidationFailed(f"Không tìm thấy xã, phường, đặc khu “{unit}”.", f"Unknown unit '{unit}'.",
                               fields={"unit": ["Không tìm thấy."]})
    if target.id == petition.unit_id:
        raise ValidationFailed("Đơn đã thuộc đơn vị này: chọn phòng ban nhận trong đơn vị.",
                               "The petition already belongs to this unit.", fields={"unit": ["Trùng đơn vị hiện tại."]})
    workflow.perform(session, petition, "classify", actor, reason=reason)
    routing.reroute(session, petition, actor, unit=target, office_code=office or None, reason=reason)
    _drop_stale_assignee(session, petition, actor)
    return petition


def route_to_office(session: Session, petition: Petition, actor: Actor, *, office: str, reason: str) -> Petition:
    """Give the petition to another office (of this unit, or a city department: routing.reroute moves it to the
    city) through the workflow's classify move."""
    access.check_act(session, actor, petition, "route")
    workflow.perform(session, petition, "classify", actor, office=office, reason=reason)
    _drop_stale_assignee(session, petition, actor)
    return petition


def _drop_stale_assignee(session: Session, petition: Petition, actor: Actor) -> None:
    """A person of the office that gave the case away no longer handles it (nor sees a denouncer's identity)."""
    session.expire(petition, ["lead_office"])  # routing sets the id only: read the new office from now on
    if petition.assignee_id is None:
        return
    assignee = session.get(User, petition.assignee_id)
    if assignee is None or assignee.office_id != petition.lead_office_id:
        record(session, petition, "assigned", actor, reason="Đơn đã chuyển khỏi phòng ban của người được giao.",
               data={"from": petition.assignee_id, "to": None, "to_label": None})
        petition.assignee_id = None
        session.flush()


# --- matters and flags ------------------------------------------------------------------------------

def find_matter(session: Session, reference: str, unit_id: int | None) -> Matter:
    """A matter by its number ("12" or "#12"), of the given unit (None: any unit)."""
    digits = re.fullmatch(r"\s*#?\s*(\d{1,12})\s*", reference or "")
    matter = session.get(Matter, int(digits.group(1))) if digits else None
    if matter is None or (unit_id is not None and matter.unit_id != unit_id):
        raise ValidationFailed(f"Không tìm thấy vụ việc “{reference}” trong đơn vị.", "No such matter in the unit.",
                               fields={"other": ["Không tìm thấy vụ việc."]})
    return matter


def open_flags(session: Session, petition: Petition) -> list[Flag]:
    """The petition's uncleared flags, and those of its matter (a matter flag once, not per petition)."""
    cond = Flag.petition_id == petition.id
    if petition.matter_id is not None:
        cond = or_(cond, and_(Flag.matter_id == petition.matter_id, Flag.petition_id.is_(None)))
    return list(session.scalars(select(Flag).where(cond, Flag.cleared_at.is_(None)).order_by(Flag.raised_at)))


def clear_flag(session: Session, petition: Petition, flag_id: int, actor: Actor, reason: str) -> Flag:
    """Clear one of the flags shown on this petition's page (flags.clear_flag: staff, with a reason, as the
    access policy allows)."""
    access.check_act(session, actor, petition, "clear_flag")
    flag = next((f for f in open_flags(session, petition) if f.id == flag_id), None)
    if flag is None:
        raise NotFound("Cờ này không còn trên đơn (đã được gỡ hoặc không thuộc đơn).", "No such open flag here.")
    return flags.clear_flag(session, flag, actor, reason)


@dataclass
class MatterView:
    matter: Matter
    petitions: list[Petition]  # the other petitions of the matter the user may open
    hidden: int  # the others, which the user may not open (only counted)
    flags: list[Flag]


def matter_view(session: Session, user: User, petition: Petition) -> MatterView | None:
    if petition.matter_id is None:
        return None
    matter = session.get(Matter, petition.matter_id)
    others = Petition.matter_id == matter.id, Petition.id != petition.id
    visible = list(session.scalars(visible_petitions(user).where(*others).order_by(Petition.received_at)))
    total = session.scalar(select(func.count()).select_from(Petition).where(*others)) or 0
    matter_flags = list(session.scalars(select(Flag).where(Flag.matter_id == matter.id, Flag.petition_id.is_(None),
                                                           Flag.cleared_at.is_(None)).order_by(Flag.raised_at)))
    return MatterView(matter, visible, total - len(visible), matter_flags)


# --- deadlines and history --------------------------------------------------------------------------

@dataclass
class DeadlineState:
    deadline: Deadline
    label: str
    state: str  # met | met_late | overdue | due_soon | open | cancelled
    working_days: int | None  # left before the due day (open), or late by (overdue / met_late)


def deadline_states(session: Session, petition: Petition, now: dt.datetime | None = None,
                    calendar: Calendar | None = None) -> list[DeadlineState]:
    """Each deadline with where it stands, counted in working days (BLDS Điều 147; legal.md Defaults)."""
    now, calendar = now or utcnow(), calendar or Calendar.load(session)
    soon = due_soon_cutoff(now, calendar)
    out = []
    for d in petition.deadlines:
        due_day = local_date(d.due_at)
        if d.cancelled_at is not None:
            state, days = "cancelled", None
        elif d.met_at is not None:
            late = d.met_at > d.due_at
            state = "met_late" if late else "met"
            days = calendar.working_days_between(due_day, local_date(d.met_at)) if late else None
        elif now > d.due_at:
            state, days = "overdue", calendar.working_days_between(due_day, local_date(now))
        else:
            state = "due_soon" if d.due_at <= soon else "open"
            days = calendar.working_days_between(local_date(now), due_day)
        out.append(DeadlineState(d, STEPS.get(d.step, d.step), state, days))
    return out


def timeline(session: Session, petition: Petition) -> list[Event]:
    """Every event of the petition, and those of its matter that name no petition (merge, rename)."""
    cond = Event.petition_id == petition.id
    if petition.matter_id is not None:
        cond = or_(cond, and_(Event.petition_id.is_(None), Event.matter_id == petition.matter_id))
    return list(session.scalars(select(Event).where(cond).order_by(Event.at, Event.id)))


EVENT_LABELS = {
    "received": "Tiếp nhận đơn", "classified": "Phân loại", "reclassified": "Sửa phân loại",
    "routed": "Chuyển phòng ban chủ trì", "rerouted": "Chuyển phòng ban, đơn vị", "accepted": "Thụ lý",
    "returned": "Trả lại đơn (không thụ lý)", "guided": "Hướng dẫn gửi đơn", "transferred": "Chuyển đơn",
    "started": "Bắt đầu giải quyết", "extended": "Gia hạn", "marked_complex": "Xác định vụ việc phức tạp",
    "answered": "Trả lời", "closed": "Đóng hồ sơ", "reopened": "Mở lại", "withdrawn": "Rút đơn",
    "assigned": "Giao người xử lý", "note": "Ghi chú nội bộ", "matter_opened": "Mở vụ việc",
    "matter_linked": "Ghép vào vụ việc", "matter_merged": "Gộp vụ việc", "matter_split": "Tách khỏi vụ việc",
    "matter_renamed": "Đổi tên vụ việc", "flag_raised": "Gắn cờ", "flag_cleared": "Gỡ cờ",
    "rated": "Công dân đánh giá", "reopen_requested": "Công dân đề nghị mở lại",
    "representatives_requested": "Đề nghị Văn phòng hoàn thiện người đại diện",
}


def event_label(kind: str) -> str:
    return EVENT_LABELS.get(kind, kind)
