"""Notifications through the outbox: answers with the rating question, ratings, reopen requests, staff groups."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from bots import admin
from service.db import utcnow
from service.domain.inbound import Actor
from service.domain.notifications import outbox as notify
from service.domain.routing.units import find_unit, office_of
from service.domain.workflow import operations as workflow
from service.jobs.dispatch import dispatch_outbox
from service.models import ChatConversation, Event, Office, Petition, Rating
from tests.bots.helpers import code_in, outbox
from tests.bots.test_telegram import walk_to_summary as telegram_walk
from tests.bots.test_zalo import walk_to_summary as zalo_walk

STAFF = Actor(label="Cán bộ Văn phòng", role="staff")
ANSWER = "UBND xã đã sửa xong đèn đường ngõ 5 ngày 20/11/2026. Trân trọng."


def answer(session, code: str) -> Petition:
    petition = session.scalar(select(Petition).where(Petition.code == code))
    workflow.perform(session, petition, "answer", STAFF, text=ANSWER)
    session.commit()
    return petition


def dispatch(database) -> None:
    dispatch_outbox(database, now=utcnow() + dt.timedelta(seconds=1))


def test_answer_reaches_telegram_with_rating_buttons_and_low_rating_offers_reopen(
        telegram_chat, fake_telegram, database, session, registered_senders):
    chat = telegram_chat
    telegram_walk(chat, fake_telegram, photo=False)
    code = code_in(chat.say("Gửi đơn"))
    petition = answer(session, code)
    dispatch(database)
    message = fake_telegram.sent(chat.updates.chat_id)[-1]
    assert message["text"].startswith(ANSWER) and f"đơn {code}" in message["text"]
    buttons = [row[0]["callback_data"] for row in message["reply_markup"]["inline_keyboard"]]
    assert buttons == [f"rate:{code}:{n}" for n in range(1, 6)]
    assert session.scalar(select(ChatConversation.state)) == "rating"

    replies = chat.send(chat.updates.press(f"rate:{code}:2"))
    assert "2/5" in replies[0] and "xem xét lại" in replies[1]
    assert "answerCallbackQuery" in fake_telegram.methods()  # the button's spinner stops
    assert session.scalar(select(Rating.score).where(Rating.petition_id == petition.id)) == 2
    done = chat.say("Có")
    assert "Cán bộ sẽ xem xét" in done[0]
    reopened = session.scalar(select(Event).where(Event.petition_id == petition.id, Event.kind == "reopened"))
    assert reopened.data["rating"] == 2 and reopened.data["by"] == "citizen"
    notices = [m for m in outbox(session, "console") if m.dedupe_key.startswith("reopened:")]
    assert notices and all(code in n.text for n in notices)  # the handling office and Văn phòng
    session.refresh(petition)
    assert petition.status == "in_progress"  # the citizen's yes reopens it (issue #16)
    assert chat.say("Có") and session.scalar(select(func.count()).select_from(Event).where(
        Event.petition_id == petition.id, Event.kind == "reopened")) == 1


def test_rating_someone_elses_petition_is_refused(telegram_chat, fake_telegram, bot_app, database, session,
                                                  registered_senders):
    from tests.bots.conftest import TelegramChat
    from tests.bots.fake_telegram import Updates

    telegram_walk(telegram_chat, fake_telegram, photo=False)
    code = code_in(telegram_chat.say("Gửi đơn"))
    answer(session, code)
    stranger = TelegramChat(bot_app, fake_telegram, Updates(chat_id=5550888))
    assert "Không tìm thấy" in stranger.send(stranger.updates.press(f"rate:{code}:1"))[0]
    assert session.scalar(select(Rating)) is None


def test_answer_on_zalo_is_rated_with_a_typed_number(zalo_chat, fake_zalo, database, session, registered_senders):
    zalo_walk(zalo_chat, fake_zalo)
    code = code_in(zalo_chat.say("1"))
    petition = session.scalar(select(Petition).where(Petition.code == code))
    workflow.perform(session, petition, "accept", STAFF)
    workflow.perform(session, petition, "start", STAFF)
    workflow.perform(session, petition, "answer", STAFF, text=ANSWER)
    session.commit()
    dispatch(database)
    last = fake_zalo.texts(zalo_chat.events.user_id)[-1]
    assert last.startswith(ANSWER) and "\n5. 5 – Rất hài lòng" in last
    assert "Cảm ơn" in zalo_chat.say("5")[0]
    assert session.scalar(select(Rating.score)) == 5
    assert zalo_chat.say("5")[0].startswith("Xin chào")  # the next "5" is no rating: the menu again


def test_status_of_an_answered_petition_asks_for_a_rating(telegram_chat, fake_telegram, session, database,
                                                          registered_senders):
    telegram_walk(telegram_chat, fake_telegram, photo=False)
    code = code_in(telegram_chat.say("Gửi đơn"))
    answer(session, code)
    status = telegram_chat.say(f"/tracuu {code}")[0]
    assert "đã trả lời đơn" in status and ANSWER in status and "Chọn từ 1" in status
    assert "Cảm ơn" in telegram_chat.say("4")[0]


def register(database_url: str, *argv: str) -> str:
    out = io.StringIO()
    args = admin._parser().parse_args(list(argv))
    assert admin.run(args, {"DATABASE_URL": database_url, "TELEGRAM_API_BASE_URL": ""}, out=out) == 0
    return out.getvalue()


@pytest.mark.committed  # bots.admin opens its own Database
def test_registered_staff_groups_receive_office_notices(database, database_url, session, fake_telegram, fake_zalo,
                                                        registered_senders):
    said = register(database_url, "register-group", "--channel", "telegram", "--unit", "11737", "--office",
                    "phong_kinh_te", "--chat-id", "-1001234567890")
    assert "Phòng Kinh tế" in said
    register(database_url, "register-group", "--channel", "zalo", "--unit", "Nam Đồ Sơn", "--office", "phong_kinh_te",
             "--chat-id", "g-4a9bada229cec")
    office = office_of(session, find_unit(session, "11737"), "phong_kinh_te")
    assert (office.telegram_chat_id, office.zalo_group_id) == ("-1001234567890", "g-4a9bada229cec")
    notify.enqueue_office_notice(session, office, "[Quá hạn] 2 thời hạn đã quá hạn.", "test:overdue")
    session.commit()
    dispatch(database)
    assert fake_telegram.texts(-1001234567890)[-1] == "[Quá hạn] 2 thời hạn đã quá hạn."
    assert "đăng ký nhận cờ cảnh báo" in fake_telegram.texts(-1001234567890)[0]
    assert fake_zalo.group_texts("g-4a9bada229cec")[-1] == "[Quá hạn] 2 thời hạn đã quá hạn."
    assert "phong_kinh_te" in register(database_url, "list-groups")
    register(database_url, "unregister-group", "--channel", "telegram", "--unit", "11737", "--office", "phong_kinh_te")
    session.expire_all()
    assert session.get(Office, office.id).telegram_chat_id is None


@pytest.mark.committed  # bots.admin opens its own Database
def test_group_command_knows_a_registered_group(telegram_chat, fake_telegram, database_url):
    register(database_url, "register-group", "--channel", "telegram", "--unit", "11737", "--office", "van_phong",
             "--chat-id", "-100555")
    telegram_chat.post(telegram_chat.updates.group_text(-100555, "/dangky"))
    assert "đã được đăng ký nhận thông báo của Văn phòng HĐND và UBND" in fake_telegram.texts(-100555)[-1]


@pytest.mark.committed  # bots.admin opens its own Database
def test_register_group_with_unknown_office_fails(database_url, capsys):
    args = admin._parser().parse_args(["register-group", "--channel", "telegram", "--unit", "11737", "--office",
                                       "so_xay_dung", "--chat-id", "-1"])
    assert admin.run(args, {"DATABASE_URL": database_url}) == 1
    assert "không có phòng" in capsys.readouterr().err
