"""The report as an XLSX workbook (openpyxl): one sheet per table, each under the legal header.

Header of an administrative document (Nghị định 30/2020/NĐ-CP, Phụ lục I): the issuing body on the left,
quốc hiệu and tiêu ngữ on the right, then the title and the reporting period (TT 01/2024/TT-TTCP cut-offs).
"""
from __future__ import annotations

import datetime as dt
import io
from copy import copy
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from service.domain.deadlines.calendar import VN_TZ
from service.domain.documents.cells import set_xlsx
from service.domain.reports.tables import Table, tables

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
TITLE = "BÁO CÁO KẾT QUẢ TIẾP NHẬN, XỬ LÝ PHẢN ÁNH, KIẾN NGHỊ, KHIẾU NẠI, TỐ CÁO"
HEADER_ROW = 9  # the table's column headers; data follows
# The sheets that carry a chart of their counts (last column), with its title.
CHARTS = {"kind": "Số đơn theo loại", "category": "Số đơn theo lĩnh vực", "channel": "Số đơn theo kênh tiếp nhận",
          "status": "Số đơn theo tình trạng", "ratings": "Đánh giá hài lòng (số lượt theo điểm)"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BOLD = Font(name="Times New Roman", bold=True, size=12)
_PLAIN = Font(name="Times New Roman", size=12)
_ITALIC = Font(name="Times New Roman", italic=True, size=12)
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def issuing_body(report: dict[str, Any]) -> tuple[str, str]:
    """('ỦY BAN NHÂN DÂN', 'PHƯỜNG NAM ĐỒ SƠN'); the city itself for a city-wide report."""
    name = "Thành phố Hải Phòng" if report["unit"]["city_wide"] else report["unit"]["name"]
    return "ỦY BAN NHÂN DÂN", name.upper()


def period_line(report: dict[str, Any]) -> str:
    p = report["period"]
    first, last = (dt.date.fromisoformat(p[k]) for k in ("from", "to"))
    return f"Kỳ báo cáo: {p['label']} (số liệu từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y})"


def filename(report: dict[str, Any]) -> str:
    return f"bao-cao-{report['unit']['code']}-{report['period']['code']}-{report['period']['to']}.xlsx"


def _merge(ws, row: int, first: int, last: int, value: str, font: Font) -> None:
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    cell = set_xlsx(ws.cell(row=row, column=first), value)
    cell.font, cell.alignment = font, _CENTER


def _sheet(wb: Workbook, table: Table, report: dict[str, Any], first: bool) -> None:
    ws = wb.active if first else wb.create_sheet()
    ws.title = table.sheet[:31]
    width = max(len(table.headers), 4)
    left = max(width // 2 - 1, 1) if width > 4 else 1
    body, unit = issuing_body(report)
    _merge(ws, 1, 1, left, body, _PLAIN)
    _merge(ws, 2, 1, left, unit, _BOLD)
    _merge(ws, 1, left + 1, width, QUOC_HIEU, _BOLD)
    _merge(ws, 2, left + 1, width, TIEU_NGU, _BOLD)
    _merge(ws, 4, 1, width, TITLE, _BOLD)
    _merge(ws, 5, 1, width, period_line(report), _ITALIC)
    _merge(ws, 6, 1, width, f"Biểu: {table.title}", _BOLD)
    made = dt.datetime.fromisoformat(report["generated_at"]).astimezone(VN_TZ)
    as_of = dt.datetime.fromisoformat(report["as_of"]).astimezone(VN_TZ) - dt.timedelta(microseconds=1)
    _merge(ws, 7, 1, width, f"Số liệu tính đến hết ngày {as_of:%d/%m/%Y}; lập lúc {made:%H:%M} ngày {made:%d/%m/%Y}",
           _ITALIC)
    for col, header in enumerate(table.headers, 1):
        cell = set_xlsx(ws.cell(row=HEADER_ROW, column=col), header)
        cell.font, cell.alignment, cell.border = _BOLD, _CENTER, _BOX
        cell.fill = PatternFill("solid", fgColor="E8EEF7")
    rows = table.rows + ([table.total_row()] if table.total and table.rows else [])
    styles: dict[tuple[bool, bool], Any] = {}  # (bold, number) -> the style of the first such cell
    for r, values in enumerate(rows, HEADER_ROW + 1):
        bold = bool(table.total and values is rows[-1] and table.rows)
        for col, value in enumerate(values, 1):
            cell = set_xlsx(ws.cell(row=r, column=col), value)  # a title may start with "=" (never a formula)
            key = (bold, isinstance(value, (int, float)))
            if key in styles:  # copying the style ids: setting fonts and borders hashes them, 13 s for 1,000 rows
                cell._style = copy(styles[key])
                continue
            cell.border, cell.font = _BOX, _BOLD if bold else _PLAIN
            if key[1]:
                cell.alignment = Alignment(horizontal="right")
            styles[key] = copy(cell._style)
    for col in range(1, max(len(table.headers), width) + 1):
        texts = [str(table.headers[col - 1])] if col <= len(table.headers) else []
        texts += [str(v[col - 1]) for v in rows if col <= len(v)]
        ws.column_dimensions[get_column_letter(col)].width = min(max([14, *(len(t) + 2 for t in texts)]), 60)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    _print_setup(ws, width)
    if table.key in CHARTS and table.rows:
        _chart(ws, table, len(table.rows), width)


def _print_setup(ws, width: int) -> None:
    """A4 landscape, one page wide, the column headers repeated on every printed page."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_margins.left, ws.page_margins.right = 0.6, 0.4
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "Trang &P / &N"


def _chart(ws, table: Table, count: int, width: int) -> None:
    """The table's counts as a bar chart beside it (the same charts as the console's report page)."""
    chart = BarChart()
    chart.type, chart.style = "bar", 10
    chart.title, chart.y_axis.title = CHARTS[table.key], "Số đơn"
    chart.legend = None
    value_col = len(table.headers) if table.key != "ratings" else 2
    data = Reference(ws, min_col=value_col, min_row=HEADER_ROW, max_row=HEADER_ROW + count)
    labels = Reference(ws, min_col=1, min_row=HEADER_ROW + 1, max_row=HEADER_ROW + count)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(labels)
    chart.height, chart.width = max(6.0, 0.8 * count + 3), 16.0
    ws.add_chart(chart, f"{get_column_letter(width + 2)}{HEADER_ROW}")


def workbook(report: dict[str, Any]) -> bytes:
    """The XLSX file of a report from `reports.build`."""
    wb = Workbook()
    for i, table in enumerate(tables(report)):
        _sheet(wb, table, report, i == 0)
    wb.properties.title = f"{TITLE} – {report['unit']['name']} – {report['period']['label']}"
    wb.properties.creator = "Tiếp dân số Hải Phòng"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
