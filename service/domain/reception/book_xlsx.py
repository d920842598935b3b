"""The sổ tiếp công dân of a period as an XLSX workbook in the administrative format (TT 04/2021/TT-TTCP Mẫu 03;
header of Nghị định 30/2020/NĐ-CP Phụ lục I): the issuing body on the left, quốc hiệu and tiêu ngữ on the right,
the title and the period, then the 11 columns with their names and numbers (1)…(11); A4 landscape.
A denouncer's identity is never written (book.row(export=True)).
"""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.documents.cells import set_xlsx
from service.domain.documents.spreadsheets import QUOC_HIEU, TIEU_NGU
from service.domain.reception import book
from service.models.petition import Petition
from service.models.unit import Unit
from service.models.user import User

TITLE = "SỔ TIẾP CÔNG DÂN"
HEADER_ROW = 7  # the column names; (1)…(11) on the next row; the visits after
WIDTHS = (6, 12, 28, 18, 40, 14, 20, 11, 22, 22, 28)
_FONT = "Times New Roman"
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _merge(ws, row: int, first: int, last: int, value: str, *, bold=False, italic=False, size=12) -> None:
    ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    cell = set_xlsx(ws.cell(row=row, column=first), value)
    cell.font, cell.alignment = Font(name=_FONT, bold=bold, italic=italic, size=size), _CENTER


def workbook(session: Session, user: User | None, unit: Unit, first: dt.date, last: dt.date) -> bytes:
    ws_book = Workbook()
    ws = ws_book.active
    ws.title = "So tiep cong dan"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + 1}"
    _merge(ws, 1, 1, 4, "ỦY BAN NHÂN DÂN")
    _merge(ws, 2, 1, 4, unit.name.upper(), bold=True)
    _merge(ws, 1, 5, 11, QUOC_HIEU, bold=True)
    _merge(ws, 2, 5, 11, TIEU_NGU, bold=True)
    _merge(ws, 4, 1, 11, TITLE, bold=True, size=14)
    _merge(ws, 5, 1, 11, f"Từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y}", italic=True)
    for col, name in enumerate(book.COLUMNS, 1):
        head = set_xlsx(ws.cell(row=HEADER_ROW, column=col), name)
        num = ws.cell(row=HEADER_ROW + 1, column=col, value=f"({col})")
        for cell in (head, num):
            cell.font, cell.alignment, cell.border = Font(name=_FONT, bold=True, size=11), _CENTER, _BOX
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS[col - 1]
    items = book.visits(session, unit.id, first, last)
    codes = dict(session.execute(select(Petition.id, Petition.code).where(
        Petition.id.in_([v.petition_id for v in items if v.petition_id]))).all()) if items else {}
    for n, visit in enumerate(items, 1):
        for col, value in enumerate(book.row(user, visit, n, codes.get(visit.petition_id), export=True), 1):
            cell = set_xlsx(ws.cell(row=HEADER_ROW + 1 + n, column=col), value)  # text a citizen wrote: never a formula
            cell.font, cell.alignment, cell.border = Font(name=_FONT, size=11), _WRAP, _BOX
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 2, column=1)
    ws_book.properties.title = f"{TITLE} – {unit.name} – {first:%d/%m/%Y}–{last:%d/%m/%Y}"
    ws_book.properties.creator = "Tiếp dân số Hải Phòng"
    out = io.BytesIO()
    ws_book.save(out)
    return out.getvalue()


def filename(unit: Unit, first: dt.date, last: dt.date) -> str:
    return f"so-tiep-cong-dan-{unit.code}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
