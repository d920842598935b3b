"""The report's deadline figures (legal.md Defaults; issue #19): every step judged at the end of the period (or now,
for a period still running) — met on time, met late, open past due, open not yet due — by step and lead office,
and the petitions answered in the period and those still open past a due date.

The city's from three aggregates in the database (a million petitions, two million deadlines); a unit's from one
read of its petitions' deadlines (a few thousand rows, through the covering indexes ix_petitions_unit_received and
ix_deadlines_report), judged here by the same rules (`_bucket`, `_answers`, `_open_overdue`).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from service.domain.codes import STEPS
from service.domain.reports.periods import Period
from service.models.deadline import Deadline
from service.models.petition import OPEN_STATUSES, Petition
from service.models.unit import Office, Unit

TIMELINESS = ("on_time", "late", "overdue_open", "pending")
FINAL_STEPS = ("tra_loi", "giai_quyet")  # a petition is answered (KNPA) or resolved (KN, TC) when its last step is met
NO_OFFICE = "chua_giao"


def _zeros() -> dict[str, int]:
    return {c: 0 for c in TIMELINESS}


def _bucket(was_met: bool, in_time: bool, past_due: bool) -> str:
    """On time (met by then, not after its due time), late (met after it), overdue and open, pending."""
    return TIMELINESS[0 if was_met and in_time else 1 if was_met else 2 if past_due else 3]


def figures(session: Session, unit: Unit | None, period: Period, as_of: dt.datetime) -> dict[str, Any]:
    """Every deadline that matters for the period: not met before it began, started before its end, not
    cancelled by then. (Steps met earlier were counted by earlier reports.)"""
    office_codes = dict(session.execute(select(Office.id, Office.code)).all())
    counts, answered = (_city(session, period, as_of) if unit is None else _unit(session, unit, period, as_of))
    by_step = {s: _zeros() for s in STEPS}
    by_office: dict[str, dict[str, int]] = {}
    for (step, office_id, bucket), n in counts.items():
        by_step.setdefault(step, _zeros())[bucket] += n
        by_office.setdefault(office_codes.get(office_id, NO_OFFICE), _zeros())[bucket] += n
    totals = {k: sum(v[k] for v in by_step.values()) for k in TIMELINESS}
    return {"on_time": totals["on_time"], "overdue": totals["late"] + totals["overdue_open"], "answered": answered,
            "deadlines": {"totals": totals, "by_step": by_step, "by_office": dict(sorted(by_office.items()))}}


def _flags(d, as_of: dt.datetime) -> dict[str, Any]:
    """The comparisons every rule below is made of, as booleans computed by the database (no timestamp reaches
    Python, and the planner knows each has two values)."""
    return {"met": and_(d.c.met_at.is_not(None), d.c.met_at < as_of), "in_time": d.c.met_at <= d.c.due_at,
            "past_due": d.c.due_at < as_of, "started": d.c.starts_at < as_of,
            "live": or_(d.c.cancelled_at.is_(None), d.c.cancelled_at >= as_of),
            "uncancelled": d.c.cancelled_at.is_(None), "unmet": d.c.met_at.is_(None)}


def _city(session: Session, period: Period, as_of: dt.datetime) -> tuple[dict[tuple, int], dict[str, int]]:
    d, p = Deadline.__table__, Petition.__table__
    f = _flags(d, as_of)
    # Booleans, not a CASE, are grouped: the planner aggregates in parallel workers. The step's own copy of the
    # lead office (Deadline.office_id) spares joining a million petitions.
    flags = (f["met"].label("met"), f["in_time"].label("in_time"), f["past_due"].label("past_due"))
    stmt = (select(d.c.step, d.c.office_id, *flags, func.count())
            .where(f["started"], or_(f["unmet"], d.c.met_at >= period.start), f["live"])
            .group_by(d.c.step, d.c.office_id, *flags))
    counts: dict[tuple, int] = {}
    for step, office_id, was_met, in_time, past_due, n in session.execute(stmt):
        key = (step, office_id, _bucket(was_met, in_time, past_due))
        counts[key] = counts.get(key, 0) + n
    # Petitions, not steps: the answered ones from the final steps' partial covering index (ix_deadlines_final_met),
    # no join, counted DISTINCT (a sort of a few hundred thousand integers, cheaper than hashing them into
    # groups); a petition is on time when one of its final steps met in the period was.
    final = and_(d.c.step.in_(FINAL_STEPS), f["uncancelled"], f["met"], d.c.met_at >= period.start)
    total, on_time = session.execute(select(func.count(distinct(d.c.petition_id)),
                                            func.count(distinct(d.c.petition_id)).filter(f["in_time"]))
                                     .where(final)).one()
    # The open petitions with an open step past due: two index-only scans met by a semi-join (ix_petitions_open,
    # ix_deadlines_open_petition, which includes starts_at).
    overdue = (select(d.c.id).where(d.c.petition_id == p.c.id, f["unmet"], f["uncancelled"], f["started"],
                                    f["past_due"]).exists())
    open_overdue = session.scalar(select(func.count()).select_from(p).where(p.c.status.in_(OPEN_STATUSES), overdue))
    return counts, {"total": total or 0, "on_time": on_time or 0, "late": (total or 0) - (on_time or 0),
                    "open_overdue": open_overdue or 0}


def _unit(session: Session, unit: Unit, period: Period, as_of: dt.datetime) -> tuple[dict[tuple, int], dict[str, int]]:
    """The same three figures from one read of the unit's deadlines not met before the period (every one the
    figures look at), judged row by row from the same comparisons: the unit's petitions are a few thousand,
    their deadlines found by petition."""
    d, p = Deadline.__table__, Petition.__table__
    f = _flags(d, as_of)
    names = ("met", "in_time", "past_due", "started", "live", "uncancelled", "unmet")
    # Grouped by the comparisons, and by petition only where a petition-level figure needs it (a final step met,
    # an open one past due): a few thousand rows, not every deadline, reach Python.
    relevant = or_(and_(d.c.step.in_(FINAL_STEPS), f["uncancelled"], f["met"]),
                   and_(p.c.status.in_(OPEN_STATUSES), f["unmet"], f["uncancelled"], f["started"], f["past_due"]))
    keys = (d.c.step, p.c.lead_office_id, p.c.status, *(f[n].label(n) for n in names),
            case((relevant, d.c.petition_id)).label("pid"))
    rows = session.execute(
        select(*keys, func.count()).select_from(p.join(d, d.c.petition_id == p.c.id))
        .where(p.c.unit_id == unit.id, or_(f["unmet"], d.c.met_at >= period.start)).group_by(*keys)).all()
    counts: dict[tuple, int] = {}
    answered: dict[int, bool] = {}  # petition: answered on time
    open_overdue: set[int] = set()
    for step, office_id, status, met, in_time, past_due, started, live, uncancelled, unmet, pid, n in rows:
        if started and live:
            key = (step, office_id, _bucket(met, in_time, past_due))
            counts[key] = counts.get(key, 0) + n
        if step in FINAL_STEPS and uncancelled and met:  # (met_at >= the start: the WHERE above)
            answered[pid] = bool(answered.get(pid) or in_time)
        if status in OPEN_STATUSES and unmet and uncancelled and started and past_due:
            open_overdue.add(pid)
    on_time = sum(answered.values())
    return counts, {"total": len(answered), "on_time": on_time, "late": len(answered) - on_time,
                    "open_overdue": len(open_overdue)}
