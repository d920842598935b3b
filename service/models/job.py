"""Lease rows that let exactly one jobs process run its jobs; calendar overrides; classifier corrections."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow
from service.models.vocabulary import Kind, code_type


class JobLease(Base):
    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[dt.datetime]


class HolidayOverride(Base):
    """An admin's correction of the holiday calendar: a day added, removed or a swapped working Saturday."""

    __tablename__ = "holiday_overrides"
    __table_args__ = (UniqueConstraint("day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    change: Mapped[str] = mapped_column(String(16))  # holiday | working
    note: Mapped[str | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ClassificationCorrection(Base):
    """A staff correction of kind or field: training data for the classifier."""

    __tablename__ = "classification_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"), index=True)
    text: Mapped[str]
    old_kind: Mapped[Kind | None] = mapped_column(code_type(Kind, "old_kind", 16))
    new_kind: Mapped[Kind] = mapped_column(code_type(Kind, "new_kind", 16))
    old_category: Mapped[str | None] = mapped_column(String(32))
    new_category: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ClassifierModel(Base):
    """A classifier retrained on the staff corrections by the jobs process (never inside a request):
    the pickled model, compressed; web processes load the newest (service/domain/classification/store.py)."""

    __tablename__ = "classifier_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    corrections: Mapped[int] = mapped_column(default=0)  # how many staff corrections it learnt from
    last_correction_id: Mapped[int | None]
    payload: Mapped[bytes] = mapped_column(LargeBinary)
