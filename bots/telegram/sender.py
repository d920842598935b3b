"""The Telegram sender of the outbox registry: citizens' chats and staff groups alike (recipient = chat id)."""
from __future__ import annotations

import logging
from typing import Any, Mapping

from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter, TelegramError

from bots import senders
from bots.telegram import adapter
from bots.telegram.api import TelegramApi
from service.db import Database
from service.outbound import Outgoing, SendError

logger = logging.getLogger(__name__)


class TelegramSender:
    """Sends one outbox row; raises SendError (permanent when retrying cannot help)."""

    def __init__(self, database: Database, settings: Mapping[str, Any], api: TelegramApi | None = None):
        self.database = database
        self.api = api or TelegramApi(str(settings.get("TELEGRAM_BOT_TOKEN") or ""),
                                      str(settings.get("TELEGRAM_API_BASE_URL") or ""))

    def __call__(self, message: Outgoing) -> str | None:
        if not self.api.token:
            raise SendError("TELEGRAM_BOT_TOKEN is not set")
        reply, code = senders.prepare(self.database, message)
        try:
            sent = self.api.send_message(message.recipient, **adapter.render(reply))
        except (Forbidden, ChatMigrated) as exc:  # blocked by the user, removed from the group, group upgraded
            raise SendError(f"telegram refused the chat: {exc}", permanent=True) from exc
        except BadRequest as exc:  # chat not found, malformed message: the same request would fail again
            raise SendError(f"telegram bad request: {exc}", permanent=True) from exc
        except RetryAfter as exc:
            raise SendError(f"telegram rate limit, retry after {exc.retry_after}") from exc
        except InvalidToken as exc:  # an operator fixes the token; the message waits
            raise SendError("telegram rejected the bot token") from exc
        except TelegramError as exc:  # network errors, 5xx
            raise SendError(f"telegram unavailable: {exc}") from exc
        senders.after_answer(self.database, adapter.CHANNEL, message.recipient, code)
        return str(sent.message_id)
