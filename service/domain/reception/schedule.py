"""Reception days (lịch tiếp công dân) and citizens' bookings.

Luật Tiếp công dân 42/2013/QH13 Điều 15: the chairperson of UBND cấp xã receives citizens at least one day a
week (plus extraordinary sessions); other leaders receive on their own days. Văn phòng HĐND-UBND schedules them
(legal.md §5), publishes them (/tiep-cong-dan), and citizens book a slot: one booking per phone and day, at most
`capacity` bookings a day (beyond it, DayFull names the next day with a free slot). A group of five or more
people on one matter sends representatives (Điều 29: 5–10 people 1–2, more up to 5;
matters.representative_limits), named with the booking. The booking is confirmed at once and reminded the day
before (the notifications outbox); the citizen cancels with the booking code and the phone.

Every function takes a Session and plain values, flushes and never commits.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.deadlines.calendar import VN_TZ
from service.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from service.domain.intake.validation import FieldError, clean_text, normalise_phone
from service.domain.matters.flags import CROWD
from service.domain.matters.operations import representative_limits
from service.domain.notifications import outbox as notify
from service.domain.people import access
from service.domain.reports import periods as report_periods
from service.domain.routing.units import find_unit
from service.models.person import Person
from service.models.petition import Petition
from service.models.reception import ReceptionBooking, ReceptionDay
from service.models.unit import Unit
from service.models.user import User

KINDS: dict[str, str] = {"chair": "tiếp định kỳ hằng tuần của Chủ tịch UBND", "leader": "lãnh đạo UBND tiếp",
                         "extraordinary": "tiếp đột xuất"}
BOOKING_CHANNELS = ("web", "api", "telegram", "zalo", "in_person")
CHAT_CHANNELS = ("telegram", "zalo")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:hH]([0-5]\d)$", re.ASCII)
TIME_PATTERN = r"^\s*([01]?[0-9]|2[0-3])[:hH][0-5][0-9]\s*$"  # as the OpenAPI document states _TIME
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_CAPACITY = 500


class DayFull(Conflict):
    """The day has no free slot left (HTTP 409); `next_day` is the next day of the unit with one, if any."""

    code = "reception_day_full"

    def __init__(self, day: ReceptionDay, next_day: ReceptionDay | None):
        self.next_day = next_day
        when = f"{day.day:%d/%m/%Y}"
        if next_day is not None:
            vi = (f"Ngày tiếp công dân {when} đã đủ {day.capacity} lượt đăng ký. Ngày gần nhất còn chỗ: "
                  f"{next_day.day:%d/%m/%Y}, {next_day.starts_at}–{next_day.ends_at} ({next_day.host}).")
            en = f"The reception day {day.day} is full. Next day with a free slot: {next_day.day}."
        else:
            vi = (f"Ngày tiếp công dân {when} đã đủ {day.capacity} lượt đăng ký và chưa có ngày tiếp nào khác còn "
                  f"chỗ. Bạn vẫn có thể đến trụ sở vào ngày tiếp định kỳ hoặc gửi đơn trực tuyến.")
            en = f"The reception day {day.day} is full and no later day has a free slot."
        super().__init__(vi, en)


def _fields_error(errors: dict[str, FieldError]) -> ValidationFailed:
    return ValidationFailed("Thông tin chưa hợp lệ, vui lòng xem lại các mục được đánh dấu.",
                            "Invalid fields: " + "; ".join(f"{k}: {e.message_en}" for k, e in errors.items()),
                            fields={k: [e.message] for k, e in errors.items()})


def can_manage(user: User | None, unit_id: int) -> bool:
    """Who schedules a unit's reception days and keeps its book: the access policy's rule for the unit's
    Văn phòng HĐND-UBND, its chairperson and admins (people.access.can_manage_dialogue)."""
    return access.can_manage_dialogue(user, unit_id)


def check_manage(user: User | None, unit_id: int) -> None:
    if not can_manage(user, unit_id):
        raise Forbidden("Chỉ Văn phòng HĐND-UBND và Chủ tịch UBND của đơn vị được lập lịch tiếp công dân.",
                        "Only the unit's Văn phòng HĐND-UBND and its chairperson manage reception days.")


def parse_day(value: Any) -> dt.date:
    """yyyy-mm-dd or dd/mm/yyyy, a real day of 2000…2100: reports.periods.A_DAY_PATTERN, which the API states."""
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if re.fullmatch(report_periods.A_DAY_PATTERN, text):
        return report_periods.parse_day(text, "date")
    raise FieldError("Ngày không hợp lệ (dd/mm/yyyy).", "Invalid date (YYYY-MM-DD or dd/mm/yyyy).")


def parse_time(value: Any, label: str) -> str:
    match = _TIME.match(str(value or "").strip())
    if not match:
        raise FieldError(f"Giờ {label} không hợp lệ (ví dụ 07:30).", f"Invalid {label} time (HH:MM).")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def today(now: dt.datetime | None = None) -> dt.date:
    return (now or utcnow()).astimezone(VN_TZ).date()


def managed_unit(session: Session, user: User | None, unit: Any) -> Unit:
    """The unit a reception day or a book entry names: blank is invalid (422), one that does not exist is not
    found (404, a well-formed reference to nothing), one the user does not manage is forbidden (403)."""
    wanted = str(unit or "").strip()
    if not wanted:
        raise ValidationFailed("Cần chọn đơn vị.", "unit is required.", fields={"unit": ["Cần chọn đơn vị."]})
    found = find_unit(session, wanted)
    if found is None:
        raise NotFound("Không tìm thấy đơn vị.", "Unknown unit.", fields={"unit": ["Không tìm thấy đơn vị."]})
    check_manage(user, found.id)
    return found


def create_day(session: Session, user: User | None, *, unit: Any, date: Any, starts_at: Any, ends_at: Any,
               host: Any, capacity: Any, kind: Any = None, place: Any = None,
               now: dt.datetime | None = None) -> ReceptionDay:
    """Văn phòng schedules a reception day of its unit."""
    found = managed_unit(session, user, unit)
    errors: dict[str, FieldError] = {}
    values: dict[str, Any] = {}
    checks = (("date", lambda: parse_day(date)), ("starts_at", lambda: parse_time(starts_at, "bắt đầu")),
              ("ends_at", lambda: parse_time(ends_at, "kết thúc")),
              ("host", lambda: clean_text(host, label="người chủ trì", required=True, max_chars=200)),
              ("place", lambda: clean_text(place, label="địa điểm", max_chars=300)),
              ("capacity", lambda: _capacity(capacity)), ("kind", lambda: _kind(kind)))
    for key, fn in checks:
        try:
            values[key] = fn()
        except FieldError as err:
            errors[key] = err
    if "starts_at" in values and "ends_at" in values and values["ends_at"] <= values["starts_at"]:
        errors["ends_at"] = FieldError("Giờ kết thúc phải sau giờ bắt đầu.", "ends_at must be after starts_at.")
    if errors:
        raise _fields_error(errors)
    if values["date"] < today(now):  # the clock's rule, not the request's: a conflict with today (409)
        raise Conflict("Ngày tiếp công dân đã qua.", "The date is in the past.",
                       fields={"date": ["Ngày tiếp công dân đã qua."]})
    day = ReceptionDay(unit_id=found.id, day=values["date"], starts_at=values["starts_at"],
                       ends_at=values["ends_at"], host=values["host"], place=values["place"],
                       capacity=values["capacity"], kind=values["kind"],
                       created_by_id=user.id if user is not None else None, created_at=now or utcnow())
    session.add(day)
    session.flush()
    return day


def _capacity(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise FieldError("Số lượt tiếp phải là số nguyên.", "capacity must be an integer.") from None
    if not 1 <= number <= MAX_CAPACITY:
        raise FieldError(f"Số lượt tiếp từ 1 đến {MAX_CAPACITY}.", f"capacity must be 1–{MAX_CAPACITY}.")
    return number


def _kind(value: Any) -> str:
    if value in (None, ""):
        return "chair"
    if value not in KINDS:
        raise FieldError("Loại buổi tiếp không hợp lệ.", "kind must be chair, leader or extraordinary.")
    return str(value)


def get_day(session: Session, day_id: int) -> ReceptionDay:
    found = session.get(ReceptionDay, day_id)
    if found is None:
        raise NotFound(f"Không tìm thấy ngày tiếp công dân số {day_id}.", f"No reception day {day_id}.")
    return found


def cancel_day(session: Session, user: User | None, day: ReceptionDay, now: dt.datetime | None = None) -> int:
    """Văn phòng cancels a day; every citizen booked on it is told. Returns how many were told."""
    check_manage(user, day.unit_id)
    day.status = "cancelled"
    told = 0
    unit = session.get(Unit, day.unit_id)
    for b in booked(session, day):
        text = (f"UBND {unit.name} thông báo: buổi tiếp công dân ngày {day.day:%d/%m/%Y} đã bị hủy. Lịch đăng ký "
                f"{b.code} của bạn không còn hiệu lực; vui lòng đăng ký ngày khác tại trang Tiếp công dân.")
        told += _tell(session, b, text, f"reception:{b.code}:day-cancelled", now) is not None
    session.flush()
    return told


def upcoming(session: Session, unit_id: int | None, now: dt.datetime | None = None, limit: int = 60) -> list[ReceptionDay]:
    query = select(ReceptionDay).where(ReceptionDay.status == "open", ReceptionDay.day >= today(now))
    if unit_id is not None:
        query = query.where(ReceptionDay.unit_id == unit_id)
    return list(session.scalars(query.order_by(ReceptionDay.day, ReceptionDay.starts_at, ReceptionDay.id).limit(limit)))


def booked(session: Session, day: ReceptionDay) -> list[ReceptionBooking]:
    return list(session.scalars(select(ReceptionBooking).where(ReceptionBooking.day_id == day.id,
                                                               ReceptionBooking.status == "booked")
                                .order_by(ReceptionBooking.created_at, ReceptionBooking.id)))


def taken(session: Session, day: ReceptionDay) -> int:
    return session.scalar(select(func.count(ReceptionBooking.id)).where(ReceptionBooking.day_id == day.id,
                                                                        ReceptionBooking.status == "booked")) or 0


def free_slots(session: Session, day: ReceptionDay) -> int:
    return max(day.capacity - taken(session, day), 0)


def next_free_day(session: Session, day: ReceptionDay, now: dt.datetime | None = None) -> ReceptionDay | None:
    for other in upcoming(session, day.unit_id, now, limit=200):
        if other.id != day.id and (other.day, other.starts_at) >= (day.day, day.starts_at) and free_slots(session, other):
            return other
    return None


def _new_code(session: Session) -> str:
    while True:
        code = "LH" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
        if session.scalar(select(ReceptionBooking.id).where(ReceptionBooking.code == code)) is None:
            return code


def _representatives(value: Any, group_size: int) -> list[dict[str, str]]:
    """Điều 29 Luật Tiếp công dân: a group of 5 or more names its representatives, within the limits."""
    items = value if isinstance(value, list) else []
    reps = []
    for item in items:
        if not isinstance(item, dict):
            raise FieldError("Người đại diện cần họ tên và số điện thoại.", "Each representative needs name, phone.")
        name = clean_text(item.get("name"), label="họ tên người đại diện", required=True, max_chars=200)
        phone = normalise_phone(item.get("phone"))
        if not phone:
            raise FieldError("Người đại diện cần số điện thoại hợp lệ.", "Each representative needs a valid phone.")
        reps.append({"name": name, "phone": phone})
    if group_size < CROWD:
        return reps[:1] if reps else []
    low, high = representative_limits(group_size)
    if not low <= len(reps) <= high:
        raise FieldError(f"Nhóm {group_size} người cùng một nội dung cần cử từ {low} đến {high} người đại diện "
                         f"(Luật Tiếp công dân, Điều 29).",
                         f"A group of {group_size} people must name {low}–{high} representatives (TCD art. 29).")
    return reps


def book(session: Session, day: ReceptionDay, *, name: Any, phone: Any, topic: Any, petition_code: Any = None,
         group_size: Any = 1, representatives: Any = None, channel: str = "web", chat_user_id: str | None = None,
         now: dt.datetime | None = None) -> tuple[ReceptionBooking, bool]:
    """A citizen books a slot. Returns (booking, created); the same phone booking the same day again gets its
    booking back unchanged. Raises ValidationFailed, Conflict (closed day), DayFull."""
    now = now or utcnow()
    if day.status != "open" or day.day < today(now):
        raise Conflict("Ngày tiếp công dân này không còn nhận đăng ký.", "This reception day takes no bookings.",
                       code="reception_day_closed")
    errors: dict[str, FieldError] = {}
    values: dict[str, Any] = {}
    checks = (("name", lambda: clean_text(name, label="họ tên", required=True, max_chars=200)),
              ("phone", lambda: normalise_phone(phone) or _missing_phone()),
              ("topic", lambda: clean_text(topic, label="nội dung", required=True, max_chars=2000, multiline=True)),
              ("group_size", lambda: _group_size(group_size)))
    for key, fn in checks:
        try:
            values[key] = fn()
        except FieldError as err:
            errors[key] = err
    if "group_size" in values:
        try:
            values["representatives"] = _representatives(representatives, values["group_size"])
        except FieldError as err:
            errors["representatives"] = err
    petition = None
    if petition_code not in (None, "") and "phone" in values:
        try:
            petition = _own_petition(session, day.unit_id, petition_code, values["phone"])
        except FieldError as err:
            errors["petition_code"] = err
    if channel not in BOOKING_CHANNELS:
        errors["channel"] = FieldError("Kênh không hợp lệ.", "Unknown channel.")
    if errors:
        raise _fields_error(errors)
    existing = session.scalar(select(ReceptionBooking).where(ReceptionBooking.day_id == day.id,
                                                             ReceptionBooking.phone == values["phone"],
                                                             ReceptionBooking.status == "booked"))
    if existing is not None:
        return existing, False
    # One booking at a time per day: lock the day's row where the database can (PostgreSQL).
    session.execute(select(ReceptionDay.id).where(ReceptionDay.id == day.id).with_for_update())
    if taken(session, day) >= day.capacity:
        raise DayFull(day, next_free_day(session, day, now))
    booking = ReceptionBooking(day_id=day.id, code=_new_code(session), name=values["name"], phone=values["phone"],
                               topic=values["topic"], petition_id=petition.id if petition else None,
                               group_size=values["group_size"], representatives=values["representatives"],
                               channel=channel, chat_user_id=chat_user_id, created_at=now)
    session.add(booking)
    session.flush()
    if channel not in CHAT_CHANNELS:  # in a chat, the bot's own reply is the confirmation
        unit = session.get(Unit, day.unit_id)
        _tell(session, booking, confirmation_text(day, booking, unit), f"reception:{booking.code}:confirmed", now)
    return booking, True


def confirmation_text(day: ReceptionDay, booking: ReceptionBooking, unit: Unit) -> str:
    return (f"UBND {unit.name} xác nhận lịch tiếp công dân của bạn: ngày {day.day:%d/%m/%Y}, "
            f"{day.starts_at}–{day.ends_at}, {day.host} tiếp{f' tại {day.place}' if day.place else ''}. "
            f"Mã đăng ký {booking.code}. Vui lòng mang theo CCCD. Hủy lịch: trang Tiếp công dân, mã đăng ký và "
            f"số điện thoại.")


def _group_size(value: Any) -> int:
    try:
        number = int(value or 1)
    except (TypeError, ValueError):
        raise FieldError("Số người phải là số nguyên.", "group_size must be an integer.") from None
    if not 1 <= number <= 1000:
        raise FieldError("Số người từ 1 đến 1000.", "group_size must be 1–1000.")
    return number


def _missing_phone() -> str:
    raise FieldError("Cần số điện thoại để cơ quan xác nhận và nhắc lịch.", "phone is required.")


def _own_petition(session: Session, unit_id: int, code: Any, phone: str) -> Petition:
    """A petition of the unit that is the citizen's own (same phone), so nobody links another's petition."""
    from service.domain.intake.tracking import normalise_code

    normal = normalise_code(code) if isinstance(code, str) else None
    petition = session.scalar(select(Petition).where(Petition.code == normal)) if normal else None
    if petition is None or petition.unit_id != unit_id or session.scalar(
            select(Person.id).where(Person.petition_id == petition.id, Person.phone == phone).limit(1)) is None:
        raise FieldError("Không tìm thấy đơn có mã này với số điện thoại đã khai ở đơn vị này.",
                         "No petition with this code and phone in this unit.")
    return petition


def bookings_of_chat(session: Session, channel: str, chat_user_id: str, now: dt.datetime | None = None
                     ) -> list[tuple[ReceptionBooking, ReceptionDay]]:
    """The chat's coming bookings (for the bot's "Hủy lịch")."""
    return list(session.execute(select(ReceptionBooking, ReceptionDay).join(
        ReceptionDay, ReceptionDay.id == ReceptionBooking.day_id).where(
        ReceptionBooking.channel == channel, ReceptionBooking.chat_user_id == chat_user_id,
        ReceptionBooking.status == "booked", ReceptionDay.day >= today(now)).order_by(ReceptionDay.day)).all())


def cancel(session: Session, code: Any, phone: Any, now: dt.datetime | None = None) -> ReceptionBooking:
    """The citizen cancels with the booking code and the phone; an unknown code and a wrong phone answer alike."""
    normal = re.sub(r"[^A-Z0-9]", "", str(code or "").upper())
    try:
        number = normalise_phone(phone) if phone else None
    except FieldError:
        number = None
    booking = session.scalar(select(ReceptionBooking).where(ReceptionBooking.code == normal)) if normal else None
    if booking is None or number is None or booking.phone != number:
        raise NotFound("Không tìm thấy lịch đăng ký với mã và số điện thoại này.",
                       "No booking with this code and phone.", code="booking_not_found")
    if booking.status == "booked":
        booking.status, booking.cancelled_at = "cancelled", now or utcnow()
        session.flush()
    return booking


def _tell(session: Session, b: ReceptionBooking, text: str, key: str, now: dt.datetime | None):
    if b.chat_user_id and b.channel in CHAT_CHANNELS:
        return notify.enqueue(session, channel=b.channel, recipient=b.chat_user_id, text=text, dedupe_key=key, now=now)
    return notify.enqueue(session, channel="sms", recipient=b.phone, text=text, dedupe_key=key, now=now)


def remind_bookings(session: Session, now: dt.datetime | None = None) -> int:
    """The day before a reception day, each citizen booked on it is reminded (once: the dedupe key)."""
    now = now or utcnow()
    tomorrow = today(now) + dt.timedelta(days=1)
    sent = 0
    for day in session.scalars(select(ReceptionDay).where(ReceptionDay.status == "open", ReceptionDay.day == tomorrow)):
        unit = session.get(Unit, day.unit_id)
        for b in booked(session, day):
            text = (f"Nhắc lịch: ngày mai {day.day:%d/%m/%Y}, {day.starts_at}–{day.ends_at}, {day.host} UBND "
                    f"{unit.name} tiếp công dân{f' tại {day.place}' if day.place else ''}. Mã đăng ký {b.code}. "
                    f"Vui lòng mang theo CCCD và giấy tờ liên quan.")
            sent += _tell(session, b, text, f"reception:{b.code}:reminder", now) is not None
    session.flush()
    return sent
