"""The scorecards as an XLSX in the administrative format for the yearly review (Nghị định 30/2020/NĐ-CP
layout: issuing body and national motto at the top, title, period, the table, place and date, signatures).

Sheet 1 "Cơ quan": one row per office; sheet 2 "Người đứng đầu": one row per head; sheet 3 "Tiêu chí": the
criteria and weights of config/scorecards.yaml, each marked CHƯA XÁC NHẬN (UNCONFIRMED) as the file says.
Cells go through `documents.cells.set_xlsx` (no formula injection).
"""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from service.domain.deadlines.calendar import VN_TZ
from service.domain.documents.cells import set_xlsx
from service.domain.documents.spreadsheets import (  # the administrative sheets' one set of styles
    _BOLD, _BOX, _CENTER, _ITALIC, _PLAIN, QUOC_HIEU, TIEU_NGU, XLSX_TYPE)

TITLE = "BẢNG TỔNG HỢP KẾT QUẢ THEO DÕI, CHẤM ĐIỂM CÔNG TÁC TIẾP CÔNG DÂN, GIẢI QUYẾT ĐƠN VÀ DÂN VẬN"
UNCONFIRMED = "CHƯA XÁC NHẬN (UNCONFIRMED): tiêu chí và trọng số đề xuất, chờ quyết định ban hành"

OFFICE_COLUMNS = (("STT", None), ("Cơ quan", "office_name"), ("Số đơn", "received"), ("Đã trả lời", "answered"),
                  ("Đúng hạn", "answered_on_time"), ("Tỷ lệ đúng hạn (%)", "on_time_rate"),
                  ("Lượt quá hạn", "overdue_count"), ("Số ngày quá hạn", "overdue_days"),
                  ("Hài lòng (1-5)", "satisfaction_avg"), ("Lượt đánh giá", "ratings"),
                  ("Tỷ lệ xem xét lại (%)", "reopen_rate"), ("Trả lời có tài liệu", "with_evidence"),
                  ("Vụ việc phức tạp đã giải quyết", "flagged_resolved"), ("Điểm", "total"), ("Xếp loại", "grade"))
HEAD_COLUMNS = (("STT", None), ("Người đứng đầu", "name"), ("Cơ quan", "offices"), ("Đã trả lời", "answered"),
                ("Đúng hạn", "answered_on_time"), ("Tỷ lệ đúng hạn (%)", "on_time_rate"),
                ("Lượt quá hạn", "overdue_count"), ("Số ngày quá hạn", "overdue_days"),
                ("Hài lòng (1-5)", "satisfaction_avg"), ("Trả lời có tài liệu", "with_evidence"), ("Điểm", "total"),
                ("Xếp loại", "grade"))
PERCENT = {"on_time_rate", "reopen_rate"}


def filename(cards: dict[str, Any]) -> str:
    return f"cham-diem-{cards['unit']['code']}-{cards['period']['code']}-{cards['period']['to']}.xlsx"


def _value(row: dict[str, Any], key: str | None, n: int) -> Any:
    if key is None:
        return n
    if key == "total":
        return row["score"]["total"]
    if key == "grade":
        return row["score"]["grade_label"] or "Chưa đủ số liệu"
    value = row.get(key)
    if isinstance(value, list):
        return ", ".join(value)
    if key in PERCENT and value is not None:
        return round(100 * value, 1)
    return "—" if value is None else value


def _merge(ws, row: int, first: int, last: int, value: str, font: Font) -> None:
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    cell = set_xlsx(ws.cell(row=row, column=first), value)
    cell.font, cell.alignment = font, _CENTER


def _heading(ws, cards: dict[str, Any], width: int, subtitle: str) -> int:
    half = max(width // 2, 2)
    body = "THÀNH PHỐ HẢI PHÒNG" if cards["unit"]["code"] == "city" else cards["unit"]["name"].upper()
    _merge(ws, 1, 1, half, "ỦY BAN NHÂN DÂN", _PLAIN)
    _merge(ws, 2, 1, half, body, _BOLD)
    _merge(ws, 1, half + 1, width, QUOC_HIEU, _BOLD)
    _merge(ws, 2, half + 1, width, TIEU_NGU, _BOLD)
    today = dt.datetime.now(VN_TZ).date()
    _merge(ws, 3, half + 1, width, f"Hải Phòng, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}",
           _ITALIC)
    _merge(ws, 5, 1, width, TITLE, _BOLD)
    p = cards["period"]
    first, last = (dt.date.fromisoformat(p[k]) for k in ("from", "to"))
    _merge(ws, 6, 1, width, f"{subtitle} — Kỳ: {p['label']} (từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y})",
           _ITALIC)
    _merge(ws, 7, 1, width, UNCONFIRMED, _ITALIC)
    return 9


def _table(ws, rows: list[dict[str, Any]], columns, cards: dict[str, Any], subtitle: str) -> None:
    width = len(columns)
    top = _heading(ws, cards, width, subtitle)
    for col, (label, _) in enumerate(columns, start=1):
        cell = set_xlsx(ws.cell(row=top, column=col), label)
        cell.font, cell.alignment, cell.border = _BOLD, _CENTER, _BOX
        ws.column_dimensions[get_column_letter(col)].width = 30 if col == 2 else 14
    for n, row in enumerate(rows, start=1):
        for col, (_, key) in enumerate(columns, start=1):
            cell = set_xlsx(ws.cell(row=top + n, column=col), _value(row, key, n))
            cell.font, cell.border = _PLAIN, _BOX
    end = top + len(rows) + 2
    half = max(width // 2, 2)
    _merge(ws, end, 1, half, "NGƯỜI LẬP BIỂU", _BOLD)
    _merge(ws, end, half + 1, width, "CHỦ TỊCH", _BOLD)
    _merge(ws, end + 1, 1, half, "(Ký, ghi rõ họ tên)", _ITALIC)
    _merge(ws, end + 1, half + 1, width, "(Ký, đóng dấu)", _ITALIC)


def workbook(cards: dict[str, Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Cơ quan"
    _table(ws, cards["offices"], OFFICE_COLUMNS, cards, "Theo cơ quan chuyên môn")
    _table(wb.create_sheet("Người đứng đầu"), cards["heads"], HEAD_COLUMNS, cards,
           "Theo người đứng đầu cơ quan (tại thời điểm trả lời đơn)")
    ws = wb.create_sheet("Tiêu chí")
    conf = cards["criteria"]
    for col, label in enumerate(("Mã", "Tiêu chí", "Điểm tối đa", "Hướng", "Căn cứ", "Trạng thái"), start=1):
        cell = set_xlsx(ws.cell(row=1, column=col), label)
        cell.font, cell.border = _BOLD, _BOX
    for n, c in enumerate(conf["criteria"], start=2):
        values = (c["code"], c["label"], c["points"], "càng cao càng tốt" if c["better"] == "higher"
                  else "càng thấp càng tốt", c.get("basis", ""), "UNCONFIRMED" if c.get("unconfirmed") else "")
        for col, value in enumerate(values, start=1):
            set_xlsx(ws.cell(row=n, column=col), value).font = _PLAIN
    ws.column_dimensions["B"].width = 50
    ws.column_dimensions["E"].width = 50
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


__all__ = ["XLSX_TYPE", "filename", "workbook"]
