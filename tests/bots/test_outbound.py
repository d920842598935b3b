"""The chat senders in service.outbound: registered by `python -m service.jobs` itself, and senders that only
send (the rating prompt of an answer is set when the answer is queued, not when it is delivered)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

import service.jobs.__main__ as jobs_main
from service import outbound
from service.db import utcnow
from service.domain.inbound import Actor
from service.domain.notifications import outbox as notify
from service.domain.workflow import operations as workflow
from service.jobs.dispatch import dispatch_outbox
from service.models import ChatConversation, Petition, Rating
from service.outbound.telegram import TelegramSender
from service.outbound.zalo.sender import ZaloSender
from service.settings import load_settings
from tests.bots.helpers import code_in, outbox
from tests.bots.test_telegram import walk_to_summary as telegram_walk
from tests.bots.test_zalo import walk_to_summary as zalo_walk

STAFF = Actor(label="Cán bộ Văn phòng", role="staff")
ANSWER = "UBND xã đã sửa xong đèn đường ngõ 5 ngày 20/11/2026. Trân trọng."
CHAT_CHANNELS = ("telegram", "zalo")


@pytest.fixture
def clean_registry():
    """Each test starts and ends with the console sender alone."""
    for channel in outbound.CONFIGURABLE:
        outbound.unregister(channel)
    yield
    for channel in outbound.CONFIGURABLE:
        outbound.unregister(channel)


def answer(session, code: str, *steps: str) -> Petition:
    petition = session.scalar(select(Petition).where(Petition.code == code))
    for step in steps:
        workflow.perform(session, petition, step, STAFF)
    workflow.perform(session, petition, "answer", STAFF, text=ANSWER)
    session.commit()
    return petition


def conversation_state(session) -> str:
    session.expire_all()
    return session.scalar(select(ChatConversation.state))


def test_register_configured_registers_the_telegram_and_zalo_senders(database, bot_settings, clean_registry):
    settings = {**bot_settings, "ZALO_APP_ID": "zalo-app"}
    # ZNS goes with the OA's token (ZALO_ACCESS_TOKEN of bot_settings)
    assert outbound.register_configured(database, settings) == ["telegram", "zalo", "zns"]
    assert isinstance(outbound.get("telegram"), TelegramSender) and isinstance(outbound.get("zalo"), ZaloSender)
    assert outbound.channels() == ["console", "telegram", "zalo", "zns"]


def test_unconfigured_chat_channels_are_not_registered(database, clean_registry, caplog):
    assert outbound.register_configured(database, {"TELEGRAM_BOT_TOKEN": "", "ZALO_APP_ID": None}) == []
    assert outbound.channels() == ["console"]
    assert "TELEGRAM_BOT_TOKEN is not set" in caplog.text and "ZALO_APP_ID is not set" in caplog.text


def test_python_m_service_jobs_registers_the_chat_senders(database, database_url, bot_settings, monkeypatch,
                                                          clean_registry):
    """`python -m service.jobs` alone delivers chat notices: its main registers the senders before it starts."""
    settings = load_settings({**bot_settings, "DATABASE_URL": database_url, "SCHEDULER_ENABLED": True,
                              "ZALO_APP_ID": "zalo-app"})
    seen = {}

    class Scheduler:
        def start(self):
            seen["channels"] = outbound.channels()

        def shutdown(self, wait=True):
            pass

    monkeypatch.setattr(jobs_main, "load_settings", lambda: settings)
    monkeypatch.setattr(jobs_main, "build_scheduler", lambda database, holder, **kwargs: Scheduler())
    monkeypatch.setattr(jobs_main.signal, "signal", lambda *args: None)
    assert jobs_main.main([]) == 0
    assert seen["channels"] == ["console", "telegram", "zalo", "zns"]


def test_answer_queued_for_telegram_carries_the_rating_and_a_bare_5_rates_it(
        telegram_chat, fake_telegram, database, session, registered_senders):
    chat = telegram_chat
    telegram_walk(chat, fake_telegram, photo=False)
    code = code_in(chat.say("Gửi đơn"))
    petition = answer(session, code)

    # Queued, not yet sent: the row carries the buttons and the conversation already waits for a rating.
    [row] = [m for m in outbox(session, "telegram") if m.payload.get("reply_kind") == "answer"]
    assert row.status == "pending" and row.text == ANSWER
    assert [b["value"] for b in row.payload["buttons"]] == [f"rate:{code}:{n}" for n in range(1, 6)]
    assert row.payload["inline"] is True and code in row.payload["prompt"]
    assert conversation_state(session) == "rating"

    assert dispatch_outbox(database, now=utcnow() + dt.timedelta(seconds=1)).sent == 1  # the jobs' dispatch
    message = fake_telegram.sent(chat.updates.chat_id)[-1]
    assert message["text"].startswith(ANSWER) and f"đơn {code}" in message["text"]
    keyboard = message["reply_markup"]["inline_keyboard"]
    assert [r[0]["callback_data"] for r in keyboard] == [f"rate:{code}:{n}" for n in range(1, 6)]
    assert keyboard[4][0]["text"] == "5 – Rất hài lòng"

    assert "5/5" in chat.say("5")[0]
    assert session.scalar(select(Rating.score).where(Rating.petition_id == petition.id)) == 5
    assert conversation_state(session) == "idle"


def test_the_sender_does_not_touch_the_conversation(telegram_chat, fake_telegram, database, session,
                                                    registered_senders):
    telegram_walk(telegram_chat, fake_telegram, photo=False)
    code = code_in(telegram_chat.say("Gửi đơn"))
    answer(session, code)
    conversation = session.scalar(select(ChatConversation))
    conversation.state, conversation.draft = "menu", {}  # the citizen moved on before the answer left
    session.commit()
    assert dispatch_outbox(database, now=utcnow() + dt.timedelta(seconds=1)).sent == 1
    assert conversation_state(session) == "menu"
    assert "rate:" in str(fake_telegram.sent(telegram_chat.updates.chat_id)[-1]["reply_markup"])


def test_an_answer_does_not_interrupt_a_citizen_drafting_a_new_petition(telegram_chat, fake_telegram, session):
    telegram_walk(telegram_chat, fake_telegram, photo=False)
    code = code_in(telegram_chat.say("Gửi đơn"))
    telegram_chat.say("Gửi phản ánh, kiến nghị")  # a second petition under way
    answer(session, code)
    assert conversation_state(session) == "kind"


def test_an_answer_falling_back_from_zalo_to_the_phone_carries_no_chat_buttons(zalo_chat, fake_zalo, database, session,
                                                                        registered_senders):
    zalo_walk(zalo_chat, fake_zalo)
    code = code_in(zalo_chat.say("1"))
    conversation = session.scalar(select(ChatConversation))
    conversation.last_inbound_at = utcnow() - dt.timedelta(hours=49)
    session.commit()
    answer(session, code, "accept", "start")
    dispatch_outbox(database, now=utcnow() + dt.timedelta(seconds=1))
    [zns] = [m for m in outbox(session, "zns") if m.payload.get("reply_kind") == "answer"]
    assert zns.text == ANSWER and zns.payload["fallback_from"] == "zalo"  # ZNS to the phone, then SMS
    assert zns.payload["fallback"] == [{"channel": "sms", "recipient": zns.recipient}]
    assert not {"buttons", "inline", "prompt"} & set(zns.payload)


def test_other_notices_to_a_chat_carry_no_rating(zalo_chat, fake_zalo, session):
    zalo_walk(zalo_chat, fake_zalo)
    code = code_in(zalo_chat.say("1"))
    petition = session.scalar(select(Petition).where(Petition.code == code))
    notify.notify_citizen(session, petition, "Đơn của ông/bà đã được thụ lý.", "test:accepted",
                          payload={"reply_kind": "thu_ly"})
    session.commit()
    [row] = [m for m in outbox(session, "zalo") if m.dedupe_key == "test:accepted"]
    assert "buttons" not in row.payload and conversation_state(session) == "idle"
