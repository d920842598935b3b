"""Outbox dispatch: claim due messages, send each after the claim is committed, mark it sent.

A claim sets status "sending" and a lease (`claimed_until`) in one conditional UPDATE, so two
dispatchers never send the same row (on PostgreSQL the candidates are also read FOR UPDATE SKIP
LOCKED). A failed send is retried with exponential backoff and given up after MAX_ATTEMPTS.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import and_, or_, select, update

from service import outbound
from service.db import Database, utcnow
from service.models.outbox import OutboxMessage
from service.outbound import Outgoing, SendError, Unreachable
from service.outbound.fallback import fall_back
from service.outbound.claims import CLAIM_FOR, MAX_ATTEMPTS, backoff, finish

logger = logging.getLogger(__name__)

@dataclass
class DispatchResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _due(now: dt.datetime):
    stale = and_(OutboxMessage.status == "sending", OutboxMessage.claimed_until < now)  # its dispatcher died
    return and_(or_(OutboxMessage.status == "pending", stale), OutboxMessage.next_attempt_at <= now)


def claim(database: Database, now: dt.datetime, batch: int) -> tuple[list[Outgoing], dt.datetime]:
    """Claim up to `batch` due messages for this dispatcher; committed before anything is sent."""
    until = now + CLAIM_FOR
    with database.session_scope() as session:
        query = select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.next_attempt_at,
                                                                   OutboxMessage.id).limit(batch)
        if database.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(session.scalars(query))
        if not ids:
            return [], until
        # The WHERE is checked again by the UPDATE: whoever loses a race claims nothing.
        rows = session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids), _due(now))
            .values(status="sending", claimed_until=until, attempts=OutboxMessage.attempts + 1)
            .returning(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.recipient, OutboxMessage.text,
                       OutboxMessage.payload, OutboxMessage.petition_id, OutboxMessage.attempts)
            .execution_options(synchronize_session=False)).all()
    return [Outgoing(*row) for row in sorted(rows)], until


def dispatch_outbox(database: Database, now: dt.datetime | None = None, batch: int = 50,
                    get_sender: Callable[[str], outbound.Sender | None] = outbound.get) -> DispatchResult:
    """Send what is due; returns how many were claimed, sent, retried and given up."""
    clock = (lambda: now) if now is not None else utcnow
    messages, until = claim(database, clock(), batch)
    result = DispatchResult(claimed=len(messages))
    for message in messages:
        sender = get_sender(message.channel)
        try:
            if sender is None:
                if (message.payload or {}).get("fallback"):  # a notice: the next channel of its chain
                    raise Unreachable(f"no sender registered for channel '{message.channel}'")
                raise SendError(f"no sender registered for channel '{message.channel}'")
            provider_id = sender(message)
        except Exception as exc:  # any sender failure is counted, never lost (FixMyStreet send_fail)
            permanent = isinstance(exc, SendError) and exc.permanent
            error = f"{exc.__class__.__name__}: {exc}"[:1000]
            if isinstance(exc, Unreachable):
                error = fall_back(database, message, error)[:1000]
            if permanent or message.attempts >= MAX_ATTEMPTS:
                finish(database, message, until, status="failed", last_error=error)
                result.failed += 1
                logger.warning("outbox %s (%s) given up after %s attempts", message.id, message.channel,
                               message.attempts)
            else:
                finish(database, message, until, status="pending", last_error=error,
                        next_attempt_at=clock() + backoff(message.attempts))
                result.retried += 1
                logger.info("outbox %s (%s) failed, retrying later", message.id, message.channel)
        else:
            finish(database, message, until, status="sent", sent_at=clock(), last_error=None,
                   provider_id=str(provider_id)[:128] if provider_id else None)
            result.sent += 1
    return result
