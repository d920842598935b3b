"""Outgoing messages: enqueued in the domain's transaction, sent after commit, never twice."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)  # one message per purpose
    channel: Mapped[str] = mapped_column(String(16))  # telegram | zalo | zns | sms | email | console
    recipient: Mapped[str] = mapped_column(String(254))  # chat id, user id, e-mail, phone, office:<id>
    text: Mapped[str]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)  # buttons, attachments, fallback info
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sending | sent | failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[dt.datetime | None]  # a sender holds it until then
    sent_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None]
    provider_id: Mapped[str | None] = mapped_column(String(128))  # ZNS msg_id, SMS tranId, SMTP Message-ID
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.channel} {self.status}>"
