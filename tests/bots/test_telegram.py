"""The Telegram bot end to end: real update JSON posted to the webhook, replies read from a fake Bot API."""
from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import select

from bots.telegram.updates import handle_update
from service.db import utcnow
from service.domain.deadlines.calendar import VN_TZ
from service.jobs.dispatch import dispatch_outbox
from service.models import Attachment, ChatConversation, Deadline, Event, Person, Petition, ProcessedInbound
from tests.bots.conftest import TelegramChat, with_bot_blueprints
from tests.bots.fake_telegram import Updates
from tests.bots.helpers import DATE, code_in, count, nothing_stored, outbox
from tests.helpers import png_bytes


def walk_to_summary(chat: TelegramChat, fake, *, photo: bool = True) -> None:
    chat.say("/start")
    chat.say("Gửi phản ánh, kiến nghị")
    chat.say("phan anh")
    chat.say("Đèn đường ở ngõ 5 phố Kiến Thiết hỏng hai tuần nay, buổi tối rất tối.")
    if photo:
        fake.add_file("photo-1", png_bytes())
        chat.send(chat.updates.photo("photo-1", caption="Ảnh chụp tối qua"))
    chat.say("Xong")
    chat.say("kien")  # five communes match: a numbered choice
    chat.say("Xã Kiến Hưng")
    chat.send(chat.updates.location(20.8123, 106.6543))
    chat.send(chat.updates.contact("+84 912 345 678"))
    chat.say("Nguyễn Văn An")
    chat.say("0")
    chat.say("Đồng ý")


def test_complete_conversation_stores_one_petition_and_sends_code_and_deadline(telegram_chat, fake_telegram, session):
    chat = telegram_chat
    walk_to_summary(chat, fake_telegram)
    summary = fake_telegram.texts(chat.updates.chat_id)[-1]
    assert "Xin kiểm tra lại đơn" in summary and "Xã Kiến Hưng" in summary and "Ảnh: 1" in summary
    answer = chat.say("Gửi đơn")
    code = code_in(answer)
    petition = session.scalar(select(Petition).where(Petition.code == code))
    assert petition.channel == "telegram" and petition.kind == "phan_anh" and petition.unit.name == "Xã Kiến Hưng"
    assert "hai tuần nay" in petition.content and "Ảnh chụp tối qua" in petition.content
    assert (round(petition.latitude, 4), round(petition.longitude, 4)) == (20.8123, 106.6543)
    person = session.scalar(select(Person).where(Person.petition_id == petition.id))
    assert (person.name, person.phone, person.chat_channel, person.chat_user_id) == \
        ("Nguyễn Văn An", "0912345678", "telegram", str(chat.updates.chat_id))
    assert count(session, Attachment) == 1
    received = session.scalar(select(Event).where(Event.petition_id == petition.id, Event.kind == "received"))
    assert received.data["external_id"].startswith("telegram:")
    first = session.scalar(select(Deadline).where(Deadline.petition_id == petition.id).order_by(Deadline.due_at))
    assert DATE.search(answer[0]).group(1) == f"{first.due_at.astimezone(VN_TZ):%d/%m/%Y}"
    assert "Hạn xử lý đơn" in answer[0] and "/tracuu" in answer[0]
    assert all(m.status == "sent" for m in outbox(session, "telegram"))
    assert session.scalar(select(ChatConversation.state)) == "idle"
    # The petition is stored once: pressing "Gửi đơn" again starts nothing new.
    chat.say("Gửi đơn")
    assert count(session, Petition) == 1


def test_keyboards_buttons_and_photo_download_go_through_the_fake_api(telegram_chat, fake_telegram):
    chat = telegram_chat
    chat.say("/start")
    menu = chat.last_markup()["keyboard"]
    assert [b["text"] for row in menu for b in row][:2] == ["Gửi phản ánh, kiến nghị", "Gửi khiếu nại, tố cáo"]
    walk_to_summary(chat, fake_telegram)
    assert ("getFile", {"file_id": "photo-1"}) in fake_telegram.calls  # the 1280 px size, not the 2560 px one
    assert any(m == "download" for m in fake_telegram.methods())
    place_prompt = next(p for p in fake_telegram.sent(chat.updates.chat_id) if p["text"].startswith("Sự việc xảy ra"))
    assert place_prompt["reply_markup"]["keyboard"][0][0].get("request_location") is True


def test_wrong_or_missing_secret_is_refused_and_nothing_stored(telegram_chat, fake_telegram, session):
    update = telegram_chat.updates.text("/start")
    for secret in (None, "", "tg-secreT", "tg-secret " ):
        response = telegram_chat.post(update, secret=secret)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
    assert nothing_stored(session) and fake_telegram.calls == []


def test_unset_secret_refuses_everything(make_app, bot_settings, fake_telegram, session):
    app = with_bot_blueprints(make_app(**bot_settings, TELEGRAM_WEBHOOK_SECRET=""))
    response = TelegramChat(app, fake_telegram).post(Updates().text("/start"), secret="")
    assert response.status_code == 401 and nothing_stored(session)


def test_retried_update_is_processed_once(telegram_chat, fake_telegram, session):
    chat = telegram_chat
    update = chat.updates.text("/start")
    assert chat.post(update).get_json()["result"] == "processed"
    assert chat.post(update).get_json()["result"] == "duplicate"
    assert len(fake_telegram.sent()) == 1 and count(session, ProcessedInbound) == 1
    walk_to_summary(chat, fake_telegram, photo=False)
    confirm = chat.updates.text("Gửi đơn")
    chat.post(confirm)
    chat.post(confirm)  # Telegram retries when our 200 got lost
    assert count(session, Petition) == 1
    assert sum("Mã đơn" in t for t in fake_telegram.texts()) == 1


def test_restart_mid_conversation_resumes_in_a_new_app_instance(make_app, bot_settings, fake_telegram, session):
    updates = Updates(chat_id=5550077)
    first = TelegramChat(with_bot_blueprints(make_app(**bot_settings)), fake_telegram, updates)
    first.say("/start")
    first.say("2")
    first.say("Khiếu nại")
    first.say("Tôi khiếu nại quyết định thu hồi đất số 12/QĐ-UBND vì giá bồi thường quá thấp.")
    # The process restarts (or the next update lands on another worker): nothing was kept in memory.
    second = TelegramChat(with_bot_blueprints(make_app(**bot_settings)), fake_telegram, updates)
    assert "Đơn gửi tới xã" in second.say("xong")[0]
    second.say("an khanh")
    second.say("Bo qua")
    assert "cần số điện thoại" in second.say("bo qua")[0]  # a complaint needs the phone: skipping is refused
    second.say("0987654321")
    second.say("Trần Thị Bình")
    second.say("khong")  # no co-signers, typed without diacritics
    second.say("co")
    code = code_in(second.say("gui don"))
    petition = session.scalar(select(Petition).where(Petition.code == code))
    assert petition.kind == "khieu_nai" and petition.unit.name == "Xã An Khánh" and "12/QĐ-UBND" in petition.content


def test_api_outage_keeps_reply_in_outbox_and_dispatch_delivers_it_once(telegram_chat, fake_telegram, database,
                                                                        session, registered_senders):
    fake_telegram.down = True
    response = telegram_chat.post(telegram_chat.updates.text("/start"))
    assert response.status_code == 200  # stored; Telegram must not retry the update
    [row] = outbox(session, "telegram")
    assert row.status == "pending" and row.attempts == 1 and "Bad Gateway" in (row.last_error or "")
    assert session.scalar(select(ChatConversation.state)) == "menu"
    fake_telegram.down = False
    fake_telegram.clear()
    later = utcnow() + dt.timedelta(minutes=5)
    assert dispatch_outbox(database, now=later).sent == 1
    assert dispatch_outbox(database, now=later + dt.timedelta(hours=1)).claimed == 0
    assert len(fake_telegram.sent()) == 1 and fake_telegram.texts()[0].startswith("Xin chào")
    assert outbox(session, "telegram")[0].status == "sent"


def test_blocked_user_fails_the_message_for_good(telegram_chat, fake_telegram, session):
    fake_telegram.blocked.add(str(telegram_chat.updates.chat_id))
    telegram_chat.post(telegram_chat.updates.text("/start"))
    [row] = outbox(session, "telegram")
    assert row.status == "failed" and "blocked" in row.last_error


def test_reply_arrives_within_a_second(telegram_chat, fake_telegram):
    telegram_chat.say("/start")  # warm up
    started = time.perf_counter()
    assert telegram_chat.say("1")
    assert time.perf_counter() - started < 1.0


def test_status_lookup_only_for_the_chat_user_who_sent_it(telegram_chat, bot_app, fake_telegram, session):
    walk_to_summary(telegram_chat, fake_telegram, photo=False)
    code = code_in(telegram_chat.say("Gửi đơn"))
    status = telegram_chat.say(f"/tracuu {code.lower().replace('-', '')}")[0]
    assert status.startswith(f"Đơn {code}") and "Tình trạng:" in status and "Xử lý đơn: chậm nhất ngày" in status
    stranger = TelegramChat(bot_app, fake_telegram, Updates(chat_id=5550999))
    assert "Không tìm thấy" in stranger.say(f"/tracuu {code}")[0]
    assert stranger.say(f"/tracuu {code} 0912 345 678")[0].startswith(f"Đơn {code}")  # with the phone on record
    assert "Không tìm thấy" in stranger.say(f"/tracuu {code} 0900000000")[0]
    # The menu button, then the code.
    assert "Nhập mã đơn" in telegram_chat.say("Tra cứu đơn")[0]
    assert telegram_chat.say(code)[0].startswith(f"Đơn {code}")


def test_cancel_and_free_messages(telegram_chat, session):
    assert "Bạn cần gì" in telegram_chat.say("Cho tôi hỏi chút")[0]  # outside a conversation: the menu
    telegram_chat.say("1")
    telegram_chat.say("Kiến nghị")
    telegram_chat.say("Đề nghị lắp thêm đèn đường")
    assert "Đã huỷ" in telegram_chat.say("huỷ")[0]
    assert session.scalar(select(ChatConversation.draft)) == {}
    assert "không có đơn nào" in telegram_chat.say("/huy")[0]


def test_group_command_tells_the_chat_id_and_ignores_other_group_talk(telegram_chat, fake_telegram, session):
    chat = telegram_chat
    assert chat.post(chat.updates.group_text(-1001234567890, "chào cả nhà")).get_json()["result"] == "ignored"
    chat.post(chat.updates.group_text(-1001234567890, "/dangky@tiepdan_test_bot"))
    [hint] = fake_telegram.texts(-1001234567890)
    assert "-1001234567890" in hint and "python -m bots.admin register-group" in hint
    assert count(session, ChatConversation) == 0  # a group is not a citizen


def test_polling_path_shares_the_same_handling(database, bot_app, fake_telegram, session):
    updates = Updates(chat_id=5550123)
    update = updates.text("/start")
    assert handle_update(database, bot_app.config, update) == "processed"
    assert handle_update(database, bot_app.config, update) == "duplicate"
    assert fake_telegram.texts(5550123)[0].startswith("Xin chào")


def test_edited_messages_and_unknown_updates_are_ignored(telegram_chat, session):
    response = telegram_chat.post({"update_id": 1, "edited_message": {"message_id": 1}})
    assert response.get_json()["result"] == "ignored" and nothing_stored(session)
    in_group = telegram_chat.updates.press("rate:X:1")
    in_group["callback_query"]["message"]["chat"] = {"id": -100777, "type": "supergroup"}
    assert telegram_chat.post(in_group).get_json()["result"] == "ignored" and nothing_stored(session)
    assert telegram_chat.client.post("/bots/telegram/webhook", data="not json",
                                     headers={"X-Telegram-Bot-Api-Secret-Token": "tg-secret"}).status_code == 400


def test_a_crowd_names_its_representatives_with_the_keyboard(telegram_chat, fake_telegram, session):
    chat = telegram_chat
    for text in ("/start", "Gửi phản ánh, kiến nghị", "kien nghi", "Đề nghị làm lại cầu dân sinh thôn Đông bị sập.",
                 "Xong", "an khanh", "Bỏ qua", "0912345678", "Nguyễn Văn An"):
        chat.say(text)
    intro, ask = chat.say("24")  # 25 people: one to five representatives
    assert "Đơn có 25 người cùng đứng tên" in intro and "từ 1 đến 5 người đại diện" in intro
    keyboard = [b["text"] for row in chat.last_markup()["keyboard"] for b in row]
    assert ask == "Người đại diện thứ 1: gõ họ và tên." and keyboard == ["Tôi là người đại diện"]
    chat.say("Tôi là người đại diện")
    assert [b["text"] for row in chat.last_markup()["keyboard"] for b in row] == ["Xong"]
    chat.say("Hoàng Thị Mai")
    assert chat.say("098 765 4321") == ["Đã ghi người đại diện thứ 2: Hoàng Thị Mai, 0987654321.",
                                        "Người đại diện thứ 3: gõ họ và tên. Nếu đã đủ, bấm “Xong” (hoặc gõ: xong)."]
    chat.say("Xong")
    summary = chat.say("Đồng ý")[-1]
    assert "• Số người cùng ký: 24" in summary
    assert "• Người đại diện: Nguyễn Văn An, 0912345678, người gửi đơn; Hoàng Thị Mai, 0987654321" in summary
    petition = session.scalar(select(Petition).where(Petition.code == code_in(chat.say("Gửi đơn"))))
    assert petition.co_signer_count == 24
    assert [(p.role, p.name, p.representative) for p in petition.people] == \
        [("petitioner", "Nguyễn Văn An", True), ("co_signer", "Hoàng Thị Mai", True)]
