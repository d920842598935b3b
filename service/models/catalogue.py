"""Plans (Kế hoạch, Danh mục nhiệm vụ) and the tasks of their catalogues."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, utcnow


class Plan(Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # e.g. "hai-phong-2026"
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    title: Mapped[str]
    source_document: Mapped[str]  # the seed file or decision it was curated from
    period: Mapped[str | None] = mapped_column(String(64))  # "6 tháng cuối năm 2025", "2026"
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)  # bumped whenever a task changes

    tasks: Mapped[list[CatalogueTask]] = relationship(back_populates="plan", order_by="CatalogueTask.position")

    def __repr__(self) -> str:
        return f"<Plan {self.code}>"


class CatalogueTask(Base):
    __tablename__ = "catalogue_tasks"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))  # TT: "4.4"
    title: Mapped[str]  # Nhiệm vụ
    lead_offices: Mapped[list[Any]]  # office codes (Cơ quan chủ trì)
    collaborating_offices: Mapped[list[Any]]  # office codes (Cơ quan phối hợp)
    commune_lead_offices: Mapped[list[Any] | None]  # city plan: the commune office that leads it in a commune
    lead_text: Mapped[str | None]  # the wording of the plan, kept for the record
    collaborating_text: Mapped[str | None]
    timeframe: Mapped[str | None]  # Thời gian thực hiện
    source: Mapped[str | None]  # where the task comes from when the plan's own text lacks it (e.g. 3177/QĐ-UBND)
    position: Mapped[int] = mapped_column(default=0)

    plan: Mapped[Plan] = relationship(back_populates="tasks")

    def __repr__(self) -> str:
        return f"<CatalogueTask {self.code} of plan {self.plan_id}>"
