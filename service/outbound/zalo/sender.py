"""The Zalo OA sender of the outbox registry: consultation messages to followers, text to staff groups.

Zalo lets an OA reply for free only within 48 hours of the user's last message. Past that window
(ChatConversation.last_inbound_at), or when Zalo says the user cannot be reached, the sender raises
`Unreachable`: a notice then goes on by its fallback chain (ZNS, then SMS: service.outbound.fallback,
payload `fallback_from: zalo`) and this row is closed as failed with that explanation, so nothing is sent
twice; the chat's own prompts have no chain and stay in the chat.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Mapping
from urllib.parse import urlsplit

from sqlalchemy import select

from service.db import Database, utcnow
from service.models.channel import ChatConversation
from service.models.unit import Office
from service.outbound import Outgoing, SendError, Unreachable
from service.outbound.replies import Reply
from service.outbound.zalo import tokens
from service.outbound.zalo.client import ZaloApiError, ZaloClient, ZaloError

logger = logging.getLogger(__name__)

CHANNEL = "zalo"
FREE_WINDOW = dt.timedelta(hours=48)
TEXT_LIMIT = 2000  # Zalo's limit for a consultation text message


def client_from(settings: Mapping[str, Any], timeout: float = 5.0) -> ZaloClient:
    return ZaloClient(str(settings.get("ZALO_APP_ID") or ""), str(settings.get("ZALO_APP_SECRET") or ""),
                      api_base=str(settings.get("ZALO_API_BASE_URL") or ""),
                      oauth_base=str(settings.get("ZALO_OAUTH_BASE_URL") or ""), timeout=timeout)


def api_host(settings: Mapping[str, Any]) -> str:
    """The configured API host, from which media may also be downloaded (a local fake in tests)."""
    return urlsplit(str(settings.get("ZALO_API_BASE_URL") or "")).hostname or ""


def render(reply: Reply) -> str:
    """The text, then the choices numbered 1., 2., … (Zalo consultation messages carry no keyboard)."""
    choices = reply.choices
    options = ""
    if choices:
        options = "\n\n" + "\n".join(f"{i}. {b.label}" for i, b in enumerate(choices, 1)) + \
            "\n(Trả lời bằng số thứ tự, ví dụ: 1)"
    room = TEXT_LIMIT - len(options)
    text = reply.text if len(reply.text) <= room else reply.text[:room - 1] + "…"
    return text + options


class ZaloSender:
    """Sends one outbox row as it was queued; reads the token, the group list and the reply window, and
    queues the e-mail or SMS that stands in for a message Zalo may not carry."""

    def __init__(self, database: Database, settings: Mapping[str, Any], client: ZaloClient | None = None, *,
                 timeout: float = 5.0):
        self.database, self.settings = database, settings
        self.client = client or client_from(settings, timeout=timeout)

    def __call__(self, message: Outgoing) -> str | None:
        group = self._is_group(message.recipient)
        if not group and self._window_closed(message.recipient):
            raise Unreachable("window_closed: more than 48 h since the citizen's last message")
        text = render(Reply.from_outbox(message.text, message.payload))
        try:
            message_id = self._send(group, message.recipient, text)
        except ZaloApiError as exc:
            if exc.window_closed and not group:
                raise Unreachable(f"unreachable on zalo ({exc.code})") from exc
            raise SendError(str(exc)) from exc
        except ZaloError as exc:
            raise SendError(str(exc)) from exc
        return message_id

    def _send(self, group: bool, recipient: str, text: str) -> str:
        """Send with the stored token; when Zalo calls it invalid, refresh once (under the lock) and retry."""
        send = self.client.send_group_text if group else self.client.send_text
        token = tokens.access_token(self.database, self.client, self.settings)
        try:
            return send(token, recipient, text)
        except ZaloApiError as exc:
            if not exc.token_invalid:
                raise
        token = tokens.refresh(self.database, self.client, self.settings, stale=token)
        return send(token, recipient, text)

    def _is_group(self, recipient: str) -> bool:
        with self.database.session_scope() as session:
            return session.scalar(select(Office.id).where(Office.zalo_group_id == recipient).limit(1)) is not None

    def _window_closed(self, user_id: str, now: dt.datetime | None = None) -> bool:
        with self.database.session_scope() as session:
            last = session.scalar(select(ChatConversation.last_inbound_at).where(
                ChatConversation.channel == CHANNEL, ChatConversation.chat_user_id == user_id))
        return last is None or (now or utcnow()) - last > FREE_WINDOW


def build(database: Database, settings: Mapping[str, Any], client: ZaloClient | None = None, *,
          timeout: float = 5.0) -> ZaloSender:
    """The registry's factory (service.outbound.build)."""
    return ZaloSender(database, settings, client, timeout=timeout)
