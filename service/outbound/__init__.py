"""Senders of outgoing messages, one per channel, behind a registry (redash `destinations`).

A sender is a callable taking an `Outgoing` and returning the provider's message id (or None).
It raises `SendError` on failure; `permanent=True` means retrying cannot help. The jobs process
calls senders after the outbox row is committed and claimed (service.jobs.dispatch).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


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


from service.outbound import console as _console  # noqa: E402  (registers the built-in sender)

register("console", _console.send)
