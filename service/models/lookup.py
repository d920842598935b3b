"""Failed status look-ups, counted per requester and per tracking code (service.domain.intake.lookup_guard)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow


class LookupFailure(Base):
    """One failed look-up seen from one side: `scope` 'client' (digest of an IP or chat user) or 'code'."""

    __tablename__ = "lookup_failures"
    __table_args__ = (Index("ix_lookup_failures_scope_key_at", "scope", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
