"""Zalo's OA protocol as documented, through the signed webhook against the local fakes: the webhook answers
before it calls the OA API (a slow one, 1.5 s a call), the replies then arrive in order and carry the
answered message's id; unfollow stops notices by OA message; the request_user_info form; files and
images outside a conversation; absurd timestamps; the token refreshed by the jobs process."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select

from bots import background
from service.db import utcnow
from service.domain.notifications import outbox as notify
from service.jobs.dispatch import dispatch_outbox
from service.jobs.schedule import zalo_token
from service.models import ChannelToken, ChatConversation, Petition, ProcessedInbound
from tests.bots.conftest import ZaloChat, with_bot_blueprints
from tests.bots.fake_zalo import APP_SECRET, SlowZalo
from tests.bots.helpers import code_in, count, outbox
from tests.helpers import png_bytes


@pytest.fixture
def slow_zalo():
    fake = SlowZalo().start()
    yield fake
    fake.stop()


@pytest.fixture
def slow_chat(make_app, bot_settings, slow_zalo):
    settings = {**bot_settings, "ZALO_API_BASE_URL": slow_zalo.url, "ZALO_OAUTH_BASE_URL": slow_zalo.url,
                "ZALO_ACCESS_TOKEN": slow_zalo.access_token, "ZALO_REFRESH_TOKEN": slow_zalo.refresh_token}
    return ZaloChat(with_bot_blueprints(make_app(**settings)), slow_zalo)


@pytest.mark.committed  # the background lane and the next request use connections of their own
def test_the_webhook_answers_before_calling_a_slow_api_then_replies_in_order(slow_chat, slow_zalo):
    chat = slow_chat
    events = [chat.events.text("xin chào"), chat.events.text("1")]
    for event in events:
        raw, headers = chat.events.signed(event)
        response = chat.client.post("/bots/zalo/webhook", data=raw, headers=headers)
        assert response.status_code == 200 and response.get_json()["result"] == "processed"
        # The OA API takes 1.5 s a call and no call has finished: the answer did not wait for one.
        assert slow_zalo.sent() == [] or len(slow_zalo.sent()) < 2
    assert background.drain(60)
    sent = slow_zalo.sent(chat.events.user_id)
    first_ids = [p["recipient"].get("message_id") for p in sent]
    # every reply answers the message it replies to, the first event's replies before the second's
    assert set(first_ids) == {e["message"]["msg_id"] for e in events}
    assert first_ids == sorted(first_ids, key=[e["message"]["msg_id"] for e in events].index)
    assert "Bạn muốn gửi loại đơn nào?" in sent[-1]["message"]["text"]


@pytest.mark.committed
def test_an_image_from_a_slow_media_host_is_not_waited_for_the_citizen_is_asked_to_resend(slow_chat, slow_zalo):
    chat = slow_chat
    for text in ("xin chào", "1", "1"):
        chat.say(text)
    replies = chat.send(chat.events.image(slow_zalo.image_url("o-ga.png", png_bytes())))
    assert "Không tải được ảnh vừa gửi; vui lòng gửi lại." in replies


def test_a_reply_carries_the_answered_message_id(zalo_chat, fake_zalo):
    event = zalo_chat.events.text("xin chào")
    zalo_chat.send(event)
    [reply] = fake_zalo.sent(zalo_chat.events.user_id)
    assert reply["recipient"] == {"user_id": zalo_chat.events.user_id, "message_id": event["message"]["msg_id"]}


def test_a_reply_that_waits_keeps_the_order_behind_an_earlier_one(zalo_chat, fake_zalo, database, session,
                                                                  registered_senders):
    fake_zalo.down = True
    zalo_chat.say("xin chào")  # not sent: back to the outbox
    fake_zalo.down = False
    assert zalo_chat.say("1") == []  # waits behind the first rather than overtaking it
    result = dispatch_outbox(database, now=utcnow() + dt.timedelta(minutes=10))
    assert result.sent == 2
    texts = [t for m, t in ((c[0], c[1]["message"].get("text")) for c in fake_zalo.calls) if m == "message/cs"]
    assert texts[-2].startswith("Xin chào") and "Bạn muốn gửi loại đơn nào?" in texts[-1]


def walk_to_contact(chat) -> list[str]:
    chat.send(chat.events.follow())
    for text in ("1", "1", "Bãi rác tự phát cạnh trường tiểu học thôn Nam gây mùi hôi.", "xong", "cat hai"):
        chat.say(text)
    return chat.say("bo qua")


def test_the_phone_is_asked_with_zalos_form_and_shared_in_one_tap(zalo_chat, fake_zalo, session):
    ask = walk_to_contact(zalo_chat)
    assert "Số điện thoại" in ask[-1] and "“Chia sẻ thông tin” ở tin tiếp theo" in ask[-1]
    assert "Chia sẻ số điện thoại”" not in ask[-1]  # no Telegram-only button named
    [form] = fake_zalo.templates(zalo_chat.events.user_id)
    assert form["template_type"] == "request_user_info"
    assert form["elements"][0]["title"] and form["elements"][0]["image_url"].startswith("http")
    replies = zalo_chat.send(zalo_chat.events.submit_info("Lê Văn Cường", "84912345678"))
    assert replies and "Họ và tên" in replies[-1]
    conversation = session.scalar(select(ChatConversation))
    assert conversation.draft["phone"] == "0912345678"


def test_unfollow_stops_notices_by_oa_message_and_falls_back_to_the_phone(zalo_chat, fake_zalo, database, session,
                                                                           registered_senders):
    walk_to_contact(zalo_chat)
    for text in ("0912345678", "Lê Văn Cường", "0", "1"):
        zalo_chat.say(text)
    code = code_in(zalo_chat.say("1"))
    before = len(fake_zalo.sent())
    assert zalo_chat.post(zalo_chat.events.unfollow()).get_json()["result"] == "processed"
    assert len(fake_zalo.sent()) == before  # nobody to answer
    assert session.scalar(select(ChatConversation.blocked_at)) is not None
    petition = session.scalar(select(Petition).where(Petition.code == code))
    notify.notify_citizen(session, petition, "Đơn của ông/bà đã được thụ lý.", "test:accepted")
    session.commit()
    dispatch_outbox(database, now=utcnow() + dt.timedelta(seconds=1))
    assert len(fake_zalo.sent()) == before  # no call to Zalo
    row = [m for m in outbox(session, "zalo") if m.dedupe_key == "test:accepted"][0]
    assert row.status == "failed" and "unfollowed" in row.last_error
    [zns] = outbox(session, "zns")
    assert zns.recipient == "0912345678" and zns.payload["fallback_from"] == "zalo"
    zalo_chat.send(zalo_chat.events.follow())  # following again: the chat carries notices again
    assert session.scalar(select(ChatConversation.blocked_at)) is None


def test_a_file_outside_a_conversation_is_answered(zalo_chat, fake_zalo):
    replies = zalo_chat.send(zalo_chat.events.file(fake_zalo.image_url("don.pdf", b"%PDF-1.4")))
    assert replies[0] == "Kênh này chỉ nhận chữ, ảnh và vị trí."


def test_an_image_outside_a_conversation_is_answered(zalo_chat, fake_zalo):
    replies = zalo_chat.send(zalo_chat.events.image(fake_zalo.image_url("anh.png", png_bytes())))
    assert replies, "an image outside a conversation must not be dropped silently"


@pytest.mark.parametrize("timestamp", ["0", "1", "99999999999999999999", "abc", "",
                                       str(int((time.time() + 86400 * 3) * 1000)),
                                       str(int((time.time() - 86400 * 3) * 1000))])
def test_an_event_with_an_absurd_timestamp_is_refused(zalo_chat, session, timestamp):
    event = zalo_chat.events.text("xin chào")
    event["timestamp"] = timestamp
    response = zalo_chat.post(event)
    assert response.status_code == 400
    assert count(session, ProcessedInbound) == 0


def test_the_jobs_process_refreshes_the_settings_token_and_then_ahead_of_expiry(database, bot_settings, fake_zalo,
                                                                               session):
    settings = {**bot_settings, "ZALO_APP_ID": "zalo-app", "ZALO_APP_SECRET": APP_SECRET}
    assert zalo_token(database, settings) is True  # the settings' pair has no known expiry
    token = session.scalar(select(ChannelToken))
    assert token.access_token == fake_zalo.access_token and token.expires_at is not None
    assert zalo_token(database, settings) is False  # 25 h left: nothing to do
    token.expires_at = utcnow() + dt.timedelta(minutes=30)
    session.commit()
    assert zalo_token(database, settings) is True
    assert len([c for c in fake_zalo.calls if c[0] == "access_token"]) == 2


@pytest.mark.committed  # the test and the background lane write from their own connections
def test_replies_wait_for_an_earlier_reply_another_worker_is_still_sending(zalo_chat, fake_zalo, database, session):
    """Two gunicorn workers: worker A still holds (claims) an earlier reply to this user when worker B's
    lane is ready to send the next ones; B waits for A rather than overtaking it."""
    user = zalo_chat.events.user_id
    zalo_chat.say("xin chào")  # the conversation exists, within Zalo's reply window
    with database.session_scope() as other:  # worker A's claimed, unsent reply
        row = notify.enqueue(other, channel="zalo", recipient=user, text="Trả lời của worker A", dedupe_key="a:1")
        row.status, row.claimed_until, row.attempts = "sending", utcnow() + dt.timedelta(minutes=5), 1
    raw, headers = zalo_chat.events.signed(zalo_chat.events.text("1"))
    assert zalo_chat.client.post("/bots/zalo/webhook", data=raw, headers=headers).status_code == 200
    time.sleep(0.5)  # B's lane is running and must be waiting: nothing of B's has gone out
    assert "Bạn muốn gửi loại đơn nào?" not in "".join(fake_zalo.texts(user))
    with database.session_scope() as other:  # A sends its reply and lets go of the claim
        from service.models import OutboxMessage

        a = other.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == "a:1"))
        fake_zalo.calls.append(("message/cs", {"recipient": {"user_id": user}, "message": {"text": a.text}}))
        a.status, a.claimed_until = "sent", None
    assert background.drain(30)
    texts = fake_zalo.texts(user)
    assert texts.index("Trả lời của worker A") < max(i for i, t in enumerate(texts) if "Bạn muốn gửi loại đơn" in t)
