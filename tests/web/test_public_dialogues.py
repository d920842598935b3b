"""The citizen pages of dialogue sessions: only published notices, registration with consent, no duplicates."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from service.domain.inbound import Actor
from service.models import DialogueRegistration
from tests import factories
from tests.domain.test_dialogue import UNIT, petition

STAFF = Actor(label="Cán bộ Văn phòng", role="staff")


def make_session(session, *, announce=True, days_ahead=10):
    return factories.dialogue_session(session, unit=UNIT, actor=STAFF, days_ahead=days_ahead, announce=announce)


def token_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def register(client, ds, **fields):
    page = client.get(f"/doi-thoai/{ds.id}")
    data = {"csrf_token": token_of(page.get_data(as_text=True)), "name": "Trần Thị Hoa", "phone": "0912 000 003",
            "question": "Khi nào di dời bãi rác tạm?", "consent": "1", **fields}
    return client.post(f"/doi-thoai/{ds.id}/dang-ky", data=data)


def test_list_shows_only_announced_sessions_and_filters_by_unit(client, session):
    shown = make_session(session)
    hidden = make_session(session, announce=False)
    html = client.get("/doi-thoai").get_data(as_text=True)
    assert f"/doi-thoai/{shown.id}" in html and f"/doi-thoai/{hidden.id}" not in html
    assert "Rác thải" in html and "Phường Nam Đồ Sơn" in html
    assert f"/doi-thoai/{shown.id}" not in client.get("/doi-thoai?unit=11341").get_data(as_text=True)
    assert client.get(f"/doi-thoai/{hidden.id}").status_code == 404
    home = client.get("/").get_data(as_text=True)
    assert 'href="/doi-thoai"' in home


def test_register_to_speak_with_consent_once_per_phone(client, session):
    ds = make_session(session)
    page = client.get(f"/doi-thoai/{ds.id}").get_data(as_text=True)
    assert "Nhà văn hóa tổ dân phố 7" in page and "Đăng ký phát biểu" in page
    r = register(client, ds, consent="")
    assert r.status_code == 422 and "Luật Bảo vệ dữ liệu cá nhân" in r.get_data(as_text=True)
    r = register(client, ds, phone="123", question="")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Số điện thoại không phải số Việt Nam hợp lệ" in html and "Cần nhập câu hỏi." in html
    assert session.scalar(select(func.count()).select_from(DialogueRegistration)) == 0
    r = register(client, ds)
    assert r.status_code == 303
    assert "Đã đăng ký phát biểu" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert register(client, ds).status_code == 303  # an identical retry: nothing added
    # Issue #14: the same phone with another question no longer overwrites the registration (anyone may type it).
    r = register(client, ds, question="Câu hỏi sửa lại")
    assert r.status_code == 409 and "đã đăng ký" in r.get_data(as_text=True)
    session.expire_all()
    rows = session.scalars(select(DialogueRegistration)).all()
    assert len(rows) == 1 and rows[0].question != "Câu hỏi sửa lại" and rows[0].channel == "web"
    assert "Trần Thị Hoa" not in client.get(f"/doi-thoai/{ds.id}").get_data(as_text=True)  # never listed publicly


def test_linking_a_petition_needs_its_phone(client, session):
    own = petition(session, "Ngõ 7 tổ dân phố 7 ngập nước khi mưa.", kind="phan_anh",
                   category="ha_tang_giao_thong", phone="0912000003")
    session.commit()
    ds = make_session(session)
    r = register(client, ds, petition_code=own.code, phone="0912999999")
    assert r.status_code == 422 and "Mã đơn không khớp" in r.get_data(as_text=True)
    assert register(client, ds, petition_code=own.code).status_code == 303
    session.expire_all()
    assert session.scalar(select(DialogueRegistration.petition_id)) == own.id


def test_closed_registration_says_so(client, session):
    ds = make_session(session)
    token = token_of(client.get(f"/doi-thoai/{ds.id}").get_data(as_text=True))
    ds.status = "held"
    session.commit()
    html = client.get(f"/doi-thoai/{ds.id}").get_data(as_text=True)
    assert "Đăng ký phát biểu, gửi câu hỏi trước" not in html
    r = client.post(f"/doi-thoai/{ds.id}/dang-ky", data={"csrf_token": token, "name": "A", "phone": "0912000003",
                                                       "question": "Hỏi", "consent": "1"})
    assert r.status_code == 409 and "không còn nhận đăng ký" in r.get_data(as_text=True)
