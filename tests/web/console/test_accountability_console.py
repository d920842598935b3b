"""Console pages of issue #21: Công khai (Văn phòng approves), Chấm điểm (chairperson, inspector, admin; XLSX
in the administrative format), Kế hoạch (status, progress note, evidence file)."""
from __future__ import annotations

import io

import openpyxl
from sqlalchemy import select

from service.models.petition import Petition
from tests.helpers import staff_token
from tests.web.console.conftest import csrf_of
from tests.web.test_public_accountability import CONTENT, UNIT, _answer, _send


def test_van_phong_approves_a_publication_on_the_console(client, session, login_as):
    vp_api = {"Authorization": f"Bearer {staff_token(session, 'vp_api', 'staff', UNIT, 'van_phong')}"}
    code = _send(client, CONTENT, "phan_anh", "ha_tang_giao_thong")
    _answer(client, code, vp_api)
    vp = login_as("staff", unit=UNIT, office="van_phong")
    page = vp.get("/can-bo/cong-khai")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and code in html and "[họ tên]" in html and "0912.345.678" not in html
    r = vp.post(f"/can-bo/cong-khai/{code}", data={"csrf_token": csrf_of(html), "publish": "1"})
    assert r.status_code == 302
    assert session.scalar(select(Petition.published_at).where(Petition.code == code)) is not None
    assert "thay bóng đèn" in client.get(f"/cong-khai/tra-loi?unit={UNIT}").get_data(as_text=True)


def test_scorecards_page_and_xlsx(login_as):
    chair = login_as("chairperson", unit=UNIT)
    page = chair.get("/can-bo/cham-diem?period=2026-year")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Theo cơ quan" in html and "CHƯA XÁC NHẬN" in html
    xlsx = chair.get("/can-bo/cham-diem/tai-excel?period=2026-year")
    assert xlsx.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    assert wb.sheetnames == ["Cơ quan", "Người đứng đầu", "Tiêu chí"]
    cells = [c.value for row in wb["Cơ quan"].iter_rows() for c in row if c.value]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells and "CHỦ TỊCH" in cells
    assert any(str(v).startswith("CHƯA XÁC NHẬN") for v in cells)
    assert "UNCONFIRMED" in [c.value for c in wb["Tiêu chí"]["F"]]
    assert login_as("staff", unit=UNIT).get("/can-bo/cham-diem").status_code == 403
    assert login_as("chairperson", unit="11737").get(f"/can-bo/cham-diem?unit={UNIT}").status_code == 403


def test_scorecards_api_for_the_chairperson_only(client, session):
    chair = {"Authorization": f"Bearer {staff_token(session, 'ct', 'chairperson', UNIT, None)}"}
    staff = {"Authorization": f"Bearer {staff_token(session, 'nv', 'staff', UNIT, 'phong_kinh_te')}"}
    r = client.get(f"/api/v1/scorecards?unit={UNIT}&period=2026-year", headers=chair)
    assert r.status_code == 200 and {o["office"] for o in r.get_json()["offices"]} >= {"phong_kinh_te", "van_phong"}
    assert client.get(f"/api/v1/scorecards?unit={UNIT}&period=2026-year", headers=staff).status_code == 403
    assert client.get(f"/api/v1/scorecards?unit={UNIT}&period=2026-year").status_code == 401
    x = client.get(f"/api/v1/scorecards?unit={UNIT}&period=2026-year&format=xlsx", headers=chair)
    assert x.status_code == 200 and x.data[:2] == b"PK"


def test_plan_tasks_on_the_console(login_as, session):
    vhxh = login_as("staff", unit="11311", office="phong_vhxh")
    page = vhxh.get("/can-bo/ke-hoach")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "3.5.b" in html and ("Quá hạn" in html or "Chưa thực hiện" in html)
    path = "/can-bo/ke-hoach/hai-phong-2026/3.5.b"
    html = vhxh.get(path).get_data(as_text=True)
    r = vhxh.post(path, data={"csrf_token": csrf_of(html), "status": "hoan_thanh", "note": "Đã tổ chức hội nghị.",
                              "file": (io.BytesIO(b"%PDF-1.4 bien ban"), "Biên bản họp.pdf")},
                  content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    html = vhxh.get(path).get_data(as_text=True)
    assert "Đã tổ chức hội nghị." in html and "Biên bản họp.pdf" in html
    link = html.split('href="/can-bo/ke-hoach/minh-chung/')[1].split('"')[0]
    evidence = vhxh.get(f"/can-bo/ke-hoach/minh-chung/{link}")
    assert evidence.data == b"%PDF-1.4 bien ban"
    # a name with diacritics travels as RFC 6266 filename* (headers are Latin-1), with an ASCII fallback
    assert evidence.headers["Content-Disposition"] == (
        "attachment; filename=\"Bien ban hop.pdf\"; filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n%20h%E1%BB%8Dp.pdf")
    assert evidence.headers["Cache-Control"] == "no-store"
    kt = login_as("staff", unit="11311", office="phong_kinh_te")
    html = kt.get(path).get_data(as_text=True)
    assert "Cập nhật" not in html  # not the lead office: reads, does not update
    assert kt.post(path, data={"csrf_token": csrf_of(html), "note": "x"}).status_code == 403
    assert login_as("staff", unit=UNIT).get(f"/can-bo/ke-hoach/minh-chung/{link}").status_code == 404


def test_the_petition_page_tells_and_offers_the_publication(client, session, login_as):
    vp_api = {"Authorization": f"Bearer {staff_token(session, 'vp_api', 'staff', UNIT, 'van_phong')}"}
    code = _send(client, CONTENT, "phan_anh", "ha_tang_giao_thong")
    _answer(client, code, vp_api)
    html = login_as("staff", unit=UNIT, office="van_phong").get(f"/can-bo/don/{code}").get_data(as_text=True)
    assert "Công khai câu trả lời" in html and "Duyệt công khai" in html
