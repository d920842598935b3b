"""Canned answers ("mẫu trả lời") per office and kind of petition, filled from the petition, so that a routine
answer takes a minute: the clerk picks one on the answer form, reads it over and sends it.

An office's answers are edited by its head and by the unit's Văn phòng HĐND-UBND (`access.can_edit_canned_answers`);
every change is audited. A template names the citizen ({cong_dan}) only for a user who may see who sent the
petition (`access.can_see_identity`; Luật Tố cáo 2018 Điều 47 k2): otherwise it says "ông/bà".
"""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.codes import KINDS
from service.domain.deadlines.calendar import VN_TZ
from service.domain.errors import Forbidden, NotFound, ValidationFailed
from service.domain.matters.titles import title_for
from service.domain.people import access, audit
from service.domain.text import strip_invisible
from service.models.console import CannedAnswer
from service.models.petition import Petition
from service.models.unit import Office
from service.models.user import User

MAX_TEXT = 8000
# What a template may say, and what each becomes.
FIELDS = {
    "ma_don": "mã đơn", "ngay_nhan": "ngày nhận đơn (dd/mm/yyyy)", "ngay": "ngày hôm nay (dd/mm/yyyy)",
    "han": "hạn gần nhất (dd/mm/yyyy)", "co_quan": "cơ quan chủ trì", "don_vi": "xã, phường, đặc khu",
    "loai_don": "loại đơn", "ve_viec": "tóm tắt việc", "cong_dan": "họ tên công dân (hoặc “ông/bà”)",
}
_FIELD = re.compile(r"\{([a-z_]+)\}")


def _day(at: dt.datetime | None) -> str:
    return f"{at.astimezone(VN_TZ):%d/%m/%Y}" if at else ""


def values_for(user: User | None, petition: Petition, now: dt.datetime | None = None) -> dict[str, str]:
    p = petition
    open_due = [d.due_at for d in p.deadlines if d.met_at is None and d.cancelled_at is None]
    petitioner = next((x for x in p.people if x.role == "petitioner" and x.name), None)
    name = petitioner.name if (petitioner and not p.anonymous and access.can_see_identity(user, p)) else None
    return {"ma_don": p.code, "ngay_nhan": _day(p.received_at), "ngay": _day(now or utcnow()),
            "han": _day(min(open_due)) if open_due else "", "co_quan": p.lead_office.name if p.lead_office else p.unit.name,
            "don_vi": p.unit.name, "loai_don": KINDS[p.kind].lower(), "ve_viec": title_for(p),
            "cong_dan": f"ông/bà {name}" if name else "ông/bà"}


def fill(text: str, values: dict[str, str]) -> str:
    """{ma_don} … replaced; an unknown {word} is left as typed."""
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def for_petition(session: Session, petition: Petition) -> list[CannedAnswer]:
    """The lead office's active answers for this kind of petition."""
    if petition.lead_office_id is None:
        return []
    return list(session.scalars(select(CannedAnswer).where(
        CannedAnswer.office_id == petition.lead_office_id, CannedAnswer.kind == petition.kind,
        CannedAnswer.active.is_(True)).order_by(CannedAnswer.title)))


def filled(session: Session, user: User, petition: Petition, answer_id: int) -> str:
    answer = session.get(CannedAnswer, answer_id)
    if answer is None or answer not in for_petition(session, petition):
        raise NotFound("Không có mẫu trả lời này cho đơn.", "No such canned answer for this petition.")
    return fill(answer.text, values_for(user, petition))


def editable_offices(session: Session, user: User) -> list[Office]:
    stmt = select(Office).order_by(Office.name)
    if user.role != "admin":
        stmt = stmt.where(Office.unit_id == user.unit_id)
    return [o for o in session.scalars(stmt) if access.can_edit_canned_answers(user, o)]


def listed(session: Session, offices: list[Office]) -> list[CannedAnswer]:
    ids = [o.id for o in offices]
    return list(session.scalars(select(CannedAnswer).where(CannedAnswer.office_id.in_(ids))
                                .order_by(CannedAnswer.office_id, CannedAnswer.kind, CannedAnswer.title))) if ids else []


def save(session: Session, user: User, *, office_id: int, kind: str, title: str, text: str, active: bool = True,
         answer_id: int | None = None, ip: str | None = None) -> CannedAnswer:
    """Add or change one answer; audited (who, what before)."""
    office = session.get(Office, office_id)
    answer = session.get(CannedAnswer, answer_id) if answer_id else None
    if answer_id and answer is None:
        raise NotFound("Không có mẫu trả lời này.", "No such canned answer.")
    for o in filter(None, (office, session.get(Office, answer.office_id) if answer else None)):
        if not access.can_edit_canned_answers(user, o):
            raise Forbidden("Chỉ trưởng phòng ban và Văn phòng HĐND-UBND sửa mẫu trả lời của phòng ban.",
                            "Only the office head and the Văn phòng edit its canned answers.")
    errors: dict[str, list[str]] = {}
    title, text = strip_invisible(title or "").strip(), strip_invisible(text or "").strip()
    if office is None:
        errors["office"] = ["Chọn phòng ban."]
    if kind not in KINDS:
        errors["kind"] = ["Chọn loại đơn."]
    if not title or len(title) > 200:
        errors["title"] = ["Cần tên mẫu (tối đa 200 ký tự)."]
    if not text or len(text) > MAX_TEXT:
        errors["text"] = [f"Cần nội dung mẫu (tối đa {MAX_TEXT} ký tự)."]
    unknown = sorted(set(_FIELD.findall(text)) - set(FIELDS))
    if unknown:
        errors["text"] = ["Không có trường " + ", ".join("{" + u + "}" for u in unknown) + "."]
    if errors:
        raise ValidationFailed("Mẫu trả lời chưa lưu được: " + " ".join(m for ms in errors.values() for m in ms),
                               "Invalid canned answer.", fields=errors)
    before = {"office_id": answer.office_id, "kind": answer.kind, "title": answer.title, "text": answer.text,
              "active": answer.active} if answer else None
    if answer is None:
        answer = CannedAnswer(office_id=office_id, kind=kind, title=title, text=text, active=active)
        session.add(answer)
    answer.office_id, answer.kind, answer.title, answer.text, answer.active = office_id, kind, title, text, active
    answer.updated_by_id = user.id
    session.flush()
    audit.record(session, "canned_answer_saved", user=user, object_type="canned_answer", object_id=answer.id,
                 ip=ip, before=before, office=office.code, kind=kind, title=title, active=active)
    return answer
