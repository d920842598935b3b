"""Issue 20, citizen pages through the Flask test client: plain status words naming the office, the look-up
form's own Vietnamese messages, the rating error beside its field, the unit search keeping what was typed."""
from __future__ import annotations

import re

from sqlalchemy import select

from service.models.petition import Petition
from service.models.reply import Reply
from tests.web.test_public_pages import submitted_code, token, valid_form

FOUND = {"code": "", "phone": ""}


def test_status_page_and_api_say_the_status_in_plain_words_with_the_office(app, client, session):
    code = submitted_code(client, kind="phan_anh")
    petition = session.scalar(select(Petition).where(Petition.code == code))
    office = petition.lead_office.name
    html = client.get(f"/tra-cuu/{code}").get_data(as_text=True)
    assert f"Đã tiếp nhận, đang chuyển đến {office}" in html and "Bộ phận giải quyết" in html
    assert "Đã phân loại" not in html
    body = app.test_client().get(f"/api/v1/status/{code}", query_string={"phone": "0912345678"}).get_json()
    assert body["office"] == office and body["status_text"] == f"Đã tiếp nhận, đang chuyển đến {office}"
    assert body["status"] == petition.status and body["status_label"]  # the old fields stay

    petition.status = "in_progress"
    session.commit()
    body = app.test_client().get(f"/api/v1/status/{code}", query_string={"phone": "0912345678"}).get_json()
    assert body["status_text"] == f"{office} đang giải quyết đơn"


def test_an_economic_matter_names_phong_kinh_te(app, client):
    code = submitted_code(client, kind="phan_anh", unit="11737",
                          content="Rãnh thoát nước dọc đường liên thôn bị đất đá lấp kín, đề nghị nạo vét.")
    body = app.test_client().get(f"/api/v1/status/{code}", query_string={"phone": "0912345678"}).get_json()
    assert body["office"] and body["office"] in body["status_text"]


def test_lookup_with_empty_fields_says_so_in_vietnamese_beside_each_field(app):
    client = app.test_client()
    response = client.post("/tra-cuu", data={"code": "", "phone": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vui lòng nhập mã đơn" in html and "Vui lòng nhập số điện thoại" in html
    assert 'id="f-code-error"' in html and 'aria-invalid="true"' in html and 'href="#f-code"' in html
    assert " required" not in html and "novalidate" in html  # no browser (English) validation
    only_phone = client.post("/tra-cuu", data={"code": "K7M4-Q2XA-R", "phone": ""}).get_data(as_text=True)
    assert 'value="K7M4-Q2XA-R"' in only_phone and "Vui lòng nhập số điện thoại" in only_phone
    assert "Vui lòng nhập mã đơn" not in only_phone


def test_rating_without_a_score_shows_the_error_beside_the_field(client, session):
    code = submitted_code(client)
    petition = session.scalar(select(Petition).where(Petition.code == code))
    petition.status = "answered"
    session.add(Reply(petition_id=petition.id, kind="answer", text="Đã sửa."))
    session.commit()
    html = client.get(f"/tra-cuu/{code}").get_data(as_text=True)
    assert f'action="/tra-cuu/{code}/danh-gia#danh-gia"' in html and 'id="danh-gia"' in html
    bad = client.post(f"/tra-cuu/{code}/danh-gia", data={"csrf_token": token(client), "score": ""})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    error = html.index('id="f-score-error"')
    assert html.index('id="danh-gia"') < error < html.index('id="f-score-1"')
    assert 'id="f-score-1" name="score" value="1" aria-invalid="true"' in html


def test_searching_the_commune_without_javascript_keeps_what_was_typed(client, database):
    typed = valid_form(client, content="Đề nghị sửa đường liên thôn bị sạt lở, xe máy đi lại rất nguy hiểm.",
                       unit="", tim="kim thanh", find_unit="1")
    response = client.post("/gui-don", data=typed, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Đề nghị sửa đường liên thôn bị sạt lở" in html and 'value="Nguyễn Văn An"' in html
    assert re.findall(r'<option value="\d+" data-folded="[^"]*"( selected)?>([^<]+)</option>', html) == \
        [(" selected", "Xã Kim Thành")]
    with database.session_scope() as s:
        assert s.scalar(select(Petition.id)) is None  # searching sends nothing
    every = client.post("/gui-don", data={**typed, "find_unit": "all"}, content_type="multipart/form-data")
    assert every.get_data(as_text=True).count("data-folded=") > 100
