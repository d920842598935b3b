"""A citizen's request about their personal data: a copy, or a correction (Luật BVDLCN 91/2025/QH15)."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, utcnow

if TYPE_CHECKING:
    from service.models.petition import Petition
    from service.models.user import User


class DataRequest(Base):
    __tablename__ = "data_requests"
    __table_args__ = (Index("ix_data_requests_unit_status", "unit_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # copy | correction
    status: Mapped[str] = mapped_column(String(16), default="new")  # new | done | refused
    details: Mapped[str | None]  # what the citizen asks to correct (itself personal data)
    # Routed to the Văn phòng HĐND-UBND of the petition's unit, which handles it.
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    response: Mapped[str | None]  # the office's answer, shown to the citizen
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    petition: Mapped[Petition] = relationship()
    handled_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<DataRequest {self.id} {self.kind} {self.status} of petition {self.petition_id}>"
