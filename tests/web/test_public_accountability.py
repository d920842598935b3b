"""Issue #21 through HTTP: public figures without an account, published answers only when the citizen allowed
it and Văn phòng approved, redacted with the confidentiality probes, and never a denunciation."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select, update

from service.db import utcnow
from service.models.petition import Petition
from tests.helpers import staff_token
from tests.security.test_redaction_http import SECRETS
from tests.web.test_public_pages import submit

UNIT = "11914"  # Đặc khu Cát Hải
# The probes of the confidentiality issue (tests/security/test_redaction_http.py): a name, a phone in several
# spellings, an ID number and a house address, in the petition and again in the answer.
CONTENT = ("Tôi tên là Nguyễn Văn An, điện thoại 0912.345.678, CCCD 031234567890, nhà số 12 ngõ 64 Trại Lẻ. "
           "Đèn chiếu sáng trên đường trục chính của đặc khu bị hỏng nhiều ngày, buổi tối rất tối, đề nghị sửa.")
ANSWER = ("Gửi ông Nguyễn Văn An, số 12 ngõ 64 Trại Lẻ (điện thoại 0912345678): ngày 05/12/2026 cán bộ đặc khu đã "
          "kiểm tra hiện trường và đã thay bóng đèn hỏng trên đường trục chính; kết quả đã thông báo cho tổ dân phố.")
DENUNCIATION = ("Tôi tên là Nguyễn Văn An, điện thoại 0912.345.678. Tôi tố cáo cán bộ địa chính đặc khu nhận tiền "
                "của dân để làm nhanh hồ sơ cấp giấy chứng nhận quyền sử dụng đất.")


@pytest.fixture
def vp(session):
    return {"Authorization": f"Bearer {staff_token(session, 'vp', 'staff', UNIT, 'van_phong')}"}


def _send(client, content, kind, category, allow=True):
    body = {"content": content, "unit": UNIT, "kind": kind, "category": category, "consent": True,
            "petitioner": {"name": "Nguyễn Văn An", "phone": "0912345678", "address": "Số 12 ngõ 64 Trại Lẻ"}}
    if allow is not None:
        body["allow_publication"] = allow
    r = client.post("/api/v1/petitions", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["code"]


def _answer(client, code, headers, text=ANSWER):
    r = client.post(f"/api/v1/petitions/{code}/actions", json={"action": "answer", "text": text}, headers=headers)
    assert r.status_code < 400, r.get_json()


def _public_texts(client) -> dict[str, str]:
    return {path: client.get(path).get_data(as_text=True)
            for path in (f"/api/v1/public/answers?unit={UNIT}", "/api/v1/public/answers", "/cong-khai/tra-loi",
                         f"/cong-khai/tra-loi?unit={UNIT}", f"/cong-khai/{UNIT}/feed.atom",
                         f"/api/v1/public/stats?unit={UNIT}", f"/cong-khai?unit={UNIT}")}


def _no_identity(texts: dict[str, str]) -> None:
    for path, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} public at {path}"


def test_an_allowed_answer_is_published_redacted_once_van_phong_approves(client, session, vp):
    code = _send(client, CONTENT, "phan_anh", "ha_tang_giao_thong")
    _answer(client, code, vp)
    assert client.get(f"/api/v1/public/answers?unit={UNIT}").get_json()["items"] == []  # not approved yet
    r = client.post(f"/api/v1/petitions/{code}/publication", json={"publish": True}, headers=vp)
    assert r.status_code == 200 and r.get_json()["published"], r.get_json()
    items = client.get(f"/api/v1/public/answers?unit={UNIT}").get_json()["items"]
    assert len(items) == 1
    item = items[0]
    assert "Đèn chiếu sáng trên đường trục chính" in item["petition"] and "thay bóng đèn" in item["answer"]
    assert item["office"] and item["unit"] == UNIT and "code" not in item
    texts = _public_texts(client)
    assert "thay bóng đèn" in texts["/cong-khai/tra-loi"] and "thay bóng đèn" in texts[f"/cong-khai/{UNIT}/feed.atom"]
    _no_identity(texts)
    feed = ET.fromstring(client.get(f"/cong-khai/{UNIT}/feed.atom").data)
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == 1
    r = client.post(f"/api/v1/petitions/{code}/publication", json={"publish": False}, headers=vp)
    assert client.get(f"/api/v1/public/answers?unit={UNIT}").get_json()["items"] == []


def test_publication_is_off_unless_the_citizen_allowed_it(client, session, vp):
    code = _send(client, CONTENT, "phan_anh", "ha_tang_giao_thong", allow=None)
    _answer(client, code, vp)
    r = client.post(f"/api/v1/petitions/{code}/publication", json={"publish": True}, headers=vp)
    assert r.status_code == 409
    assert r.get_json()["error"]["message"]  # Vietnamese first


def test_only_van_phong_approves(client, session, vp):
    code = _send(client, CONTENT, "phan_anh", "ha_tang_giao_thong")
    _answer(client, code, vp)
    petition = session.scalar(select(Petition).where(Petition.code == code))
    other = {"Authorization": f"Bearer {staff_token(session, 'kt', 'staff', UNIT, petition.lead_office.code)}"}
    if petition.lead_office.code != "van_phong":
        assert client.post(f"/api/v1/petitions/{code}/publication", json={"publish": True},
                           headers=other).status_code == 403


def test_a_denunciation_is_never_published(client, session, vp):
    """Refused when asked, and hidden on every public door even if a row says published: each protection
    fails this test when it is removed."""
    code = _send(client, DENUNCIATION, "to_cao", "can_bo_cong_vu")
    admin = {"Authorization": f"Bearer {staff_token(session, 'adm', 'admin', None, None)}"}
    assert client.post(f"/api/v1/petitions/{code}/actions", json={"action": "accept"}, headers=admin).status_code < 400
    _answer(client, code, admin, text=ANSWER.replace("thay bóng đèn hỏng trên đường trục chính", "xác minh nội dung tố cáo"))
    r = client.post(f"/api/v1/petitions/{code}/publication", json={"publish": True}, headers=admin)
    assert r.status_code in (403, 409)
    session.execute(update(Petition).where(Petition.code == code).values(allow_publication=True,
                                                                         published_at=utcnow()))
    session.commit()
    texts = _public_texts(client)
    for path, text in texts.items():
        assert "nhận tiền" not in text and "xác minh nội dung tố cáo" not in text and code not in text, path
    _no_identity(texts)
    assert client.get(f"/api/v1/public/answers?unit={UNIT}").get_json()["items"] == []


def test_the_web_form_asks_and_defaults_to_no(client, session):
    html = client.get("/gui-don").get_data(as_text=True)
    assert 'name="allow_publication"' in html and "checked" not in html.split('name="allow_publication"')[1][:120]
    submit(client)
    submit(client, allow_publication="1", content="Đèn đường ngõ 14 phố Lý Thánh Tông tắt đã ba tuần nay rồi.")
    rows = session.execute(select(Petition.content, Petition.allow_publication).order_by(Petition.id)).all()
    assert [allowed for _, allowed in rows[-2:]] == [False, True]


def test_public_figures_need_no_account_and_check_their_input(client):
    r = client.get(f"/api/v1/public/stats?unit={UNIT}&period=2026-year")
    assert r.status_code == 200
    body = r.get_json()
    assert isinstance(body["offices"], list) and body["period"]["code"] == "2026-year"
    assert all({"office", "received", "answered", "on_time_rate", "satisfaction_avg"} <= set(o) for o in body["offices"])
    assert client.get("/api/v1/public/stats?unit=khong-co&period=2026-year").status_code == 404  # issue #18
    assert client.get(f"/api/v1/public/stats?unit={UNIT}&period=2026-x").status_code == 422
    assert client.get(f"/api/v1/public/stats?unit={UNIT}&from=01/01/2026&to=31/03/2026").status_code == 200
    page = client.get(f"/cong-khai?unit={UNIT}&period=2026-year")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True) or "Chưa có đơn" in page.get_data(as_text=True)
