"""The daily retention job: erase personal data whose period has ended (service.domain.people.privacy)."""
from __future__ import annotations

import logging

from service.db import Database
from service.domain.people import privacy
from service.settings import load_settings

logger = logging.getLogger(__name__)


def apply_retention(database: Database) -> privacy.RetentionResult:
    policy = privacy.RetentionPolicy.from_settings(load_settings())
    with database.session_scope() as session:
        result = privacy.apply_retention(session, policy)
    logger.info("retention: %d people anonymised, %d requests, %d attachments, %d chat drafts, %d sent messages "
                "erased", result.people, result.requests, result.attachments, result.conversations, result.messages)
    return result
