"""Dialogue sessions of the chairperson with the people (task 4.3), their minutes and commitments."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow


class DialogueSession(Base):
    __tablename__ = "dialogue_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    starts_at: Mapped[dt.datetime]
    place: Mapped[str]
    chair: Mapped[str | None] = mapped_column(String(200))
    participants: Mapped[list[Any]] = mapped_column(default=list)  # MTTQ, offices, …
    topics: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default="planned")  # planned | announced | held | closed
    notice_published_at: Mapped[dt.datetime | None]
    briefing: Mapped[dict[str, Any]] = mapped_column(default=dict)  # compiled, then edited by staff
    minutes: Mapped[str | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AgendaItem(Base):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("dialogue_sessions.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str]
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"))
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("matters.id"))
    speaker: Mapped[str | None] = mapped_column(String(200))  # for minutes: who spoke
    answer: Mapped[str | None]  # for minutes: what was answered


class DialogueRegistration(Base):
    """A citizen who asks to speak, with the question sent in advance."""

    __tablename__ = "dialogue_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("dialogue_sessions.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(16))
    chat_user_id: Mapped[str | None] = mapped_column(String(64))
    question: Mapped[str | None]
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Commitment(Base):
    """What the chairperson promised, which office does it, by when; tracked like a petition."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("dialogue_sessions.id"), index=True)
    text: Mapped[str]
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    due_at: Mapped[dt.datetime]
    met_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | done | cancelled
    petition_ids: Mapped[list[Any]] = mapped_column(default=list)
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("matters.id"))
    overdue_flagged_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
