"""The console's Báo cáo page: tables and charts of the same figures, the legal presets, one-click XLSX."""
from __future__ import annotations

import base64
import io
import re
from html import unescape

from openpyxl import load_workbook
from sqlalchemy import select

from service.domain.documents import spreadsheets
from service.models import AuditEntry
from tests.domain.test_reports import DENOUNCER, OTHER, UNIT, build_dataset


def _cell(html: str, table: str, row_label: str) -> list[str]:
    """The cells of one row of one report table, as text."""
    body = re.search(rf'<table class="data report-table" id="bang-{table}">(.*?)</table>', html, re.S).group(1)
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        if cells and cells[0] == row_label:
            return cells[1:]
    raise AssertionError(f"no row {row_label!r} in table {table}")


def test_the_page_shows_the_unit_report_with_tables_and_charts(login_as, session):
    build_dataset(session)
    client = login_as("staff", unit=UNIT)
    page = client.get("/can-bo/bao-cao?period=2026-6m")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Phường Nam Đồ Sơn — 6 tháng năm 2026" in html and "15/12/2025" in html and "14/06/2026" in html
    assert _cell(html, "summary", "— Kỳ trước chuyển sang") == ["2"]
    assert _cell(html, "summary", "— Tiếp nhận trong kỳ") == ["9"]
    assert _cell(html, "kind", "Khiếu nại")[-1] == "4" and _cell(html, "kind", "Tổng cộng")[-1] == "11"
    assert _cell(html, "channel", "Đường dây nóng") == ["2"]
    assert _cell(html, "deadlines", "Giải quyết") == ["0", "1", "2", "0"]
    charts = re.findall(r'<img class="chart" src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', html)
    assert len(charts) >= 4
    svg = base64.b64decode(charts[0][0]).decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "Khiếu nại" in svg  # matplotlib, text kept as text
    assert "Khiếu nại 4" in unescape(charts[0][1])
    assert DENOUNCER not in html and "<script" not in html
    assert 'href="/can-bo/bao-cao/tai-excel?period=2026-6m"' in html and "Tải Excel" in html


def test_the_legal_presets_are_listed_with_one_click_links(login_as):
    html = login_as("staff", unit=UNIT).get("/can-bo/bao-cao").get_data(as_text=True)
    for label, dates in (("6 tháng năm 2026", "15/12/2025 – 14/06/2026"), ("9 tháng năm 2026", "15/12/2025 – 14/09/2026"),
                         ("Năm 2026", "15/12/2025 – 14/12/2026"), ("Quý III năm 2026", "15/06/2026 – 14/09/2026")):
        assert label in html and dates in html
    assert "trước 01/6" in html and "trước 01/9" in html and "trước 01/12" in html
    assert 'href="/can-bo/bao-cao/tai-excel?period=2026-9m"' in html


def test_tai_excel_downloads_the_workbook_and_audits_it(login_as, session):
    build_dataset(session)
    client = login_as("staff", unit=UNIT)
    answer = client.get("/can-bo/bao-cao/tai-excel?period=2026-6m")
    assert answer.status_code == 200 and answer.mimetype == spreadsheets.XLSX_TYPE
    wb = load_workbook(io.BytesIO(answer.data))
    kinds = {row[0]: row[-1] for row in wb["Loại đơn"].iter_rows(min_row=spreadsheets.HEADER_ROW + 1, values_only=True)}
    assert kinds["Tổng cộng"] == 11 and kinds["Tố cáo"] == 2
    session.expire_all()
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert entry.object_type == "report" and entry.object_id == UNIT and entry.data["format"] == "xlsx"


def test_unit_staff_cannot_open_another_unit_and_bad_input_is_explained(login_as):
    client = login_as("staff", unit=UNIT)
    assert client.get(f"/can-bo/bao-cao?unit={OTHER}").status_code == 403
    assert client.get(f"/can-bo/bao-cao/tai-excel?unit={OTHER}&period=2026-6m").status_code == 403
    bad = client.get("/can-bo/bao-cao?from=31/02/2026&to=01/03/2026")
    assert bad.status_code == 422 and "không hợp lệ" in bad.get_data(as_text=True)


def test_inspectors_choose_a_unit_or_the_whole_city(login_as, session):
    build_dataset(session)
    client = login_as("inspector")
    html = client.get("/can-bo/bao-cao?period=2026-6m").get_data(as_text=True)
    assert "Thành phố Hải Phòng (toàn thành phố)" in html and 'name="unit"' in html
    assert _cell(html, "unit", UNIT)[-1] == "11" and _cell(html, "unit", OTHER)[-1] == "1"
    one = client.get(f"/can-bo/bao-cao?period=2026-6m&unit={OTHER}").get_data(as_text=True)
    assert _cell(one, "kind", "Tổng cộng")[-1] == "1"


def test_login_is_required(client):
    answer = client.get("/can-bo/bao-cao")
    assert answer.status_code == 302 and "/can-bo/dang-nhap" in answer.headers["Location"]


# --- issue 20 ---------------------------------------------------------------------------------------------

def test_the_summary_tiles_count_petitions_and_numbers_are_written_the_vietnamese_way(login_as, session):
    from service.web.formatting import number_vn
    build_dataset(session)
    html = login_as("staff", unit=UNIT).get("/can-bo/bao-cao?period=2026-6m").get_data(as_text=True)
    tiles = re.search(r'<ul class="counts report-counts">(.*?)</ul>', html, re.S).group(1)
    assert "Trong đó đúng hạn" in tiles and ">Đúng hạn <" not in tiles  # not the steps' count
    assert "Đã trả lời, giải quyết" in tiles and "Đang quá hạn" in tiles
    assert _cell(html, "summary", "Điểm hài lòng trung bình (1–5)") == ["4,5"]  # not "4.5"
    assert (number_vn(4.0), number_vn(1234), number_vn(1234567.5)) == ("4,0", "1.234", "1.234.567,5")
    assert 'class="field report-form__period"' in html


def test_the_workbook_has_charts_and_a4_landscape_print_setup_on_every_sheet(login_as, session):
    build_dataset(session)
    data = login_as("staff", unit=UNIT).get("/can-bo/bao-cao/tai-excel?period=2026-6m").data
    screens = __import__("pathlib").Path("/tmp/screens-citizen")
    screens.mkdir(parents=True, exist_ok=True)
    (screens / "report-2026-6m.xlsx").write_bytes(data)  # for a person to open and print
    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == str(ws.PAPERSIZE_A4), ws.title
        assert ws.print_title_rows == f"${spreadsheets.HEADER_ROW}:${spreadsheets.HEADER_ROW}", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage
    with __import__("zipfile").ZipFile(io.BytesIO(data)) as parts:  # openpyxl does not read charts back
        charts = "".join(parts.read(n).decode() for n in parts.namelist() if n.startswith("xl/charts/chart"))
    for title in ("Số đơn theo loại", "Số đơn theo lĩnh vực", "Số đơn theo kênh tiếp nhận", "Đánh giá hài lòng"):
        assert title in charts, title
