"""Reception of citizens (tiếp công dân): the units' reception days and their bookings, the reception book
(sổ tiếp công dân, Thông tư 04/2021/TT-TTCP Mẫu 03) and the citizens who support an existing matter.

Luật Tiếp công dân 2013 Điều 15: the chairperson of UBND cấp xã receives citizens at least one day a week,
plus extraordinary sessions; Văn phòng HĐND-UBND schedules them and keeps the book (Điều 25 k2).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.crypto import EncryptedText
from service.db import Base, utcnow


class ReceptionDay(Base):
    """One reception session of a unit: a day, its hours, who receives, how many citizens are booked."""

    __tablename__ = "reception_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    starts_at: Mapped[str] = mapped_column(String(5))  # "07:30", Hải Phòng time
    ends_at: Mapped[str] = mapped_column(String(5))
    host: Mapped[str] = mapped_column(String(200))  # "Chủ tịch UBND xã", "Phó Chủ tịch …"
    kind: Mapped[str] = mapped_column(String(16), default="chair")  # chair | leader | extraordinary
    place: Mapped[str | None] = mapped_column(String(300))
    capacity: Mapped[int] = mapped_column(default=20)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | cancelled
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<ReceptionDay {self.id} unit={self.unit_id} {self.day}>"


class ReceptionBooking(Base):
    """A citizen's slot on a reception day, found again by its code and phone (to cancel it)."""

    __tablename__ = "reception_bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("reception_days.id"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20), index=True)  # normalised "0xxxxxxxxx"
    topic: Mapped[str]
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"))
    group_size: Mapped[int] = mapped_column(default=1)
    representatives: Mapped[list[Any]] = mapped_column(default=list)  # [{name, phone}] (Luật TCD Điều 29)
    channel: Mapped[str] = mapped_column(String(16))  # web | api | telegram | zalo | in_person
    chat_user_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="booked")  # booked | cancelled
    cancelled_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<ReceptionBooking {self.code} day={self.day_id} {self.status}>"


class ReceptionVisit(Base):
    """One line of the sổ tiếp công dân (TT 04/2021 Mẫu 03): a walk-in or booked visit."""

    __tablename__ = "reception_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    visited_on: Mapped[dt.date] = mapped_column(Date, index=True)  # (2) ngày tiếp
    name: Mapped[str] = mapped_column(String(200))  # (3) họ tên
    address: Mapped[str | None]  # (3) địa chỉ
    id_number: Mapped[str | None] = mapped_column(EncryptedText())  # (4) CCCD, encrypted (Luật BVDLCN)
    summary: Mapped[str]  # (5) nội dung vụ việc
    kind: Mapped[str] = mapped_column(String(16))  # (6) khieu_nai | to_cao | kien_nghi | phan_anh
    people_count: Mapped[int] = mapped_column(default=1)  # (6) số người
    handled_by: Mapped[str | None]  # (7) cơ quan đã giải quyết
    within_competence: Mapped[bool] = mapped_column(default=False)  # (8) thuộc thẩm quyền
    guidance: Mapped[str | None]  # (9) hướng dẫn
    transferred_to: Mapped[str | None]  # (10) chuyển đơn số
    follow_up: Mapped[str | None]  # (11) theo dõi kết quả giải quyết
    result: Mapped[str | None]  # (11)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("reception_bookings.id"))
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<ReceptionVisit {self.id} unit={self.unit_id} {self.visited_on}>"


class Supporter(Base):
    """A citizen who has the same problem as an open matter and joins it instead of filing again: counted as a
    distinct person of the matter (đông người) and told of its answer."""

    __tablename__ = "supporters"
    __table_args__ = (UniqueConstraint("matter_id", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id"), index=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"))  # the petition they saw
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20))  # normalised
    channel: Mapped[str] = mapped_column(String(16))  # web | api | telegram | zalo
    chat_user_id: Mapped[str | None] = mapped_column(String(64))
    notified_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
