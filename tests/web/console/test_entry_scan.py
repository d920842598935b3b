"""A paper letter in one step (issue 20 point 5): the clerk uploads the scan in staff entry, Tesseract fills the
content box, the clerk corrects and saves; the scan is attached as the original, sealed for a denunciation."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from service.models.petition import Petition
from tests.ocr_letters import KEY_WORDS, as_bytes, photographed, typed
from tests.web.console.conftest import csrf_of

UNIT = "11914"


def form_of(html: str) -> dict:
    """The hidden inputs and the content box of the entry form as the browser would send them back."""
    data = {}
    for name, value in re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', html):
        data.setdefault(name, []).append(value)
    content = re.search(r'<textarea[^>]*name="content"[^>]*>(.*?)</textarea>', html, re.S)
    data["content"] = [content.group(1) if content else ""]
    return data


def read(client, image: bytes, filename: str):
    html = client.get("/can-bo/nhap-don").get_data(as_text=True)
    form = form_of(html)
    return client.post("/can-bo/nhap-don", content_type="multipart/form-data", data={
        **form, "csrf_token": csrf_of(html), "channel": "paper", "received_at": "", "read_scan": "1",
        "scan": (io.BytesIO(image), filename)})


def test_a_scanned_letter_fills_the_content_and_stays_attached(login_as, session):
    client = login_as("staff", office="van_phong")
    answer = read(client, as_bytes(typed()), "don-giay.png")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200, html
    content = form_of(html)["content"][0]
    assert all(w.lower() in content.lower() for w in KEY_WORDS), content
    assert "data-scan-read" in html and 'value="paper" selected' in html
    form = form_of(html)
    corrected = content.replace("Rãnh", "Rãnh")  # the clerk reads it over, fixes what needs fixing
    saved = client.post("/can-bo/nhap-don", data={**form, "content": corrected, "csrf_token": csrf_of(html),
                                                  "channel": "paper", "received_at": "", "name": "Nguyễn Văn Thịnh",
                                                  "consent": "1"})
    assert saved.status_code == 303, saved.get_data(as_text=True)
    code = saved.headers["Location"].rsplit("/", 1)[1]
    p = session.scalar(select(Petition).where(Petition.code == code))
    assert "nạo vét" in p.content and p.channel == "in_person"
    assert p.category  # classified as usual
    [original] = p.attachments
    assert original.filename == "don-giay.png" and original.handwriting and original.content_type == "image/png"


def test_a_photographed_denunciation_is_read_and_its_scan_sealed(login_as, session):
    client = login_as("staff", office="van_phong")
    html = read(client, as_bytes(photographed(), "JPEG"), "anh-chup.jpg").get_data(as_text=True)
    content = form_of(html)["content"][0]
    assert sum(w.lower() in content.lower() for w in KEY_WORDS) >= 4, content
    form = form_of(html)
    saved = client.post("/can-bo/nhap-don", data={
        **form, "csrf_token": csrf_of(html), "channel": "paper", "received_at": "", "kind": "to_cao",
        "content": "Tố cáo cơ sở chế biến hải sản xả nước thải chưa xử lý ra bãi biển. " + content,
        "name": "Nguyễn Văn Thịnh", "phone": "0912777888", "consent": "1"})
    assert saved.status_code == 303, saved.get_data(as_text=True)
    code = saved.headers["Location"].rsplit("/", 1)[1]
    p = session.scalar(select(Petition).where(Petition.code == code))
    assert p.kind == "to_cao" and p.attachments[0].handwriting
    file_id = p.attachments[0].id
    plain = login_as("staff", office=p.lead_office.code if p.lead_office.code != "van_phong" else "phong_kinh_te")
    if p.lead_office.code != "van_phong":
        assert plain.get(f"/can-bo/don/{code}/tep/{file_id}/xem").status_code == 403
        assert plain.get(f"/can-bo/don/{code}/tep/{file_id}").status_code == 403
    assert client.get(f"/can-bo/don/{code}/tep/{file_id}/xem").status_code == 200  # Văn phòng sees the original


def test_reading_without_a_scan_says_what_to_do(login_as):
    client = login_as("staff", office="van_phong")
    html = client.get("/can-bo/nhap-don").get_data(as_text=True)
    answer = client.post("/can-bo/nhap-don", data={**form_of(html), "csrf_token": csrf_of(html), "read_scan": "1"})
    assert answer.status_code == 422 and "Chọn tệp bản quét" in answer.get_data(as_text=True)
