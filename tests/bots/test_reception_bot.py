"""Tiếp công dân and "already reported here" through the bots: real updates posted to the webhooks, answers read
from the fake Telegram / Zalo APIs."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from service.domain.reception import schedule
from service.models import Petition, ReceptionBooking, ReceptionDay, Supporter
from service.models.unit import Unit
from tests import factories
from tests.helpers import vn_today

UNIT = "11737"  # Phường Nam Đồ Sơn
POTHOLE = "Ổ gà lớn trên đường Lý Thánh Tông đoạn trước chợ Vạn Hương, xe máy ngã nhiều lần khi trời mưa."


def reception_day(session, days=3, capacity=5) -> ReceptionDay:
    unit = session.scalar(select(Unit).where(Unit.code == UNIT))
    day = ReceptionDay(unit_id=unit.id, day=vn_today() + dt.timedelta(days=days), starts_at="07:30",
                       ends_at="11:00", host="Chủ tịch UBND phường", capacity=capacity, place="Trụ sở UBND phường")
    session.add(day)
    session.commit()
    return day


def labels_of(chat) -> list[str]:
    markup = chat.last_markup()
    rows = markup.get("keyboard") or markup.get("inline_keyboard") or []
    return [b["text"] for row in rows for b in row]


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_telegram_books_a_reception_day_then_cancels_it(telegram_chat, session):
    day = reception_day(session)
    chat = telegram_chat
    assert "xã, phường hay đặc khu nào" in chat.say("/tiepdan")[-1]
    listing = chat.say("nam do son")[-1]
    assert "Lịch tiếp công dân sắp tới" in listing and "Chủ tịch UBND phường" in listing and "còn 5 lượt" in listing
    assert "trình bày việc gì" in chat.say("1")[-1]
    assert "Số điện thoại" in chat.say("Hỏi về tiến độ cấp giấy chứng nhận quyền sử dụng đất")[-1]
    assert "Họ và tên" in chat.send(chat.updates.contact("+84 912 555 041"))[-1]
    assert "đồng ý" in chat.say("Trần Văn Dân")[-1]
    done = chat.say("Đồng ý")[-1]
    [booking] = session.scalars(select(ReceptionBooking)).all()
    assert booking.code in done and f"{day.day:%d/%m/%Y}" in done and "nhắc lịch" in done
    assert (booking.channel, booking.chat_user_id, booking.phone) == ("telegram", str(chat.updates.chat_id),
                                                                       "0912555041")
    # the reminder the day before goes to the chat
    session.expire_all()
    assert schedule.remind_bookings(session, now=dt.datetime.combine(
        day.day - dt.timedelta(days=1), dt.time(3, 0), tzinfo=dt.timezone.utc)) == 1
    listing = chat.say("/tiepdan")[-1]
    assert f"Hủy lịch {booking.code}" in labels_of(chat)
    assert "Đã hủy lịch" in chat.say(f"Hủy lịch {booking.code}")[-1]
    session.expire_all()
    assert session.scalar(select(ReceptionBooking.status)) == "cancelled"


def test_zalo_word_tiep_dan_books(zalo_chat, session):
    reception_day(session)
    chat = zalo_chat
    assert "xã, phường hay đặc khu nào" in chat.say("tiep dan")[-1]
    assert "Lịch tiếp công dân" in chat.say("Nam Đồ Sơn")[-1]
    chat.say("1")
    chat.say("Đề nghị giải quyết tranh chấp ranh giới đất với hộ liền kề.")
    chat.say("0912555042")
    chat.say("Lê Thị Mai")
    assert "Mã đăng ký" in chat.say("dong y")[-1]
    assert session.scalar(select(ReceptionBooking.channel)) == "zalo"


def _describe(chat, text=POTHOLE):
    chat.say("/start")
    chat.say("Gửi phản ánh, kiến nghị")
    chat.say("phan anh")
    chat.say(text)
    chat.say("Xong")
    return chat.say("Nam Đồ Sơn")


def test_after_the_description_the_bot_offers_the_similar_report_and_the_citizen_supports_it(telegram_chat, session):
    existing = factories.petition(session, POTHOLE, unit=UNIT, phone="0912555050", name="Nguyễn Văn Hùng",
                                  commit=True)
    chat = telegram_chat
    offer = _describe(chat, "Đường Lý Thánh Tông trước chợ Vạn Hương có ổ gà rất lớn, nhiều xe máy bị ngã.")[-1]
    assert "Đã có người phản ánh vấn đề tương tự" in offer and existing.code in offer and "Hùng" not in offer
    labels = labels_of(chat)
    assert f"Tôi cũng gặp vấn đề này ({existing.code})" in labels and labels[-1].startswith("Vấn đề của tôi khác")
    assert "Số điện thoại" in chat.say(f"Tôi cũng gặp vấn đề này ({existing.code})")[-1]
    assert "Họ và tên" in chat.send(chat.updates.contact("+84 912 555 051"))[-1]
    assert "đồng ý" in chat.say("Phạm Thị Mai")[-1]
    done = chat.say("Đồng ý")
    assert "Đã ghi nhận bạn cũng gặp vấn đề này" in done[-1], done
    [row] = session.scalars(select(Supporter)).all()
    assert (row.matter_id, row.phone, row.channel) == (existing.matter_id, "0912555051", "telegram")
    assert count(session, Petition) == 1  # no second petition


def test_the_citizen_may_go_on_with_their_own_petition(zalo_chat, session):
    factories.petition(session, POTHOLE, unit=UNIT, phone="0912555060", commit=True)
    chat = zalo_chat
    assert "tương tự" in _describe(chat)[-1]
    assert "vị trí" in chat.say("Vấn đề của tôi khác, tiếp tục gửi đơn")[-1].lower()
    assert count(session, Supporter) == 0


def test_a_citizen_who_just_goes_on_writing_is_not_stopped(telegram_chat, session):
    """Never forced: an answer that is not one of the offered choices is the next step of the petition (here the
    place, skipped), not lost."""
    factories.petition(session, POTHOLE, unit=UNIT, phone="0912555070", commit=True)
    chat = telegram_chat
    assert "tương tự" in _describe(chat)[-1]
    assert "Số điện thoại" in chat.say("bo qua")[-1]
    assert count(session, Supporter) == 0


def test_no_similar_report_no_question(telegram_chat, session):
    chat = telegram_chat
    replies = _describe(chat, "Đề nghị mở lớp học bơi miễn phí cho trẻ em trong dịp hè năm nay.")
    assert "tương tự" not in " ".join(replies)
