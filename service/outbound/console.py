"""The console sender: the message stays in the outbox for the staff console, so delivery is immediate."""
from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def send(message: Any) -> str | None:
    """Nothing to transmit: staff read console messages in the web console; marking it sent is enough."""
    logger.debug("console message %s for %s", message.id, message.recipient)
    return None
