"""Console Tiếp công dân: Văn phòng lập ngày tiếp and sees the bookings; keeps the sổ, turns a visit into a petition,
downloads the XLSX; other offices get 403."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from tests.web.console.conftest import csrf_of
from tests.helpers import vn_today

UNIT = "11914"


def test_van_phong_schedules_a_day_and_keeps_the_book(login_as, client):
    vp = login_as("staff", unit=UNIT, office="van_phong")
    page = vp.get("/can-bo/tiep-cong-dan")
    assert page.status_code == 200 and "Điều 15" in page.get_data(as_text=True)
    date = (vn_today() + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    r = vp.post("/can-bo/tiep-cong-dan", data={"csrf_token": csrf_of(page.get_data(as_text=True)), "date": date,
                                                "starts_at": "07:30", "ends_at": "11:00", "host": "Chủ tịch UBND xã",
                                                "kind": "chair", "capacity": "10"})
    assert r.status_code == 303
    assert date in vp.get("/can-bo/tiep-cong-dan").get_data(as_text=True)
    days = client.get("/api/v1/reception-days", query_string={"unit": UNIT}).json["items"]
    assert days[0]["date_label"] == date and days[0]["capacity"] == 10

    page = vp.get("/can-bo/tiep-cong-dan/so")
    r = vp.post("/can-bo/tiep-cong-dan/so", data={
        "csrf_token": csrf_of(page.get_data(as_text=True)), "name": "Đỗ Văn Khách", "address": "Thôn 3",
        "summary": "Đề nghị cấp lại sổ đỏ bị thất lạc khi ngập lụt.", "kind": "kien_nghi", "people_count": "1",
        "within_competence": "1", "guidance": "Hướng dẫn nộp hồ sơ tại bộ phận một cửa"})
    assert r.status_code == 303
    html = vp.get("/can-bo/tiep-cong-dan/so").get_data(as_text=True)
    assert "Đỗ Văn Khách - Thôn 3" in html and "Vào sổ đơn" in html
    import re
    visit_id = re.search(r"/can-bo/tiep-cong-dan/so/(\d+)/tao-don", html).group(1)
    r = vp.post(f"/can-bo/tiep-cong-dan/so/{visit_id}/tao-don", data={"csrf_token": csrf_of(html)})
    assert r.status_code == 303 and "/can-bo/don/" in r.headers["Location"]
    x = vp.get("/can-bo/tiep-cong-dan/so.xlsx")
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.data)).active
    assert ws.cell(row=9, column=3).value == "Đỗ Văn Khách - Thôn 3"


def test_another_office_may_not(login_as):
    other = login_as("staff", unit=UNIT, office="phong_kinh_te")
    assert other.get("/can-bo/tiep-cong-dan").status_code == 403
    assert other.get("/can-bo/tiep-cong-dan/so").status_code == 403
