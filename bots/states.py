"""The states of the conversation (bots/conversation.mmd) and what goes with them."""
from __future__ import annotations

IDLE, MENU, LOOKUP, RATING, REOPEN = "idle", "menu", "lookup", "rating", "reopen_offer"
KIND, DESCRIBE, UNIT, UNIT_CHOICE, PLACE = "kind", "describe", "unit", "unit_choice", "place"
CONTACT, NAME, CO_SIGNERS, CONSENT, CONFIRM, EDIT = "contact", "name", "co_signers", "consent", "confirm", "edit"
DRAFTING = frozenset({KIND, DESCRIBE, UNIT, UNIT_CHOICE, PLACE, CONTACT, NAME, CO_SIGNERS, CONSENT, CONFIRM, EDIT})
MAX_CHOICES = 8  # units offered when a typed name is ambiguous
# The step each field of a refused submission sends the citizen back to.
FIELD_STEPS = {"content": DESCRIBE, "unit": UNIT, "kind": KIND, "co_signers": CO_SIGNERS, "petitioner": CONTACT,
               "petitioner.phone": CONTACT, "petitioner.name": NAME, "location.address": PLACE}
