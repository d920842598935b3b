"""Accountability (issue #21): who headed an office when, and the state of the plans' own tasks."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from service.db import Base, utcnow


class OfficeHead(Base):
    """A head of an office from a moment until another (None: still). Scorecards credit each answer to the
    head of its office at the time (seed plans task 4.6: theo dõi người đứng đầu)."""
    __tablename__ = "office_heads"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    from_at: Mapped[dt.datetime]
    until_at: Mapped[dt.datetime | None]


class PlanTaskState(Base):
    """A catalogue task of a plan as a unit carries it out: status, due date, who last changed it."""
    __tablename__ = "plan_task_states"
    __table_args__ = (UniqueConstraint("unit_id", "plan_code", "task_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    # The task as the catalogue names it (routing.catalogue.EffectiveTask): plan code and task code ("4.4"), so a
    # re-curated catalogue keeps its tasks' history.
    plan_code: Mapped[str] = mapped_column(String(64))
    task_code: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="chua_thuc_hien")  # domain: plans.tracking.STATUSES
    due_on: Mapped[dt.date | None] = mapped_column(Date)  # a date set by hand when the plan's text gives none
    completed_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PlanTaskNote(Base):
    """A progress note of a plan task, with an evidence file or not."""
    __tablename__ = "plan_task_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("plan_task_states.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str]
    filename: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None]
    data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
