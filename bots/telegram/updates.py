"""One Telegram update, whatever brought it (webhook or polling): parse, process once, answer."""
from __future__ import annotations

import logging
from typing import Any, Mapping

from bots import conversation, delivery, drafting, groups
from bots.telegram import adapter
from service import outbound
from service.db import Database
from service.domain.intake.limits import NO_LIMITS, IntakeLimits
from service.domain.notifications import chat_state
from service.outbound.telegram import TelegramApi, api_from

logger = logging.getLogger(__name__)


def handle_update(database: Database, settings: Mapping[str, Any], update: dict[str, Any],
                  api: TelegramApi | None = None, limits: IntakeLimits = NO_LIMITS) -> str:
    """'processed', 'duplicate' or 'ignored'. Photos are downloaded before the transaction, never twice.
    `limits`: the entry point's petitions-per-phone and failed-look-up limits."""
    parsed = adapter.parse(update)
    if parsed is None or not parsed.update_id:
        return "ignored"
    api = api or api_from(settings)
    if parsed.member_status is not None:
        def step(session):  # "kicked": the citizen blocked the bot; notices go by ZNS / SMS until unblocked
            chat_state.set_blocked(session, adapter.CHANNEL, parsed.chat_id, parsed.member_status == "kicked")
            return []
    elif parsed.edited is not None:
        def step(session):
            return drafting.apply_edit(session, adapter.CHANNEL, parsed.chat_id, *parsed.edited)
    elif parsed.group_command is not None:
        def step(session):
            return groups.group_command(session, adapter.CHANNEL, parsed.chat_id, parsed.group_command)
    else:
        if delivery.is_processed(database, adapter.CHANNEL, parsed.update_id):
            return "duplicate"
        adapter.fetch_files(parsed, api.download)

        def step(session):
            chat_state.set_blocked(session, adapter.CHANNEL, parsed.chat_id, False)  # writing again: reachable
            return conversation.handle(session, parsed.incoming, limits=limits)
    received = delivery.receive(database, adapter.CHANNEL, parsed.update_id, parsed.chat_id, step,
                                outbound.build(adapter.CHANNEL, database, settings, api=api))
    if parsed.callback_id and not received.duplicate:
        api.answer_callback(parsed.callback_id)
        if parsed.buttons_message_id:  # used once: the buttons go, so a rating is not pressed twice
            api.remove_buttons(parsed.chat_id, parsed.buttons_message_id)
    return "duplicate" if received.duplicate else "processed"
