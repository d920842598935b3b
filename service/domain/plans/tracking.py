"""The plan's tasks as a unit carries them out: the catalogue task (read through routing.catalogue's public
functions), its due date (`timeframes`), its status, progress notes and evidence files.

Status: chưa thực hiện / đang thực hiện / hoàn thành are set by people (`access.can_track_plan`); quá hạn is
derived: not done and past its due date. A recurring task ("… và các năm tiếp theo", "hằng quý") done in an
earlier round is in progress again in the round in course.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.deadlines.calendar import local_date
from service.domain.errors import Forbidden, NotFound, ValidationFailed
from service.domain.people import access, audit
from service.domain.plans import timeframes
from service.domain.routing import catalogue
from service.models.accountability import PlanTaskNote, PlanTaskState
from service.models.unit import Unit
from service.models.user import User

STATUSES = {"chua_thuc_hien": "Chưa thực hiện", "dang_thuc_hien": "Đang thực hiện", "hoan_thanh": "Hoàn thành",
            "qua_han": "Quá hạn"}
SET_BY_PEOPLE = ("chua_thuc_hien", "dang_thuc_hien", "hoan_thanh")
MAX_FILE = 10 * 1024 * 1024
EVIDENCE_TYPES = {"application/pdf": b"%PDF", "image/png": b"\x89PNG", "image/jpeg": b"\xff\xd8\xff",
                  "application/zip": b"PK\x03\x04"}  # DOCX and XLSX are ZIP files


def _states(session: Session, unit: Unit) -> dict[tuple[str, str], PlanTaskState]:
    return {(s.plan_code, s.task_code): s
            for s in session.scalars(select(PlanTaskState).where(PlanTaskState.unit_id == unit.id))}


def _status(state: PlanTaskState | None, tf: timeframes.Timeframe, due: dt.date | None, today: dt.date) -> str:
    stored = state.status if state is not None else "chua_thuc_hien"
    start = tf.period_start(today)
    if stored == "hoan_thanh" and start and state.completed_at and local_date(state.completed_at) < start:
        stored = "dang_thuc_hien"
    if stored != "hoan_thanh" and due is not None and due < today:
        return "qua_han"
    return stored


def tasks(session: Session, unit: Unit, *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Every task of the unit's effective catalogue with its due date and status."""
    today = today or local_date(utcnow())
    states = _states(session, unit)
    out = []
    for t in catalogue.effective_catalogue(session, unit):
        state = states.get((t.plan_code, t.code))
        tf = timeframes.parse(t.timeframe)
        due = state.due_on if state is not None and state.due_on else tf.due_on(today)
        status = _status(state, tf, due, today)
        out.append({"plan": t.plan_code, "code": t.code, "title": t.title, "lead_offices": list(t.lead_offices),
                    "collaborating_offices": list(t.collaborating_offices), "timeframe": t.timeframe,
                    "timeframe_kind": tf.kind, "due_on": due.isoformat() if due else None, "status": status,
                    "status_label": STATUSES[status], "source": t.source,
                    "updated_at": state.updated_at.isoformat() if state is not None else None})
    return out


def find(session: Session, unit: Unit, plan_code: str, task_code: str, *, today: dt.date | None = None
         ) -> dict[str, Any]:
    for t in tasks(session, unit, today=today):
        if t["plan"] == plan_code and t["code"] == task_code:
            return t
    raise NotFound(f"Không có nhiệm vụ {task_code} trong kế hoạch của đơn vị.", f"No task {task_code} in the plan.")


def notes(session: Session, unit: Unit, plan_code: str, task_code: str) -> list[PlanTaskNote]:
    state = _states(session, unit).get((plan_code, task_code))
    if state is None:
        return []
    return list(session.scalars(select(PlanTaskNote).where(PlanTaskNote.state_id == state.id)
                                .order_by(PlanTaskNote.at.desc(), PlanTaskNote.id.desc())))


def _evidence(filename: str | None, data: bytes | None) -> tuple[str, str] | None:
    if not data:
        return None
    if len(data) > MAX_FILE:
        raise ValidationFailed("Tệp minh chứng lớn hơn 10 MB.", "The evidence file is larger than 10 MB.",
                               fields={"file": ["Tệp lớn hơn 10 MB."]})
    kind = next((t for t, magic in EVIDENCE_TYPES.items() if data.startswith(magic)), None)
    if kind is None:
        raise ValidationFailed("Tệp minh chứng phải là PDF, ảnh PNG/JPEG, Word hoặc Excel.",
                               "Evidence must be a PDF, PNG/JPEG image, Word or Excel file.",
                               fields={"file": ["Chỉ nhận PDF, PNG, JPEG, DOCX, XLSX."]})
    name = re.sub(r"[^\w.\- ]", "_", (filename or "minh-chung").rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:120]
    return name or "minh-chung", kind


def update(session: Session, user: User, unit: Unit, plan_code: str, task_code: str, *, status: str | None = None,
           note: str | None = None, filename: str | None = None, data: bytes | None = None,
           due_on: dt.date | None = None, now: dt.datetime | None = None) -> PlanTaskNote:
    """A status change, a progress note, an evidence file (one or more of them), by someone the policy allows."""
    now = now or utcnow()
    task = find(session, unit, plan_code, task_code, today=local_date(now))
    if not access.can_track_plan(user, unit.id, task["lead_offices"]):
        raise Forbidden("Chỉ cơ quan chủ trì, Văn phòng và Chủ tịch cập nhật nhiệm vụ này.",
                        "Only the lead office, Văn phòng and the chairperson update this task.")
    if status is not None and status not in SET_BY_PEOPLE:
        raise ValidationFailed("Trạng thái không hợp lệ.", "Unknown status.",
                               fields={"status": ["Chọn chưa thực hiện, đang thực hiện hoặc hoàn thành."]})
    note = (note or "").strip()[:4000]
    file = _evidence(filename, data)
    if not (status or note or file or due_on):
        raise ValidationFailed("Hãy chọn trạng thái, ghi tiến độ hoặc đính kèm minh chứng.",
                               "Give a status, a progress note or an evidence file.",
                               fields={"note": ["Ghi tiến độ thực hiện."]})
    state = _states(session, unit).get((plan_code, task_code))
    if state is None:
        state = PlanTaskState(unit_id=unit.id, plan_code=plan_code, task_code=task_code, status="chua_thuc_hien")
        session.add(state)
    said = []
    if status and status != state.status:
        said.append(f"Trạng thái: {STATUSES[status]}.")
        state.status = status
        state.completed_at = now if status == "hoan_thanh" else None
    if due_on:
        state.due_on = due_on
        said.append(f"Hạn hoàn thành: {due_on:%d/%m/%Y}.")
    state.updated_at, state.updated_by_id = now, user.id
    session.flush()
    row = PlanTaskNote(state_id=state.id, at=now, author_id=user.id, text=" ".join([*said, note]).strip(),
                       filename=file[0] if file else None, content_type=file[1] if file else None,
                       size=len(data) if file else None, data=data if file else None)
    session.add(row)
    audit.record(session, "plan_task_update", user=user, object_type="plan_task",
                 object_id=f"{unit.code}:{plan_code}:{task_code}", status=status, file=bool(file))
    session.flush()
    return row


def evidence(session: Session, user: User, note_id: int) -> PlanTaskNote:
    """An evidence file, for staff of its unit (and the city's inspectors and admins)."""
    row = session.get(PlanTaskNote, note_id)
    state = session.get(PlanTaskState, row.state_id) if row is not None else None
    if row is None or row.data is None or not (access.sees_every_unit(user) or user.unit_id == state.unit_id):
        raise NotFound("Không tìm thấy tệp minh chứng.", "No such evidence file.")
    return row


def report_section(session: Session, unit: Unit | None, period: Any, now: dt.datetime) -> dict[str, Any]:
    """The periodic report's section on the plan's tasks (unit None: the city's own plan): counts by status as
    of the report, and every task with its lead office, due date and status (no personal data)."""
    from service.domain.routing.units import CITY_CODE

    if unit is None:
        unit = session.scalar(select(Unit).where(Unit.code == CITY_CODE))
    if unit is None:
        return {"unit": None, "unit_name": "", "total": 0, "by_status": {c: 0 for c in STATUSES},
                "labels": STATUSES, "tasks": []}
    today = min(local_date(now), period.last_day)
    rows = tasks(session, unit, today=today)
    return {"unit": unit.code, "unit_name": unit.name, "as_of": today.isoformat(), "total": len(rows),
            "by_status": {code: sum(r["status"] == code for r in rows) for code in STATUSES}, "labels": STATUSES,
            "tasks": [{k: r[k] for k in ("plan", "code", "title", "lead_offices", "timeframe", "due_on", "status",
                                         "status_label")} for r in rows]}
