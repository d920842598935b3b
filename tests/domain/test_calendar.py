"""The working-day calendar: package holidays, yaml and database overrides, BLDS Đ147-148 counting."""
from __future__ import annotations

import datetime as dt

import pytest

from service.domain.deadlines import calendar as cal
from service.domain.deadlines.calendar import VN_TZ, Calendar, read_holidays_file
from service.models.job import HolidayOverride

D = dt.date


@pytest.mark.parametrize("day", [D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 2, 19), D(2026, 2, 20)])
def test_tet_2026_is_off(day):
    assert not cal.is_working_day(day)


@pytest.mark.parametrize("day", [D(2027, 2, 4), D(2027, 2, 5), D(2027, 2, 8), D(2027, 2, 9), D(2027, 2, 10)])
def test_tet_2027_is_off(day):
    assert not cal.is_working_day(day)


def test_days_around_tet_are_working():
    assert cal.is_working_day(D(2026, 2, 13)) and cal.is_working_day(D(2026, 2, 23))
    assert cal.is_working_day(D(2027, 2, 3)) and cal.is_working_day(D(2027, 2, 11))


def test_compensatory_day_for_hung_kings_on_sunday_is_off():
    assert not cal.is_working_day(D(2026, 4, 27))  # Giỗ Tổ on Sunday 26/4 -> nghỉ bù Monday
    assert not cal.is_working_day(D(2026, 4, 30)) and not cal.is_working_day(D(2026, 5, 1))
    assert not cal.is_working_day(D(2027, 5, 3))  # 1/5/2027 is a Saturday


def test_swapped_saturday_is_worked_and_its_monday_is_off():
    assert cal.is_working_day(D(2026, 8, 22))
    assert not cal.is_working_day(D(2026, 8, 31))
    assert not cal.is_working_day(D(2026, 9, 1)) and not cal.is_working_day(D(2026, 9, 2))
    assert not cal.is_working_day(D(2026, 8, 29))  # an ordinary Saturday


def test_day_one_is_the_day_after_the_event():
    assert cal.add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 3)
    assert cal.add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 9)  # Friday -> Monday
    assert cal.add_working_days(D(2026, 3, 7), 1) == D(2026, 3, 9)  # an event on Saturday
    assert cal.add_working_days(D(2026, 3, 2), 0) == D(2026, 3, 2)


def test_working_days_skip_tet():
    assert cal.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)
    assert cal.add_working_days(D(2026, 2, 13), 10) == D(2026, 3, 6)
    assert cal.add_working_days(D(2027, 2, 3), 5) == D(2027, 2, 17)


def test_working_days_count_the_swapped_saturday():
    assert cal.add_working_days(D(2026, 8, 21), 1) == D(2026, 8, 22)
    assert cal.add_working_days(D(2026, 8, 20), 10) == D(2026, 9, 7)


def test_calendar_days_ending_on_a_day_off_end_on_the_next_working_day():
    assert cal.add_calendar_days(D(2026, 3, 2), 30) == D(2026, 4, 1)  # a Wednesday: unchanged
    assert cal.add_calendar_days(D(2026, 1, 16), 30) == D(2026, 2, 23)  # 15/2 Sunday, then Tết
    assert cal.add_calendar_days(D(2026, 3, 2), 60) == D(2026, 5, 4)  # 1/5 holiday, then weekend
    assert cal.add_calendar_days(D(2027, 1, 5), 30) == D(2027, 2, 11)  # lands in Tết 2027


def test_calendar_days_across_month_ends():
    assert cal.add_calendar_days(D(2026, 1, 30), 30) == D(2026, 3, 2)  # 1/3/2026 is a Sunday
    assert cal.add_calendar_days(D(2026, 1, 31), 28) == D(2026, 3, 2)  # 28/2 is a Saturday
    assert cal.add_calendar_days(D(2028, 1, 31), 29) == D(2028, 2, 29)  # leap year, a Tuesday


def test_local_date_uses_hai_phong_time():
    assert cal.local_date(dt.datetime(2026, 6, 30, 18, 0, tzinfo=dt.timezone.utc)) == D(2026, 7, 1)
    assert cal.end_of_day(D(2026, 3, 6)) == dt.datetime(2026, 3, 6, 23, 59, 59, tzinfo=VN_TZ)


def test_yaml_overrides_add_remove_and_swap(tmp_path):
    path = tmp_path / "holidays.yaml"
    path.write_text("years:\n  2026:\n    add: [{day: 2026-09-03, note: 'nghỉ thêm'}]\n"
                    "    remove: [2026-11-24]\n    working: [2026-10-03]\n", encoding="utf-8")
    c = Calendar.from_config(path)
    assert not c.is_working_day(D(2026, 9, 3))
    assert c.is_working_day(D(2026, 11, 24))
    assert c.is_working_day(D(2026, 10, 3))  # a Saturday worked
    assert c.add_working_days(D(2026, 9, 2), 1) == D(2026, 9, 4)


def test_yaml_day_under_the_wrong_year_is_refused(tmp_path):
    path = tmp_path / "holidays.yaml"
    path.write_text("years:\n  2026:\n    add: [2027-01-02]\n", encoding="utf-8")
    with pytest.raises(ValueError):
        read_holidays_file(path)


def test_shipped_yaml_keeps_the_official_swaps():
    data = read_holidays_file()
    assert D(2026, 8, 22) in data["working"] and D(2025, 4, 26) in data["working"]


def test_database_overrides_win(session):
    session.add_all([HolidayOverride(day=D(2026, 3, 10), change="holiday", note="nghỉ đột xuất"),
                     HolidayOverride(day=D(2026, 3, 14), change="working", note="làm bù thứ Bảy"),
                     HolidayOverride(day=D(2026, 11, 24), change="working", note="chưa thành luật")])
    session.flush()
    c = Calendar.load(session)
    assert not c.is_working_day(D(2026, 3, 10)) and cal.is_working_day(D(2026, 3, 10))
    assert c.is_working_day(D(2026, 3, 14)) and not cal.is_working_day(D(2026, 3, 14))
    assert c.is_working_day(D(2026, 11, 24)) and not cal.is_working_day(D(2026, 11, 24))
    assert c.add_working_days(D(2026, 3, 9), 1) == D(2026, 3, 11)


def test_counting_helpers():
    c = cal.default_calendar()
    assert c.working_days_between(D(2026, 2, 13), D(2026, 2, 23)) == 1
    assert c.working_days_between(D(2026, 3, 6), D(2026, 3, 6)) == 0
    assert c.nth_working_day_back(D(2026, 3, 13), 5) == D(2026, 3, 9)
    assert c.nth_working_day_back(D(2026, 2, 23), 2) == D(2026, 2, 13)
    assert c.next_working_day(D(2026, 2, 14)) == D(2026, 2, 23)
    assert D(2026, 4, 27) in c.days_off(2026) and D(2026, 8, 22) in c.swapped_working_days(2026)


def test_negative_periods_are_refused():
    with pytest.raises(ValueError):
        cal.add_working_days(D(2026, 3, 2), -1)


def test_calendar_is_read_once_and_again_when_the_file_changes(session, tmp_path):
    """Issue #19: a petition no longer re-reads holidays.yaml; an edited file is seen without a restart."""
    import os

    path = tmp_path / "holidays.yaml"
    path.write_text("years:\n  2026:\n    add: [2026-09-03]\n", encoding="utf-8")
    first = Calendar.load(session, path)
    assert Calendar.load(session, path) is first  # the same object: nothing parsed again
    assert not first.is_working_day(D(2026, 9, 3))
    path.write_text("years:\n  2026:\n    add: [2026-09-04]\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))  # a later modification time
    second = Calendar.load(session, path)
    assert second is not first
    assert second.is_working_day(D(2026, 9, 3)) and not second.is_working_day(D(2026, 9, 4))


def test_an_override_added_in_the_database_is_seen_at_once(session, tmp_path):
    path = tmp_path / "holidays.yaml"
    path.write_text("years: {}\n", encoding="utf-8")
    assert Calendar.load(session, path).is_working_day(D(2026, 9, 8))
    session.add(HolidayOverride(day=D(2026, 9, 8), change="holiday", note="bão"))
    session.flush()
    assert not Calendar.load(session, path).is_working_day(D(2026, 9, 8))


def test_deadline_rules_are_read_again_when_the_file_changes(tmp_path):
    import os
    import shutil

    from service.domain.deadlines.rules import DEADLINES_FILE, load_rules

    path = tmp_path / "deadlines.yaml"
    shutil.copy(DEADLINES_FILE, path)
    book = load_rules(path)
    assert load_rules(path) is book
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("due_soon_working_days: " + str(book.due_soon_working_days),
                                 "due_soon_working_days: 5") if "due_soon_working_days" in text
                    else text + "\ndue_soon_working_days: 5\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    assert load_rules(path).due_soon_working_days == 5
