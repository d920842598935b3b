"""What the staff console keeps of its own: canned answers per office and kind, and who has read a petition."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow


class CannedAnswer(Base):
    """A "mẫu trả lời" of one office for one kind of petition: its text is filled from the petition
    ({code}, {received}, {office}, {citizen}, …) when a clerk picks it on the answer form."""
    __tablename__ = "canned_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # khieu_nai | to_cao | kien_nghi | phan_anh
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PetitionRead(Base):
    """A staff user has read (opened, or marked read in the inbox) a petition."""
    __tablename__ = "petition_reads"
    __table_args__ = (UniqueConstraint("petition_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    read_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
