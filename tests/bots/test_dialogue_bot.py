"""Đối thoại through the bots: real updates posted to the webhook, answers read from the fake Telegram / Zalo APIs."""
from __future__ import annotations

from sqlalchemy import func, select

from service.domain.inbound import Actor
from service.jobs.dispatch import dispatch_outbox
from service.models import DialogueRegistration, DialogueSubscription, OutboxMessage
from tests import factories
from tests.domain.test_dialogue import UNIT

STAFF = Actor(label="Cán bộ Văn phòng", role="staff")


def announced(session, days_ahead=10, place="Hội trường UBND phường Nam Đồ Sơn"):
    return factories.dialogue_session(session, unit=UNIT, actor=STAFF, days_ahead=days_ahead, place=place)


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_telegram_lists_sessions_subscribes_and_registers_once(telegram_chat, fake_telegram, session, database,
                                                               registered_senders):
    ds = announced(session)
    chat = telegram_chat
    assert "xã, phường hay đặc khu nào" in chat.say("/doithoai")[-1]
    listing = chat.say("nam do son")[-1]
    assert "Hội trường UBND phường Nam Đồ Sơn" in listing and "Rác thải" in listing
    labels = [b["text"] for row in chat.last_markup()["keyboard"] for b in row]
    assert labels[0].startswith("Đăng ký phát biểu") and "Nhận thông báo đối thoại" in labels
    assert "Đã đăng ký nhận thông báo" in chat.say("Nhận thông báo đối thoại")[-1]
    assert count(session, DialogueSubscription) == 1
    # The unit is now known: /doithoai goes straight to the list.
    assert "Hội nghị đối thoại sắp tới" in chat.say("/doithoai")[-1]
    assert "Bạn muốn hỏi" in chat.say("1")[-1]
    assert "Số điện thoại" in chat.say("Bao giờ phường di dời bãi rác tạm gần chợ?")[-1]
    assert "Họ và tên" in chat.send(chat.updates.contact("+84 912 000 003"))[-1]
    assert "mã đơn" in chat.say("Trần Thị Hoa")[-1]
    assert "đồng ý" in chat.say("Bỏ qua")[-1]
    consent = chat.updates.text("Đồng ý")
    done = chat.send(consent)[-1]
    assert "Đã đăng ký phát biểu" in done
    chat.post(consent)  # Telegram retries the update: processed once
    session.expire_all()
    [row] = session.scalars(select(DialogueRegistration)).all()
    assert (row.name, row.phone, row.channel, row.chat_user_id, row.session_id) == \
        ("Trần Thị Hoa", "0912000003", "telegram", str(chat.updates.chat_id), ds.id)
    assert row.question == "Bao giờ phường di dời bãi rác tạm gần chợ?"
    # A new session of the unit: its notice reaches the subscribed chat through the outbox.
    second = announced(session, days_ahead=20, place="Nhà văn hóa tổ dân phố 7")
    notice = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"dialogue:{second.id}:notice:%")))
    assert (notice.channel, notice.recipient) == ("telegram", str(chat.updates.chat_id))
    dispatch_outbox(database)
    assert any("Nhà văn hóa tổ dân phố 7" in t for t in fake_telegram.texts(chat.updates.chat_id))


def test_cancel_and_other_commands_leave_the_dialogue_part(telegram_chat, session):
    announced(session)
    chat = telegram_chat
    chat.say("/doithoai")
    chat.say("Nam Đồ Sơn")
    chat.say("1")
    assert "Đã thoát phần đối thoại" in chat.say("huỷ")[-1]
    chat.say("/doithoai")
    assert "Nhập mã đơn" in chat.say("/tracuu")[-1]  # another command runs as usual
    assert count(session, DialogueRegistration) == 0


def test_petition_draft_is_not_lost_to_doithoai(telegram_chat, session):
    chat = telegram_chat
    chat.say("/start")
    chat.say("Gửi phản ánh, kiến nghị")
    answer = chat.say("/doithoai")
    assert "Bạn đang soạn đơn" in answer[0]


def test_zalo_word_doi_thoai_without_diacritics(zalo_chat, session):
    announced(session)
    chat = zalo_chat
    assert "xã, phường hay đặc khu nào" in chat.say("doi thoai")[-1]
    listing = chat.say("Nam Đồ Sơn")[-1]
    assert "Hội nghị đối thoại sắp tới" in listing and "1." in listing
    assert "Bạn muốn hỏi" in chat.say("1")[-1]
    chat.say("Đề nghị lắp đèn đường ngõ 12.")
    chat.say("0912000004")
    chat.say("Lê Thị Mai")
    chat.say("bo qua")
    assert "Đã đăng ký phát biểu" in chat.say("dong y")[-1]
    session.expire_all()
    assert session.scalar(select(DialogueRegistration.channel)) == "zalo"
