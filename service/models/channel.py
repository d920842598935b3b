"""State kept for the chat channels and the API: drafts, processed ids, tokens, idempotency."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow


class ChatConversation(Base):
    """Where a citizen is in the bot dialogue, so any worker or a restart continues it."""

    __tablename__ = "chat_conversations"
    __table_args__ = (UniqueConstraint("channel", "chat_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_user_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(32), default="idle")
    draft: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_inbound_at: Mapped[dt.datetime | None]  # Zalo's free-reply window counts from here
    subscribed: Mapped[bool] = mapped_column(default=True)  # receives dialogue notices
    # The citizen blocked the bot (Telegram my_chat_member "kicked") or unfollowed the OA (Zalo "unfollow"):
    # notices go by the fallback chain instead (ZNS, SMS), until the citizen writes again.
    blocked_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProcessedInbound(Base):
    """Each webhook update / message id is processed once, even when the platform retries."""

    __tablename__ = "processed_inbound"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class IdempotencyRecord(Base):
    """The first answer to a request with an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))  # endpoint (+ caller)
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ChannelToken(Base):
    """OAuth tokens of a channel (the Zalo OA access and single-use refresh token)."""

    __tablename__ = "channel_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), unique=True)
    access_token: Mapped[str]
    refresh_token: Mapped[str | None]
    expires_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
