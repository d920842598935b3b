"""The Zalo OA bot end to end: signed events posted to the webhook, replies read from a fake Open API."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from bots.zalo import signature
from service.db import utcnow
from service.domain.notifications import outbox as notify
from service.jobs.dispatch import dispatch_outbox
from service.models import Attachment, ChannelToken, ChatConversation, Person, Petition, ProcessedInbound
from service.outbound.zalo import tokens
from service.outbound.zalo.client import ZaloClient
from tests.bots.fake_zalo import APP_ID, APP_SECRET, OA_SECRET, Events
from tests.bots.helpers import DATE, code_in, count, nothing_stored, outbox
from tests.helpers import png_bytes


def walk_to_summary(chat, fake) -> None:
    chat.send(chat.events.follow())
    chat.say("2")  # khiếu nại, tố cáo
    chat.say("2")  # tố cáo
    chat.say("Cán bộ địa chính xã thu thêm 2 triệu đồng ngoài quy định khi làm sổ đỏ cho gia đình tôi.")
    chat.send(chat.events.image(fake.image_url("bien-lai.png", png_bytes()), text="Biên lai"))
    chat.say("xong")
    chat.say("kien")
    chat.say("4")  # the fourth of the numbered communes
    chat.send(chat.events.location(20.75, 106.6))
    chat.say("0912345678")
    chat.say("Lê Văn Cường")
    chat.say("0")
    chat.say("1")  # đồng ý


def test_complete_conversation_with_numbered_options(zalo_chat, fake_zalo, session):
    chat = zalo_chat
    walk_to_summary(chat, fake_zalo)
    summary = fake_zalo.texts(chat.events.user_id)[-1]
    assert "Loại đơn: Tố cáo" in summary and "Ảnh: 1" in summary and "\n1. Gửi đơn\n2. Sửa\n3. Huỷ" in summary
    chosen = [line for line in fake_zalo.texts() if line.startswith("Đơn sẽ gửi tới")][0]
    answer = chat.say("1")
    code = code_in(answer)
    assert DATE.search(answer[0]) and "Zalo" in answer[0]
    petition = session.scalar(select(Petition).where(Petition.code == code))
    assert petition.channel == "zalo" and petition.kind == "to_cao" and petition.unit.name in chosen
    person = session.scalar(select(Person).where(Person.petition_id == petition.id))
    assert (person.name, person.phone, person.chat_user_id) == ("Lê Văn Cường", "0912345678", chat.events.user_id)
    assert count(session, Attachment) == 1 and "Biên lai" in petition.content
    assert {c["access_token"] for c in fake_zalo.sent()} == {"access-1"}
    assert all(m.status == "sent" for m in outbox(session, "zalo"))


def test_menu_is_text_with_numbered_options(zalo_chat, fake_zalo):
    [greeting] = zalo_chat.send(zalo_chat.events.follow())
    assert greeting.startswith("Xin chào") and "\n1. Gửi phản ánh, kiến nghị\n2. Gửi khiếu nại, tố cáo" in greeting
    assert "(Trả lời bằng số thứ tự" in greeting


def test_forged_or_missing_signature_is_refused_and_nothing_stored(zalo_chat, fake_zalo, session):
    event = zalo_chat.events.text("xin chào")
    raw, _ = zalo_chat.events.signed(event)
    forged = {"mac=" + "0" * 64, signature.sign(raw, APP_ID, "wrong-key"), signature.sign(raw, "other-app", OA_SECRET),
              signature.sign(raw + b" ", APP_ID, OA_SECRET), ""}
    for header in forged:
        response = zalo_chat.post(event, headers={signature.HEADER: header, "Content-Type": "application/json"})
        assert response.status_code == 401
    assert zalo_chat.post(event, headers={"Content-Type": "application/json"}).status_code == 401
    assert nothing_stored(session) and fake_zalo.calls == []


def test_signature_covers_the_timestamp_in_the_body(zalo_chat):
    event = zalo_chat.events.text("xin chào")
    raw, headers = zalo_chat.events.signed(event)
    replayed = raw.replace(event["timestamp"].encode(), str(int(event["timestamp"]) + 1).encode())
    response = zalo_chat.client.post("/bots/zalo/webhook", data=replayed, headers=headers)
    assert response.status_code == 401


def test_retried_message_is_processed_once(zalo_chat, fake_zalo, session):
    event = zalo_chat.events.text("xin chào")
    assert zalo_chat.post(event).get_json()["result"] == "processed"
    assert zalo_chat.post(event).get_json()["result"] == "duplicate"
    assert len(fake_zalo.sent()) == 1 and count(session, ProcessedInbound) == 1


def test_error_on_http_200_keeps_the_reply_and_dispatch_delivers_it_once(zalo_chat, fake_zalo, database, session,
                                                                         registered_senders):
    fake_zalo.error = -32  # e.g. quota: HTTP 200 with error != 0 is a failure
    assert zalo_chat.post(zalo_chat.events.text("alo")).status_code == 200
    [row] = outbox(session, "zalo")
    assert row.status == "pending" and "zalo error -32" in row.last_error
    fake_zalo.error = 0
    later = utcnow() + dt.timedelta(minutes=5)
    assert dispatch_outbox(database, now=later).sent == 1
    assert dispatch_outbox(database, now=later + dt.timedelta(hours=1)).claimed == 0
    assert len([c for c in fake_zalo.sent() if c["recipient"]["user_id"] == zalo_chat.events.user_id]) == 2
    assert outbox(session, "zalo")[0].status == "sent"


def test_api_down_keeps_reply_in_outbox(zalo_chat, fake_zalo, session):
    fake_zalo.down = True
    assert zalo_chat.post(zalo_chat.events.text("alo")).status_code == 200
    [row] = outbox(session, "zalo")
    assert row.status == "pending" and "503" in row.last_error
    assert session.scalar(select(ChatConversation.state)) == "menu"


def test_invalid_access_token_is_refreshed_and_the_new_pair_stored(zalo_chat, fake_zalo, session):
    zalo_chat.say("alo")  # seeds the stored pair from the settings
    fake_zalo.expire_access_token()
    assert zalo_chat.say("1")  # -216, refresh with refresh-1, resend
    token = session.scalar(select(ChannelToken).where(ChannelToken.channel == "zalo"))
    session.refresh(token)
    assert (token.access_token, token.refresh_token) == (fake_zalo.access_token, fake_zalo.refresh_token)
    assert token.refresh_token != "refresh-1" and token.expires_at > utcnow() + dt.timedelta(hours=24)
    refresh_calls = [p for m, p in fake_zalo.calls if m == "access_token"]
    assert refresh_calls == [{"app_id": APP_ID, "grant_type": "refresh_token", "refresh_token": "refresh-1",
                              "secret_key": APP_SECRET}]


def test_token_close_to_expiry_is_refreshed_once_even_when_asked_twice(database, bot_settings, fake_zalo, session):
    client = ZaloClient(APP_ID, APP_SECRET, api_base=fake_zalo.url, oauth_base=fake_zalo.url)
    with database.session_scope() as s:
        tokens.store(s, "access-1", "refresh-1", utcnow() + dt.timedelta(minutes=30))
    first = tokens.access_token(database, client, bot_settings)
    second = tokens.refresh(database, client, bot_settings, stale="access-1")  # a second worker, too late
    assert first == second == fake_zalo.access_token
    assert [m for m, _ in fake_zalo.calls].count("access_token") == 1  # the single-use token spent once


@pytest.mark.committed  # two threads, two connections
def test_two_workers_refreshing_at_once_spend_the_refresh_token_once(database, bot_settings, fake_zalo, session):
    client = ZaloClient(APP_ID, APP_SECRET, api_base=fake_zalo.url, oauth_base=fake_zalo.url)
    with database.session_scope() as s:
        tokens.store(s, "access-1", "refresh-1", None)
    fake_zalo.token_delay = 0.3
    results: list[str] = []
    workers = [threading.Thread(target=lambda: results.append(
        tokens.refresh(database, client, bot_settings, stale="access-1"))) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert results == [fake_zalo.access_token] * 2
    assert [m for m, _ in fake_zalo.calls].count("access_token") == 1
    session.expire_all()
    token = session.scalar(select(ChannelToken))
    assert (token.access_token, token.refresh_token) == (fake_zalo.access_token, fake_zalo.refresh_token)


def test_failed_refresh_keeps_the_stored_pair(database, bot_settings, fake_zalo, session):
    client = ZaloClient(APP_ID, "wrong-secret", api_base=fake_zalo.url, oauth_base=fake_zalo.url)
    with database.session_scope() as s:
        tokens.store(s, "access-1", "refresh-1", None)
    try:
        tokens.refresh(database, client, bot_settings)
    except Exception as exc:
        assert "invalid_client" in str(exc) or "bad app" in str(exc)
    else:
        raise AssertionError("refresh should fail")
    token = session.scalar(select(ChannelToken))
    assert (token.access_token, token.refresh_token) == ("access-1", "refresh-1")


def test_notice_after_48_hours_falls_back_to_the_phone(zalo_chat, fake_zalo, database, session, registered_senders):
    walk_to_summary(zalo_chat, fake_zalo)
    code = code_in(zalo_chat.say("1"))
    conversation = session.scalar(select(ChatConversation))
    conversation.last_inbound_at = utcnow() - dt.timedelta(hours=49)
    petition = session.scalar(select(Petition).where(Petition.code == code))
    notify.notify_citizen(session, petition, "Đơn của ông/bà đã được thụ lý.", "test:accepted")
    session.commit()
    sent_before = len(fake_zalo.sent())
    result = dispatch_outbox(database, now=utcnow() + dt.timedelta(seconds=1))
    assert result.failed == 1 and len(fake_zalo.sent()) == sent_before  # nothing sent through Zalo
    zalo_row = [m for m in outbox(session, "zalo") if m.dedupe_key == "test:accepted"][0]
    assert zalo_row.status == "failed" and "window_closed" in zalo_row.last_error
    [zns] = outbox(session, "zns")  # ZNS to the phone, then SMS when ZNS refuses
    assert zns.recipient == "0912345678" and zns.payload["fallback_from"] == "zalo" and zns.petition_id == petition.id
    assert zns.text == "Đơn của ông/bà đã được thụ lý." and zns.status == "pending"
    assert zns.payload["fallback"] == [{"channel": "sms", "recipient": "0912345678"}]


def test_within_48_hours_the_notice_goes_through_zalo(zalo_chat, fake_zalo, database, session, registered_senders):
    walk_to_summary(zalo_chat, fake_zalo)
    code = code_in(zalo_chat.say("1"))
    petition = session.scalar(select(Petition).where(Petition.code == code))
    notify.notify_citizen(session, petition, "Đơn của ông/bà đã được thụ lý.", "test:accepted")
    session.commit()
    assert dispatch_outbox(database, now=utcnow() + dt.timedelta(seconds=1)).sent == 1
    assert fake_zalo.texts(zalo_chat.events.user_id)[-1] == "Đơn của ông/bà đã được thụ lý."
    assert outbox(session, "sms") == []


def test_image_from_a_foreign_host_is_not_downloaded(zalo_chat, fake_zalo, session):
    zalo_chat.say("1")
    zalo_chat.say("1")
    replies = zalo_chat.send(zalo_chat.events.image("http://169.254.169.254/latest/meta-data/x.jpg"))
    assert any("Không tải được ảnh" in r for r in replies)
    assert not [c for c in fake_zalo.calls if c[0] == "media"]
    assert "photos" not in session.scalar(select(ChatConversation.draft))


def test_other_events_are_ignored_but_still_need_a_signature(zalo_chat, session):
    seen = {"app_id": APP_ID, "event_name": "user_seen_message", "timestamp": "1", "sender": {"id": "1"}}
    assert zalo_chat.post(seen).get_json()["result"] == "ignored"
    assert nothing_stored(session)


def test_events_builder_signs_like_zalo():
    events = Events()
    raw, headers = events.signed(events.text("x"))
    assert signature.verify(raw, headers[signature.HEADER], APP_ID, OA_SECRET)
    assert not signature.verify(raw, headers[signature.HEADER], APP_ID, "")


def test_a_crowd_names_its_representatives_with_numbered_options(zalo_chat, fake_zalo, session):
    chat = zalo_chat
    chat.send(chat.events.follow())
    for text in ("1", "1", "Bãi rác tự phát cạnh trường tiểu học thôn Nam gây mùi hôi.", "xong", "cat hai", "bo qua",
                 "0912345678", "Lê Văn Cường"):
        chat.say(text)
    intro, ask = chat.say("6")  # seven people: one or two representatives
    assert "Đơn có 7 người cùng đứng tên" in intro and "từ 1 đến 2 người đại diện" in intro
    assert "Người đại diện thứ 1: gõ họ và tên." in ask and "\n1. Tôi là người đại diện" in ask
    assert chat.say("nguyen thi lan") == ["Số điện thoại của người đại diện nguyen thi lan? (ví dụ 0912345678)"]
    assert chat.say("0901 234 567")[0] == "Đã ghi người đại diện thứ 1: nguyen thi lan, 0901234567."
    noted, consent = chat.say("1")  # Tôi là người đại diện: the second and last for seven people
    assert noted == "Đã ghi người đại diện thứ 2: Lê Văn Cường, 0912345678, người gửi đơn." and "đồng ý" in consent
    summary = chat.say("1")[-1]
    assert "• Người đại diện: nguyen thi lan, 0901234567; Lê Văn Cường, 0912345678, người gửi đơn" in summary
    petition = session.scalar(select(Petition).where(Petition.code == code_in(chat.say("1"))))
    assert petition.co_signer_count == 6 and petition.channel == "zalo"
    assert [(p.role, p.phone, p.representative) for p in petition.people] == \
        [("petitioner", "0912345678", True), ("co_signer", "0901234567", True)]
