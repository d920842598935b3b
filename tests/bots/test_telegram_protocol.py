"""Telegram's other updates, as the Bot API documents them, through the webhook against the fake Bot API: a
citizen who blocks the bot (403, my_chat_member "kicked"), edited messages, a description over the limit,
files/contacts/locations outside a conversation, rating buttons pressed twice, a deeply nested update."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from service.db import utcnow
from service.domain.intake.validation import MAX_CONTENT_CHARS
from service.domain.notifications import outbox as notify
from service.jobs.dispatch import dispatch_outbox
from service.models import ChatConversation, Petition, Rating
from tests.bots.helpers import code_in, outbox
from tests.bots.test_notifications import answer
from tests.bots.test_telegram import walk_to_summary


def describing(chat) -> None:
    chat.say("/start")
    chat.say("Gửi phản ánh, kiến nghị")
    chat.say("phan anh")


def draft(session) -> dict:
    session.expire_all()
    return session.scalar(select(ChatConversation.draft))


def sent_petition(chat, fake, session) -> Petition:
    walk_to_summary(chat, fake, photo=False)
    code = code_in(chat.say("Gửi đơn"))
    return session.scalar(select(Petition).where(Petition.code == code))


def test_a_notice_to_a_citizen_who_blocked_the_bot_falls_back_to_the_phone(telegram_chat, fake_telegram, database,
                                                                           session, registered_senders):
    petition = sent_petition(telegram_chat, fake_telegram, session)
    fake_telegram.blocked.add(str(telegram_chat.updates.chat_id))  # Telegram answers 403
    notify.notify_citizen(session, petition, "Đơn của ông/bà đã được thụ lý.", "test:accepted")
    session.commit()
    dispatch_outbox(database, now=utcnow() + dt.timedelta(seconds=1))
    row = [m for m in outbox(session, "telegram") if m.dedupe_key == "test:accepted"][0]
    assert row.status == "failed" and "blocked" in row.last_error
    [zns] = outbox(session, "zns")
    assert zns.recipient == "0912345678" and zns.payload["fallback_from"] == "telegram"


def test_my_chat_member_kicked_stops_notices_until_the_citizen_comes_back(telegram_chat, fake_telegram, database,
                                                                          session, registered_senders):
    chat = telegram_chat
    petition = sent_petition(chat, fake_telegram, session)
    assert chat.send(chat.updates.member("kicked")) == []
    assert session.scalar(select(ChatConversation.blocked_at)) is not None
    calls = len(fake_telegram.calls)
    notify.notify_citizen(session, petition, "Đơn của ông/bà đã được thụ lý.", "test:accepted")
    session.commit()
    dispatch_outbox(database, now=utcnow() + dt.timedelta(seconds=1))
    assert not [m for m, p in fake_telegram.calls[calls:] if m == "sendMessage"]  # no call to a blocked chat
    assert [z.recipient for z in outbox(session, "zns")] == ["0912345678"]
    chat.send(chat.updates.member("member"))
    session.expire_all()
    assert session.scalar(select(ChatConversation.blocked_at)) is None


def test_an_edited_message_updates_the_draft_being_described(telegram_chat, session):
    chat = telegram_chat
    describing(chat)
    first = chat.updates.text("Đèn đường ngõ 5 hỏng hai tuần.")
    chat.send(first)
    chat.say("Buổi tối rất tối, dễ ngã.")
    replies = chat.send(chat.updates.edited(first, "Đèn đường ngõ 7 phố Kiến Thiết hỏng hai tuần."))
    assert replies == ["Đã cập nhật nội dung đơn theo tin nhắn vừa sửa."]
    assert draft(session)["content"] == ["Đèn đường ngõ 7 phố Kiến Thiết hỏng hai tuần.", "Buổi tối rất tối, dễ ngã."]


def test_an_edit_outside_a_draft_changes_nothing(telegram_chat, session):
    chat = telegram_chat
    hello = chat.updates.text("xin chào")
    chat.send(hello)
    assert chat.send(chat.updates.edited(hello, "chào")) == []


def test_a_long_description_is_refused_when_it_crosses_the_limit_keeping_what_was_written(telegram_chat, session):
    chat = telegram_chat
    describing(chat)
    part = "Đường làng thôn 3 ngập nước. " * 136  # about 4,000 characters, under Telegram's 4,096
    kept = 0
    for _ in range(8):
        replies = chat.say(part.strip())
        if replies[0].startswith("Tin nhắn vừa gửi chưa được ghi"):
            break
        kept += 1
    else:
        raise AssertionError("never refused")
    assert f"{MAX_CONTENT_CHARS:,}".replace(",", ".") in replies[0]
    assert len(draft(session)["content"]) == kept and kept * len(part) <= MAX_CONTENT_CHARS + kept
    assert chat.say("Xong")[0].startswith("Đơn gửi tới")  # what was written goes on


def test_a_file_contact_or_location_outside_a_conversation_is_answered(telegram_chat, fake_telegram):
    chat = telegram_chat
    for update in (chat.updates.document("doc-1", "hop-dong.docx", "application/msword"),
                   chat.updates.contact("+84 912 345 678"), chat.updates.location(20.8, 106.6)):
        replies = chat.send(update)
        assert replies, f"no answer to {list(update['message'])}"


def test_a_rating_pressed_twice_stores_one_rating_and_the_buttons_go(telegram_chat, fake_telegram, database, session,
                                                                     registered_senders):
    chat = telegram_chat
    petition = sent_petition(chat, fake_telegram, session)
    answer(session, petition.code)
    dispatch_outbox(database, now=utcnow() + dt.timedelta(seconds=1))
    rated = fake_telegram.sent(chat.updates.chat_id)[-1]
    message_id = 4242  # the id Telegram gave the answer
    assert rated["reply_markup"]["inline_keyboard"]
    chat.send(chat.updates.press(f"rate:{petition.code}:4", message_id=message_id))
    chat.send(chat.updates.press(f"rate:{petition.code}:4", message_id=message_id))  # a double tap
    assert session.scalar(select(func.count()).select_from(Rating).where(Rating.petition_id == petition.id)) == 1
    assert message_id in fake_telegram.removed_buttons(chat.updates.chat_id)


def test_a_deeply_nested_update_is_a_400(telegram_chat):
    response = telegram_chat.client.post("/bots/telegram/webhook", data=b"[" * 5000 + b"]" * 5000,
                                         headers={"X-Telegram-Bot-Api-Secret-Token": "tg-secret",
                                                  "Content-Type": "application/json"})
    assert response.status_code == 400
    nested = {"update_id": 1, "message": {"chat": {"id": 1, "type": "private"}}}
    inner = nested["message"]
    for _ in range(100):
        inner["x"] = {}
        inner = inner["x"]
    assert telegram_chat.post(nested).status_code == 400
