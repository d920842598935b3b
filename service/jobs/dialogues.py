"""Jobs of the dialogue sessions: commitment reminders and overdue flags, and the speakers' reminder the day before.

Each marks what it did (Commitment.reminded_at / overdue_flagged_at, outbox dedupe keys), so a rerun sends
nothing twice. The notice itself is queued when a session is announced (service.domain.dialogues.operations.announce).
"""
from __future__ import annotations

import logging
from typing import Any

from service.db import Database
from service.domain.dialogues import commitments

logger = logging.getLogger(__name__)


def dialogue_reminders(database: Database) -> dict[str, Any]:
    with database.session_scope() as session:
        counts = commitments.remind_commitments(session)
        counts["speakers"] = commitments.remind_speakers(session)
    if any(counts.values()):
        logger.info("dialogue reminders: %s", counts)
    return counts
