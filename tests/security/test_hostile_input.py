"""Hostile input through the real entry points: disguised uploads, oversized bodies, script in every text."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from service.domain.inbound import Actor
from service.domain.workflow import operations as workflow
from service.models import Attachment, Petition
from tests.helpers import count_petitions, png_bytes
from tests.security.conftest import PHONE, UNIT, api_petition, jpeg_with_gps, submit_form

HTML_AS_JPG = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
EXE_AS_JPG = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
SVG_AS_PNG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


# ---- uploads ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,content", [("anh.jpg", HTML_AS_JPG), ("anh.jpg", EXE_AS_JPG), ("so-do.png", SVG_AS_PNG),
                                          ("don.pdf", b"%PDX-1.4 not really"), ("anh.jpeg", b"\xff\xd8")])
def test_a_file_whose_bytes_are_not_an_image_or_pdf_is_refused_whatever_its_name(client, session, name, content):
    answer = submit_form(client, files=[(name, content)])
    assert answer.status_code == 422
    assert "không phải ảnh" in answer.get_data(as_text=True) or "bị hỏng" in answer.get_data(as_text=True)
    assert count_petitions(session) == 0


def test_a_real_photo_is_kept_and_its_type_comes_from_its_bytes_not_its_name(client, session):
    answer = submit_form(client, files=[("tai-lieu.pdf", png_bytes())])
    assert answer.status_code == 303
    stored = session.scalar(select(Attachment))
    assert stored.content_type == "image/png"


def test_exif_and_gps_position_are_stripped_from_uploaded_photos(client, session):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the fixture really carries a position
    assert submit_form(client, files=[("nha-toi.jpg", original)]).status_code == 303
    data = session.scalar(select(Attachment)).data
    kept = Image.open(io.BytesIO(data))
    assert kept.format == "JPEG" and kept.size == (32, 32)
    assert not kept.getexif() and not kept.getexif().get_ifd(0x8825)
    assert b"Exif" not in data and b"PhoneMaker" not in data


def test_an_attachment_over_10_mb_is_refused_with_its_limit(client, session):
    big = png_bytes() + b"\x00" * (10 * 1024 * 1024)
    answer = submit_form(client, files=[("lon.png", big)])
    assert answer.status_code == 422 and "lớn hơn 10 MB" in answer.get_data(as_text=True)
    assert count_petitions(session) == 0


# ---- request size and JSON shape ---------------------------------------------------------------------

def test_a_form_body_over_max_content_length_is_413_with_a_vietnamese_page(make_app, session):
    client = make_app(MAX_CONTENT_LENGTH=64 * 1024).test_client()
    answer = submit_form(client, files=[("anh.png", png_bytes() + b"\x00" * (100 * 1024))])
    assert answer.status_code == 413
    assert "quá lớn" in answer.get_data(as_text=True) or "MB" in answer.get_data(as_text=True)
    assert count_petitions(session) == 0


def test_an_api_body_over_256_kb_is_413_json(client, session):
    answer = client.post("/api/v1/petitions", json=api_petition(content="x" * (300 * 1024)))
    assert answer.status_code == 413
    error = answer.get_json()["error"]
    assert error["code"] == "too_large" and "KB" in error["message"]
    assert count_petitions(session) == 0


@pytest.mark.parametrize("body,content_type,status", [
    ('{"content": "a", "content": ', "application/json", 400),
    ("\xff\xfe", "application/json", 400),
    ('{"content": NaN}', "application/json", 400),
    ('{"content": "đèn hỏng"}', "text/plain", 415),
    ("[1, 2]", "application/json", 400),
    ('{"petitioner": ' + '{"name": ' * 10 + '"x"' + "}" * 10 + "}", "application/json", 400),
])
def test_malformed_json_gets_a_precise_4xx(client, body, content_type, status):
    answer = client.post("/api/v1/petitions", data=body.encode("latin-1", "ignore") if body.startswith("\xff") else body,
                         content_type=content_type)
    assert answer.status_code == status
    assert answer.get_json()["error"]["message"]


# ---- every user text escaped where it is shown ------------------------------------------------------

SCRIPT = "<script>alert('xss')</script>"
IMG = '<img src=x onerror="alert(1)">'


def assert_inert(html: str) -> None:
    assert SCRIPT not in html and IMG not in html and "onerror=\"alert" not in html
    assert "&lt;script&gt;" in html or "&lt;img" in html


def hostile_petition(client) -> str:
    body = api_petition(title=f"Tiêu đề {SCRIPT}", content=f"Nội dung {SCRIPT} {IMG}",
                        petitioner={"name": f"An {IMG}", "phone": PHONE, "address": f"Ngõ {SCRIPT}"},
                        location={"address": f"Chợ {IMG}"})
    answer = client.post("/api/v1/petitions", json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["code"]


def test_script_in_a_petition_is_inert_on_the_citizen_status_and_data_pages(client, session):
    code = hostile_petition(client)
    petition = session.scalar(select(Petition).where(Petition.code == code))
    officer = Actor(label=f"Cán bộ {SCRIPT}", user_id=None, role="admin")
    workflow.perform(session, petition, "accept", officer)
    workflow.perform(session, petition, "answer", officer, text=f"Trả lời {SCRIPT} {IMG}. Cán bộ xã đã kiểm tra hiện trường và khắc phục xong trong ngày.")
    session.commit()
    assert client.post("/tra-cuu", data={"code": code, "phone": PHONE}).status_code == 303
    status_page = client.get(f"/tra-cuu/{code}").get_data(as_text=True)
    assert "Tiêu đề" in status_page and "Trả lời" in status_page
    assert_inert(status_page)
    data_page = client.get(f"/tra-cuu/{code}/du-lieu-ca-nhan").get_data(as_text=True)
    assert SCRIPT not in data_page and IMG not in data_page


@pytest.mark.parametrize("path", ["/can-bo/don", "/can-bo/don/{code}", "/can-bo/don?q=Tieu"])
def test_script_in_a_petition_is_inert_on_the_console_pages(client, login_as, path):
    code = hostile_petition(client)
    staff = login_as("staff", unit=UNIT, office="van_phong")
    answer = staff.get(path.format(code=code))
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert SCRIPT not in html and IMG not in html


def test_every_page_forbids_inline_script_through_its_csp(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "object-src 'none'" in csp
