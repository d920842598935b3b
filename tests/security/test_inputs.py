"""Hostile inputs of issue #14 (findings 6 and 7): decompression bombs, invisible characters, nested JSON.

Each test goes through HTTP (web form, staff entry, API, Open311, bot webhooks) and fails without its fix.
"""
from __future__ import annotations

import functools
import hashlib
import io
import time
import unicodedata

import pytest
from PIL import Image
from sqlalchemy import select

from service.models import Attachment, Event, Person, Petition, Reply
from tests.web.test_open311 import KEY, client_key  # noqa: F401  (an Open311 client application's key)
from tests.bots.fake_zalo import APP_ID, OA_SECRET
from tests.helpers import count_petitions, png_bytes
from tests.security.conftest import api_petition, submit_form
from tests.web.console.test_entry import _form as entry_form
from tests.web.console.test_entry import _post as entry_post
from tests.web.console.test_petition_page import act, make

RLO, ZWSP, ZWNJ, ZWJ, WJ, BOM, LRI, PDI, LRM = "\u202e", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u2066", \
    "\u2069", "\u200e"
INVISIBLE = (RLO, ZWSP, ZWNJ, ZWJ, WJ, BOM, LRI, PDI, LRM, "\u061c", "\u180e", "\u202a", "\u202d")


@functools.lru_cache(maxsize=1)
def palette_bomb() -> bytes:
    """The finding's file: a 9000×9000 palette PNG of one colour, about 79 KB, 81 million pixels to decode."""
    img = Image.new("P", (9000, 9000), 0)
    img.putpalette([0, 0, 0] * 256)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def no_invisible(text: str) -> bool:
    return not any(unicodedata.category(ch) == "Cf" for ch in text)


# ---- decompression bombs -------------------------------------------------------------------------

def test_a_palette_png_bomb_is_refused_through_the_web_form_before_decoding(client, session):
    bomb = palette_bomb()
    assert len(bomb) < 200_000
    started = time.monotonic()
    answer = submit_form(client, files=[("anh.png", bomb)])
    elapsed = time.monotonic() - started
    assert answer.status_code == 422
    assert "triệu điểm ảnh" in answer.get_data(as_text=True)
    assert elapsed < 5  # decoding it took 21 s and a gigabyte
    assert count_petitions(session) == 0 and session.scalar(select(Attachment.id)) is None


def test_a_palette_png_bomb_is_refused_through_the_staff_entry(login_as, session):
    clerk = login_as("staff")
    data = entry_form(clerk, channel="paper")
    data["attachments"] = [(io.BytesIO(palette_bomb()), "don-giay.png", "image/png")]
    started = time.monotonic()
    answer = entry_post(clerk, data)
    assert answer.status_code == 422 and time.monotonic() - started < 5
    assert "triệu điểm ảnh" in answer.get_data(as_text=True)
    assert count_petitions(session) == 0


def test_the_pixel_budget_is_a_setting_read_from_the_header(make_app, session):
    client = make_app(MAX_IMAGE_PIXELS=1000).test_client()
    refused = submit_form(client, files=[("to.png", png_bytes(size=(40, 40)))])  # 1,600 pixels
    assert refused.status_code == 422 and "0,001 triệu điểm ảnh" in refused.get_data(as_text=True)
    assert count_petitions(session) == 0
    assert submit_form(client, files=[("nho.png", png_bytes(size=(20, 20)))]).status_code == 303
    assert Image.MAX_IMAGE_PIXELS == 1000  # Pillow's own bomb check follows the setting


def test_pillow_bomb_check_follows_the_default_budget(app):
    assert Image.MAX_IMAGE_PIXELS == app.config["MAX_IMAGE_PIXELS"] == 40_000_000


def test_a_bomb_sent_as_a_telegram_photo_is_refused_with_a_prompt(telegram_chat, fake_telegram, session):
    chat = telegram_chat
    chat.say("/start")
    chat.say("Gửi phản ánh, kiến nghị")
    chat.say("phan anh")
    chat.say("Đèn đường ở ngõ 5 phố Kiến Thiết hỏng hai tuần nay, buổi tối rất tối.")
    fake_telegram.add_file("bomb-1", palette_bomb())
    chat.send(chat.updates.photo("bomb-1"))
    for text in ("Xong", "kien", "Xã Kiến Hưng"):
        chat.say(text)
    chat.send(chat.updates.location(20.8123, 106.6543))
    chat.send(chat.updates.contact("+84 912 345 678"))
    for text in ("Nguyễn Văn An", "0", "Đồng ý"):
        chat.say(text)
    started = time.monotonic()
    answer = " ".join(chat.say("Gửi đơn"))
    assert time.monotonic() - started < 5
    assert "Chưa gửi được đơn" in answer and "triệu điểm ảnh" in answer
    assert count_petitions(session) == 0


# ---- invisible characters ------------------------------------------------------------------------

def test_api_content_of_only_invisible_characters_is_a_422(client, session):
    answer = client.post("/api/v1/petitions", json=api_petition(content=BOM + ZWSP * 20 + ZWJ + WJ + " " + RLO))
    assert answer.status_code == 422, answer.get_data(as_text=True)
    body = answer.get_json()["error"]
    assert "content" in body["fields"] and body["message"] and body["message_en"]
    assert count_petitions(session) == 0


def test_api_strips_bidi_and_zero_width_from_names_titles_content_places_and_keeps_vietnamese(client, session):
    content_nfd = unicodedata.normalize("NFD", "Cống thoát nước trước nhà số 7 bị tắc")
    body = api_petition(title=f"Cống{ZWSP} bị {RLO}tắc", content=f"{BOM}{content_nfd}{ZWJ}, nước tràn{LRI} ra đường.{PDI}",
                        petitioner={"name": f"{RLO}Trần{ZWSP} Thị {LRM}Bình", "phone": "0912345678",
                                    "address": f"Số 7{WJ} đường Hà Sen"},
                        location={"address": f"Ngõ{ZWNJ} 7", "lat": 20.8, "lon": 106.7})
    answer = client.post("/api/v1/petitions", json=body)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    petition = session.scalar(select(Petition))
    person = session.scalar(select(Person).where(Person.petition_id == petition.id))
    assert petition.title == "Cống bị tắc"
    assert petition.content == "Cống thoát nước trước nhà số 7 bị tắc, nước tràn ra đường."  # NFC, marks kept
    assert person.name == "Trần Thị Bình" and person.address == "Số 7 đường Hà Sen" and petition.place == "Ngõ 7"
    assert person.name_folded == "tran thi binh"


def test_web_form_refuses_invisible_content_and_cleans_the_name(client, session):
    refused = submit_form(client, content=ZWSP + BOM + ZWNJ)
    assert refused.status_code == 422 and "Cần nhập nội dung" in refused.get_data(as_text=True)
    assert count_petitions(session) == 0
    assert submit_form(client, name=f"Nguyễn {RLO}Văn{ZWSP} An", title=f"{RLO}Đèn đường hỏng").status_code == 303
    person = session.scalar(select(Person))
    assert person.name == "Nguyễn Văn An" and session.scalar(select(Petition.title)) == "Đèn đường hỏng"


def test_open311_refuses_a_description_of_only_zero_width_characters(client, session, client_key):
    answer = client.post("/open311/v2/requests.json", data={"service_code": "ha_tang_giao_thong", "api_key": KEY,
                                                             "description": ZWSP * 5 + BOM, "lat": "20.8",
                                                             "long": "106.7"})
    assert answer.status_code == 400 and "description" in answer.get_data(as_text=True)
    assert count_petitions(session) == 0


def test_staff_entry_strips_invisible_characters(login_as, session):
    clerk = login_as("staff")
    assert entry_post(clerk, entry_form(clerk, name=f"Trần {RLO}Văn Bình{ZWSP}")).status_code == 303
    assert session.scalar(select(Person.name)) == "Trần Văn Bình"
    assert entry_post(clerk, entry_form(clerk, content=BOM * 3)).status_code == 422


def test_staff_notes_and_answers_lose_bidi_overrides(login_as, session):
    p = make(session)
    client = login_as("staff")
    assert act(client, p.code, "note", text=f"Đã gọi {RLO}lại cho công dân{ZWSP}").status_code == 303
    assert act(client, p.code, "answer", text=f"UBND {RLO}trả lời{ZWJ}: đã sửa đèn. Cán bộ xã đã kiểm tra hiện trường và khắc phục xong trong ngày.").status_code == 303
    session.expire_all()
    note = session.scalar(select(Event).where(Event.petition_id == p.id, Event.kind == "note"))
    assert note.data["text"] == "Đã gọi lại cho công dân"
    assert session.scalar(select(Reply.text).where(Reply.petition_id == p.id)) == "UBND trả lời: đã sửa đèn. Cán bộ xã đã kiểm tra hiện trường và khắc phục xong trong ngày."
    assert act(client, p.code, "note", text=ZWSP * 4).status_code == 422


def test_a_telegram_message_of_only_zero_width_characters_is_not_a_description(telegram_chat, session):
    chat = telegram_chat
    chat.say("/start")
    chat.say("Gửi phản ánh, kiến nghị")
    chat.say("phan anh")
    chat.say(ZWSP + BOM + ZWJ)
    answer = " ".join(chat.say("Xong"))
    assert "Vui lòng mô tả sự việc bằng chữ" in answer
    assert count_petitions(session) == 0


def test_the_normaliser_removes_every_format_character_and_only_those():
    from service.domain.text import strip_invisible

    for ch in INVISIBLE:
        assert strip_invisible(f"a{ch}b") == "ab", hex(ord(ch))
    vietnamese = unicodedata.normalize("NFD", "Nguyễn Thị Hằng, đường Lạch Tray")
    assert strip_invisible(vietnamese) == "Nguyễn Thị Hằng, đường Lạch Tray"
    assert no_invisible(strip_invisible("x\U000e0041\u00ad\u2062y"))  # tag characters, soft hyphen, invisible times


# ---- deeply nested JSON --------------------------------------------------------------------------

DEEP = "[" * 5000


def test_a_telegram_update_of_5000_nested_brackets_is_a_400(telegram_chat, session):
    headers = {"X-Telegram-Bot-Api-Secret-Token": "tg-secret", "Content-Type": "application/json"}
    for body in (DEEP, '{"update_id": 7, "message": ' + DEEP + "]" * 5000 + "}"):
        answer = telegram_chat.client.post("/bots/telegram/webhook", data=body, headers=headers)
        assert answer.status_code == 400
    assert count_petitions(session) == 0


def zalo_headers(raw: bytes, timestamp: str) -> dict[str, str]:
    """The mac as Zalo computes it, by hand: the helper `signature.sign` must parse the body to find it."""
    mac = hashlib.sha256(APP_ID.encode() + raw + timestamp.encode() + OA_SECRET.encode()).hexdigest()
    return {"Content-Type": "application/json", "X-ZEvent-Signature": f"mac={mac}"}


def test_a_zalo_event_of_5000_nested_brackets_is_a_400(zalo_chat, session):
    nested = ('{"app_id": "%s", "event_name": "user_send_text", "timestamp": "1700000000000", "message": '
              % APP_ID + DEEP + "]" * 5000 + "}").encode()
    answer = zalo_chat.client.post("/bots/zalo/webhook", data=nested, headers=zalo_headers(nested, "1700000000000"))
    assert answer.status_code == 400
    raw = DEEP.encode()
    assert zalo_chat.client.post("/bots/zalo/webhook", data=raw, headers=zalo_headers(raw, "")).status_code == 400
    assert count_petitions(session) == 0


def test_api_and_open311_bodies_of_5000_nested_brackets_are_400(client, session):
    for url in ("/api/v1/petitions", "/open311/v2/requests.json"):
        answer = client.post(url, data=DEEP, content_type="application/json")
        assert answer.status_code == 400, (url, answer.status_code)
    assert count_petitions(session) == 0


@pytest.mark.parametrize("depth, expected", [(3, 3), (40, 33)])
def test_depth_is_measured_without_recursion_and_ignores_brackets_in_strings(depth, expected):
    from service import jsonsafe

    text = '{"a": "[[[[[[[[\\"[[[", "b": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"
    assert jsonsafe.nesting(text, limit=32) == expected
