"""The channel-neutral conversation on its own: plain calls over a session, no platform."""
from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from bots import conversation
from bots.replies import Button, Incoming, Reply, pick
from service.domain.inbound import AttachmentData, Location
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


def test_too_long_content_is_refused_by_intake_and_asked_again(session):
    citizen = Citizen(session)
    citizen.to_summary()
    citizen.say("sua")
    citizen.say("noi dung")
    citizen.say("x" * 20_001)
    citizen.say("xong")
    replies = citizen.say("gui don")
    assert replies[0].startswith("Chưa gửi được đơn") and "20000" in replies[0]
    assert citizen.state == conversation.DESCRIBE and count(session, Petition) == 0


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
