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
from openpyxl.cell import WriteOnlyCell
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


def _sheet(wb: Workbook, table: Table, report: dict[str, Any]) -> None:
    """One sheet, streamed (a write-only workbook: no cell objects kept, issue #19: the yearly city report's 5,000
    flagged matters took 3-5 s as ordinary cells). Widths, panes and print setup come first, then the rows in order;
    merged ranges and the chart are written when the sheet closes."""
    ws = wb.create_sheet(table.sheet[:31])
    width = max(len(table.headers), 4)
    left = max(width // 2 - 1, 1) if width > 4 else 1
    rows = table.rows + ([table.total_row()] if table.total and table.rows else [])
    for col in range(1, max(len(table.headers), width) + 1):
        texts = [str(table.headers[col - 1])] if col <= len(table.headers) else []
        texts += [str(v[col - 1]) for v in rows if col <= len(v)]
        ws.column_dimensions[get_column_letter(col)].width = min(max([14, *(len(t) + 2 for t in texts)]), 60)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    _print_setup(ws)
    body, unit = issuing_body(report)
    made = dt.datetime.fromisoformat(report["generated_at"]).astimezone(VN_TZ)
    as_of = dt.datetime.fromisoformat(report["as_of"]).astimezone(VN_TZ) - dt.timedelta(microseconds=1)
    heading: dict[int, list[tuple[int, int, str, Font]]] = {  # row: (first column, last column, text, font)
        1: [(1, left, body, _PLAIN), (left + 1, width, QUOC_HIEU, _BOLD)],
        2: [(1, left, unit, _BOLD), (left + 1, width, TIEU_NGU, _BOLD)],
        4: [(1, width, TITLE, _BOLD)], 5: [(1, width, period_line(report), _ITALIC)],
        6: [(1, width, f"Biểu: {table.title}", _BOLD)],
        7: [(1, width, f"Số liệu tính đến hết ngày {as_of:%d/%m/%Y}; lập lúc {made:%H:%M} ngày {made:%d/%m/%Y}",
             _ITALIC)]}
    for r in range(1, HEADER_ROW):
        cells: list[Any] = [None] * width
        for first, last, value, font in heading.get(r, []):
            if last > first:
                ws.merged_cells.add(f"{get_column_letter(first)}{r}:{get_column_letter(last)}{r}")
            cell = set_xlsx(WriteOnlyCell(ws), value)
            cell.font, cell.alignment = font, _CENTER
            cells[first - 1] = cell
        ws.append(cells)
    header = []
    for value in table.headers:
        cell = set_xlsx(WriteOnlyCell(ws), value)
        cell.font, cell.alignment, cell.border = _BOLD, _CENTER, _BOX
        cell.fill = PatternFill("solid", fgColor="E8EEF7")
        header.append(cell)
    ws.append(header)
    styles: dict[tuple[bool, bool], Any] = {}  # (bold, number) -> the style of the first such cell
    for values in rows:
        bold = bool(table.total and values is rows[-1] and table.rows)
        cells = []
        for value in values:
            cell = set_xlsx(WriteOnlyCell(ws), value)  # a title may start with "=" (never a formula)
            key = (bold, isinstance(value, (int, float)))
            if key in styles:  # copying the style ids: setting fonts and borders hashes them, 13 s for 1,000 rows
                quote = cell.quotePrefix
                cell._style = copy(styles[key])
                cell.quotePrefix = quote
            else:
                cell.border, cell.font = _BOX, _BOLD if bold else _PLAIN
                if key[1]:
                    cell.alignment = Alignment(horizontal="right")
                styles[key] = copy(cell._style)
                styles[key].quotePrefix = 0
            cells.append(cell)
        ws.append(cells)
    if table.key in CHARTS and table.rows:
        _chart(ws, table, len(table.rows), width)


def _print_setup(ws) -> None:
    """A4 landscape, one page wide, the column headers repeated on every printed page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
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
    wb = Workbook(write_only=True)
    for table in tables(report):
        _sheet(wb, table, report)
    wb.properties.title = f"{TITLE} – {report['unit']['name']} – {report['period']['label']}"
    wb.properties.creator = "Tiếp dân số Hải Phòng"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
