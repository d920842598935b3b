"""Matters: petitions about the same concrete thing, grouped; and the match index."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow


class Matter(Base):
    __tablename__ = "matters"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    title: Mapped[str]
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed | merged
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("matters.id"))
    petitioner_count: Mapped[int] = mapped_column(default=0)  # distinct people (by phone or name+address)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Matter {self.id} {self.title!r}>"


class PetitionSignature(Base):
    """The candidate index (matters.index, integrations.md §6): one 32-bit key per kept shingle of a petition
    (hashed with its unit and period), and the petition. The primary key is the lookup index; no other column,
    so a petition takes well under 1 KB on PostgreSQL (a rowless b-tree on SQLite)."""

    __tablename__ = "petition_signatures"
    __table_args__ = ({"sqlite_with_rowid": False},)

    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"), primary_key=True, autoincrement=False)


class MatterSeparation(Base):
    """Two petitions staff split apart: the matcher never joins them again."""

    __tablename__ = "matter_separations"
    __table_args__ = (UniqueConstraint("petition_a_id", "petition_b_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_a_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"))
    petition_b_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MatterSuggestion(Base):
    """"Có thể cùng vụ việc": a candidate matter the matcher was not sure of; Văn phòng confirms or rejects it.
    `data` keeps the evidence (shared names, score parts) so both answers teach the matcher (matters.learning)."""

    __tablename__ = "matter_suggestions"
    __table_args__ = (UniqueConstraint("petition_id", "matter_id"),
                      Index("ix_matter_suggestions_unit_state", "unit_id", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"), index=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str]  # one sentence a clerk can check
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | confirmed | rejected | dropped
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
