"""Issue 20, reports: the summary counts petitions answered on time, not steps; written out again over ORM rows."""
from __future__ import annotations

from sqlalchemy import select

from service.domain.reports.tables import tables
from service.models import Deadline, Petition
from tests.domain.test_reports import AFTER, SIX_MONTHS, _report, build_dataset

FINAL = ("tra_loi", "giai_quyet")
OPEN = ("received", "classified", "accepted", "in_progress")


def test_petitions_answered_on_time_are_petitions_not_steps(session):
    build_dataset(session)
    r = _report(session)
    as_of = min(SIX_MONTHS.end, AFTER)
    deadlines = session.scalars(select(Deadline).join(Petition).where(Petition.unit.has(code="11737"))).all()
    answered = {d.petition_id: d for d in deadlines if d.step in FINAL and d.cancelled_at is None
                and d.met_at is not None and SIX_MONTHS.start <= d.met_at < as_of}
    on_time = {pid for pid, d in answered.items() if d.met_at <= d.due_at}
    overdue_open = {d.petition_id for d in deadlines if d.petition.status in OPEN and d.met_at is None
                    and d.cancelled_at is None and d.starts_at < as_of and d.due_at < as_of}
    assert r["answered"] == {"total": len(answered), "on_time": len(on_time), "late": len(answered) - len(on_time),
                             "open_overdue": len(overdue_open)}
    assert r["answered"]["total"] <= r["total"] and r["answered"]["on_time"] <= r["on_time"]  # petitions ≤ steps
    summary = {row[0]: row[1] for row in next(t for t in tables(r) if t.key == "summary").rows}
    assert summary["— Trong đó đúng hạn"] == len(on_time) and summary["Bước xử lý đúng hạn"] == r["on_time"]
