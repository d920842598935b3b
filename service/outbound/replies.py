"""What a chat message says (Reply, Button), independent of any chat platform, and its outbox form.

The conversation (bots) builds Replies; the domain enqueues their outbox form as plain data
(`payload["buttons"]`, `payload["inline"]`, optionally `payload["prompt"]`); the Telegram sender renders
them as keyboards and the Zalo sender as text with numbered options.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CHOICE, CONTACT, LOCATION = "choice", "contact", "location"


@dataclass(frozen=True)
class Button:
    label: str
    value: str
    kind: str = CHOICE  # choice | contact (share phone) | location (share position): the last two are Telegram-only
    aliases: tuple[str, ...] = ()  # folded words that also pick it ("co", "khong")


@dataclass
class Reply:
    text: str
    buttons: list[Button] = field(default_factory=list)
    inline: bool = False  # buttons attached to the message (ratings) rather than a reply keyboard

    @property
    def choices(self) -> list[Button]:
        """The buttons a number can pick, in the order Zalo numbers them."""
        return [b for b in self.buttons if b.kind == CHOICE]

    def to_payload(self) -> dict[str, Any]:
        """What the outbox keeps, so a retry by the jobs process renders the same message."""
        if not self.buttons:
            return {}
        return {"buttons": [{"label": b.label, "value": b.value, "kind": b.kind} for b in self.buttons],
                "inline": self.inline}

    @classmethod
    def from_outbox(cls, text: str, payload: dict[str, Any] | None) -> Reply:
        """The Reply of an outbox row; `payload["prompt"]` (a question asked on chat channels only, such as
        the rating question under an answer) follows the text."""
        payload = payload or {}
        prompt = payload.get("prompt")
        if prompt:
            text = f"{text}\n\n{prompt}" if text else str(prompt)
        buttons = [Button(b["label"], b["value"], b.get("kind", CHOICE)) for b in payload.get("buttons", [])]
        return cls(text, buttons, bool(payload.get("inline")))
