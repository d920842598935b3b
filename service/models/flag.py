"""Flags on petitions and matters: dong_nguoi, phuc_tap_keo_dai, qua_han, sap_han."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow


class Flag(Base):
    __tablename__ = "flags"
    __table_args__ = (
        Index("ix_flags_code_open", "code", "cleared_at"),
        # The inspector's inbox (access rule, `flag=` filter): open flags' petitions without the table (issue #19).
        Index("ix_flags_open_petition", "code", "petition_id", postgresql_where=text("cleared_at IS NULL"),
              sqlite_where=text("cleared_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24))
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"), index=True)
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("matters.id"), index=True)
    raised_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)  # who, how many, since when
    cleared_at: Mapped[dt.datetime | None]
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cleared_reason: Mapped[str | None]

    def __repr__(self) -> str:
        return f"<Flag {self.code} petition={self.petition_id} matter={self.matter_id}>"
