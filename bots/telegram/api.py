"""A synchronous facade over python-telegram-bot's async `Bot`, for the Flask webhook and the jobs process.

Each call runs in its own `asyncio.run` with a fresh Bot (PTB 22 is async; its httpx client is tied to
one event loop), without `initialize()`, so no getMe round trip precedes every message. Both the Bot
API and file downloads go through TELEGRAM_API_BASE_URL (`/bot<token>`, `/file/bot<token>`).
"""
from __future__ import annotations

import asyncio
import io
import logging
from typing import Any, Awaitable, Callable, TypeVar

from telegram import Bot, Message
from telegram.request import HTTPXRequest

logger = logging.getLogger(__name__)
logging.getLogger("httpx").setLevel(logging.WARNING)  # httpx logs every URL, and the URL carries the token

T = TypeVar("T")
DEFAULT_BASE_URL = "https://api.telegram.org"


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

    def set_webhook(self, url: str, secret_token: str) -> bool:
        return self.run(lambda bot: bot.set_webhook(url=url, secret_token=secret_token,
                                                    allowed_updates=["message", "callback_query"]))
