"""From one inbound update to the citizen's screen: processed once, replies through the outbox.

`receive` runs one transaction that marks the update processed (ProcessedInbound), takes the
conversation step and enqueues the replies already *claimed* by this process (status "sending"
with a lease), then sends them right after the commit. A reply that cannot be sent goes back to
"pending" for the jobs process (`dispatch_outbox`); a crash before that leaves the lease to expire,
after which the jobs process sends it. So the citizen hears back within a second, and never twice.
The sender is the channel's, built by the webhook from service.outbound; the claim, its lease and the
backoff are service.outbound.claims', shared with the jobs' dispatch.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bots import prompts
from bots.replies import Reply
from service import outbound
from service.db import Database, utcnow
from service.domain.notifications import outbox as notify
from service.models.channel import ProcessedInbound
from service.models.outbox import OutboxMessage
from service.outbound import Outgoing, SendError
from service.outbound.claims import CLAIM_FOR, backoff, finish

logger = logging.getLogger(__name__)
ORDER_HORIZON = dt.timedelta(days=2)  # older unsent replies are past Zalo's reply window anyway

Step = Callable[[Session], list[Reply]]


@dataclass
class Received:
    duplicate: bool = False
    outgoing: list[Outgoing] = field(default_factory=list)
    until: dt.datetime | None = None
    delivered: int = 0


def is_processed(database: Database, channel: str, external_id: str) -> bool:
    """A cheap check before downloading photos of an update that was already handled."""
    with database.session_scope() as session:
        return session.scalar(select(ProcessedInbound.id).where(ProcessedInbound.channel == channel,
                                                                ProcessedInbound.external_id == external_id)) is not None


def mark_processed(session: Session, channel: str, external_id: str, now: dt.datetime) -> bool:
    """Insert the processed-once row; False when another transaction already has it (a retried update)."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = (module.insert(ProcessedInbound).values(channel=channel, external_id=external_id[:128], received_at=now)
            .on_conflict_do_nothing().returning(ProcessedInbound.id))
    return session.execute(stmt).scalar() is not None


def store_replies(session: Session, channel: str, recipient: str, key: str, replies: list[Reply],
                  now: dt.datetime, until: dt.datetime | None, reply_to: str | None = None) -> list[Outgoing]:
    """Enqueue the replies in order; claimed by this process when `until` is given. `reply_to`: the
    platform's id of the message answered (Zalo sends it as recipient.message_id)."""
    out = []
    for i, reply in enumerate(replies):
        payload = reply.to_payload()
        if reply_to:
            payload = {**payload, "reply_to": reply_to}
        row = notify.enqueue(session, channel=channel, recipient=recipient, text=reply.text,
                             dedupe_key=f"{key}:{i}", payload=payload, now=now)
        if row is None:
            continue
        if until is not None:
            row.status, row.claimed_until, row.attempts = "sending", until, 1
        out.append(Outgoing(row.id, row.channel, row.recipient, row.text, dict(row.payload or {}), None,
                            row.attempts))
    session.flush()
    return out


def process(database: Database, channel: str, external_id: str, recipient: str, step: Step, *,
            now: dt.datetime | None = None, reply_to: str | None = None) -> Received:
    """One transaction: processed-once mark, the step, its replies. A failing step is rolled back and the
    citizen gets an apology instead (marked processed, so a platform retry does not fail again)."""
    now = now or utcnow()
    until = now + CLAIM_FOR
    key = f"{channel}:in:{external_id}"
    try:
        with database.session_scope() as session:
            if not mark_processed(session, channel, external_id, now):
                return Received(duplicate=True)
            replies = step(session)
            return Received(outgoing=store_replies(session, channel, recipient, key, replies, now, until, reply_to),
                            until=until)
    except Exception:
        logger.exception("%s update %s failed; the citizen is asked to resend", channel, external_id)
    with database.session_scope() as session:
        if not mark_processed(session, channel, external_id, now):
            return Received(duplicate=True)
        return Received(outgoing=store_replies(session, channel, recipient, key, [Reply(prompts.APOLOGY)], now,
                                               until, reply_to), until=until)


def deliver(database: Database, received: Received, sender: outbound.Sender) -> int:
    """Send the claimed replies in order; on the first failure the rest wait for the jobs process."""
    for i, message in enumerate(received.outgoing):
        try:
            sender(message)
        except Exception as exc:  # counted and kept, never lost
            permanent = isinstance(exc, SendError) and exc.permanent
            logger.info("%s reply %s not sent now (%s); left to the jobs process", message.channel, message.id,
                        exc.__class__.__name__)
            _release(database, received.outgoing[i:], received.until, f"{exc.__class__.__name__}: {exc}"[:1000],
                     permanent)
            return i
        finish(database, message, received.until, status="sent", sent_at=utcnow(), last_error=None)
        received.delivered += 1
    return len(received.outgoing)


def _release(database: Database, messages: list[Outgoing], until: dt.datetime | None, error: str,
             permanent: bool) -> None:
    """The failed reply and the ones after it go back to the outbox (the failed one counts an attempt)."""
    retry_at = utcnow() + backoff(1)
    first, rest = messages[0], messages[1:]
    if permanent:
        finish(database, first, until, status="failed", last_error=error)
    else:
        finish(database, first, until, status="pending", last_error=error, next_attempt_at=retry_at)
    for message in rest:
        finish(database, message, until, status="pending", attempts=0, next_attempt_at=retry_at)


ORDER_WAIT = 15.0  # seconds to wait for an earlier message to this user being sent or due now
ORDER_POLL = 0.2
SOON = dt.timedelta(seconds=10)  # an earlier message due this soon is waited for rather than queued behind


def _earlier(database: Database, first: Outgoing) -> str | None:
    """What stands before these replies to this user: 'wait' while another process is sending an earlier
    one or one is due within seconds (the jobs process dispatches every 5 s), 'behind' when one waits for a
    later retry, else None."""
    now = utcnow()
    with database.session_scope() as session:
        rows = session.execute(select(OutboxMessage.status, OutboxMessage.next_attempt_at,
                                      OutboxMessage.claimed_until).where(
            OutboxMessage.channel == first.channel, OutboxMessage.recipient == first.recipient,
            OutboxMessage.id < first.id, OutboxMessage.status.in_(("pending", "sending")),
            OutboxMessage.created_at >= now - ORDER_HORIZON)).all()
    if any((claim is not None and claim > now) if status == "sending" else due <= now + SOON
           for status, due, claim in rows):
        return "wait"
    return "behind" if rows else None


def deliver_in_order(database: Database, received: Received, sender: outbound.Sender) -> int:
    """`deliver`, after any earlier message to the same user that is being sent or is due now; when an
    earlier one waits for a later retry, these wait behind it (jobs process), so the user reads them in order."""
    if not received.outgoing:
        return 0
    first = received.outgoing[0]
    deadline = time.monotonic() + ORDER_WAIT
    while (state := _earlier(database, first)) == "wait" and time.monotonic() < deadline:
        time.sleep(ORDER_POLL)
    if state is not None:
        _release(database, received.outgoing, received.until, f"behind an earlier message ({state})", False)
        return 0
    return deliver(database, received, sender)


def receive(database: Database, channel: str, external_id: str, recipient: str, step: Step,
            sender: outbound.Sender, *, now: dt.datetime | None = None) -> Received:
    """Process once, commit, then answer at once (the outbox keeps what could not be sent)."""
    received = process(database, channel, external_id, recipient, step, now=now)
    if not received.duplicate:
        deliver(database, received, sender)
    return received
