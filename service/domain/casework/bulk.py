"""Bulk actions of the staff inbox — assign, route, mark read — and their undo.

Each petition is acted on only when the access policy (`people.access`) lets the user do that action on it,
and the workflow allows it; the others are skipped and counted, never half done. The audit line of a bulk
action keeps what each petition was before (assignee, office, read), so "Hoàn tác" puts back exactly that,
asking the policy again for each petition (someone who routed a petition away may no longer act on it).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.casework import operations as casework
from service.domain.errors import Conflict, NotFound, ValidationFailed
from service.domain.inbound import Actor
from service.domain.people import access, audit
from service.domain.workflow.table import move_for
from service.models.console import PetitionRead
from service.models.petition import Petition
from service.models.unit import Office
from service.models.user import AuditEntry, User

MAX_BULK = 100  # one page at most
UNDO_MINUTES = 30  # "Hoàn tác" is offered this long after a bulk action
OPS = {"assign": "Giao người xử lý", "route": "Chuyển phòng ban", "read": "Đánh dấu đã đọc"}
AUDIT_ACTION, UNDO_ACTION = "bulk_action", "bulk_undo"


class _Skip(Exception):
    """This petition cannot be put back (the policy or its state says no): counted, not an error."""


@dataclass
class BulkResult:
    op: str
    done: list[str] = field(default_factory=list)  # codes acted on
    skipped: list[str] = field(default_factory=list)  # codes the user may not act on, or the state forbids
    entry_id: int | None = None  # the audit line ("Hoàn tác" names it)


def _petitions(session: Session, user: User, codes: list[str]) -> list[Petition]:
    codes = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))[:MAX_BULK]
    found = session.scalars(select(Petition).where(Petition.code.in_(codes))).all()
    return [p for p in found if access.can_view(user, p)]  # the others do not exist for this user


def run(session: Session, user: User, actor: Actor, op: str, codes: list[str], *, assignee_id: int | None = None,
        office: str | None = None, reason: str | None = None, ip: str | None = None,
        now: dt.datetime | None = None) -> BulkResult:
    """Do `op` on each listed petition the policy allows; one audit line with what each was before."""
    if op not in OPS:
        raise ValidationFailed("Thao tác hàng loạt không hợp lệ.", "Unknown bulk action.", fields={"op": ["?"]})
    if not codes:
        raise ValidationFailed("Chưa chọn đơn nào.", "No petition selected.", fields={"codes": ["Chọn đơn."]})
    now = now or utcnow()
    result, before = BulkResult(op), []
    petitions = _petitions(session, user, codes)
    result.skipped = sorted(set(c.strip().upper() for c in codes) - {p.code for p in petitions})
    assignee = None
    if op == "assign":
        assignee = session.get(User, assignee_id) if assignee_id else None
        if assignee is None:
            raise ValidationFailed("Chọn người được giao.", "Choose the assignee.", fields={"assignee": ["Chọn."]})
    if op == "route" and not office:
        raise ValidationFailed("Chọn phòng ban chuyển đến.", "Choose the office.", fields={"office": ["Chọn."]})
    text = (reason or "").strip() or f"{OPS[op]} hàng loạt từ hộp đơn"
    for p in petitions:
        state = {"code": p.code, "assignee": p.assignee_id,
                 "office": p.lead_office.code if p.lead_office else None}
        if op == "read":
            state["read"] = _mark_read(session, user, p, now)
        elif op == "assign":
            if (not access.can_assign(user, p) or p.status in casework.FINISHED or p.assignee_id == assignee.id
                    or assignee.id not in {u.id for u in casework.assignable_users(session, p)}):
                result.skipped.append(p.code)
                continue
            casework.assign(session, p, assignee, actor, reason=text, now=now)
        else:
            if (not access.can_act(user, p, "route") or move_for(p.kind, p.status, "classify") is None
                    or state["office"] == office or not _office_of_unit(session, p, office)):
                result.skipped.append(p.code)
                continue
            casework.route_to_office(session, p, actor, office=office, reason=text)
        result.done.append(p.code)
        before.append(state)
    entry = audit.record(session, AUDIT_ACTION, user=user, object_type="petition", object_id=f"{len(before)} đơn",
                         ip=ip, op=op, before=before, skipped=result.skipped, assignee=assignee_id, office=office)
    session.flush()
    result.entry_id = entry.id
    return result


def _office_of_unit(session: Session, p: Petition, code: str) -> bool:
    return session.scalar(select(Office.id).where(Office.unit_id == p.unit_id, Office.code == code)) is not None


def _mark_read(session: Session, user: User, p: Petition, now: dt.datetime) -> bool:
    """Whether it was read already; marks it read."""
    had = session.scalar(select(PetitionRead.id).where(PetitionRead.petition_id == p.id,
                                                       PetitionRead.user_id == user.id)) is not None
    if not had:
        session.add(PetitionRead(petition_id=p.id, user_id=user.id, read_at=now))
    return had


def mark_read(session: Session, user: User, petition: Petition, now: dt.datetime | None = None) -> None:
    """Opening a petition reads it."""
    _mark_read(session, user, petition, now or utcnow())


def read_ids(session: Session, user: User, petition_ids: list[int]) -> set[int]:
    if not petition_ids:
        return set()
    return set(session.scalars(select(PetitionRead.petition_id).where(PetitionRead.user_id == user.id,
                                                                      PetitionRead.petition_id.in_(petition_ids))))


def undoable(session: Session, user: User, entry_id: int | None, now: dt.datetime | None = None) -> AuditEntry | None:
    """The user's own bulk action, recent and not undone yet."""
    if not entry_id:
        return None
    entry = session.get(AuditEntry, entry_id)
    now = now or utcnow()
    if (entry is None or entry.action != AUDIT_ACTION or entry.user_id != user.id
            or entry.at < now - dt.timedelta(minutes=UNDO_MINUTES)):
        return None
    done = session.scalar(select(AuditEntry.id).where(AuditEntry.action == UNDO_ACTION,
                                                      AuditEntry.object_id == str(entry.id)))
    return None if done else entry


def undo(session: Session, user: User, actor: Actor, entry_id: int, *, ip: str | None = None,
         now: dt.datetime | None = None) -> BulkResult:
    """Put back what the bulk action changed, petition by petition, as the policy allows now."""
    now = now or utcnow()
    entry = undoable(session, user, entry_id, now)
    if entry is None:
        raise NotFound("Không còn hoàn tác được thao tác này (đã hoàn tác, quá 30 phút, hoặc không phải của bạn).",
                       "Nothing to undo.")
    op, result = entry.data["op"], BulkResult(entry.data["op"])
    states: dict[str, dict[str, Any]] = {s["code"]: s for s in entry.data.get("before", [])}
    reason = "Hoàn tác thao tác hàng loạt"
    for p in _petitions(session, user, list(states)):
        state = states[p.code]
        try:
            if op == "read":
                if not state.get("read"):
                    session.execute(delete(PetitionRead).where(PetitionRead.petition_id == p.id,
                                                               PetitionRead.user_id == user.id))
            elif op == "assign":
                if not access.can_assign(user, p) or p.assignee_id == state["assignee"]:
                    raise _Skip
                previous = session.get(User, state["assignee"]) if state["assignee"] else None
                casework.assign(session, p, previous, actor, reason=reason, now=now)
            else:
                if not access.can_act(user, p, "route") or not state["office"]:
                    raise _Skip
                casework.route_to_office(session, p, actor, office=state["office"], reason=reason)
                if state["assignee"] and p.assignee_id is None and access.can_assign(user, p):
                    previous = session.get(User, state["assignee"])
                    if previous is not None and previous in casework.assignable_users(session, p):
                        casework.assign(session, p, previous, actor, reason=reason, now=now)
        except (_Skip, Conflict, ValidationFailed):
            result.skipped.append(p.code)
            continue
        result.done.append(p.code)
    result.skipped += sorted(set(states) - set(result.done) - set(result.skipped))
    audit.record(session, UNDO_ACTION, user=user, object_type="audit", object_id=entry.id, ip=ip, op=op,
                 undone=result.done, skipped=result.skipped)
    session.flush()
    return result
