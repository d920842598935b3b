"""The claim on an outbox row while it is being sent, shared by the jobs' dispatch (service.jobs.dispatch)
and the webhooks' reply-right-after-commit (bots.delivery).

A claimed row has status "sending" and a lease (`claimed_until`); only the holder of that lease may
finish it, so a row whose sender died is sent again after the lease, and never by two at once.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from service.db import Database
from service.models.outbox import OutboxMessage
from service.outbound import Outgoing

CLAIM_FOR = dt.timedelta(minutes=5)  # longer than any sender's timeout, so a live claim never lapses
BASE_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(hours=6)
MAX_ATTEMPTS = 8


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, … capped at 6 h."""
    return min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


def finish(database: Database, message: Outgoing, until: dt.datetime | None, **values) -> None:
    """Set the row's outcome (sent, pending again, failed) and drop the claim, if the claim is still ours."""
    with database.session_scope() as session:
        session.execute(update(OutboxMessage)
                        .where(OutboxMessage.id == message.id, OutboxMessage.status == "sending",
                               OutboxMessage.claimed_until == until)
                        .values(claimed_until=None, **values).execution_options(synchronize_session=False))
