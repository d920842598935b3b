"""Per-office figures of a unit for a period: the one query layer behind the public figures (/cong-khai),
the scorecards and their tests against the staff report (seed plans 001 III.4, 003 II.5 "công khai"; task 4.11).

Definitions (each equal to the staff report's, `service.domain.reports.queries.build`, where it has one):

- received: the staff report's `by_office` count (carried over + new in the period, TT 01/2024);
  `received_new` the part received within the period;
- answered: petitions with an `answered` event within the period (counted once, at the latest answer);
- answered on time: answered, and every legal deadline of the petition that had begun by the answer was met
  by its due moment (no deadline missed on the way: TCD Đ28, KN Đ28, TC Đ30 by kind);
- open now / overdue now: petitions received before the period's end still open at `now`; overdue when
  an open deadline is past due;
- median working days to answer: from receipt to the answer, working days of the unit's calendar;
- satisfaction: the latest rating of each petition given within the period (as the staff report's `ratings`);
- reopened by citizens: ratings in the period after which the citizen asked to look again (review requested).

Counts include denunciations (tố cáo); no text, name or code of any petition leaves this module.
"""
from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.domain.deadlines.calendar import Calendar, local_date
from service.domain.reports.periods import Period
from service.models.deadline import Deadline
from service.models.event import Event
from service.models.petition import OPEN_STATUSES, Petition
from service.models.rating import Rating
from service.models.unit import Office, Unit

NO_OFFICE = "chua_giao"  # the staff report's key for petitions not yet given to an office
FIELDS = ("received", "received_new", "answered", "answered_on_time", "on_time_rate", "open_now", "overdue_now",
          "median_days_to_answer", "satisfaction_avg", "ratings", "reopened_by_citizens")


def _in_unit(stmt, unit: Unit | None):
    return stmt if unit is None else stmt.where(Petition.unit_id == unit.id)


def answered_rows(session: Session, unit: Unit | None, period: Period) -> list[tuple[int, int | None, Any, Any]]:
    """(petition id, lead office id, received at, latest answer in the period) of each petition answered."""
    e = Event.__table__
    last = (select(e.c.petition_id.label("pid"), func.max(e.c.at).label("at"))
            .where(e.c.kind == "answered", e.c.at >= period.start, e.c.at < period.end)
            .group_by(e.c.petition_id).subquery("answered"))
    stmt = select(Petition.id, Petition.lead_office_id, Petition.received_at, last.c.at) \
        .join(last, last.c.pid == Petition.id)
    return [tuple(r) for r in session.execute(_in_unit(stmt, unit))]


def late_answers(session: Session, ids: list[int], answered_at: dict[int, dt.datetime]) -> set[int]:
    """The answered petitions among `ids` that had missed a deadline by their answer."""
    if not ids:
        return set()
    late: set[int] = set()
    rows = session.execute(select(Deadline.petition_id, Deadline.starts_at, Deadline.due_at, Deadline.met_at,
                                  Deadline.cancelled_at).where(Deadline.petition_id.in_(ids)))
    for pid, starts, due, met, cancelled in rows:
        at = answered_at[pid]
        if starts > at or (cancelled is not None and cancelled <= min(due, at)):
            continue
        reached = met if met is not None and met <= at else at
        if reached > due:
            late.add(pid)
    return late


def _ratings(session: Session, unit: Unit | None, period: Period) -> dict[int | None, list[int]]:
    """Latest rating of each petition within the period, grouped by lead office id: [scores]."""
    r = Rating.__table__
    latest = select(func.max(r.c.id).label("rid")).where(r.c.created_at >= period.start,
                                                         r.c.created_at < period.end)
    if unit is not None:
        latest = latest.where(r.c.petition_id.in_(select(Petition.id).where(Petition.unit_id == unit.id)))
    latest = latest.group_by(r.c.petition_id).subquery()
    out: dict[int | None, list[int]] = defaultdict(list)
    for office_id, score in session.execute(select(Petition.lead_office_id, Rating.score)
                                            .join(Petition, Petition.id == Rating.petition_id)
                                            .where(Rating.id.in_(select(latest.c.rid)))):
        out[office_id].append(score)
    return out


def _reopened(session: Session, unit: Unit | None, period: Period) -> dict[int | None, int]:
    stmt = (select(Petition.lead_office_id, func.count()).join(Rating, Rating.petition_id == Petition.id)
            .where(Rating.review == "requested", Rating.created_at >= period.start, Rating.created_at < period.end)
            .group_by(Petition.lead_office_id))
    return dict(session.execute(_in_unit(stmt, unit)).all())


def _open_now(session: Session, unit: Unit | None, period: Period, now: dt.datetime) -> tuple[dict, dict]:
    open_stmt = (select(Petition.lead_office_id, func.count())
                 .where(Petition.status.in_(OPEN_STATUSES), Petition.received_at < period.end)
                 .group_by(Petition.lead_office_id))
    overdue = (select(Petition.lead_office_id, func.count(func.distinct(Petition.id)))
               .join(Deadline, Deadline.petition_id == Petition.id)
               .where(Petition.status.in_(OPEN_STATUSES), Petition.received_at < period.end, Deadline.met_at.is_(None),
                      Deadline.cancelled_at.is_(None), Deadline.due_at < now)
               .group_by(Petition.lead_office_id))
    return (dict(session.execute(_in_unit(open_stmt, unit)).all()),
            dict(session.execute(_in_unit(overdue, unit)).all()))


def _new(session: Session, unit: Unit | None, period: Period) -> dict[int | None, int]:
    stmt = (select(Petition.lead_office_id, func.count())
            .where(Petition.received_at >= period.start, Petition.received_at < period.end)
            .group_by(Petition.lead_office_id))
    return dict(session.execute(_in_unit(stmt, unit)).all())


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def average(scores: list[int]) -> float | None:
    return round(sum(scores) / len(scores), 2) if scores else None


def median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def office_figures(session: Session, unit: Unit | None, period: Period, received: dict[str, int], *,
                   now: dt.datetime, calendar: Calendar | None = None
                   ) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """({office code: figures}, the unit's totals) for every office of the unit (and `chua_giao`, petitions given to none, when any).
    `received` is the staff report's `by_office` for the same unit and period."""
    calendar = calendar or Calendar.load(session)
    offices = session.execute(select(Office.id, Office.code, Office.name)
                              .where(True if unit is None else Office.unit_id == unit.id).order_by(Office.id)).all()
    code_of = {oid: code for oid, code, _ in offices}
    name_of = {code: name for _, code, name in offices}
    answered = answered_rows(session, unit, period)
    when = {pid: at for pid, _, _, at in answered}
    late = late_answers(session, list(when), when)
    ratings, reopened = _ratings(session, unit, period), _reopened(session, unit, period)
    open_now, overdue_now = _open_now(session, unit, period, now)
    new = _new(session, unit, period)

    rows: dict[str, dict[str, Any]] = {}

    def row(code: str) -> dict[str, Any]:
        return rows.setdefault(code, {"office": code, "office_name": name_of.get(code, "Chưa giao cơ quan"),
                                      "received": 0, "received_new": 0, "answered": 0, "answered_on_time": 0,
                                      "_days": [], "_scores": [], "open_now": 0, "overdue_now": 0,
                                      "reopened_by_citizens": 0})

    for _, code, _ in offices:
        row(code)
    for code, n in received.items():
        row(code)["received"] += n
    for oid, n in new.items():
        row(code_of.get(oid, NO_OFFICE))["received_new"] += n
    for pid, oid, received_at, at in answered:
        r = row(code_of.get(oid, NO_OFFICE))
        r["answered"] += 1
        r["answered_on_time"] += pid not in late
        r["_days"].append(calendar.working_days_between(local_date(received_at), local_date(at)))
    for oid, scores in ratings.items():
        row(code_of.get(oid, NO_OFFICE))["_scores"].extend(scores)
    for source, key in ((open_now, "open_now"), (overdue_now, "overdue_now"), (reopened, "reopened_by_citizens")):
        for oid, n in source.items():
            row(code_of.get(oid, NO_OFFICE))[key] += n
    all_days = [d for r in rows.values() for d in r["_days"]]
    all_scores = [s for r in rows.values() for s in r["_scores"]]
    for r in rows.values():
        days, scores = r.pop("_days"), r.pop("_scores")
        r["on_time_rate"] = rate(r["answered_on_time"], r["answered"])
        r["median_days_to_answer"] = median(days)
        r["satisfaction_avg"] = average(scores)
        r["ratings"] = len(scores)
    if not any(rows.get(NO_OFFICE, {}).get(k) for k in ("received", "received_new", "answered", "open_now",
                                                         "ratings")):
        rows.pop(NO_OFFICE, None)
    total: dict[str, Any] = {k: sum(r[k] for r in rows.values())
                             for k in ("received", "received_new", "answered", "answered_on_time", "open_now",
                                       "overdue_now", "reopened_by_citizens")}
    total.update(on_time_rate=rate(total["answered_on_time"], total["answered"]),
                 median_days_to_answer=median(all_days), satisfaction_avg=average(all_scores),
                 ratings=len(all_scores))
    return rows, total


__all__ = ["FIELDS", "NO_OFFICE", "answered_rows", "late_answers", "office_figures"]
