"""The states of the conversation (bots/conversation.mmd) and what goes with them.

The state names are the vocabulary of ChatConversation.state, kept in service.domain.notifications.chat_state (the
domain sets RATING when it queues an answer)."""
from __future__ import annotations

from service.domain.notifications.chat_state import (  # noqa: F401  (the conversation's names)
    CO_SIGNERS, CONFIRM, CONSENT, CONTACT, DESCRIBE, DRAFTING, EDIT, IDLE, KIND, LOOKUP, MENU, NAME, PLACE, RATING,
    REOPEN, UNIT, UNIT_CHOICE,
)

MAX_CHOICES = 8  # units offered when a typed name is ambiguous
# The step each field of a refused submission sends the citizen back to.
FIELD_STEPS = {"content": DESCRIBE, "unit": UNIT, "kind": KIND, "co_signers": CO_SIGNERS, "petitioner": CONTACT,
               "petitioner.phone": CONTACT, "petitioner.name": NAME, "location.address": PLACE,
               "representatives": CO_SIGNERS, "petitioner.representative": CO_SIGNERS, "consent": CONSENT}
