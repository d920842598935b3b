"""The staff inbox's query parameters (a plain mapping in, search.PetitionFilters and the page out)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.casework.search import MAX_PAGE, MAX_QUERY_CHARS, OFFICES, BadFilter, PetitionFilters
from service.domain.codes import CHANNELS, FLAGS, KINDS, STATUSES, categories
from service.domain.deadlines.calendar import end_of_day, start_of_day
from service.domain.text import fold
from service.models.unit import Unit

_TRUE, _FALSE = {"1", "true", "on", "yes", "co"}, {"", "0", "false", "off", "no", "khong"}
_CHOICES = {"kind": (KINDS, "loại đơn"), "status": (STATUSES, "trạng thái"), "flag": (FLAGS, "cảnh báo"),
            "channel": (CHANNELS, "kênh tiếp nhận"), "office": (OFFICES, "cơ quan")}
_BOOLS = {"overdue": "overdue", "due_soon": "due_soon", "review": "needs_review", "mine": "mine"}


def _parse_day(text: str) -> dt.date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_filters(session: Session, args: Mapping[str, str]) -> tuple[PetitionFilters, int]:
    """The inbox filters and page from query parameters; raises BadFilter naming every wrong one."""
    values = {k: (args.get(k) or "").strip() for k in
              ("kind", "category", "status", "flag", "channel", "office", "unit", "from", "to", "q", "page",
               *_BOOLS)}
    errors: dict[str, list[str]] = {}
    f = PetitionFilters()
    for name, (known, label) in _CHOICES.items():
        if values[name] and values[name] not in known:
            errors[name] = [f"Không có {label} “{values[name]}”."]
        setattr(f, name, values[name] or None)
    if values["category"] and values["category"] not in categories():
        errors["category"] = [f"Không có lĩnh vực “{values['category']}”."]
    f.category = values["category"] or None
    if values["unit"]:
        f.unit, f.unit_id = values["unit"], session.scalar(select(Unit.id).where(Unit.code == values["unit"]))
        if f.unit_id is None:
            errors["unit"] = [f"Không có đơn vị hành chính mã “{values['unit']}”."]
    days = {}
    for name, label in (("from", "Từ ngày"), ("to", "Đến ngày")):
        if values[name]:
            days[name] = _parse_day(values[name])
            if days[name] is None:
                errors[name] = [f"{label} “{values[name]}” không đúng dạng ngày/tháng/năm (vd. 07/12/2026)."]
    if days.get("from") and days.get("to") and days["from"] > days["to"]:
        errors["to"] = ["Đến ngày phải sau hoặc bằng Từ ngày."]
    f.received_from = start_of_day(days["from"]) if days.get("from") else None
    f.received_to = end_of_day(days["to"]) if days.get("to") else None
    for name, attr in _BOOLS.items():
        text = fold(values[name])
        if text not in _TRUE | _FALSE:
            errors[name] = [f"Giá trị “{values[name]}” không hợp lệ (dùng 1 hoặc để trống)."]
        setattr(f, attr, True if text in _TRUE else None)
    if len(values["q"]) > MAX_QUERY_CHARS:
        errors["q"] = [f"Từ khóa tìm kiếm dài quá {MAX_QUERY_CHARS} ký tự."]
    f.q = values["q"] or None
    page = 1
    if values["page"]:
        if values["page"].isdigit() and 1 <= int(values["page"]) <= MAX_PAGE:
            page = int(values["page"])
        else:
            errors["page"] = [f"Số trang “{values['page']}” không hợp lệ."]
    if errors:
        raise BadFilter("Bộ lọc không hợp lệ: " + " ".join(m for ms in errors.values() for m in ms),
                        "Invalid filters: " + ", ".join(sorted(errors)), fields=errors)
    return f, page
