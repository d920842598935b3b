"""`python -m bots.telegram`: the bot in polling mode, for development or a host without a public URL.

Production uses the webhook route of the Flask app instead (`POST /bots/telegram/webhook`). Both go
through `handle_update`, so the dialogue (kept in the database, not in PTB's ConversationHandler),
the processed-once mark and the outbox behave the same. The one async callback hands each update to
the synchronous domain with `asyncio.to_thread`, so the event loop never blocks on the database.
"""
from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any, Mapping

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ChatMemberHandler, ContextTypes, MessageHandler, filters

from bots.telegram.updates import handle_update
from service import crypto, logging_filters
from service.db import Database
from service.domain.intake.limits import IntakeLimits
from service.outbound.telegram import ALLOWED_UPDATES
from service.settings import load_settings

logger = logging.getLogger("bots.telegram")


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    data = context.bot_data
    await asyncio.to_thread(handle_update, data["database"], data["settings"], update.to_dict(), limits=data["limits"])


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The global error handler: log it; the update itself was rolled back or answered with an apology."""
    logger.error("error while handling a Telegram update", exc_info=context.error)


def build_application(database: Database, settings: Mapping[str, Any]) -> Application:
    base = str(settings.get("TELEGRAM_API_BASE_URL") or "https://api.telegram.org").rstrip("/")
    application = (Application.builder().token(str(settings["TELEGRAM_BOT_TOKEN"]))
                   .base_url(f"{base}/bot").base_file_url(f"{base}/file/bot").build())
    # Petitions per phone and failed /tracuu look-ups: the same limits and database counts as the web's.
    application.bot_data.update(database=database, settings=settings, limits=IntakeLimits.from_settings(settings))
    application.add_handler(MessageHandler(filters.ALL, on_update))
    application.add_handler(CallbackQueryHandler(on_update))
    application.add_handler(ChatMemberHandler(on_update, ChatMemberHandler.MY_CHAT_MEMBER))  # blocked / unblocked
    application.add_error_handler(on_error)
    return application


def main() -> int:
    settings = load_settings()  # the one reading of the environment of this process
    logging.basicConfig(level=settings.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging_filters.install(settings)  # no phone, ID number or token in the logs
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the bot token in URLs
    if not settings.get("TELEGRAM_BOT_TOKEN"):
        print("TELEGRAM_BOT_TOKEN is not set.", file=sys.stderr)
        return 2
    crypto.configure(settings)  # the key of the ID numbers a citizen types
    database = Database(settings["DATABASE_URL"], pool_size=2)
    try:
        # run_polling deletes any webhook first, then long-polls getUpdates.
        build_application(database, settings).run_polling(allowed_updates=list(ALLOWED_UPDATES))
    finally:
        database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
