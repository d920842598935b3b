"""Senders of outgoing messages, one per channel, behind a registry (redash `destinations`).

A sender is a callable taking an `Outgoing` and returning the provider's message id (or None).
It raises `SendError` on failure; `permanent=True` means retrying cannot help. A sender sends what
was queued: it never changes conversation state. The jobs process (`python -m service.jobs`) registers
the configured senders (`register_configured`) and calls them after the outbox row is committed and
claimed (service.jobs.dispatch); the chat webhooks build their own with short timeouts (`build`) to
reply right after their commit (bots.delivery).

Every sender lives here: console.py, telegram.py, zalo/, zns.py, sms/ (SpeedSMS, …), email.py.
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """A detached copy of an outbox row: senders run outside any database transaction."""

    id: int
    channel: str
    recipient: str
    text: str
    payload: dict[str, Any] = field(default_factory=dict)
    petition_id: int | None = None
    attempts: int = 0


class SendError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Unreachable(SendError):
    """This channel cannot carry the message to this citizen (no Zalo account, template not approved, quota
    spent, bot blocked, reply window closed): never retried here; the dispatcher queues the next channel of
    the message's fallback chain (payload `fallback`, service.domain.notifications.citizens)."""

    def __init__(self, message: str):
        super().__init__(message, permanent=True)


Sender = Callable[[Outgoing], "str | None"]
_senders: dict[str, Sender] = {}


def register(channel: str, sender: Sender) -> None:
    """Register (or replace) the sender of a channel."""
    _senders[channel] = sender


def unregister(channel: str) -> None:
    _senders.pop(channel, None)


def get(channel: str) -> Sender | None:
    return _senders.get(channel)


def channels() -> list[str]:
    return sorted(_senders)


# The senders that need settings: channel -> (the setting that turns it on, "module:factory"). A factory
# takes (database, settings, **options); imported only when built, so the registry alone loads no chat library.
# Several settings separated by "|": any one of them turns the sender on.
CONFIGURABLE: dict[str, tuple[str, str]] = {
    "telegram": ("TELEGRAM_BOT_TOKEN", "service.outbound.telegram:build"),
    "zalo": ("ZALO_APP_ID", "service.outbound.zalo.sender:build"),
    "zns": ("ZALO_ACCESS_TOKEN|ZALO_APP_ID", "service.outbound.zns:build"),  # the OA's token, stored or given
    "sms": ("SMS_PROVIDER", "service.outbound.sms:build"),
    "email": ("SMTP_URL", "service.outbound.email:build"),
}


def configured(channel: str, settings: Mapping[str, Any]) -> bool:
    setting, _ = CONFIGURABLE[channel]
    return any(settings.get(name) for name in setting.split("|"))


def build(channel: str, database: Any, settings: Mapping[str, Any], **options: Any) -> Sender:
    """A new sender of a configurable channel (options such as a shorter timeout), not registered."""
    _, target = CONFIGURABLE[channel]
    module, _, factory = target.partition(":")
    return getattr(importlib.import_module(module), factory)(database, settings, **options)


def register_configured(database: Any, settings: Mapping[str, Any]) -> list[str]:
    """Register the sender of every configured channel (Telegram: TELEGRAM_BOT_TOKEN, Zalo: ZALO_APP_ID,
    ZNS: the OA's token, SMS: SMS_PROVIDER, e-mail: SMTP_URL); returns their channels. Rows of a channel left out wait in the outbox."""
    registered = []
    for channel, (setting, _) in CONFIGURABLE.items():
        if configured(channel, settings):
            register(channel, build(channel, database, settings))
            registered.append(channel)
        else:
            logger.warning("%s is not set: %s messages stay in the outbox", setting, channel)
    return registered


from service.outbound import console as _console  # noqa: E402  (registers the built-in sender)

register("console", _console.send)
