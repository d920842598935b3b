"""A plan task's "Thời gian thực hiện" read as a due date, where the text gives one.

The wordings of the catalogues (config/catalogue/*.yaml, from the seed plans):
- "Hoàn thành trước (ngày) 15/02/2026": before that day, so the last day is 14/02/2026;
- "Tháng 8/2026", "Hoàn thành trong tháng 8/2025", "Tháng 10, 11/2025": the last day of the (last) month;
- "Quý IV/2026", "Trong quý III/2025", "Quý I/2026, lồng ghép …": the last day of the quarter;
- "Năm 2026": 31/12/2026; "6 tháng cuối năm 2025": 31/12/2025; "6 tháng đầu năm 2026": 30/06/2026;
- "… và các năm tiếp theo", "Hằng năm": every year, due 31/12 of the year in course (from the first year named);
- "Hằng quý", "Hằng tháng": the end of the quarter or month in course;
- "Thường xuyên": ongoing, no due date (reported at each report date); anything else: no due date.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from service.domain.text import strip_marks

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass(frozen=True)
class Timeframe:
    text: str | None
    kind: str  # date | recurring | ongoing | none
    due: dt.date | None = None  # a fixed due date
    every: str | None = None  # year | quarter | month (recurring)
    since: int | None = None  # the first year of a recurring task

    def due_on(self, today: dt.date) -> dt.date | None:
        """The due date that matters on `today`: the fixed one, or the end of the recurrence in course."""
        if self.kind == "date":
            return self.due
        if self.kind != "recurring":
            return None
        if self.every == "year":
            return dt.date(max(today.year, self.since or today.year), 12, 31)
        if self.every == "quarter":
            return _month_end(today.year, 3 * ((today.month - 1) // 3 + 1))
        return _month_end(today.year, today.month)

    def period_start(self, today: dt.date) -> dt.date | None:
        """The first day of the recurrence in course (a completion before it does not count now)."""
        if self.kind != "recurring":
            return None
        if self.every == "year":
            return dt.date(today.year, 1, 1)
        if self.every == "quarter":
            return dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        return today.replace(day=1)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


_BEFORE = re.compile(r"truoc\s+(?:ngay\s+)?(\d{1,2})/(\d{1,2})/(\d{4})")
_MONTH = re.compile(r"thang\s+((?:\d{1,2}\s*,\s*)*\d{1,2})/(\d{4})")
_QUARTER = re.compile(r"quy\s+(iv|iii|ii|i)\s*/\s*(\d{4})")
_YEAR = re.compile(r"nam\s+(\d{4})")


def parse(text: str | None) -> Timeframe:
    if not text or not text.strip():
        return Timeframe(text, "none")
    f = " ".join(strip_marks(text).lower().split())
    year = _YEAR.search(f)
    if "cac nam tiep theo" in f or "hang nam" in f or "hangnam" in f:
        return Timeframe(text, "recurring", every="year", since=int(year.group(1)) if year else None)
    if "hang quy" in f:
        return Timeframe(text, "recurring", every="quarter")
    if "hang thang" in f:
        return Timeframe(text, "recurring", every="month")
    if m := _BEFORE.search(f):
        day = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return Timeframe(text, "date", due=day - dt.timedelta(days=1))
    if m := _MONTH.search(f):
        last = int(m.group(1).split(",")[-1])
        return Timeframe(text, "date", due=_month_end(int(m.group(2)), last))
    if m := _QUARTER.search(f):
        return Timeframe(text, "date", due=_month_end(int(m.group(2)), 3 * ROMAN[m.group(1)]))
    if year:
        y = int(year.group(1))
        return Timeframe(text, "date", due=dt.date(y, 6, 30) if "6 thang dau" in f else dt.date(y, 12, 31))
    if "thuong xuyen" in f:
        return Timeframe(text, "ongoing")
    return Timeframe(text, "none")
