"""The plans' own tasks (issue #21): timeframes read as due dates, status and evidence, reminders to the lead
office before its due date and before each report date, and the report's section on them."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service.domain.deadlines.calendar import VN_TZ
from service.domain.errors import Forbidden, ValidationFailed
from service.domain.plans import reminders, timeframes, tracking
from service.domain.reports import queries as reports
from service.domain.routing.units import find_unit
from service.jobs.plans import plan_reminders
from service.models import OutboxMessage
from tests import factories

UNIT = "11311"  # Phường Hồng Bàng: the city's 2026 plan (a unit with its own plan inherits only what it is silent on)
PDF = b"%PDF-1.4 minh chung"


@pytest.mark.parametrize("text, kind, due", [
    ("Hoàn thành trước ngày 15/02/2026", "date", dt.date(2026, 2, 14)),
    ("Hoàn thành trước 15/02/2026", "date", dt.date(2026, 2, 14)),
    ("Hoàn thành trong tháng 8/2025", "date", dt.date(2025, 8, 31)),
    ("Tháng 10, 11/2025", "date", dt.date(2025, 11, 30)),
    ("Quý IV/2026", "date", dt.date(2026, 12, 31)),
    ("Trong quý III/2025", "date", dt.date(2025, 9, 30)),
    ("Quý I/2026, lồng ghép vào các đoàn kiểm tra thực hiện công tác bầu cử năm 2026", "date", dt.date(2026, 3, 31)),
    ("Năm 2026", "date", dt.date(2026, 12, 31)),
    ("6 tháng cuối năm 2025", "date", dt.date(2025, 12, 31)),
    ("6 tháng đầu năm 2026", "date", dt.date(2026, 6, 30)),
    ("Năm 2026 và các năm tiếp theo", "recurring", dt.date(2027, 12, 31)),
    ("Hằng quý", "recurring", dt.date(2027, 6, 30)),
    ("Thường xuyên", "ongoing", None),
    ("thuong xuyen", "ongoing", None),
    (None, "none", None),
])
def test_timeframes(text, kind, due):
    tf = timeframes.parse(text)
    assert tf.kind == kind
    assert tf.due_on(dt.date(2027, 5, 10)) == due


def _task(session, unit, plan, code, today):
    return next(t for t in tracking.tasks(session, unit, today=today) if t["plan"] == plan and t["code"] == code)


def test_status_notes_and_evidence_by_the_lead_office(session):
    unit = find_unit(session, UNIT)
    today = dt.date(2026, 2, 20)
    task = _task(session, unit, "hai-phong-2026", "3.5.a", today)  # "Hoàn thành trước 15/02/2026", Văn phòng
    assert (task["due_on"], task["status"], task["lead_offices"]) == ("2026-02-14", "qua_han", ["van_phong"])
    other = factories.user(session, "kt", "staff", UNIT, "phong_kinh_te")
    with pytest.raises(Forbidden):
        tracking.update(session, other, unit, "hai-phong-2026", "3.5.a", status="dang_thuc_hien")
    vp = factories.user(session, "vp", "staff", UNIT, "van_phong")
    now = dt.datetime(2026, 2, 20, 9, tzinfo=VN_TZ)
    tracking.update(session, vp, unit, "hai-phong-2026", "3.5.a", status="dang_thuc_hien", note="Đã dự thảo.", now=now)
    assert _task(session, unit, "hai-phong-2026", "3.5.a", today)["status"] == "qua_han"  # not done, past due
    with pytest.raises(ValidationFailed):
        tracking.update(session, vp, unit, "hai-phong-2026", "3.5.a", filename="x.exe", data=b"MZ\x90", now=now)
    tracking.update(session, vp, unit, "hai-phong-2026", "3.5.a", status="hoan_thanh", note="Đã ban hành.",
                    filename="quyet-dinh.pdf", data=PDF, now=now)
    assert _task(session, unit, "hai-phong-2026", "3.5.a", today)["status"] == "hoan_thanh"
    notes = tracking.notes(session, unit, "hai-phong-2026", "3.5.a")
    assert [n.filename for n in notes] == ["quyet-dinh.pdf", None]
    assert "Hoàn thành" in notes[0].text and tracking.evidence(session, vp, notes[0].id).data == PDF


def test_a_recurring_task_done_last_year_is_in_progress_again(session):
    unit = find_unit(session, "11914")  # Cát Hải: 2.1 "6 tháng cuối năm 2025 và các năm tiếp theo"
    vp = factories.user(session, "chair", "chairperson", "11914", None)
    tracking.update(session, vp, unit, "cat-hai-2025-h2", "2.1", status="hoan_thanh",
                    now=dt.datetime(2025, 12, 20, 9, tzinfo=VN_TZ))
    assert _task(session, unit, "cat-hai-2025-h2", "2.1", dt.date(2025, 12, 25))["status"] == "hoan_thanh"
    assert _task(session, unit, "cat-hai-2025-h2", "2.1", dt.date(2026, 3, 1))["status"] == "dang_thuc_hien"


def _outbox(session, prefix):
    return session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"{prefix}%"))).all()


def test_reminders_before_the_due_date_and_the_report_date(session, database):
    factories.user(session, "vp", "staff", UNIT, "van_phong")
    unit = find_unit(session, UNIT)
    # 08/02/2026: seven days before 3.5.a's due date 14/02; no report date within seven days.
    counts = reminders.remind(session, now=dt.datetime(2026, 2, 8, 7, 10, tzinfo=VN_TZ), units=[unit])
    session.commit()
    due = _outbox(session, f"plan-due:{UNIT}:hai-phong-2026:3.5.a:2026-02-14")
    assert due and "3.5.a" in due[0].text and "14/02/2026" in due[0].text and due[0].recipient.startswith("office:")
    assert counts["report"] == 0 and counts["due"] >= 2  # 3.5.a (Văn phòng), 3.5.b (Văn hóa - Xã hội)
    again = reminders.remind(session, now=dt.datetime(2026, 2, 9, 7, 10, tzinfo=VN_TZ), units=[unit])
    assert again["due"] == 0  # each reminder once
    # 26/05/2026: the 6-month report is due before 01/06 (seed 001 III.1): each lead office is reminded once.
    counts = reminders.remind(session, now=dt.datetime(2026, 5, 26, 7, 10, tzinfo=VN_TZ), units=[unit])
    session.commit()
    report = _outbox(session, f"plan-report:{UNIT}:")
    assert counts["report"] >= 2 and all("2026-06-01" in m.dedupe_key for m in report)
    assert any("01/06/2026" in m.text and "Báo cáo 6 tháng" in m.text for m in report)


def test_the_jobs_process_sends_them_to_staffed_units(session, database):
    factories.user(session, "vp", "staff", UNIT, "van_phong")
    first = plan_reminders(database, now=dt.datetime(2026, 11, 25, 7, 10, tzinfo=VN_TZ))  # before 01/12
    assert first["report"] > 0
    assert plan_reminders(database, now=dt.datetime(2026, 11, 25, 8, 0, tzinfo=VN_TZ)) == {"due": 0, "report": 0}
    assert not _outbox(session, "plan-report:11914:")  # no staff account in Cát Hải: nothing sent there


def test_the_periodic_report_has_a_section_on_the_plan(session):
    chair = factories.user(session, "chair", "chairperson", UNIT, None)
    vp = factories.user(session, "vp", "staff", UNIT, "van_phong")
    tracking.update(session, vp, find_unit(session, UNIT), "hai-phong-2026", "3.5.a", status="hoan_thanh",
                    now=dt.datetime(2026, 2, 10, 9, tzinfo=VN_TZ))
    report = reports.report_for(session, chair, period="2026-6m", now=dt.datetime(2026, 7, 1, tzinfo=VN_TZ))
    section = report["plan_tasks"]
    assert section["unit"] == UNIT and section["total"] == len(section["tasks"]) > 0
    assert section["by_status"]["hoan_thanh"] == 1
    from service.domain.reports.tables import tables
    assert any(t.key == "plan_tasks" for t in tables(report))
