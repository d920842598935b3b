"""The channel-neutral conversation on its own: plain calls over a session, no platform."""
from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from bots import conversation
from bots.replies import Button, Incoming, Reply, pick
from service.domain.inbound import AttachmentData, Location
from service.domain.matters import flags
from service.domain.matters import operations as matters
from service.models import ChatConversation, Petition
from tests.bots.helpers import code_in, count
from tests.helpers import png_bytes

_ids = itertools.count(1)


class Citizen:
    def __init__(self, session, channel: str = "zalo", user: str = "u-1"):
        self.session, self.channel, self.user = session, channel, user

    def send(self, **fields) -> list[Reply]:
        replies = conversation.handle(self.session, Incoming(self.channel, self.user, str(next(_ids)), **fields))
        self.session.commit()
        return replies

    def say(self, text: str) -> list[str]:
        return [r.text for r in self.send(text=text)]

    @property
    def state(self) -> str:
        self.session.expire_all()
        return self.session.scalar(select(ChatConversation.state).where(ChatConversation.chat_user_id == self.user))

    def to_summary(self) -> None:
        for text in ("1", "1", "Cống thoát nước ở tổ 3 bị tắc, nước tràn vào nhà dân.", "xong", "kim thanh",
                     "Tổ 3, thôn Kim Lũy", "0987654321", "Phạm Thị Dung", "3", "dong y"):
            self.say(text)
        assert self.state == conversation.CONFIRM


def test_pick_accepts_value_number_label_and_alias():
    buttons = [Button("Đồng ý", "yes", aliases=("co",)), Button("Không đồng ý", "no", aliases=("khong",)),
               Button("📍 Gửi vị trí", "location", kind="location")]
    assert pick(buttons, Incoming("zalo", "u", "1", text="2")) == "no"
    assert pick(buttons, Incoming("zalo", "u", "1", text="DONG Y")) == "yes"
    assert pick(buttons, Incoming("zalo", "u", "1", text="có")) == "yes"
    assert pick(buttons, Incoming("zalo", "u", "1", text="3")) is None  # only choices are numbered
    assert pick(buttons, Incoming("zalo", "u", "1", choice="no")) == "no"
    assert pick(buttons, Incoming("zalo", "u", "1", choice="rate:x")) is None


def test_summary_edit_and_submit(session):
    citizen = Citizen(session)
    citizen.to_summary()
    assert "Số người cùng ký: 3" in citizen.say("x")[-1]  # anything else: asked again
    citizen.say("sua")
    assert citizen.state == conversation.EDIT
    citizen.say("Nội dung")
    citizen.say("Cống thoát nước ở tổ 5 (không phải tổ 3) bị tắc.")
    summary = citizen.say("xong")[-1]
    assert citizen.state == conversation.CONFIRM and "tổ 5 (không phải tổ 3)" in summary and "tổ 3 bị tắc" not in summary
    citizen.say("2")
    citizen.say("3")  # Xã, phường, đặc khu
    assert "Xã An Khánh" in citizen.say("an khanh")[0]
    assert citizen.state == conversation.CONFIRM
    code = code_in(citizen.say("gui don"))
    petition = session.scalar(select(Petition).where(Petition.code == code))
    assert petition.unit.name == "Xã An Khánh" and petition.co_signer_count == 3 and petition.place == "Tổ 3, thôn Kim Lũy"
    assert citizen.state == conversation.IDLE


def test_consent_refused_clears_the_draft_and_stores_nothing(session):
    citizen = Citizen(session)
    for text in ("1", "2", "Đề nghị làm đường", "xong", "cat hai", "bo qua", "bo qua", "bo qua", "0"):
        citizen.say(text)
    assert citizen.state == conversation.CONSENT
    assert "chưa đồng ý" in citizen.say("khong dong y")[0]
    assert citizen.state == conversation.MENU and count(session, Petition) == 0
    assert session.scalar(select(ChatConversation.draft)) == {}


def test_ambiguous_unit_offers_numbered_choices_and_accepts_a_new_name(session):
    citizen = Citizen(session)
    for text in ("1", "1", "Ô nhiễm", "xong"):
        citizen.say(text)
    [reply] = citizen.send(text="vinh")
    assert citizen.state == conversation.UNIT_CHOICE and len(reply.choices) == 7
    assert [b.label for b in reply.choices][:2] == ["Xã Vĩnh Am", "Xã Vĩnh Bảo"]
    assert "Xã Kim Thành" in citizen.say("Kim Thành")[0]  # typed a new name instead of a number
    assert citizen.state == conversation.PLACE


def test_unknown_unit_is_asked_again(session):
    citizen = Citizen(session)
    for text in ("1", "1", "Ô nhiễm", "xong"):
        citizen.say(text)
    assert "Không tìm thấy “Xã Không Có”" in citizen.say("Xã Không Có")[0]
    assert citizen.state == conversation.UNIT


def test_photos_are_capped_and_kept_with_the_draft(session):
    citizen = Citizen(session)
    citizen.say("1")
    citizen.say("1")
    photos = [AttachmentData(f"a{i}.png", png_bytes()) for i in range(6)]
    replies = citizen.send(photos=photos, text="Rác ở chợ")
    assert any("tối đa 5 ảnh" in r.text for r in replies)
    draft = session.scalar(select(ChatConversation.draft))
    assert len(draft["photos"]) == 5 and draft["content"] == ["Rác ở chợ"]


def test_location_shared_while_describing_skips_the_place_step(session):
    citizen = Citizen(session)
    citizen.say("1")
    citizen.say("1")
    citizen.say("Cây đổ chắn đường")
    citizen.send(location=Location(20.86, 106.68))
    citizen.say("xong")
    citizen.say("an khanh")
    assert citizen.state == conversation.CONTACT


def test_too_long_content_is_refused_as_it_crosses_the_limit_keeping_what_was_written(session):
    citizen = Citizen(session)
    citizen.to_summary()
    citizen.say("sua")
    citizen.say("noi dung")
    citizen.say("Đường thôn 3 ngập nước.")
    replies = citizen.say("x" * 20_001)
    assert replies[0].startswith("Tin nhắn vừa gửi chưa được ghi") and "20.000" in replies[0]
    assert citizen.state == conversation.DESCRIBE and count(session, Petition) == 0
    citizen.say("xong")
    citizen.session.expire_all()
    draft = citizen.session.scalar(select(ChatConversation.draft).where(ChatConversation.chat_user_id == citizen.user))
    assert draft["content"] == ["Đường thôn 3 ngập nước."]


def test_start_while_drafting_keeps_the_draft(session):
    citizen = Citizen(session)
    citizen.say("1")
    citizen.say("1")
    citizen.say("Đường hỏng")
    replies = citizen.say("/start")
    assert "đang soạn dở" in replies[0] and citizen.state == conversation.DESCRIBE


def test_invalid_phone_is_explained(session):
    citizen = Citizen(session)
    for text in ("1", "1", "Đường hỏng", "xong", "an khanh", "bo qua"):
        citizen.say(text)
    assert "không phải số Việt Nam" in citizen.say("12345")[0]
    assert citizen.state == conversation.CONTACT


@pytest.mark.parametrize("word", ["huy", "Hủy", "HUỶ", "/huy", "/huy@tiepdan_bot"])
def test_cancel_words_with_or_without_diacritics(session, word):
    citizen = Citizen(session, user=f"u-{word}")
    citizen.say("1")
    assert "Đã huỷ" in citizen.say(word)[0]
    assert citizen.state == conversation.MENU


# ---- a crowd's representatives (Luật Tiếp công dân Điều 29) ----------------------------------------

def to_co_signers(citizen: Citizen) -> None:
    for text in ("1", "1", "Cống thoát nước ở tổ 3 bị tắc, nước tràn vào nhà dân.", "xong", "kim thanh",
                 "Tổ 3, thôn Kim Lũy", "0987654321", "Phạm Thị Dung"):
        citizen.say(text)
    assert citizen.state == conversation.CO_SIGNERS


def stored_people(session, code: str) -> tuple[Petition, list[tuple]]:
    petition = session.scalar(select(Petition).where(Petition.code == code))
    return petition, [(p.role, p.name, p.phone, p.representative) for p in petition.people]


def test_a_crowd_names_its_representatives_one_by_one(session):
    citizen = Citizen(session)
    to_co_signers(citizen)
    intro, ask = citizen.say(str(flags.CROWD + 2))  # eight people: one or two representatives
    assert f"Đơn có {flags.CROWD + 3} người cùng đứng tên" in intro and "từ 1 đến 2 người đại diện" in intro
    assert ask == "Người đại diện thứ 1: gõ họ và tên."
    too_few = (f"Đơn có {flags.CROWD + 3} người cùng đứng tên: vui lòng ghi họ tên, số điện thoại của người "
               "đại diện (từ 1 đến 2 người, Luật Tiếp công dân, Điều 29).")  # the web form's message: intake's law
    assert citizen.say("xong") == [too_few, ask]  # at least one
    assert "Số điện thoại của người đại diện Tran Van Binh?" in citizen.say("Tran Van Binh")[0]
    assert "không phải số Việt Nam" in citizen.say("12345")[0]
    noted, ask = citizen.say("0912 000 111")
    assert noted == "Đã ghi người đại diện thứ 1: Tran Van Binh, 0912000111." and "Người đại diện thứ 2" in ask
    assert citizen.state == conversation.CO_SIGNERS
    noted, consent = citizen.say("Tôi là người đại diện")  # the sender; two is the most for eight people
    assert "Phạm Thị Dung, 0987654321, người gửi đơn" in noted and "Bạn có đồng ý không?" in consent
    summary = citizen.say("dong y")[0]
    assert "• Người đại diện: Tran Van Binh, 0912000111; Phạm Thị Dung, 0987654321, người gửi đơn" in summary
    petition, people = stored_people(session, code_in(citizen.say("gui don")))
    assert petition.co_signer_count == flags.CROWD + 2
    assert people == [("petitioner", "Phạm Thị Dung", "0987654321", True),
                      ("co_signer", "Tran Van Binh", "0912000111", True)]
    assert not matters.needs_representatives(petition)


def test_more_than_ten_people_name_up_to_five_and_finish_with_xong(session):
    citizen = Citizen(session, user="u-crowd")
    to_co_signers(citizen)
    assert "từ 1 đến 5 người đại diện" in citizen.say("30")[0]
    for n, name in enumerate(("Lê Văn Cường", "vu thi hoa", "Đỗ Minh"), start=1):
        citizen.say(name)
        citizen.say(f"091200011{n}")
    assert citizen.state == conversation.CO_SIGNERS
    citizen.say("XONG")  # with or without diacritics, any case
    assert citizen.state == conversation.CONSENT
    citizen.say("đồng ý")
    petition, people = stored_people(session, code_in(citizen.say("gửi đơn")))
    assert petition.co_signer_count == 30
    assert people[1:] == [("co_signer", "Lê Văn Cường", "0912000111", True),
                          ("co_signer", "vu thi hoa", "0912000112", True), ("co_signer", "Đỗ Minh", "0912000113", True)]
    assert people[0] == ("petitioner", "Phạm Thị Dung", "0987654321", False)


def test_fewer_people_are_not_asked_and_editing_the_count_drops_the_representatives(session):
    citizen = Citizen(session, user="u-edit")
    to_co_signers(citizen)
    citizen.say("9")
    citizen.say("Lê Văn Cường")
    citizen.say("0912000111")
    citizen.say("xong")
    citizen.say("dong y")
    assert "Người đại diện: Lê Văn Cường" in citizen.say("x")[-1]
    citizen.say("sua")
    assert "Có bao nhiêu người cùng đứng tên đơn này?" in citizen.say("nguoi dai dien")[0]
    summary = citizen.say(str(flags.CROWD - 2))[0]  # below the threshold: straight back to the summary
    assert "Số người cùng ký: 3" in summary and "Người đại diện" not in summary
    petition, people = stored_people(session, code_in(citizen.say("1")))
    assert petition.co_signer_count == flags.CROWD - 2 and len(people) == 1


def test_a_typed_one_is_a_count_not_the_first_numbered_option(session):
    citizen = Citizen(session, user="u-one")
    to_co_signers(citizen)
    citizen.say("1")
    draft = session.scalar(select(ChatConversation.draft).where(ChatConversation.chat_user_id == "u-one"))
    assert draft["co_signers"] == 1 and citizen.state == conversation.CONSENT
