"""InboundMessage: the one contract every channel (web, API, Open311, bots, staff entry) produces."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass
class PersonData:
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    id_number: str | None = None
    representative: bool = False  # người đại diện of a crowd (Luật Tiếp công dân Điều 29)
    refuses_sms: bool = False  # no ZNS / SMS to this phone (the citizen said so in the form)
    refuses_email: bool = False  # no e-mail


def contact_refusals(values) -> dict[str, bool]:
    """The web form's "no messages to my phone" / "no e-mail" boxes, as PersonData's refuses_* fields."""
    return {"refuses_sms": bool(values.get("refuse_sms")), "refuses_email": bool(values.get("refuse_email"))}


@dataclass
class Location:
    lat: float | None = None
    lon: float | None = None
    address: str | None = None


@dataclass
class AttachmentData:
    filename: str
    data: bytes
    declared_type: str | None = None  # what the sender claimed; never trusted


@dataclass
class InboundMessage:
    channel: str
    content: str
    title: str | None = None
    unit: str | None = None  # unit code or Vietnamese name, with or without diacritics
    kind: str | None = None  # classified when absent
    category: str | None = None
    round: int = 1
    petitioner: PersonData | None = None
    anonymous: bool = False
    co_signers: int | list[PersonData] = 0
    location: Location | None = None
    attachments: list[AttachmentData] = field(default_factory=list)
    received_at: dt.datetime | None = None  # staff only: paper or phone petitions received earlier
    consent: bool = False  # consent to personal-data processing (Luật BVDLCN 91/2025)
    allow_publication: bool = False  # the answer may be published, redacted, once Văn phòng approves (issue #21)
    chat_user_id: str | None = None  # Telegram / Zalo user, for replies in the same channel
    external_id: str | None = None  # e.g. the platform's message id, for de-duplication
    # How many co-signers in all when `co_signers` lists only some of them: a crowd that names only its
    # representatives (Luật Tiếp công dân Điều 29).
    co_signer_total: int | None = None
    # What the channel sent besides the petition, kept as given (Open311: media_url, attributes, device_id …).
    channel_data: dict[str, Any] = field(default_factory=dict)

    @property
    def co_signer_list(self) -> list[PersonData]:
        return self.co_signers if isinstance(self.co_signers, list) else []

    @property
    def co_signer_count(self) -> int:
        if isinstance(self.co_signers, list):
            return max(len(self.co_signers), self.co_signer_total or 0)
        return int(self.co_signers or 0)


@dataclass
class Actor:
    """Who submits or acts: a citizen through a channel, a staff user, or the system."""

    label: str
    user_id: int | None = None
    role: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role is not None


CITIZEN = Actor(label="Công dân")
SYSTEM = Actor(label="Hệ thống")
