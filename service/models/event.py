"""Append-only history of petitions and matters: who, when, what, why."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, utcnow
from service.models.vocabulary import EventKind, code_type

if TYPE_CHECKING:
    from service.models.matter import Matter
    from service.models.petition import Petition

# The workflow decisions the periodic reports read per petition (service.domain.reports.queries), from the index alone.
DECISION_EVENTS_WHERE = ("kind IN ('accepted', 'answered', 'returned', 'guided', 'transferred', 'withdrawn', "
                         "'closed', 'reopened')")


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_decisions", "petition_id", "kind", "at",
                            postgresql_where=text(DECISION_EVENTS_WHERE), sqlite_where=text(DECISION_EVENTS_WHERE)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"), index=True)
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("matters.id"), index=True)
    kind: Mapped[EventKind] = mapped_column(code_type(EventKind, "kind", 32))  # received, routed, accepted, …
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(120))  # "công dân", "hệ thống", a staff name
    reason: Mapped[str | None]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    public: Mapped[bool] = mapped_column(default=False)  # shown on the citizen's status page
    # Lets an event of a petition not flushed yet go in the same flush as the petition (intake: one flush).
    petition: Mapped[Petition | None] = relationship(foreign_keys=[petition_id])
    matter: Mapped[Matter | None] = relationship(foreign_keys=[matter_id])

    def __repr__(self) -> str:
        return f"<Event {self.kind} petition={self.petition_id} at {self.at:%Y-%m-%d %H:%M}>"
