"""Reminders of the plans' own tasks to their lead offices (issue #21; seed 001 III.1: report before 01/6,
01/9 and 01/12), queued in the notifications outbox by the jobs process ("plan-reminders", daily):

- `days_before` days before a task's due date, when it is not done;
- `days_before` days before each report date of config/plan_reminders.yaml, one notice per lead office
  listing its tasks not done (report on them).

Idempotent: each notice has its dedupe key (unit, task or office, date), so a rerun queues nothing twice.
Units without any staff account are skipped (no one would read the console notice).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import lru_cache
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.codes import CONFIG_DIR
from service.domain.deadlines.calendar import local_date
from service.domain.notifications import outbox
from service.domain.plans import tracking
from service.models.unit import Office, Unit
from service.models.user import User

VAN_PHONG = "van_phong"
LISTED = 10


@lru_cache(maxsize=1)
def config() -> dict[str, Any]:
    return yaml.safe_load((CONFIG_DIR / "plan_reminders.yaml").read_text(encoding="utf-8"))


def report_dates(today: dt.date, days: int) -> list[tuple[dt.date, dict[str, Any]]]:
    """The report dates from today to `days` ahead."""
    out = []
    for entry in config()["report_dates"]:
        month, day = (int(x) for x in entry["day"].split("-"))
        for year in (today.year, today.year + 1):
            d = dt.date(year, month, day)
            if today <= d <= today + dt.timedelta(days=days):
                out.append((d, entry))
    return sorted(out, key=lambda x: x[0])


def _offices(session: Session, unit: Unit) -> dict[str, Office]:
    return {o.code: o for o in session.scalars(select(Office).where(Office.unit_id == unit.id))}


def _office_of(offices: dict[str, Office], codes: list[str]) -> Office | None:
    """The task's first lead office that the unit has; Văn phòng otherwise."""
    return next((offices[c] for c in codes if c in offices), offices.get(VAN_PHONG))


def remind(session: Session, *, now: dt.datetime | None = None, units: list[Unit] | None = None) -> dict[str, int]:
    now = now or utcnow()
    today = local_date(now)
    days = int(config().get("days_before", 7))
    horizon = today + dt.timedelta(days=days)
    if units is None:
        staffed = select(User.unit_id).where(User.unit_id.is_not(None), User.active.is_(True))
        units = list(session.scalars(select(Unit).where(Unit.id.in_(staffed)).order_by(Unit.id)))
    dates = report_dates(today, days)
    counts = {"due": 0, "report": 0}
    for unit in units:
        rows = [r for r in tracking.tasks(session, unit, today=today) if r["status"] != "hoan_thanh"]
        if not rows:
            continue
        offices = _offices(session, unit)
        for r in rows:
            due = dt.date.fromisoformat(r["due_on"]) if r["due_on"] else None
            office = _office_of(offices, r["lead_offices"])
            if due is None or office is None or not today <= due <= horizon:
                continue
            text = (f"Nhắc việc kế hoạch: nhiệm vụ {r['code']} “{r['title'][:160]}” ({r['timeframe']}) có hạn "
                    f"hoàn thành {due:%d/%m/%Y}; trạng thái: {r['status_label'].lower()}. Đề nghị cơ quan chủ trì "
                    "cập nhật tiến độ và minh chứng trên trang Kế hoạch.")
            sent = outbox.enqueue_office_notice(session, office, text,
                                                f"plan-due:{unit.code}:{r['plan']}:{r['code']}:{due}", now=now)
            counts["due"] += bool(sent)
        for day, entry in dates:
            by_office: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for r in rows:
                office = _office_of(offices, r["lead_offices"])
                if office is not None:
                    by_office[office.id].append(r)
            for office_id, listed in by_office.items():
                office = next(o for o in offices.values() if o.id == office_id)
                lines = "; ".join(f"{r['code']} ({r['status_label'].lower()})" for r in listed[:LISTED])
                more = f" và {len(listed) - LISTED} nhiệm vụ khác" if len(listed) > LISTED else ""
                text = (f"Nhắc việc: {entry['label']}, hạn {day:%d/%m/%Y}. Cơ quan chủ trì báo cáo kết quả các "
                        f"nhiệm vụ kế hoạch chưa hoàn thành: {lines}{more}.")
                sent = outbox.enqueue_office_notice(session, office, text,
                                                    f"plan-report:{unit.code}:{office.code}:{day}", now=now)
                counts["report"] += bool(sent)
    session.flush()
    return counts
