"""Outgoing notices, enqueued in the caller's transaction (never sent here: the jobs process sends).

Every message has a dedupe key, so enqueueing the same purpose twice does nothing. The legally
required notices to the citizen (thụ lý / không thụ lý, chuyển đơn, hướng dẫn, gia hạn) are
rendered from config/notices/*.txt, quote their legal basis and are kept as a Reply.
"""
from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache
from pathlib import Path
from string import Template
from typing import Any

import yaml
from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.inbound import Actor
from service.domain.notifications import chat_state, citizens
from service.models.outbox import OutboxMessage
from service.models.petition import Petition
from service.models.reply import Reply
from service.models.unit import Office
from service.models.user import User

logger = logging.getLogger(__name__)

NOTICES_DIR = Path(__file__).resolve().parents[3] / "config" / "notices"
CHAT_CHANNELS = citizens.CHAT_CHANNELS


def enqueue(session: Session, *, channel: str, recipient: str, text: str, dedupe_key: str,
            petition: Petition | None = None, payload: dict[str, Any] | None = None,
            now: dt.datetime | None = None) -> OutboxMessage | None:
    """Queue one message; None when a message with this dedupe key already exists."""
    values = {"dedupe_key": dedupe_key[:200], "channel": channel, "recipient": recipient[:254], "text": text,
              "payload": payload or {}, "petition_id": petition.id if petition is not None else None,
              "status": "pending", "attempts": 0, "next_attempt_at": now or utcnow(), "created_at": now or utcnow()}
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        # ON CONFLICT DO NOTHING: two transactions enqueueing the same key never fail each other.
        module = postgresql if dialect == "postgresql" else sqlite
        stmt = module.insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
        # RETURNING the whole row as the ORM object: no SELECT of what was just written (issue #19).
        return session.scalars(stmt.returning(OutboxMessage)).first()
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == values["dedupe_key"])):
        return None
    new_id = session.execute(insert(OutboxMessage).values(**values).returning(OutboxMessage.id)).scalar()
    return session.get(OutboxMessage, new_id)


def enqueue_many(session: Session, messages: list[dict[str, Any]], now: dt.datetime | None = None) -> int:
    """Queue many messages in one statement (the jobs' set-based path); existing dedupe keys are skipped.

    Each item has channel, recipient, text, dedupe_key and optionally petition_id and payload.
    Returns how many were new.
    """
    if not messages:
        return 0
    now = now or utcnow()
    rows = [{"dedupe_key": m["dedupe_key"][:200], "channel": m["channel"], "recipient": m["recipient"][:254],
             "text": m["text"], "payload": m.get("payload") or {}, "petition_id": m.get("petition_id"),
             "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now} for m in messages]
    dialect = session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        return sum(enqueue(session, petition=None, now=now, **{k: r[k] for k in
                                                                ("channel", "recipient", "text", "dedupe_key")})
                   is not None for r in rows)
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedupe_key"])
    return len(session.execute(stmt.returning(OutboxMessage.id), rows).all())


def office_targets(office: Office) -> list[tuple[str, str]]:
    """(channel, recipient) of an office: its staff console, and its Telegram / Zalo group when set."""
    targets = [("console", f"office:{office.id}"), ("telegram", office.telegram_chat_id),
               ("zalo", office.zalo_group_id)]
    return [(channel, recipient) for channel, recipient in targets if recipient]


def enqueue_office_notice(session: Session, office: Office, text: str, dedupe_key: str,
                          petition: Petition | None = None, payload: dict[str, Any] | None = None,
                          now: dt.datetime | None = None) -> list[OutboxMessage]:
    """To the office's staff console, and its Telegram / Zalo group when it has one."""
    out = []
    for channel, recipient in office_targets(office):
        msg = enqueue(session, channel=channel, recipient=recipient, text=text, petition=petition,
                      dedupe_key=f"{dedupe_key}:{channel}", payload=payload, now=now)
        if msg is not None:
            out.append(msg)
    return out


def notify_users(session: Session, *, role: str, unit_id: int, text: str, dedupe_key: str,
                 office_id: int | None = None, petition: Petition | None = None,
                 now: dt.datetime | None = None) -> list[OutboxMessage]:
    """To every active user of a role in a unit (or office), on their staff console."""
    query = select(User).where(User.role == role, User.unit_id == unit_id, User.active.is_(True))
    if office_id is not None:
        query = query.where(User.office_id == office_id)
    out = []
    for user in session.scalars(query.order_by(User.id)):
        msg = enqueue(session, channel="console", recipient=f"user:{user.id}", text=text, petition=petition,
                      dedupe_key=f"{dedupe_key}:user:{user.id}", now=now)
        if msg is not None:
            out.append(msg)
    return out


def citizen_contact(petition: Petition) -> tuple[str, str] | None:
    """(channel, recipient) a notice to the citizen goes by first (citizens.targets: chat, else ZNS to the
    phone; e-mail besides); None when they cannot or must not be reached (TC Đ25)."""
    return citizens.contact(petition)


def notify_citizen(session: Session, petition: Petition, text: str, dedupe_key: str,
                   payload: dict[str, Any] | None = None, now: dt.datetime | None = None, *,
                   chat: bool = True) -> OutboxMessage | None:
    """To the citizen on every channel of citizens.targets (the chat they used, else ZNS falling back to SMS;
    and e-mail); returns the first message queued, None when they cannot or must not be reached.

    The first target keeps `dedupe_key`, the others add their channel to it, so a retried action queues
    nothing twice. An answer (`payload.reply_kind == "answer"`) to a chat goes with the 1-5 rating buttons,
    and the conversation then waits for a rating: a bare number typed after it rates the petition."""
    first = None
    for i, target in enumerate(citizens.targets(petition, chat=chat)):
        body = {**(payload or {}), **target.payload}
        rated = target.channel in CHAT_CHANNELS and body.get("reply_kind") == "answer"
        if rated:
            body.update(chat_state.rating_payload(petition.code))
        message = enqueue(session, channel=target.channel, recipient=target.recipient, text=text, petition=petition,
                          dedupe_key=dedupe_key if i == 0 else f"{dedupe_key}:{target.channel}", payload=body,
                          now=now)
        if message is not None and rated:
            chat_state.await_rating(session, target.channel, target.recipient, petition.code)
        first = first or message
    return first


@lru_cache(maxsize=16)
def _template(name: str) -> Template:
    return Template((NOTICES_DIR / f"{name}.txt").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _bases() -> dict[str, dict[str, str]]:
    return yaml.safe_load((NOTICES_DIR / "bases.yaml").read_text(encoding="utf-8")) or {}


def notice_basis(notice: str, kind: str) -> str:
    by_kind = _bases().get(notice, {})
    return by_kind.get(kind) or by_kind.get("*", "")


def render_notice(notice: str, **values: Any) -> str:
    """The notice's Vietnamese text; unknown placeholders are left visible rather than failing."""
    text = _template(notice).safe_substitute({k: "" if v is None else v for k, v in values.items()})
    return "\n".join(line for line in text.splitlines() if line.strip())


def send_notice(session: Session, petition: Petition, notice: str, actor: Actor, dedupe_key: str, *,
                document_number: str | None = None, at: dt.datetime | None = None, send: bool = True,
                **values: Any) -> Reply | None:
    """Render a legal notice, keep it as a Reply, and queue it for the citizen (unless send=False:
    a notice entered afterwards from paper records was already given on paper)."""
    if petition.kind == "to_cao" and petition.anonymous:
        return None
    text = render_notice(notice, **values)
    reply = Reply(petition_id=petition.id, kind=notice, text=text, document_number=document_number,
                  author_id=actor.user_id, created_at=at or utcnow())
    session.add(reply)
    if send:
        short = citizens.short_payload(petition, notice, date=str(values.get("date") or ""),
                                       due=str(values.get("due") or ""))
        notify_citizen(session, petition, text, dedupe_key, payload={"reply_kind": notice, **short}, now=at)
    return reply
