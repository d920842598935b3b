""""Already reported here": similar open public petitions of the unit (by words or near the pin), never a denunciation,
redacted text only; "tôi cũng gặp vấn đề này" adds a supporter of the matter (web page, API), told of the answer."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from service.domain.workflow import operations as workflow
from service.domain.inbound import Actor, Location
from service.domain.matters import flags
from service.domain.reception import supporters
from service.models import Flag, OutboxMessage, Supporter
from tests import factories

UNIT = "11737"
STAFF = Actor(label="Cán bộ Văn phòng", role="staff")
POTHOLE = "Ổ gà lớn trên đường Lý Thánh Tông đoạn trước chợ Vạn Hương, xe máy ngã nhiều lần khi trời mưa."


def make(session, content=POTHOLE, **extra):
    return factories.petition(session, content, unit=UNIT, commit=True, **extra)


def ask(client, text, **extra):
    return client.get("/api/v1/public/similar", query_string={"unit": UNIT, "text": text, **extra}).json["items"]


def test_similar_finds_the_open_pothole_and_never_a_denunciation(client, session):
    pothole = make(session, name="Nguyễn Văn Hùng", phone="0912000101")
    make(session, "Tố cáo cán bộ địa chính xã nhận tiền của Nguyễn Văn Hùng khi làm sổ đỏ ổ gà đường Lý Thánh Tông.",
         kind="to_cao", category="dat_dai", phone="0912000102")
    make(session, "Đề nghị mở lớp học bơi miễn phí cho trẻ em trong dịp hè.", phone="0912000103",
         category="chinh_sach_xa_hoi")
    items = ask(client, "Đường Lý Thánh Tông trước chợ Vạn Hương có ổ gà lớn, xe máy ngã")
    assert [i["code"] for i in items] == [pothole.code]
    assert items[0]["status_label"] and items[0]["support_url"] == f"/cung-van-de/{pothole.code}"
    assert "Hùng" not in str(items) and "0912000101" not in str(items)
    assert ask(client, "mở lớp học bơi trẻ em hè")[0]["code"] != pothole.code
    assert ask(client, "") == [] and client.get("/api/v1/public/similar").json == {"items": []}


def test_a_pin_nearby_finds_it_too_and_at_most_three(client, session):
    near = make(session, "Cột đèn chiếu sáng bị đổ nghiêng sắp rơi xuống lòng đường.", phone="0912000111",
                location=Location(lat=20.7001, lon=106.7901, address="Ngõ 7"))
    for i in range(4):
        make(session, f"{POTHOLE} Lần {i}.", phone=f"091200012{i}")
    assert len(ask(client, POTHOLE)) <= 3
    items = ask(client, "nguy hiểm", lat="20.7003", long="106.7903")
    assert items and items[0]["code"] == near.code and items[0]["distance_m"] < 100


def token_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_support_from_the_web_once_per_phone_then_told_of_the_answer(client, session):
    pothole = make(session, phone="0912000131")
    page = client.get(f"/cung-van-de/{pothole.code}")
    assert page.status_code == 200 and "Tôi cũng gặp vấn đề này" in page.get_data(as_text=True)
    data = {"csrf_token": token_of(page.get_data(as_text=True)), "name": "Phạm Thị Mai", "phone": "0912 000 132"}
    assert client.post(f"/cung-van-de/{pothole.code}", data=data).status_code == 422  # no consent
    assert client.post(f"/cung-van-de/{pothole.code}", data={**data, "consent": "1"}).status_code == 303
    r = client.post("/api/v1/public/supporters", json={"petition": pothole.code, "name": "Phạm Thị Mai",
                                                       "phone": "+84912000132", "consent": True})
    assert r.status_code == 200 and r.json["created"] is False
    assert client.post("/api/v1/public/supporters", json={"petition": pothole.code, "name": "Lê Văn Nam",
                                                          "phone": "0912000133", "consent": True}).status_code == 201
    session.expire_all()
    assert session.scalar(select(func.count(Supporter.id))) == 2
    assert flags.distinct_people(session, pothole.matter_id) == 3  # the petitioner and two supporters
    assert ask(client, POTHOLE)[0]["supporters"] == 2
    assert supporters.notify_answered(session) == 0  # not answered yet
    workflow.perform(session, session.merge(pothole), "answer", STAFF,
                     text="UBND phường đã vá ổ gà trên đường Lý Thánh Tông ngày 05/12/2026. Trân trọng.")
    session.commit()
    assert supporters.notify_answered(session) == 2 and supporters.notify_answered(session) == 0
    notes = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("supporter:%"))).all()
    assert {n.recipient for n in notes} == {"0912000132", "0912000133"}
    assert all("đã vá ổ gà" in n.text for n in notes)


def test_a_denunciation_or_a_closed_petition_cannot_be_supported(client, session):
    secret = make(session, "Tố cáo cán bộ nhận hối lộ khi cấp phép xây dựng.", kind="to_cao", category="dat_dai",
                  phone="0912000141")
    assert client.get(f"/cung-van-de/{secret.code}").status_code == 404
    r = client.post("/api/v1/public/supporters", json={"petition": secret.code, "name": "A B", "phone": "0912000142",
                                                       "consent": True})
    assert r.status_code == 404


def test_supporters_count_as_distinct_people_for_dong_nguoi(client, session):
    """Luật Tiếp công dân Điều 29: one petition and four supporters are five people on one matter; a supporter
    who is also the petitioner (same phone in another spelling) is one person."""
    pothole = make(session, phone="0912000141")
    for i, phone in enumerate(["+84 912 000 141", "0912000142", "0912000143", "0912000144"]):
        r = client.post("/api/v1/public/supporters", json={"petition": pothole.code, "name": f"Người {i}",
                                                            "phone": phone, "consent": True})
        assert r.status_code == 201
    session.expire_all()
    assert flags.distinct_people(session, pothole.matter_id) == 4
    assert not session.scalars(select(Flag).where(Flag.code == "dong_nguoi", Flag.cleared_at.is_(None))).all()
    assert client.post("/api/v1/public/supporters", json={"petition": pothole.code, "name": "Người 5",
                                                          "phone": "0912000145", "consent": True}).status_code == 201
    session.expire_all()
    assert flags.distinct_people(session, pothole.matter_id) == 5
    raised = session.scalars(select(Flag).where(Flag.code == "dong_nguoi", Flag.cleared_at.is_(None))).all()
    assert raised and raised[0].matter_id == pothole.matter_id
