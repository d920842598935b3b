"""The sổ tiếp công dân (Luật Tiếp công dân Điều 25 k2; Thông tư 04/2021/TT-TTCP Mẫu 03): Văn phòng HĐND-UBND logs
every visit, walk-in or booked, in 11 columns, and may turn a visit into a petition in one step (intake, channel
`in_person`). A denouncer's name, address and ID number (Luật Tố cáo Điều 47) are shown only to whom
people.access.can_see_visit_identity allows, and never in an export.

Every function takes a Session and plain values, flushes and never commits.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.errors import Conflict, NotFound, ValidationFailed
from service.domain.inbound import Actor, InboundMessage, PersonData
from service.domain.intake import operations as intake
from service.domain.intake.validation import FieldError, clean_text
from service.domain.people import access
from service.domain.people.access import HIDDEN_DENOUNCER
from service.domain.reception.schedule import check_manage, parse_day, today
from service.models.petition import Petition
from service.models.reception import ReceptionBooking, ReceptionVisit
from service.models.unit import Unit
from service.models.user import User

# The 11 numbered columns of Mẫu 03 (TT 04/2021/TT-TTCP), as printed in the book.
COLUMNS: tuple[str, ...] = (
    "STT", "Ngày tiếp", "Họ tên - Địa chỉ", "Số CCCD/Hộ chiếu hoặc giấy tờ tùy thân",
    "Nội dung vụ việc", "Phân loại đơn/Số người", "Cơ quan đã giải quyết", "Thuộc thẩm quyền",
    "Hướng dẫn (cơ quan, văn bản số)", "Chuyển đơn (cơ quan, văn bản số)", "Theo dõi kết quả giải quyết")
KIND_SHORT = {"khieu_nai": "KN", "to_cao": "TC", "kien_nghi": "KN-PA", "phan_anh": "KN-PA"}
KIND_NAMES = {"khieu_nai": "Khiếu nại", "to_cao": "Tố cáo", "kien_nghi": "Kiến nghị", "phan_anh": "Phản ánh"}
IDENTITY_FIELDS = ("name", "address", "id_number")


def _fields_error(errors: dict[str, FieldError]) -> ValidationFailed:
    return ValidationFailed("Thông tin chưa hợp lệ, vui lòng xem lại các mục được đánh dấu.",
                            "Invalid fields: " + "; ".join(f"{k}: {e.message_en}" for k, e in errors.items()),
                            fields={k: [e.message] for k, e in errors.items()})


def _people(value: Any) -> int:
    try:
        number = int(1 if value is None else value)
    except (TypeError, ValueError):
        raise FieldError("Số người phải là số nguyên.", "people_count must be an integer.") from None
    if not 1 <= number <= 1000:
        raise FieldError("Số người từ 1 đến 1000.", "people_count must be 1–1000.")
    return number


def log_visit(session: Session, user: User | None, unit: Unit, *, visited_on: Any = None, name: Any, address: Any = None,
              id_number: Any = None, summary: Any, kind: Any, people_count: Any = 1, handled_by: Any = None,
              within_competence: bool = False, guidance: Any = None, transferred_to: Any = None,
              follow_up: Any = None, result: Any = None, booking_code: Any = None,
              now: dt.datetime | None = None) -> ReceptionVisit:
    """One line of the book, by the unit's Văn phòng (or its chairperson)."""
    check_manage(user, unit.id)
    errors: dict[str, FieldError] = {}
    values: dict[str, Any] = {}
    short = {"address": 300, "id_number": 20, "handled_by": 500, "guidance": 500, "transferred_to": 500,
             "follow_up": 1000, "result": 1000}
    raw = {"address": address, "id_number": id_number, "handled_by": handled_by, "guidance": guidance,
           "transferred_to": transferred_to, "follow_up": follow_up, "result": result}
    given = visited_on if not isinstance(visited_on, str) else visited_on.strip()
    checks = [("visited_on", lambda: parse_day(given) if given else today(now)),
              ("name", lambda: clean_text(name, label="họ tên", required=True, max_chars=200)),
              ("summary", lambda: clean_text(summary, label="nội dung vụ việc", required=True, max_chars=4000,
                                             multiline=True)),
              ("kind", lambda: _kind(kind)), ("people_count", lambda: _people(people_count))]
    checks += [(k, (lambda k=k: clean_text(raw[k], label="thông tin", max_chars=short[k], multiline=True)))
               for k in short]
    for key, fn in checks:
        try:
            values[key] = fn()
        except FieldError as err:
            errors[key] = err
    if errors:
        raise _fields_error(errors)
    if values["visited_on"] > today(now):  # the clock's rule, not the request's: a conflict with today (409)
        raise Conflict("Ngày tiếp không được sau hôm nay.", "visited_on is in the future.",
                       fields={"visited_on": ["Ngày tiếp không được sau hôm nay."]})
    booking = None
    if booking_code and str(booking_code).strip():  # a well-formed code of no booking: not found (404)
        booking = session.scalar(select(ReceptionBooking).where(ReceptionBooking.code == str(booking_code).strip().upper()))
        if booking is None:
            raise NotFound("Không tìm thấy lịch đăng ký có mã này.", "Unknown booking code.",
                           fields={"booking_code": ["Không tìm thấy lịch đăng ký có mã này."]})
    visit = ReceptionVisit(unit_id=unit.id, within_competence=bool(within_competence),
                           booking_id=booking.id if booking else None,
                           created_by_id=user.id if user is not None else None, created_at=now or utcnow(), **values)
    session.add(visit)
    session.flush()
    return visit


def _kind(value: Any) -> str:
    if value not in KIND_NAMES:
        raise FieldError("Chọn loại: khiếu nại, tố cáo, kiến nghị hoặc phản ánh.", "Unknown kind.")
    return str(value)


def get_visit(session: Session, user: User | None, visit_id: int) -> ReceptionVisit:
    visit = session.get(ReceptionVisit, visit_id)
    if visit is None:
        raise NotFound(f"Không tìm thấy lượt tiếp số {visit_id}.", f"No visit {visit_id}.")
    check_manage(user, visit.unit_id)
    return visit


def visits(session: Session, unit_id: int, first: dt.date, last: dt.date) -> list[ReceptionVisit]:
    return list(session.scalars(select(ReceptionVisit).where(
        ReceptionVisit.unit_id == unit_id, ReceptionVisit.visited_on >= first, ReceptionVisit.visited_on <= last)
        .order_by(ReceptionVisit.visited_on, ReceptionVisit.id)))


def to_petition(session: Session, user: User, visit: ReceptionVisit, now: dt.datetime | None = None) -> Petition:
    """The visit becomes a petition through intake (channel in_person), in one step; once."""
    check_manage(user, visit.unit_id)
    if visit.petition_id is not None:
        raise Conflict("Lượt tiếp này đã được chuyển thành đơn.", "This visit already became a petition.",
                       code="already_a_petition")
    unit = session.get(Unit, visit.unit_id)
    message = InboundMessage(
        channel="in_person", content=visit.summary, unit=unit.code, kind=visit.kind,
        petitioner=PersonData(name=visit.name, address=visit.address, id_number=visit.id_number),
        co_signers=max(visit.people_count - 1, 0), consent=True,
        received_at=dt.datetime.combine(visit.visited_on, dt.time(1, 0), tzinfo=dt.timezone.utc)
        if visit.visited_on < today(now) else None)
    actor = Actor(label=user.full_name or user.username, user_id=user.id, role=user.role)
    submitted = intake.submit(session, message, actor, now=now)
    visit.petition_id = submitted.petition.id
    session.flush()
    return submitted.petition


def shown(user: User | None, visit: ReceptionVisit, *, export: bool = False) -> dict[str, Any]:
    """The visit's identity columns as this user may read them (an export never carries a denouncer's)."""
    hide = visit.kind == "to_cao" and (export or not access.can_see_visit_identity(user, visit.unit_id, visit.kind))
    if hide:
        return {"name": HIDDEN_DENOUNCER, "address": "", "id_number": ""}
    return {"name": visit.name, "address": visit.address or "", "id_number": visit.id_number or ""}


def row(user: User | None, visit: ReceptionVisit, number: int, petition_code: str | None = None, *,
        export: bool = False) -> list[Any]:
    """The 11 columns of Mẫu 03 for one visit."""
    who = shown(user, visit, export=export)
    follow = "; ".join(t for t in (visit.follow_up, visit.result,
                                   f"Đã vào sổ đơn, mã {petition_code}" if petition_code else None) if t)
    name_address = who["name"] + (f" - {who['address']}" if who["address"] else "")
    return [number, f"{visit.visited_on:%d/%m/%Y}", name_address, who["id_number"], visit.summary,
            f"{KIND_SHORT[visit.kind]} / {visit.people_count} người", visit.handled_by or "",
            "x" if visit.within_competence else "", visit.guidance or "", visit.transferred_to or "", follow]
