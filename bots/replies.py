"""What the conversation says (Reply, Button) and hears (Incoming), independent of any chat platform.

Adapters render a Reply as Telegram keyboards or as Zalo text with numbered options, and the
conversation accepts a button's value, its label or its number, with or without diacritics.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from service.domain.inbound import AttachmentData, Location
from service.domain.text import fold

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
        payload = payload or {}
        buttons = [Button(b["label"], b["value"], b.get("kind", CHOICE)) for b in payload.get("buttons", [])]
        return cls(text, buttons, bool(payload.get("inline")))


@dataclass
class Incoming:
    """One message or button press from a citizen, already stripped of platform details."""

    channel: str  # telegram | zalo
    chat_user_id: str
    external_id: str  # update_id / msg_id: processed once
    text: str | None = None
    choice: str | None = None  # a button's value (Telegram callback data)
    phone: str | None = None  # a shared contact
    contact_name: str | None = None
    location: Location | None = None
    photos: list[AttachmentData] = field(default_factory=list)
    refused_files: list[str] = field(default_factory=list)  # why a file could not be taken (Vietnamese)
    display_name: str | None = None  # the platform profile name, offered as the petitioner's name
    event: str = "message"  # message | follow
    at: dt.datetime | None = None


def pick(buttons: list[Button], incoming: Incoming) -> str | None:
    """The value of the button the citizen chose: pressed, typed by label, by number or by an alias."""
    choices = [b for b in buttons if b.kind == CHOICE]
    if incoming.choice:
        return incoming.choice if any(b.value == incoming.choice for b in choices) else None
    said = fold(incoming.text or "")
    if not said:
        return None
    if said.isdigit():
        number = int(said)
        return choices[number - 1].value if 1 <= number <= len(choices) else None
    for b in choices:
        if said == fold(b.label) or said in b.aliases:
            return b.value
    return None
