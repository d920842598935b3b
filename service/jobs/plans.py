"""The daily job of the plans' tasks: reminders to lead offices before due dates and report dates."""
from __future__ import annotations

import logging
from typing import Any

from service.db import Database
from service.domain.plans import reminders

logger = logging.getLogger(__name__)


def plan_reminders(database: Database, now: Any = None) -> dict[str, int]:
    with database.session_scope() as session:
        counts = reminders.remind(session, now=now)
    if any(counts.values()):
        logger.info("plan reminders: %s", counts)
    return counts
