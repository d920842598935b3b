"""What the conversation hears (Incoming), independent of any chat platform, and what it says (Reply, Button:
defined in service.outbound.replies, since the senders render them).

The senders render a Reply as Telegram keyboards or as Zalo text with numbered options, and the
conversation accepts a button's value, its label or its number, with or without diacritics.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from service.domain.inbound import AttachmentData, Location
from service.domain.text import fold
from service.outbound.replies import CHOICE, CONTACT, LOCATION, Button, Reply

__all__ = ["CHOICE", "CONTACT", "LOCATION", "Button", "Incoming", "Reply", "pick"]


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
    message_id: str | None = None  # the platform's id of the message (an edit names it)
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


def command_of(text: str | None) -> tuple[str, list[str]] | None:
    """'/TiepDan@tiepdan_bot 3' -> ('tiepdan', ['3']); None when the message is not a command."""
    if not text or not text.startswith("/"):
        return None
    head, *args = text.split()
    return fold(head.split("@", 1)[0]).replace(" ", ""), args


# The answers every side flow (dialogue sessions, reception days) asks with.
YES_NO = [Button("Đồng ý", "yes", aliases=("co", "dong y", "ok", "u", "vang")),
          Button("Không đồng ý", "no", aliases=("khong", "ko", "khong dong y"))]
OTHER_UNIT = Button("Chọn xã, phường khác", "unit", aliases=("doi xa", "xa khac", "phuong khac"))
EXIT = Button("Thoát", "exit", aliases=("thoat",))
ASK_NAME = "Họ và tên của bạn?"


def enters(turn, prefix: str, commands: frozenset[str], words: frozenset[str]) -> bool:
    """Whether a message belongs to a side flow whose states start with `prefix`: one of its steps, its command,
    or (when no petition is being written) one of its words."""
    if (turn.state or "").startswith(prefix):
        return True
    command = command_of(turn.inc.text)
    if command is not None:
        return command[0] in commands
    return not turn.drafting and fold(turn.inc.text or "") in words
