"""Queries shared by the bot tests."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from service.models import ChatConversation, OutboxMessage, Petition, ProcessedInbound

CODE = re.compile(r"Mã đơn: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9])")
DATE = re.compile(r"chậm nhất ngày (\d{2}/\d{2}/\d{4})")


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def nothing_stored(session) -> bool:
    return all(count(session, m) == 0 for m in (Petition, ProcessedInbound, ChatConversation, OutboxMessage))


def outbox(session, channel: str | None = None) -> list[OutboxMessage]:
    session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    return list(session.scalars(query))


def code_in(texts: list[str]) -> str:
    for text in texts:
        found = CODE.search(text)
        if found:
            return found.group(1)
    raise AssertionError(f"no tracking code in {texts!r}")
