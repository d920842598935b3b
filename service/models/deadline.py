"""Legal deadlines of a petition, one row per step (legal.md Defaults)."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base
from service.models.vocabulary import Step, code_type

if TYPE_CHECKING:
    from service.models.petition import Petition


FINAL_MET = "step IN ('tra_loi', 'giai_quyet') AND cancelled_at IS NULL"  # the reports' answered steps


class Deadline(Base):
    __tablename__ = "deadlines"
    # Partial indexes keep the 5-minute deadline scan near the cost of a COUNT (bench/deadlines.py).
    __table_args__ = (
        Index("ix_deadlines_open_due", "met_at", "due_at"),
        Index("ix_deadlines_soon_pending", "due_at",
              postgresql_where=text("met_at IS NULL AND cancelled_at IS NULL AND due_soon_flagged_at IS NULL "
                                    "AND overdue_flagged_at IS NULL"),
              sqlite_where=text("met_at IS NULL AND cancelled_at IS NULL AND due_soon_flagged_at IS NULL "
                                "AND overdue_flagged_at IS NULL")),
        Index("ix_deadlines_overdue_pending", "due_at",
              postgresql_where=text("met_at IS NULL AND cancelled_at IS NULL AND overdue_flagged_at IS NULL"),
              sqlite_where=text("met_at IS NULL AND cancelled_at IS NULL AND overdue_flagged_at IS NULL")),
        Index("ix_deadlines_escalation", "escalation_level", "due_at",
              postgresql_where=text("met_at IS NULL AND cancelled_at IS NULL"),
              sqlite_where=text("met_at IS NULL AND cancelled_at IS NULL")),
        # The inbox walks open deadlines in due order and checks none of the petition's comes earlier.
        Index("ix_deadlines_open_nearest", "due_at", "id", postgresql_include=["petition_id", "step"],
              postgresql_where=text("met_at IS NULL AND cancelled_at IS NULL"),
              sqlite_where=text("met_at IS NULL AND cancelled_at IS NULL")),
        # (starts_at included on PostgreSQL: the reports' "open and past due" reads it without the table.)
        Index("ix_deadlines_open_petition", "petition_id", "due_at", "id", postgresql_include=["starts_at"],
              postgresql_where=text("met_at IS NULL AND cancelled_at IS NULL"),
              sqlite_where=text("met_at IS NULL AND cancelled_at IS NULL")),
        # The periodic reports (issue #19), PostgreSQL only (INCLUDE; empty on SQLite): a unit's deadlines by
        # petition without the table, and the answered petitions of a period from the final steps met in it.
        Index("ix_deadlines_report", "petition_id", postgresql_include=["step", "starts_at", "due_at", "met_at",
                                                                        "cancelled_at"], sqlite_where=text("0")),
        Index("ix_deadlines_final_met", "met_at", postgresql_include=["petition_id", "due_at"],
              postgresql_where=text(FINAL_MET), sqlite_where=text("0")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"), index=True)
    # The petition's lead office, copied here (set where a step is stamped and where routing reassigns the
    # petition, `routing.operations._apply`): the city report counts two million steps by office without
    # joining a million petitions (issue #19).
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    step: Mapped[Step] = mapped_column(code_type(Step, "step", 16))  # xu_ly_don | thu_ly | tra_loi | giai_quyet | …
    starts_at: Mapped[dt.datetime]
    due_at: Mapped[dt.datetime]
    met_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]  # the step no longer applies (returned, withdrawn, …)
    rule: Mapped[str | None] = mapped_column(String(120))  # which rule and its legal basis
    extensions: Mapped[int] = mapped_column(default=0)
    due_soon_flagged_at: Mapped[dt.datetime | None]  # sắp hạn raised (idempotent scans)
    overdue_flagged_at: Mapped[dt.datetime | None]  # quá hạn raised
    escalation_level: Mapped[int] = mapped_column(default=0)  # 0 none, 1 office head, 2 van_phong, 3 chairperson

    petition: Mapped[Petition] = relationship(back_populates="deadlines")

    def __repr__(self) -> str:
        return f"<Deadline {self.step} due {self.due_at:%Y-%m-%d} of petition {self.petition_id}>"
