"""Issue 20, in the chat: a citizen who starts by typing the story gets it taken as the description and is asked
for the kind after; a denunciation may be sent anonymously (Luật Tố cáo 2018 Điều 25): no identity, no chat
account kept, no acknowledgement with a code or deadline, no notice."""
from __future__ import annotations

from sqlalchemy import select

from service.models import ChatConversation, OutboxMessage, Person, Petition
from tests.bots.helpers import CODE, code_in, count

STORY = "Đèn đường ở ngõ 5 phố Kiến Thiết hỏng hai tuần nay, buổi tối rất tối, người già đi lại dễ ngã."
DENUNCIATION = ("Cán bộ địa chính xã Kiến Hưng thu thêm 2 triệu đồng ngoài quy định khi làm sổ đỏ, "
                "có biên lai viết tay ngày 03/11.")


def test_telegram_takes_a_first_message_story_as_the_description(telegram_chat, session):
    chat = telegram_chat
    asked = chat.say(STORY)
    assert "Vui lòng chọn một trong các mục" not in " ".join(asked)
    assert asked[0].startswith("Đã ghi nhận nội dung") and "loại đơn nào" in asked[1]
    assert "Phản ánh" in [b["text"] for row in chat.last_markup()["keyboard"] for b in row]
    more = chat.say("Phản ánh")
    assert "Nội dung bạn gửi đã được ghi" in more[0]
    chat.say("Xong")
    chat.say("Xã Kiến Hưng")
    chat.say("Bỏ qua")
    chat.send(chat.updates.contact("+84 912 345 678"))
    chat.say("Nguyễn Văn An")
    chat.say("0")
    summary = chat.say("Đồng ý")[-1]
    assert "Loại đơn: Phản ánh" in summary and "Kiến Thiết hỏng hai tuần nay" in summary
    code = code_in(chat.say("Gửi đơn"))
    petition = session.scalar(select(Petition).where(Petition.code == code))
    assert petition.content == STORY and petition.kind == "phan_anh"


def test_a_short_greeting_still_gets_the_menu(telegram_chat):
    assert "Bạn cần gì" in telegram_chat.say("Cho tôi hỏi chút")[0]


def test_zalo_takes_the_story_first_too(zalo_chat, session):
    chat = zalo_chat
    asked = chat.say(STORY)
    assert asked[0].startswith("Đã ghi nhận nội dung") and "1. Phản ánh" in asked[1]
    chat.say("1")  # phản ánh
    chat.say("xong")
    assert session.scalar(select(ChatConversation.draft))["content"] == [STORY]


def test_telegram_sends_an_anonymous_denunciation_as_the_law_allows(telegram_chat, fake_telegram, session):
    chat = telegram_chat
    chat.say("/start")
    chat.say("Gửi khiếu nại, tố cáo")
    chat.say("Tố cáo")
    chat.say(DENUNCIATION)
    chat.say("Xong")
    chat.say("Xã Kiến Hưng")
    asked = chat.say("Bỏ qua")  # the place
    assert "Gửi nặc danh" in asked[-1]
    assert "Gửi nặc danh" in [b["text"] for row in chat.last_markup()["keyboard"] for b in row]
    note = chat.say("Gửi nặc danh")
    assert "Luật Tố cáo 2018 Điều 25" in note[0] and "không nhận được thông báo" in note[0]
    summary = chat.say("Đồng ý")[-1]
    assert "Người gửi: nặc danh" in summary
    answer = chat.say("Gửi đơn")
    assert len(answer) == 1 and "Điều 25" in answer[0]
    assert not CODE.search(answer[0]) and "chậm nhất" not in answer[0] and "Mã truy cập" not in answer[0]
    petition = session.scalar(select(Petition))
    assert petition.anonymous and petition.kind == "to_cao" and "biên lai viết tay" in petition.content
    # No identity and no chat account kept with it; nothing queued to tell the sender.
    assert count(session, Person) == 0
    assert session.scalar(select(OutboxMessage).where(OutboxMessage.petition_id == petition.id,
                                                      OutboxMessage.channel == "telegram")) is None
    assert session.scalar(select(ChatConversation.draft)) == {}


def test_zalo_sends_an_anonymous_denunciation(zalo_chat, session):
    chat = zalo_chat
    chat.send(chat.events.follow())
    chat.say("2")  # khiếu nại, tố cáo
    chat.say("2")  # tố cáo
    chat.say(DENUNCIATION)
    chat.say("xong")
    chat.say("Kiến Hưng")
    chat.say("bo qua")
    chat.say("nac danh")
    chat.say("1")  # đồng ý
    answer = chat.say("1")  # gửi đơn
    assert "Điều 25" in answer[0] and not CODE.search(answer[0])
    petition = session.scalar(select(Petition))
    assert petition.anonymous and count(session, Person) == 0
