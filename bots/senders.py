"""What the chat senders share: turning an outbox row into a Reply, and registering them for the jobs process.

The domain only enqueues (`channel=telegram|zalo, recipient=chat user id or staff group id`); an
answer (`payload.reply_kind == "answer"`) goes out with the 1-5 rating question, after which a bare
number typed by the citizen rates it.
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

from sqlalchemy import select

from bots import conversation, prompts
from bots.replies import Reply
from service import outbound
from service.db import Database
from service.models.petition import Petition
from service.outbound import Outgoing

logger = logging.getLogger(__name__)


def prepare(database: Database, message: Outgoing) -> tuple[Reply, str | None]:
    """The Reply for an outbox row, and the petition code when it is an answer to be rated."""
    payload = message.payload or {}
    if payload.get("reply_kind") == "answer" and message.petition_id:
        with database.session_scope() as session:
            code = session.scalar(select(Petition.code).where(Petition.id == message.petition_id))
        if code:
            return prompts.rating_reply(code, message.text), code
    return Reply.from_outbox(message.text, payload), None


def after_answer(database: Database, channel: str, chat_user_id: str, code: str | None) -> None:
    """Once the answer is delivered, the citizen's next bare 1-5 rates it."""
    if not code:
        return
    try:
        with database.session_scope() as session:
            conversation.await_rating(session, channel, chat_user_id, code)
    except Exception:  # the answer was delivered; the rating buttons still work without this
        logger.exception("could not set the rating state for %s", channel)


def register_senders(database: Database, settings: Mapping[str, Any]) -> list[str]:
    """Register the Telegram and Zalo senders that are configured; returns their channels."""
    from bots.telegram.sender import TelegramSender
    from bots.zalo.sender import ZaloSender

    registered = []
    if settings.get("TELEGRAM_BOT_TOKEN"):
        outbound.register("telegram", TelegramSender(database, settings))
        registered.append("telegram")
    else:
        logger.warning("TELEGRAM_BOT_TOKEN is not set: Telegram messages stay in the outbox")
    if settings.get("ZALO_APP_ID"):
        outbound.register("zalo", ZaloSender(database, settings))
        registered.append("zalo")
    else:
        logger.warning("ZALO_APP_ID is not set: Zalo messages stay in the outbox")
    return registered
