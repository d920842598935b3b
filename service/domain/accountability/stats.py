"""The public figures of a unit (or of the whole city) for a period: what /cong-khai and
GET /api/v1/public/stats show without an account (seed plan 001 III.4, 003 II.5: công khai kết quả).

Received counts and the unit's ratings come from the staff report itself (`reports.queries.build`), the other
figures from `accountability.figures`: one query layer, so the public page and the staff report agree
(tests/domain/accountability/test_figures.py checks both against a hand count). Denunciations (tố cáo) are
counted like every petition and never described: no text, code, name or place appears here (TC Đ47).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.accountability import figures
from service.domain.errors import NotFound, ValidationFailed
from service.domain.reports import periods, queries
from service.domain.reports.periods import Period
from service.domain.routing.units import find_unit
from service.models.unit import Unit

CITY = "city"
CITY_NAME = "Thành phố Hải Phòng (toàn thành phố)"


def unit_for(session: Session, code: str | None, *, missing: type[ValidationFailed] | type[NotFound] = ValidationFailed
             ) -> Unit | None:
    """The unit asked for (None: the whole city); an unknown one is a validation error, or `missing` (NotFound:
    a 404 where the unit is what the request reads, e.g. a unit's plan or published answers)."""
    wanted = (code or "").strip()
    if wanted.lower() in ("", CITY):
        return None
    found = find_unit(session, wanted)
    if found is None:
        raise missing(f"Không tìm thấy đơn vị “{wanted}”.", f"Unknown unit '{wanted}'.",
                               fields={"unit": ["Không tìm thấy đơn vị."]})
    return found


def compute(session: Session, unit: Unit | None, period: Period, *, now: dt.datetime | None = None
            ) -> dict[str, Any]:
    now = now or utcnow()
    report = queries.build(session, unit, period, now=now)
    rows, total = figures.office_figures(session, unit, period, report["by_office"], now=now)
    offices = sorted(rows.values(), key=lambda r: (r["office"] == figures.NO_OFFICE, -r["received"], r["office"]))
    return {
        "unit": ({"code": CITY, "name": CITY_NAME} if unit is None else {"code": unit.code, "name": unit.name}),
        "period": period.as_json(),
        "as_of": min(period.end, now).isoformat(),
        "totals": {**total, "by_kind": dict(report["by_kind"])},
        "offices": offices,
        "definitions": DEFINITIONS,
    }


def public_stats(session: Session, *, unit: str | None = None, period: str | None = None,
                 first: str | None = None, last: str | None = None, now: dt.datetime | None = None,
                 missing_unit: type[ValidationFailed] | type[NotFound] = ValidationFailed) -> dict[str, Any]:
    """The checked entry point of the API (an unknown unit: NotFound) and the public page (ValidationFailed)."""
    chosen = periods.resolve(period, first, last)
    return compute(session, unit_for(session, unit, missing=missing_unit), chosen, now=now)


DEFINITIONS = {
    "received": "Số đơn trong kỳ: kỳ trước chuyển sang và tiếp nhận mới (như báo cáo định kỳ, TT 01/2024/TT-TTCP)",
    "received_new": "Số đơn tiếp nhận mới trong kỳ",
    "answered": "Số đơn đã trả lời trong kỳ",
    "answered_on_time": "Số đơn trả lời mà mọi thời hạn luật định đến lúc trả lời đều được bảo đảm",
    "on_time_rate": "Tỷ lệ trả lời đúng hạn (0-1)",
    "open_now": "Số đơn đang xử lý tại thời điểm xem",
    "overdue_now": "Số đơn đang xử lý đã quá hạn",
    "median_days_to_answer": "Trung vị số ngày làm việc từ khi nhận đến khi trả lời",
    "satisfaction_avg": "Điểm hài lòng trung bình (1-5), đánh giá gần nhất của mỗi đơn trong kỳ",
    "ratings": "Số lượt đánh giá",
    "reopened_by_citizens": "Số lần công dân đề nghị xem xét lại sau khi đánh giá",
}
