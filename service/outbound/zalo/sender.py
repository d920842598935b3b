"""The Zalo OA sender of the outbox registry: consultation messages to followers, text to staff groups.

Zalo lets an OA reply for free only within 48 hours of the user's last message. Past that window
(ChatConversation.last_inbound_at), or when Zalo says the user cannot be reached, the sender raises
`Unreachable`: a notice then goes on by its fallback chain (ZNS, then SMS: service.outbound.fallback,
payload `fallback_from: zalo`) and this row is closed as failed with that explanation, so nothing is sent
twice; the chat's own prompts have no chain and stay in the chat. A citizen who unfollowed the OA
(ChatConversation.blocked_at) is Unreachable at once, without a call.

A reply carries the id of the message it answers (payload `reply_to`, sent as recipient.message_id), so Zalo
counts it as an answer to the user rather than a proactive message. A reply asking for the phone (a CONTACT
button, which only Telegram can draw) is followed by Zalo's request_user_info form: one tap shares the name
and phone (the `user_submit_info` event); the text says to tap that form instead of a Telegram button.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Mapping
from urllib.parse import urlsplit

from sqlalchemy import select

from service.db import Database, utcnow
from service.domain.notifications import chat_state
from service.models.channel import ChatConversation
from service.models.unit import Office
from service.outbound import Outgoing, SendError, Unreachable
from service.outbound.replies import CONTACT, Reply
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


INFO_FORM = "“Chia sẻ thông tin” ở tin tiếp theo"
INFO_TITLE = "Chia sẻ số điện thoại với cơ quan tiếp nhận"
INFO_SUBTITLE = "Bấm vào đây để gửi họ tên và số điện thoại Zalo của bạn cho cơ quan tiếp nhận đơn."


def _plain_label(label: str) -> str:
    return "".join(ch for ch in label if ch.isalnum() or ch.isspace()).strip()


def asks_phone(reply: Reply) -> bool:
    return any(b.kind == CONTACT for b in reply.buttons)


def render(reply: Reply) -> str:
    """The text, then the choices numbered 1., 2., … (Zalo consultation messages carry no keyboard). A
    Telegram-only button the text names (“Chia sẻ số điện thoại”) is replaced by the Zalo form that follows."""
    choices = reply.choices
    text = reply.text
    for button in reply.buttons:
        if button.kind == CONTACT:
            text = text.replace(f"“{_plain_label(button.label)}”", INFO_FORM)
    reply = Reply(text, reply.buttons, reply.inline)
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
        if not group and self._blocked(message.recipient):
            raise Unreachable("unfollowed: the citizen no longer follows the OA")
        if not group and self._window_closed(message.recipient):
            raise Unreachable("window_closed: more than 48 h since the citizen's last message")
        reply = Reply.from_outbox(message.text, message.payload)
        reply_to = None if group else (message.payload or {}).get("reply_to")
        try:
            message_id = self._send(group, message.recipient, render(reply), reply_to)
        except ZaloApiError as exc:
            if exc.window_closed and not group:
                raise Unreachable(f"unreachable on zalo ({exc.code})") from exc
            raise SendError(str(exc)) from exc
        except ZaloError as exc:
            raise SendError(str(exc)) from exc
        if not group and asks_phone(reply):
            self._info_form(message.recipient, reply_to)
        return message_id

    def _info_form(self, user_id: str, reply_to: str | None) -> None:
        """The request_user_info form after the text; the text also says to type the number, so a form
        Zalo refuses is logged, not retried (retrying would send the text twice)."""
        image = str(self.settings.get("ZALO_INFO_IMAGE_URL") or "") or \
            str(self.settings.get("PUBLIC_BASE_URL") or "").rstrip("/") + "/static/zalo-info.png"
        try:
            token = tokens.access_token(self.database, self.client, self.settings)
            self.client.request_user_info(token, user_id, INFO_TITLE, INFO_SUBTITLE, image, reply_to)
        except ZaloError as exc:
            logger.info("zalo request_user_info not sent: %s", exc.__class__.__name__)

    def _send(self, group: bool, recipient: str, text: str, reply_to: str | None = None) -> str:
        """Send with the stored token; when Zalo calls it invalid, refresh once (under the lock) and retry."""
        def send(token: str) -> str:
            if group:
                return self.client.send_group_text(token, recipient, text)
            return self.client.send_text(token, recipient, text, reply_to)

        token = tokens.access_token(self.database, self.client, self.settings)
        try:
            return send(token)
        except ZaloApiError as exc:
            if not exc.token_invalid:
                raise
        token = tokens.refresh(self.database, self.client, self.settings, stale=token)
        return send(token)

    def _blocked(self, user_id: str) -> bool:
        with self.database.session_scope() as session:
            return chat_state.is_blocked(session, CHANNEL, user_id)

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
