"""Reporting periods: the data cut-offs (chốt số liệu) of Thông tư 01/2024/TT-TTCP, or any date range.

TT 01/2024 (legal.md §6; same cut-offs as TT 02/2021 it replaced): the reporting year of year Y runs
from 15/12 of Y-1 to 14/12 of Y. Quarter 1: 15/12 → 14/03; Q2: 15/03 → 14/06; Q3: 15/06 → 14/09;
Q4: 15/09 → 14/12; 6 months: 15/12 → 14/06; 9 months: 15/12 → 14/09; year: 15/12 → 14/12.
The seed plans ask for the 6-month, 9-month and yearly reports before 01/6, 01/9 and 01/12.

Dates are days in Asia/Ho_Chi_Minh; a period is the half-open interval [start 00:00, day after end 00:00).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from service.domain.deadlines.calendar import VN_TZ
from service.domain.errors import ValidationFailed

CUT_OFF_DAY = 14  # the last day counted in each cut-off month; the next period starts on the 15th
# Days of the years 2000…2100 (the years a period may name), dd/mm/yyyy or yyyy-mm-dd, only real ones (29/02 in
# leap years): the API's OpenAPI document gives this same pattern, so a day it admits is one the server accepts.
_YEAR, _LEAP = r"(20[0-9][0-9]|2100)", r"(20(00|0[48]|[2468][048]|[13579][26]))"
_D31, _D30, _D28 = r"(0?[1-9]|[12][0-9]|3[01])", r"(0?[1-9]|[12][0-9]|30)", r"(0?[1-9]|1[0-9]|2[0-8])"
_M31, _M30, _M2 = r"(0?[13578]|1[02])", r"(0?[469]|11)", r"0?2"
_DAY = (rf"(({_D31}/{_M31}|{_D30}/{_M30}|{_D28}/{_M2})/{_YEAR}|29/{_M2}/{_LEAP}"
        rf"|{_YEAR}-({_M31}-{_D31}|{_M30}-{_D30}|{_M2}-{_D28})|{_LEAP}-{_M2}-29)")
DAY_PATTERN = rf"^\s*{_DAY}?\s*$"  # blank: not given
# yyyy-mm-dd with a two-digit month and day, as an ISO 8601 moment has it (dialogues' ISO_MOMENT_PATTERN)
ISO_DAY = (r"((20[0-9][0-9]|2100)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
           rf"|02-(0[1-9]|1[0-9]|2[0-8]))|{_LEAP}-02-29)")
A_DAY_PATTERN = rf"^\s*{_DAY}\s*$"  # a day that must be given
PERIOD_PATTERN = r"^\s*((20\d\d|2100)-([qQ][1-4]|[69][mM]|[yY][eE][aA][rR]))?\s*$"
PERIOD_KINDS: dict[str, tuple[str, int, int]] = {
    # code suffix: (Vietnamese name, first month after 15/12 of Y-1 .. last cut-off month of Y)
    "q1": ("Quý I", 12, 3),
    "q2": ("Quý II", 3, 6),
    "q3": ("Quý III", 6, 9),
    "q4": ("Quý IV", 9, 12),
    "6m": ("6 tháng", 12, 6),
    "9m": ("9 tháng", 12, 9),
    "year": ("Năm", 12, 12),
}
_PERIOD = re.compile(r"^\s*(\d{4})-(q[1-4]|6m|9m|year)\s*$", re.IGNORECASE)
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_VN = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


@dataclass(frozen=True)
class Period:
    code: str  # "2026-6m", or "range" for a free range
    label: str  # what the report's title says
    first_day: dt.date
    last_day: dt.date  # inclusive

    @property
    def start(self) -> dt.datetime:
        """The first instant counted (aware, local midnight)."""
        return dt.datetime.combine(self.first_day, dt.time(), VN_TZ)

    @property
    def end(self) -> dt.datetime:
        """The first instant not counted: local midnight after the last day."""
        return dt.datetime.combine(self.last_day + dt.timedelta(days=1), dt.time(), VN_TZ)

    @property
    def dates_text(self) -> str:
        return f"{self.first_day:%d/%m/%Y} – {self.last_day:%d/%m/%Y}"

    def as_json(self) -> dict:
        return {"code": self.code, "label": self.label, "from": self.first_day.isoformat(),
                "to": self.last_day.isoformat(), "start": self.start.isoformat(), "end": self.end.isoformat()}


def _invalid(field: str, vi: str, en: str) -> ValidationFailed:
    return ValidationFailed(vi, en, fields={field: [vi]})


def legal_period(year: int, kind: str) -> Period:
    """A TT 01/2024 period of reporting year `year`: kind is q1..q4, 6m, 9m or year."""
    name, first_month, last_month = PERIOD_KINDS[kind]
    first_year = year - 1 if first_month == 12 else year
    first = dt.date(first_year, first_month, CUT_OFF_DAY + 1)
    last = dt.date(year, last_month, CUT_OFF_DAY)
    label = f"{name} năm {year}" if kind != "year" else f"Năm {year}"
    return Period(f"{year}-{kind}", label, first, last)


def reporting_year(day: dt.date) -> int:
    """The reporting year a day belongs to: 15/12/2025 already counts for 2026."""
    return day.year + 1 if (day.month, day.day) > (12, CUT_OFF_DAY) else day.year


def presets(year: int) -> list[Period]:
    """The legal periods of a reporting year, in the order an office produces them."""
    return [legal_period(year, k) for k in ("q1", "6m", "q2", "9m", "q3", "year", "q4")]


def parse_day(value: str, field: str) -> dt.date:
    """dd/mm/yyyy or yyyy-mm-dd, a real day of the years 2000…2100 (DAY_PATTERN)."""
    match = _VN.match(value or "") if re.fullmatch(rf"\s*{_DAY}\s*", value or "") else None
    parts = (match.group(3), match.group(2), match.group(1)) if match else None
    if parts is None and re.fullmatch(rf"\s*{_DAY}\s*", value or "") and (match := _ISO.match(value or "")):
        parts = match.groups()
    try:
        if parts is None:
            raise ValueError
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise _invalid(field, f"Ngày “{value}” không hợp lệ (dạng dd/mm/yyyy).",
                       f"'{value}' is not a valid date (dd/mm/yyyy or yyyy-mm-dd).") from None


def parse_period(code: str) -> Period:
    match = _PERIOD.match(code or "")
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise _invalid("period", f"Kỳ báo cáo “{code}” không hợp lệ. Dùng dạng 2026-6m, 2026-9m, 2026-year, "
                                 "2026-q1 … 2026-q4.",
                       f"Unknown period '{code}'. Use YYYY-6m, YYYY-9m, YYYY-year or YYYY-q1 … YYYY-q4.")
    return legal_period(int(match.group(1)), match.group(2).lower())


def date_range(first: str, last: str) -> Period:
    """The days from `first` to `last` inclusive, given in either order (the answer's period says which came
    first): a rule between two parameters that an OpenAPI document cannot state, so it is not a refusal."""
    first_day, last_day = sorted((parse_day(first, "from"), parse_day(last, "to")))
    return Period("range", f"Từ {first_day:%d/%m/%Y} đến {last_day:%d/%m/%Y}", first_day, last_day)


def resolve(period: str | None = None, first: str | None = None, last: str | None = None, *,
            today: dt.date | None = None) -> Period:
    """The period a request asks for: `period`, or `from` and `to`; neither: this reporting year."""
    period, first, last = (v.strip() if isinstance(v, str) and v.strip() else None for v in (period, first, last))
    if period and (first or last):
        raise _invalid("period", "Chọn kỳ báo cáo hoặc khoảng ngày, không chọn cả hai.",
                       "Give either 'period' or 'from'/'to', not both.")
    if period:
        return parse_period(period)
    if first or last:
        if not (first and last):
            field = "to" if first else "from"
            raise _invalid(field, "Cần cả ngày bắt đầu và ngày kết thúc.", "Both 'from' and 'to' are needed.")
        return date_range(first, last)
    today = today or dt.datetime.now(VN_TZ).date()
    return legal_period(reporting_year(today), "year")
