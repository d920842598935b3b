"""Vietnamese working-day calendar (Bộ luật Dân sự 2015 Điều 147-148; Bộ luật Lao động 2019 Điều 111-112).

Working days are Monday-Friday minus public holidays and compensatory days (nghỉ bù), plus
officially swapped working Saturdays. Three layers, later ones winning:
1. the `holidays` package (country VN, lunar Tết, nghỉ bù and its `weekend_workdays`);
2. `config/holidays.yaml`, per year: days added, days removed, swapped working days;
3. admin overrides in the table `holiday_overrides` (change "holiday" | "working").

`Calendar.load(session)` builds all three; the module-level functions use a default calendar
built from the first two, for callers without a session. The yaml is read once per process and again
when its modification time changes; a calendar is built once per state of the file and of the overrides
table (one small SELECT per call), so a petition no longer pays for parsing the file.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain import reference

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HOLIDAYS_FILE = Path(__file__).resolve().parents[3] / "config" / "holidays.yaml"
ONE_DAY = dt.timedelta(days=1)
MAX_SCAN_DAYS = 3660  # a guard: no period in this service comes near ten years


@lru_cache(maxsize=64)
def _package_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """Days off and swapped working days of one year, as the package knows them."""
    vn = holidays.country_holidays("VN", years=year)
    swapped = {d for d in (getattr(vn, "weekend_workdays", None) or ()) if d.year == year}
    return frozenset(vn.keys()), frozenset(swapped)


def _day(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _entries(items: Iterable[Any] | None) -> dict[dt.date, str]:
    out: dict[dt.date, str] = {}
    for item in items or ():
        if isinstance(item, dict):
            out[_day(item["day"])] = str(item.get("note") or "")
        else:
            out[_day(item)] = ""
    return out


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def read_holidays_file(path: Path = HOLIDAYS_FILE) -> dict[str, dict[dt.date, str]]:
    """The yaml overrides as three maps: add, remove, working (day -> note); re-read when the file changes."""
    cached = _read_holidays(path, _mtime(path))
    return {key: dict(days) for key, days in cached.items()}


@lru_cache(maxsize=8)
def _read_holidays(path: Path, _stamp: int) -> dict[str, dict[dt.date, str]]:
    merged: dict[str, dict[dt.date, str]] = {"add": {}, "remove": {}, "working": {}}
    if not path.exists():
        return merged
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for year, changes in (data.get("years") or {}).items():
        for key in merged:
            for day, note in _entries((changes or {}).get(key)).items():
                if day.year != int(year):
                    raise ValueError(f"{path.name}: {day} is listed under year {year}")
                merged[key][day] = note
    return merged


class Calendar:
    """Which days are working days, and how periods are counted."""

    def __init__(self, *, add: Iterable[dt.date] = (), remove: Iterable[dt.date] = (),
                 working: Iterable[dt.date] = (), overrides: dict[dt.date, str] | None = None):
        self._add = frozenset(add)
        self._remove = frozenset(remove)
        self._working = frozenset(working)
        # The database rows: day -> "holiday" | "working"; they win over everything else.
        self._overrides = dict(overrides or {})
        self._cache: dict[dt.date, bool] = {}

    @classmethod
    def from_config(cls, path: Path = HOLIDAYS_FILE, overrides: dict[dt.date, str] | None = None) -> Calendar:
        data = read_holidays_file(path)
        return cls(add=data["add"], remove=data["remove"], working=data["working"], overrides=overrides)

    @classmethod
    def load(cls, session: Session, path: Path = HOLIDAYS_FILE) -> Calendar:
        """Package + yaml + the admin overrides stored in `holiday_overrides`.

        The same Calendar object (and its memo of working days) is returned while neither the file nor the
        overrides change; calendars are read-only, so sharing one between threads is safe."""
        from service.models.job import HolidayOverride

        def overrides() -> tuple:
            rows = session.execute(select(HolidayOverride.day, HolidayOverride.change)).all()
            return tuple(sorted((_day(day), change) for day, change in rows))
        # Read once per `reference.TTL` per process (at once again after this process changes them).
        return _shared_calendar(path, _mtime(path), reference.cached(session, "holiday_overrides", None, overrides))

    def is_working_day(self, day: dt.date) -> bool:
        cached = self._cache.get(day)
        if cached is None:
            cached = self._cache[day] = self._compute(day)
        return cached

    def _compute(self, day: dt.date) -> bool:
        override = self._overrides.get(day)
        if override == "holiday":
            return False
        if override == "working":
            return True
        if day in self._add:
            return False
        if day in self._working:
            return True
        off, swapped = _package_year(day.year)
        if day in swapped:
            return True
        if day in off and day not in self._remove:
            return False
        return day.weekday() < 5

    def days_off(self, year: int) -> list[dt.date]:
        """Every weekday of the year that is not a working day (for the staff calendar page)."""
        day, out = dt.date(year, 1, 1), []
        while day.year == year:
            if day.weekday() < 5 and not self.is_working_day(day):
                out.append(day)
            day += ONE_DAY
        return out

    def swapped_working_days(self, year: int) -> list[dt.date]:
        day, out = dt.date(year, 1, 1), []
        while day.year == year:
            if day.weekday() >= 5 and self.is_working_day(day):
                out.append(day)
            day += ONE_DAY
        return out

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the first working day after it."""
        for _ in range(MAX_SCAN_DAYS):
            if self.is_working_day(day):
                return day
            day += ONE_DAY
        raise ValueError("no working day within ten years")

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The `days`-th working day after `start`: day 1 is the day after the event (BLDS Điều 147)."""
        if days < 0:
            raise ValueError("days must be >= 0")
        day, counted = start, 0
        while counted < days:
            day += ONE_DAY
            if self.is_working_day(day):
                counted += 1
        return day

    def add_calendar_days(self, start: dt.date, days: int) -> dt.date:
        """A period in days ends on its last day, or on the next working day when that is a day off (BLDS Điều 148)."""
        return self.next_working_day(start + dt.timedelta(days=days))

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days fall in (start, end]: 0 when end <= start."""
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            count += self.is_working_day(day)
        return count

    def nth_working_day_back(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day counting back from `day` itself (n >= 1).

        A date D is at least n working days before `day` exactly when D is earlier than this day;
        the deadline scan turns "overdue by n working days" into one date comparison with it.
        """
        counted = 0
        while True:
            if self.is_working_day(day):
                counted += 1
                if counted >= n:
                    return day
            day -= ONE_DAY


@lru_cache(maxsize=16)
def _shared_calendar(path: Path, _stamp: int, overrides: tuple[tuple[dt.date, str], ...]) -> Calendar:
    return Calendar.from_config(path, overrides=dict(overrides))


def default_calendar() -> Calendar:
    """Package + config/holidays.yaml, without the database overrides (rebuilt when the file changes)."""
    return _shared_calendar(HOLIDAYS_FILE, _mtime(HOLIDAYS_FILE), ())


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(VN_TZ).date()


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=VN_TZ)


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of a day in Hải Phòng, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=VN_TZ)


def is_working_day(day: dt.date) -> bool:
    return default_calendar().is_working_day(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """Day 1 is the first working day after `start` (BLDS Điều 147)."""
    return default_calendar().add_working_days(start, days)


def add_calendar_days(start: dt.date, days: int) -> dt.date:
    """A period in days that ends on a non-working day ends on the next working day (BLDS Điều 148)."""
    return default_calendar().add_calendar_days(start, days)
