"""The daily retention job: erase personal data whose period has ended (service.domain.people.privacy)."""
from __future__ import annotations

import logging
from typing import Any, Mapping

from service.db import Database
from service.domain.people import privacy

logger = logging.getLogger(__name__)


def options(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The job's arguments from the jobs process's settings (RETENTION_*), built once by build_scheduler."""
    return {"policy": privacy.RetentionPolicy.from_settings(settings)}


def apply_retention(database: Database, policy: privacy.RetentionPolicy | None = None) -> privacy.RetentionResult:
    """Erase what is past `policy` (the defaults of config/settings.example.env when None)."""
    policy = policy or privacy.RetentionPolicy()
    with database.session_scope() as session:
        result = privacy.apply_retention(session, policy)
    logger.info("retention: %d people anonymised, %d requests, %d attachments, %d chat drafts, %d sent messages "
                "erased", result.people, result.requests, result.attachments, result.conversations, result.messages)
    return result
