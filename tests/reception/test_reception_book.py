"""The sổ tiếp công dân (TT 04/2021 Mẫu 03): Văn phòng logs visits, turns one into a petition in one step, exports
the period as XLSX with the 11 numbered columns, A4 landscape; a denouncer's identity never in the export."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import select

from service.domain.people.access import HIDDEN_DENOUNCER
from service.domain.reception import book
from service.models import Petition
from tests import factories
from tests.helpers import vn_today

UNIT = "11737"
DENOUNCER = "Lê Văn Tố"


def token(session, username="vp", role="staff", office="van_phong"):
    return factories.bearer(session, username, role, UNIT, office)


def visit(client, headers, **extra):
    body = {"unit": UNIT, "name": "Nguyễn Thị Hoa", "address": "Số 5 Vạn Hương", "id_number": "031190001234",
            "summary": "Đề nghị sửa đường ngõ 7 tổ dân phố 7 bị sụt lún, ngập nước khi mưa.", "kind": "kien_nghi",
            "people_count": 1, "handled_by": "Chưa", "within_competence": True,
            "guidance": "Hướng dẫn gửi đơn tới Phòng Kinh tế", **extra}
    return client.post("/api/v1/reception-visits", json=body, headers=headers)


def test_log_list_and_only_van_phong_keeps_the_book(client, session):
    headers = token(session)
    r = visit(client, headers)
    assert r.status_code == 201, r.json
    assert r.json["columns"]["Họ tên - Địa chỉ"] == "Nguyễn Thị Hoa - Số 5 Vạn Hương"
    assert r.json["columns"]["Thuộc thẩm quyền"] == "x"
    assert visit(client, token(session, "kt", office="phong_kinh_te")).status_code == 403
    bad = visit(client, headers, kind="khac", name="")
    assert bad.status_code == 422
    listed = client.get("/api/v1/reception-visits", query_string={"unit": UNIT}, headers=headers).json
    assert listed["columns"] == list(book.COLUMNS) and len(listed["columns"]) == 11
    assert [i["id"] for i in listed["items"]] == [r.json["id"]]


def test_a_visit_becomes_a_petition_in_one_step_once(client, session):
    headers = token(session)
    vid = visit(client, headers).json["id"]
    r = client.post(f"/api/v1/reception-visits/{vid}/petition", headers=headers)
    assert r.status_code == 201, r.json
    petition = session.scalar(select(Petition).where(Petition.code == r.json["code"]))
    assert petition.channel == "in_person" and petition.kind == "kien_nghi"
    assert petition.people[0].name == "Nguyễn Thị Hoa"
    assert client.post(f"/api/v1/reception-visits/{vid}/petition", headers=headers).status_code == 409
    listed = client.get("/api/v1/reception-visits", query_string={"unit": UNIT}, headers=headers).json
    assert r.json["code"] in listed["items"][0]["columns"]["Theo dõi kết quả giải quyết"]


def test_xlsx_has_the_eleven_columns_a4_landscape_and_no_denouncer(client, session):
    headers = token(session)
    visit(client, headers)
    visit(client, headers, name=DENOUNCER, address="Số 9 Lý Thánh Tông", id_number="031190009999", kind="to_cao",
          summary="Tố cáo cán bộ địa chính nhận tiền khi làm thủ tục.", people_count=1)
    visit(client, headers, name="=HYPERLINK(\"http://x\")", summary="Phản ánh đèn đường hỏng.", kind="phan_anh")
    today = vn_today()
    r = client.get("/api/v1/reception-visits", headers=headers,
                   query_string={"unit": UNIT, "from": today.replace(day=1).strftime("%d/%m/%Y"),
                                 "to": today.strftime("%d/%m/%Y"), "format": "xlsx"})
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"  # A4
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN" and ws["A2"].value == "PHƯỜNG NAM ĐỒ SƠN"
    assert ws["E1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and ws["A4"].value == "SỔ TIẾP CÔNG DÂN"
    headers_row = [ws.cell(row=7, column=c).value for c in range(1, 12)]
    numbers = [ws.cell(row=8, column=c).value for c in range(1, 12)]
    assert headers_row == list(book.COLUMNS) and numbers == [f"({n})" for n in range(1, 12)]
    assert headers_row[1] == "Ngày tiếp" and headers_row[3].startswith("Số CCCD") and headers_row[7] == "Thuộc thẩm quyền"
    rows = [[ws.cell(row=r, column=c).value for c in range(1, 12)] for r in range(9, 12)]
    assert rows[0][2] == "Nguyễn Thị Hoa - Số 5 Vạn Hương" and rows[0][3] == "031190001234"
    assert rows[0][5] == "KN-PA / 1 người" and rows[0][7] == "x"
    assert rows[1][2] == HIDDEN_DENOUNCER and rows[1][3] in ("", None) and rows[1][5] == "TC / 1 người"
    text = " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v)
    assert DENOUNCER not in text and "031190009999" not in text and "Lý Thánh Tông" not in text
    assert ws.cell(row=11, column=3).data_type == "s"  # a name that looks like a formula stays text


def test_the_denouncer_is_hidden_from_an_admin_in_the_list_but_shown_to_van_phong(client, session):
    headers = token(session)
    visit(client, headers, name=DENOUNCER, kind="to_cao", summary="Tố cáo cán bộ nhận tiền.")
    mine = client.get("/api/v1/reception-visits", query_string={"unit": UNIT}, headers=headers).json
    assert mine["items"][0]["name"] == DENOUNCER
    admin = factories.bearer(session, "ad", "admin", None, None)
    theirs = client.get("/api/v1/reception-visits", query_string={"unit": UNIT}, headers=admin).json
    assert theirs["items"][0]["name"] == HIDDEN_DENOUNCER and DENOUNCER not in str(theirs)


def test_what_the_document_cannot_state_is_a_404_or_a_409(client, session):
    """Issue #18: a visit dated after today conflicts with the clock (409); a booking code or a unit that does not
    exist is not found (404); a book asked for in either order of days is the same book."""
    headers = token(session)
    tomorrow = (vn_today() + dt.timedelta(days=2)).isoformat()
    future = visit(client, headers, visited_on=tomorrow)
    assert future.status_code == 409 and "visited_on" in future.json["error"]["fields"]
    assert visit(client, headers, booking_code="TCD-KHONGCO").status_code == 404
    assert visit(client, headers, unit="Xã Không Có").status_code == 404
    assert visit(client, headers, people_count=2.0).status_code == 201  # a JSON Schema integer
    first = client.get("/api/v1/reception-visits", headers=headers,
                       query_string={"unit": UNIT, "from": "2026-03-31", "to": "01/01/2026"}).json
    assert (first["from"], first["to"]) == ("2026-01-01", "2026-03-31")
    admin = factories.bearer(session, "qt", "admin", None, None)
    assert client.get("/api/v1/reception-visits", headers=admin).status_code == 403  # no unit of its own: name one
    assert client.get("/api/v1/reception-visits?unit=khong-co", headers=admin).status_code == 404
