"""The reception days' job: citizens booked on tomorrow's reception day are reminded (once: the outbox dedupe key)."""
from __future__ import annotations

import logging

from service.db import Database
from service.domain.reception import schedule

logger = logging.getLogger(__name__)


def reception_reminders(database: Database) -> int:
    with database.session_scope() as session:
        sent = schedule.remind_bookings(session)
    if sent:
        logger.info("reception reminders: %d", sent)
    return sent


def supporter_notices(database: Database) -> int:
    """Supporters of a matter ("tôi cũng gặp vấn đề này") are told once it is answered."""
    from service.domain.reception import supporters

    with database.session_scope() as session:
        sent = supporters.notify_answered(session)
    if sent:
        logger.info("supporter notices: %d", sent)
    return sent
