"""Where a chat citizen is in the bot dialogue (ChatConversation), as far as the domain must know it.

The states are the vocabulary of ChatConversation.state (the dialogue itself: bots/conversation.py).
The domain sets one of them: when an answer is queued for a citizen's chat, the message carries the
1-5 rating buttons and the conversation waits for a rating, in the same transaction, so a bare number
typed after the answer rates it. Senders only send.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from service.db import utcnow
from service.models.channel import ChatConversation

IDLE, MENU, LOOKUP, RATING, REOPEN = "idle", "menu", "lookup", "rating", "reopen_offer"
KIND, DESCRIBE, UNIT, UNIT_CHOICE, PLACE = "kind", "describe", "unit", "unit_choice", "place"
CONTACT, NAME, CO_SIGNERS, CONSENT, CONFIRM, EDIT = "contact", "name", "co_signers", "consent", "confirm", "edit"
DRAFTING = frozenset({KIND, DESCRIBE, UNIT, UNIT_CHOICE, PLACE, CONTACT, NAME, CO_SIGNERS, CONSENT, CONFIRM, EDIT})

RATING_LABELS = {1: "Rất không hài lòng", 2: "Không hài lòng", 3: "Bình thường", 4: "Hài lòng", 5: "Rất hài lòng"}
RATE_ASK = "Bạn hài lòng với kết quả giải quyết đơn {code} đến đâu? Chọn từ 1 (rất không hài lòng) đến 5 (rất hài lòng)."


def rating_payload(code: str) -> dict[str, Any]:
    """The rating question and its five buttons in the outbox's Reply format (service.outbound.replies):
    attached to the message on Telegram, numbered options on Zalo."""
    buttons = [{"label": f"{n} – {RATING_LABELS[n]}", "value": f"rate:{code}:{n}", "kind": "choice"}
               for n in range(1, 6)]
    return {"buttons": buttons, "inline": True, "prompt": RATE_ASK.format(code=code)}


def load(session: Session, channel: str, chat_user_id: str) -> ChatConversation:
    """The citizen's conversation row, created on first contact and locked for this transaction on PostgreSQL."""
    query = select(ChatConversation).where(ChatConversation.channel == channel,
                                           ChatConversation.chat_user_id == chat_user_id)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        query = query.with_for_update()
    found = session.scalar(query)
    if found is not None:
        return found
    module = postgresql if dialect == "postgresql" else sqlite
    values = {"channel": channel, "chat_user_id": chat_user_id, "state": IDLE, "draft": {}, "subscribed": True,
              "updated_at": utcnow()}
    session.execute(module.insert(ChatConversation).values(**values).on_conflict_do_nothing())
    return session.scalar(query.execution_options(populate_existing=True))


def await_rating(session: Session, channel: str, chat_user_id: str, code: str) -> None:
    """A bare number 1-5 from this chat user now rates the petition, unless they are drafting one."""
    conversation = load(session, channel, chat_user_id)
    if conversation.state not in DRAFTING:
        conversation.state, conversation.draft = RATING, {"petition": code}
        session.flush()


def set_blocked(session: Session, channel: str, chat_user_id: str, blocked: bool, now=None) -> None:
    """The citizen blocked the bot / unfollowed the OA (notices then go by their fallback chain), or wrote
    again (the chat carries notices again). Only an existing conversation is changed."""
    row = session.scalar(select(ChatConversation).where(ChatConversation.channel == channel,
                                                        ChatConversation.chat_user_id == chat_user_id))
    if row is None:
        return
    if blocked and row.blocked_at is None:
        row.blocked_at = now or utcnow()
    elif not blocked and row.blocked_at is not None:
        row.blocked_at = None


def is_blocked(session: Session, channel: str, chat_user_id: str) -> bool:
    return session.scalar(select(ChatConversation.blocked_at).where(
        ChatConversation.channel == channel, ChatConversation.chat_user_id == chat_user_id)) is not None
