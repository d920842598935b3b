"""The Telegram sender of the outbox registry (citizens' chats and staff groups alike: recipient = chat id),
and the synchronous Bot API facade it sends with, which the webhook also uses (downloads, callbacks).

`TelegramApi` is a synchronous facade over python-telegram-bot's async `Bot`. Each call runs in its own `asyncio.run` with a fresh Bot (PTB 22 is async; its httpx client is tied to
one event loop), without `initialize()`, so no getMe round trip precedes every message. Both the Bot
API and file downloads go through TELEGRAM_API_BASE_URL (`/bot<token>`, `/file/bot<token>`).
"""
from __future__ import annotations

import asyncio
import io
import logging
from typing import Any, Awaitable, Callable, Mapping, TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, Message, ReplyKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from service.domain.notifications import chat_state
from service.outbound import Outgoing, SendError, Unreachable
from service.outbound.replies import CONTACT, LOCATION, Reply

logger = logging.getLogger(__name__)
logging.getLogger("httpx").setLevel(logging.WARNING)  # httpx logs every URL, and the URL carries the token

T = TypeVar("T")
DEFAULT_BASE_URL = "https://api.telegram.org"
TEXT_LIMIT = 4096
SHORT_LABEL = 14  # labels this short go two to a keyboard row
# The updates the bot handles: messages and their edits, button presses, and being blocked or unblocked.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")


class TelegramApi:
    def __init__(self, token: str, base_url: str = DEFAULT_BASE_URL, *, timeout: float = 5.0):
        self.token = token
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout

    def bot(self, request: HTTPXRequest | None = None) -> Bot:
        return Bot(self.token, base_url=f"{self.base_url}/bot", base_file_url=f"{self.base_url}/file/bot",
                   request=request, get_updates_request=request)

    def run(self, call: Callable[[Bot], Awaitable[T]]) -> T:
        async def once() -> T:
            request = HTTPXRequest(connect_timeout=self.timeout, read_timeout=self.timeout,
                                   write_timeout=self.timeout, pool_timeout=self.timeout, connection_pool_size=2)
            try:
                return await call(self.bot(request))
            finally:
                await request.shutdown()  # the Bot was never initialised, so close its client here

        return asyncio.run(once())

    def send_message(self, chat_id: str | int, text: str, **kwargs: Any) -> Message:
        return self.run(lambda bot: bot.send_message(chat_id=chat_id, text=text, **kwargs))

    def download(self, file_id: str) -> bytes:
        """getFile, then the file itself through base_file_url."""
        async def fetch(bot: Bot) -> bytes:
            buffer = io.BytesIO()
            await (await bot.get_file(file_id)).download_to_memory(buffer)
            return buffer.getvalue()

        return self.run(fetch)

    def answer_callback(self, callback_query_id: str) -> None:
        """Stops the spinner on the pressed button; best effort."""
        try:
            self.run(lambda bot: bot.answer_callback_query(callback_query_id))
        except Exception as exc:  # the reply itself still goes out; a spinner is no reason to fail
            logger.info("answerCallbackQuery failed: %s", exc.__class__.__name__)

    def remove_buttons(self, chat_id: str | int, message_id: int) -> None:
        """editMessageReplyMarkup without a markup: the inline buttons of a message, once used, go away
        (a rating cannot be pressed twice); best effort."""
        try:
            self.run(lambda bot: bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id,
                                                               reply_markup=None))
        except Exception as exc:  # the press itself counted; a keyboard left in place is no reason to fail
            logger.info("editMessageReplyMarkup failed: %s", exc.__class__.__name__)

    def set_webhook(self, url: str, secret_token: str) -> bool:
        return self.run(lambda bot: bot.set_webhook(url=url, secret_token=secret_token,
                                                    allowed_updates=list(ALLOWED_UPDATES)))


def api_from(settings: Mapping[str, Any]) -> TelegramApi:
    return TelegramApi(str(settings.get("TELEGRAM_BOT_TOKEN") or ""), str(settings.get("TELEGRAM_API_BASE_URL") or ""))


def _rows(buttons: list[Any]) -> list[list[Any]]:
    if all(len(getattr(b, "text", "")) <= SHORT_LABEL for b in buttons):
        return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    return [[b] for b in buttons]


def render(reply: Reply) -> dict[str, Any]:
    """sendMessage arguments: inline buttons, or a one-time reply keyboard (hidden again after a press)."""
    text = reply.text if len(reply.text) <= TEXT_LIMIT else reply.text[:TEXT_LIMIT - 1] + "…"
    if reply.inline and reply.buttons:
        markup: Any = InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.value)]
                                            for b in reply.choices])
    elif reply.buttons:
        keys = [KeyboardButton(b.label, request_contact=b.kind == CONTACT or None,
                               request_location=b.kind == LOCATION or None) for b in reply.buttons]
        markup = ReplyKeyboardMarkup(_rows(keys), resize_keyboard=True, one_time_keyboard=True)
    else:
        return {"text": text}
    return {"text": text, "reply_markup": markup}


class TelegramSender:
    """Sends one outbox row as it was queued (text and buttons); raises SendError (permanent when retrying
    cannot help). It reads and writes nothing else."""

    def __init__(self, settings: Mapping[str, Any], api: TelegramApi | None = None, database: Any = None):
        self.api = api or api_from(settings)
        self.database = database

    def __call__(self, message: Outgoing) -> str | None:
        if not self.api.token:
            raise SendError("TELEGRAM_BOT_TOKEN is not set")
        private = not str(message.recipient).startswith("-")  # groups have negative ids
        if private and self._blocked(message.recipient):
            raise Unreachable("blocked: the citizen blocked the bot (my_chat_member kicked)")
        reply = Reply.from_outbox(message.text, message.payload)
        try:
            sent = self.api.send_message(message.recipient, **render(reply))
        except Forbidden as exc:
            if private:  # blocked by the citizen: a notice goes on by its fallback chain (ZNS, SMS)
                raise Unreachable(f"telegram refused the chat: {exc}") from exc
            raise SendError(f"telegram refused the chat: {exc}", permanent=True) from exc
        except ChatMigrated as exc:  # removed from the group, group upgraded
            raise SendError(f"telegram refused the chat: {exc}", permanent=True) from exc
        except BadRequest as exc:  # chat not found, malformed message: the same request would fail again
            raise SendError(f"telegram bad request: {exc}", permanent=True) from exc
        except RetryAfter as exc:
            raise SendError(f"telegram rate limit, retry after {exc.retry_after}") from exc
        except InvalidToken as exc:  # an operator fixes the token; the message waits
            raise SendError("telegram rejected the bot token") from exc
        except TelegramError as exc:  # network errors, 5xx
            raise SendError(f"telegram unavailable: {exc}") from exc
        return str(sent.message_id)

    def _blocked(self, chat_id: str) -> bool:
        if self.database is None:
            return False
        with self.database.session_scope() as session:
            return chat_state.is_blocked(session, "telegram", str(chat_id))


def build(database: Any, settings: Mapping[str, Any], api: TelegramApi | None = None) -> TelegramSender:
    """The registry's factory (service.outbound.build); the database tells a chat that blocked the bot."""
    return TelegramSender(settings, api, database)
