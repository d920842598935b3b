"""Dialogue sessions of the chairperson with the people (task 4.3), their minutes and commitments.

Luật Thực hiện dân chủ ở cơ sở Điều 32: at least one dialogue conference a year with the Fatherland
Front; Luật Tiếp công dân Điều 15: the chairperson receives citizens at least one day a week.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, utcnow
from service.models.unit import Unit


class DialogueSession(Base):
    __tablename__ = "dialogue_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    starts_at: Mapped[dt.datetime]
    place: Mapped[str]
    chair: Mapped[str | None] = mapped_column(String(200))
    participants: Mapped[list[Any]] = mapped_column(default=list)  # MTTQ, offices, …
    topics: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default="planned")  # planned | announced | held | closed | cancelled
    notice_published_at: Mapped[dt.datetime | None]
    briefing: Mapped[dict[str, Any]] = mapped_column(default=dict)  # compiled, then edited by staff
    minutes: Mapped[str | None]  # general minutes: attendance, opening, what was agreed
    conclusion: Mapped[str | None]  # the chairperson's conclusions (Thông báo kết luận)
    held_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    # What changed after planning: [{"at", "what": edited | postponed | cancelled, "from", "to", "reason"}]
    history: Mapped[list[Any]] = mapped_column(default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return f"<DialogueSession {self.id} unit={self.unit_id} {self.status} {self.starts_at:%Y-%m-%d}>"


class AgendaItem(Base):
    """One point of the minutes: who spoke, on which petition or matter, what was answered."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("dialogue_sessions.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str]  # the question or matter raised
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"))
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("matters.id"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("dialogue_registrations.id"))
    speaker: Mapped[str | None] = mapped_column(String(200))  # for minutes: who spoke
    answer: Mapped[str | None]  # for minutes: what was answered
    answered_by_office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))

    def __repr__(self) -> str:
        return f"<AgendaItem {self.id} of session {self.session_id}>"


class DialogueRegistration(Base):
    """A citizen who asks to speak, with the question sent in advance (one per phone and session)."""

    __tablename__ = "dialogue_registrations"
    __table_args__ = (UniqueConstraint("session_id", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("dialogue_sessions.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(16))
    chat_user_id: Mapped[str | None] = mapped_column(String(64))
    question: Mapped[str | None]
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<DialogueRegistration {self.id} of session {self.session_id} via {self.channel}>"


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
    result: Mapped[str | None]  # what the office reports when it is done (or why it was cancelled)
    reminded_at: Mapped[dt.datetime | None]  # the due-soon reminder was sent (idempotent job)
    overdue_flagged_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Commitment {self.id} of session {self.session_id} {self.status}>"


class DialogueSubscription(Base):
    """A chat that receives the dialogue notices of a unit (subscribed through the bot)."""

    __tablename__ = "dialogue_subscriptions"
    __table_args__ = (UniqueConstraint("channel", "chat_user_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # telegram | zalo
    chat_user_id: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DialogueBriefingVersion(Base):
    """One compilation of a session's briefing, kept when the briefing is rebuilt (the first download's
    snapshot is no longer the only one: a later registration shows in the next version)."""

    __tablename__ = "dialogue_briefing_versions"
    __table_args__ = (UniqueConstraint("session_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("dialogue_sessions.id"), index=True)
    number: Mapped[int]  # 1, 2, … per session
    briefing: Mapped[dict[str, Any]]  # the compiled briefing as it was (with the staff's text of that time)
    compiled_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"<DialogueBriefingVersion {self.number} of session {self.session_id}>"
