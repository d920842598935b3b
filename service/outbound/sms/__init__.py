"""The SMS sender: a Vietnamese brandname provider behind a small interface (`Provider`), SpeedSMS first.

A provider says how long a message may be and whether it takes diacritics; the sender writes the content
to fit: the notice's short text (payload `short`) or its full text, without diacritics when the provider's
message type requires it, shortened to the limit, and always ending with the tracking code and a short status
link (PUBLIC_BASE_URL/tra-cuu?code=…). Adding eSMS, VNPT or Viettel is one module with `send` and an entry
in PROVIDERS (SMS_PROVIDER=<name>).
"""
from __future__ import annotations

import importlib
from typing import Any, Mapping, Protocol

from service.domain.notifications.citizens import phone_e164
from service.domain.text import strip_marks
from service.outbound import Outgoing, SendError

PROVIDERS = {"speedsms": "service.outbound.sms.speedsms:SpeedSms"}


class Provider(Protocol):
    name: str
    max_chars: int  # the longest content the sender will hand over
    unicode: bool  # False: content without diacritics (brandname messages)

    def send(self, phone: str, content: str, reference: str) -> str | None:
        """Send one message to a phone in the 84… form; the provider's message id. Raises SendError."""


ASCII_PUNCTUATION = str.maketrans({"–": "-", "—": "-", "…": "...", "“": '"', "”": '"', "‘": "'", "’": "'"})


def ascii_only(text: str) -> str:
    """Vietnamese without diacritics, in the GSM-safe ASCII a brandname message takes."""
    plain = strip_marks(text).translate(ASCII_PUNCTUATION)
    return "".join(ch if 32 <= ord(ch) < 127 else " " for ch in plain)


def status_link(settings: Mapping[str, Any], code: str | None) -> str:
    base = str(settings.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}/tra-cuu?code={code}" if code else base


def content(message: Outgoing, settings: Mapping[str, Any], *, max_chars: int, unicode: bool) -> str:
    """The message as the provider takes it: short text, then the code and the link, within max_chars."""
    payload = message.payload or {}
    code = payload.get("code")
    text = " ".join(str(payload.get("short") or message.text).split())
    tail = ""
    if code:
        tail = f" Ma don: {code}." if not unicode else f" Mã đơn: {code}."
        if code in text:
            tail = ""
        tail += f" Tra cuu: {status_link(settings, code)}" if not unicode else f" Tra cứu: {status_link(settings, code)}"
    if not unicode:
        text = ascii_only(text)
    room = max_chars - len(tail)
    if len(text) > room:
        text = text[:max(room - 3, 0)].rstrip() + "..."
    return (text + tail).strip()


class SmsSender:
    def __init__(self, settings: Mapping[str, Any], provider: Provider):
        self.settings, self.provider = settings, provider

    def __call__(self, message: Outgoing) -> str | None:
        phone = phone_e164(message.recipient)
        if not phone.isdigit() or len(phone) < 10:
            raise SendError(f"sms: not a phone number ({len(message.recipient)} characters)", permanent=True)
        body = content(message, self.settings, max_chars=self.provider.max_chars, unicode=self.provider.unicode)
        return self.provider.send(phone, body, f"outbox-{message.id}")


def provider_from(settings: Mapping[str, Any], **options: Any) -> Provider:
    name = str(settings.get("SMS_PROVIDER") or "").strip().lower()
    if name not in PROVIDERS:
        raise ValueError(f"SMS_PROVIDER={name!r}: chỉ hỗ trợ {', '.join(PROVIDERS)} (unknown SMS provider)")
    module, _, cls = PROVIDERS[name].partition(":")
    return getattr(importlib.import_module(module), cls)(settings, **options)


def build(database: Any, settings: Mapping[str, Any], **options: Any) -> SmsSender:
    """The registry's factory (service.outbound.build)."""
    return SmsSender(settings, provider_from(settings, **options))
