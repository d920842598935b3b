"""Periodic reports of a unit or of the whole city (TT 01/2024/TT-TTCP; seed plans tasks 4.3-4.5, 4.11).

`build(session, unit, period)` answers one JSON-ready dict. Every figure comes from aggregate SQL (GROUP BY);
no petition row is loaded into Python, so the yearly city report over a million petitions stays fast
(bench/reports.py). Definitions (each one is stated in the report's notes as well):

- received = carried over (received before the period and still open at its start, judged from the workflow
  events before the start) + new (received within the period);
- signers: one person, 2-4, five or more ("đơn nhiều người đứng tên", TT 07/2014 Đ6 k4; Luật TCD Đ29),
  anonymous;
- outcome as of the period's end, from the workflow events before it: within competence (accepted or
  answered), transferred (TC Đ24 k2, TCD Đ26 k2b), guided (TT 05/2021), returned (not accepted, KN Đ11),
  withdrawn, not yet decided;
- deadlines (legal.md Defaults) judged at the end of the period (or now, for a period still running):
  met on time, met late, open past due, open not yet due; those met before the period belong to earlier
  reports;
- `by_status` is the status when the report is made.
Denouncer identities never appear: the report holds counts, codes, and titles of matters only.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import and_, case, func, or_, select, text, tuple_
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.codes import CHANNELS, KINDS, STATUSES, STEPS, categories
from service.domain.errors import Forbidden, NotFound, ValidationFailed
from service.domain.events import DECISION_WEIGHT
from service.domain.people import access
from service.domain.reports import periods as report_periods
from service.domain.reports.periods import Period
from service.domain.reports import sections
from service.domain.routing.units import CITY_CODE, find_unit
from service.models.catalogue import CatalogueTask
from service.models.deadline import Deadline
from service.models.event import Event
from service.models.petition import Petition
from service.models.unit import Office, Unit
from service.models.user import User

CITY = "city"
CITY_WIDE_ROLES = access.CROSS_UNIT_ROLES  # who reports on every unit: the access policy decides
MATTER_FLAGS = sections.MATTER_FLAGS
OPEN_STATUSES = ("received", "classified", "accepted", "in_progress")
SETTLED = ("answered", "returned", "guided", "transferred", "withdrawn", "closed")
SIGNERS = ("mot_nguoi", "hai_den_bon", "nhieu_nguoi", "khong_ro_ten")
OUTCOMES = ("trong_tham_quyen", "chuyen_don", "huong_dan", "tra_lai", "rut_don", "chua_xu_ly")
OUTSIDE_COMPETENCE = ("chuyen_don", "huong_dan")
TIMELINESS = ("on_time", "late", "overdue_open", "pending")
FINAL_STEPS = ("tra_loi", "giai_quyet")  # a petition is answered (KNPA) or resolved (KN, TC) when its last step is met
OPEN_STATUSES = ("received", "classified", "accepted", "in_progress")
NO_OFFICE = "chua_giao"
# Seed plans task 4.4: corruption, harassment, extra fees, received by hotline, phone, SMS, e-mail and the like.
TASK_44_CATEGORIES = ("thu_tuc_hanh_chinh", "can_bo_cong_vu")
TASK_44_CHANNELS = ("hotline", "sms", "email", "telegram", "zalo", "web", "api")
WORK_MEM = "128MB"


def scope_for(session: Session, user: User, unit: str | None, *,
              missing: type[ValidationFailed] | type[NotFound] = ValidationFailed) -> Unit | None:
    """The unit a user may report on (None = the whole city). Unit staff see their own unit only;
    inspectors and administrators see every unit and the city as a whole. An unknown unit: `missing` (the API
    answers 404, the console page explains it with a 422)."""
    wanted = (unit or "").strip()
    city_wide = user.role in CITY_WIDE_ROLES
    if wanted.lower() in ("", CITY):
        if city_wide:
            return None
        if wanted:
            raise Forbidden("Bạn chỉ xem được báo cáo của đơn vị mình.", "You may only see your own unit's report.")
        if user.unit_id is None:
            raise Forbidden("Tài khoản chưa gắn với đơn vị nào.", "This account belongs to no unit.")
        return session.get(Unit, user.unit_id)
    found = find_unit(session, wanted)
    if found is None:
        raise missing(f"Không tìm thấy đơn vị “{wanted}”.", f"Unknown unit '{wanted}'.",
                               fields={"unit": ["Không tìm thấy đơn vị."]})
    if not city_wide and found.id != user.unit_id:
        raise Forbidden("Bạn chỉ xem được báo cáo của đơn vị mình.", "You may only see your own unit's report.")
    return found


def _signers(p):
    """The index in SIGNERS: small integers group far faster than text over a million rows."""
    return case((p.c.anonymous.is_(True), 3), (p.c.co_signer_count >= 4, 2), (p.c.co_signer_count >= 1, 1), else_=0)


# The outcome at the end of the period is the weightiest decision event before it (the workflow allows a
# withdrawal after acceptance, never a transfer after one): one MAX over small integers per petition.
DECISIONS = tuple((kind, DECISION_WEIGHT[kind], code) for kind, code in (
    ("withdrawn", "rut_don"), ("accepted", "trong_tham_quyen"), ("answered", "trong_tham_quyen"),
    ("transferred", "chuyen_don"), ("guided", "huong_dan"), ("returned", "tra_lai")))
OUTCOME_OF_WEIGHT = {0: "chua_xu_ly", **{w: code for _, w, code in DECISIONS}}
# The marginal tables come from four groupings of the same petitions (GROUPING SETS on PostgreSQL: one pass): at a
# million rows each grouping set costs a hash of every row, so the nine tables of the report are summed in Python
# from four small groupings (at most a few thousand groups) instead of being nine sets (issue #19).
GROUPS = {"people": ("kind", "outcome", "signers", "carried"), "fields": ("category", "channel", "outcome"),
          "where": ("unit_id", "lead_office_id", "status"), "task": ("task_id",)}
MARGINS = {"kind_outcome": ("people", (0, 1)), "signers": ("people", (2, 3)), "category": ("fields", (0,)),
           "channel": ("fields", (1,)), "task44": ("fields", (0, 1, 2)), "status": ("where", (2,)),
           "office": ("where", (1,)), "unit": ("where", (0,)), "task": ("task", (0,))}


def _scope(unit: Unit | None, period: Period):
    """One row per petition counted in the period: carried over or new, with its outcome at the end.

    The petition row keeps its decisions (events.note_decision): the weightiest one and when it was first reached,
    the latest settling and reopening, the first and last decision event. They give the outcome at the period's
    end and whether the petition was open at its start, without the events, for every petition whose decision
    events do not straddle a boundary of the period; only those few (decided partly before and partly after the
    start or the end) are grouped from the events, over the decision events' partial index."""
    p, e = Petition.__table__, Event.__table__
    start, end = period.start, period.end
    straddles = or_(and_(p.c.first_decided_at < end, p.c.decision_at >= end),
                    and_(p.c.received_at < start, p.c.first_decided_at < start, p.c.last_decided_at >= start))
    straddling = select(p.c.id).where(p.c.received_at < end, straddles)
    if unit is not None:
        straddling = straddling.where(p.c.unit_id == unit.id)
    weight = case(*((e.c.kind == kind, w) for kind, w, _ in DECISIONS), else_=0)
    ev = (select(e.c.petition_id.label("pid"), func.max(weight).label("decision"),
                 func.max(case((and_(e.c.kind.in_(SETTLED), e.c.at < start), e.c.at))).label("settled"),
                 func.max(case((and_(e.c.kind == "reopened", e.c.at < start), e.c.at))).label("reopened"))
          .where(e.c.kind.in_(SETTLED + ("accepted", "reopened")), e.c.at < end,
                 e.c.petition_id.in_(straddling))
          .group_by(e.c.petition_id).subquery("ev"))
    # Without straddling events the row says it all: settled / reopened as of the start, decision as of the end.
    row_settled = case((p.c.last_decided_at < start, p.c.settled_at))
    row_reopened = case((p.c.last_decided_at < start, p.c.reopened_at))
    settled = case((ev.c.pid.is_not(None), ev.c.settled), else_=row_settled)
    reopened = case((ev.c.pid.is_not(None), ev.c.reopened), else_=row_reopened)
    open_at_start = or_(settled.is_(None), and_(reopened.is_not(None), reopened > settled))
    # The outcome as the decision's weight (OUTCOME_OF_WEIGHT names it in Python): integers, not text, are grouped.
    from_row = case(*((p.c.decision == kind, w) for kind, w, _ in DECISIONS), else_=0)
    outcome = case((ev.c.pid.is_not(None), func.coalesce(ev.c.decision, 0)), (p.c.decision_at < end, from_row),
                   else_=0)
    stmt = (select(p.c.id, p.c.unit_id, p.c.kind, p.c.category, p.c.channel, p.c.status, p.c.lead_office_id,
                   p.c.task_id, _signers(p).label("signers"),
                   case((p.c.received_at < start, 1), else_=0).label("carried"), outcome.label("outcome"))
            .select_from(p.outerjoin(ev, ev.c.pid == p.c.id))
            .where(p.c.received_at < end, or_(p.c.received_at >= start, open_at_start)))
    if unit is not None:
        stmt = stmt.where(p.c.unit_id == unit.id)
    return stmt.subquery("scope")


def _grouped(session: Session, scope, groups: dict[str, tuple[str, ...]]) -> dict[str, dict[tuple, int]]:
    """{group name: {key: count}} for every group of columns of the scope."""
    out: dict[str, dict[tuple, int]] = {name: {} for name in groups}
    if session.get_bind().dialect.name != "postgresql":
        for name, cols in groups.items():
            columns = [scope.c[c] for c in cols]
            for *key, n in session.execute(select(*columns, func.count()).group_by(*columns)):
                out[name][tuple(key)] = n
        return out
    names = list(dict.fromkeys(c for cols in groups.values() for c in cols))
    by_signature = {tuple(c in cols for c in names): name for name, cols in groups.items()}
    sets = func.grouping_sets(*(tuple_(*(scope.c[c] for c in cols)) for cols in groups.values()))
    stmt = select(*(scope.c[c] for c in names), *(func.grouping(scope.c[c]) for c in names), func.count()) \
        .group_by(sets)
    for row in session.execute(stmt):
        values, present = row[:len(names)], tuple(g == 0 for g in row[len(names):-1])
        name = by_signature[present]
        value_of = dict(zip(names, values))
        out[name][tuple(value_of[c] for c in groups[name])] = row[-1]
    return out


def _zeros(codes) -> dict[str, int]:
    return {c: 0 for c in codes}


def _sorted(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _petition_figures(session: Session, unit: Unit | None, period: Period) -> dict[str, Any]:
    scope = _scope(unit, period)
    grouped = _grouped(session, scope, GROUPS)
    g: dict[str, Counter] = {}
    for name, (source, positions) in MARGINS.items():
        g[name] = Counter()
        for key, n in grouped[source].items():
            g[name][tuple(key[i] for i in positions)] += n
    office_codes = dict(session.execute(select(Office.id, Office.code)).all())
    task_codes = dict(session.execute(select(CatalogueTask.id, CatalogueTask.code)).all())

    def single(name: str, rename=lambda v: v) -> Counter:
        counts: Counter = Counter()
        for (value,), n in g[name].items():
            counts[rename(value)] += n
        return counts

    by_office = single("office", lambda oid: office_codes.get(oid, NO_OFFICE))
    by_task = single("task", lambda tid: task_codes.get(tid, ""))
    by_task.pop("", None)
    outcome_by_kind: dict[str, Counter] = defaultdict(Counter)
    for (kind, weight), n in g["kind_outcome"].items():
        outcome_by_kind[kind][OUTCOME_OF_WEIGHT[weight]] += n
    outcome = Counter()
    for counts in outcome_by_kind.values():
        outcome.update(counts)
    signers: dict[str, Counter] = defaultdict(Counter)
    for (signer, carried), n in g["signers"].items():
        signers[SIGNERS[signer]]["carried_over" if carried else "new"] += n
    carried_total = sum(c["carried_over"] for c in signers.values())
    new_total = sum(c["new"] for c in signers.values())
    task44: dict[str, Counter] = defaultdict(Counter)
    for (category, channel, weight), n in g["task44"].items():
        if category in TASK_44_CATEGORIES:
            task44[channel]["received"] += n
            task44[channel]["within_competence"] += n if OUTCOME_OF_WEIGHT[weight] == "trong_tham_quyen" else 0
    fig: dict[str, Any] = {
        "total": carried_total + new_total,
        "received": {"carried_over": carried_total, "new": new_total, "total": carried_total + new_total},
        "by_signers": {s: {"carried_over": signers[s]["carried_over"], "new": signers[s]["new"],
                           "total": signers[s]["carried_over"] + signers[s]["new"]} for s in SIGNERS},
        "by_kind": {**_zeros(KINDS), **{k: sum(c.values()) for k, c in outcome_by_kind.items()}},
        "by_category": {**_zeros(categories()), **single("category")},
        "by_channel": {**_zeros(CHANNELS), **single("channel")},
        "by_office": _sorted(by_office),
        "by_status": {**_zeros(STATUSES), **single("status")},
        "by_task": dict(sorted(by_task.items(), key=lambda kv: [int(x) if x.isdigit() else 0
                                                                 for x in kv[0].split(".")])),
        "outcome": {**_zeros(OUTCOMES), **outcome},
        "outcome_by_kind": {k: {**_zeros(OUTCOMES), **outcome_by_kind[k]} for k in KINDS},
    }
    fig["handled"] = {"within_competence": fig["outcome"]["trong_tham_quyen"],
                      "outside_competence": sum(fig["outcome"][c] for c in OUTSIDE_COMPETENCE),
                      "returned": fig["outcome"]["tra_lai"], "withdrawn": fig["outcome"]["rut_don"],
                      "undecided": fig["outcome"]["chua_xu_ly"]}
    fig["_task44"] = task44
    if unit is None:
        units = {uid: (code, name) for uid, code, name in session.execute(select(Unit.id, Unit.code, Unit.name))}
        rows = sorted(((units[uid], n) for (uid,), n in g["unit"].items()), key=lambda r: (-r[1], r[0][0]))
        fig["by_unit"] = {code: {"name": name, "total": n} for (code, name), n in rows}
    return fig


def _deadline_figures(session: Session, unit: Unit | None, period: Period, as_of: dt.datetime) -> dict[str, Any]:
    """Every deadline that matters for the period: not met before it began, started before its end, not
    cancelled by then. (Steps met earlier were counted by earlier reports.)"""
    d, p = Deadline.__table__, Petition.__table__
    met = and_(d.c.met_at.is_not(None), d.c.met_at < as_of)
    # The index in TIMELINESS (on_time, late, overdue_open, pending): integers group faster than text.
    timeliness = case((and_(met, d.c.met_at <= d.c.due_at), 0), (met, 1), (d.c.due_at < as_of, 2), else_=3)
    stmt = (select(d.c.step, p.c.lead_office_id, timeliness, func.count())
            .select_from(d.join(p, p.c.id == d.c.petition_id))
            .where(d.c.starts_at < as_of, or_(d.c.met_at.is_(None), d.c.met_at >= period.start),
                   or_(d.c.cancelled_at.is_(None), d.c.cancelled_at >= as_of))
            .group_by(d.c.step, p.c.lead_office_id, timeliness))
    if unit is not None:
        stmt = stmt.where(p.c.unit_id == unit.id)
    office_codes = dict(session.execute(select(Office.id, Office.code)).all())
    by_step = {s: _zeros(TIMELINESS) for s in STEPS}
    by_office: dict[str, dict[str, int]] = {}
    for step, office_id, index, n in session.execute(stmt):
        status = TIMELINESS[index]
        by_step.setdefault(step, _zeros(TIMELINESS))[status] += n
        by_office.setdefault(office_codes.get(office_id, NO_OFFICE), _zeros(TIMELINESS))[status] += n
    totals = {k: sum(v[k] for v in by_step.values()) for k in TIMELINESS}
    return {"on_time": totals["on_time"], "overdue": totals["late"] + totals["overdue_open"],
            "answered": _answered(session, unit, period, as_of),
            "deadlines": {"totals": totals, "by_step": by_step, "by_office": dict(sorted(by_office.items()))}}


def _answered(session: Session, unit: Unit | None, period: Period, as_of: dt.datetime) -> dict[str, int]:
    """Petitions, not steps: those answered or resolved in the period (their last step, tra_loi or giai_quyet, met
    within it), how many of them on time, and the petitions still open with a step past due."""
    d, p = Deadline.__table__, Petition.__table__
    final = and_(d.c.step.in_(FINAL_STEPS), d.c.cancelled_at.is_(None), d.c.met_at.is_not(None),
                 d.c.met_at >= period.start, d.c.met_at < as_of)
    answered = (select(func.count(func.distinct(d.c.petition_id)),
                       func.count(func.distinct(case((d.c.met_at <= d.c.due_at, d.c.petition_id)))))
                .select_from(d.join(p, p.c.id == d.c.petition_id)).where(final))
    late_open = (select(func.count(func.distinct(d.c.petition_id))).select_from(d.join(p, p.c.id == d.c.petition_id))
                 .where(p.c.status.in_(OPEN_STATUSES), d.c.met_at.is_(None), d.c.cancelled_at.is_(None),
                        d.c.starts_at < as_of, d.c.due_at < as_of))
    if unit is not None:
        answered, late_open = answered.where(p.c.unit_id == unit.id), late_open.where(p.c.unit_id == unit.id)
    total, on_time = session.execute(answered).one()
    return {"total": total, "on_time": on_time, "late": total - on_time,
            "open_overdue": session.scalar(late_open) or 0}


def build(session: Session, unit: Unit | None, period: Period, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The report of `unit` (None: the whole city) for `period`, JSON-ready."""
    now = now or utcnow()
    as_of = min(period.end, now)
    if session.get_bind().dialect.name == "postgresql":
        # Hash the groups in memory rather than sort on disk; for this transaction only.
        session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'; SET LOCAL jit = off"))
    figures = _petition_figures(session, unit, period)
    task44 = figures.pop("_task44")
    deadlines = _deadline_figures(session, unit, period, as_of)
    flagged = sections.flagged(session, unit, period)
    ratings = sections.ratings(session, unit, period)
    received_44 = {ch: task44[ch]["received"] for ch in sorted(task44)}
    report = {
        "unit": ({"code": CITY, "name": "Thành phố Hải Phòng (toàn thành phố)", "city_wide": True} if unit is None
                 else {"code": unit.code, "name": unit.name, "city_wide": False}),
        "period": period.as_json(), "as_of": as_of.isoformat(), "generated_at": now.isoformat(),
        **figures, **deadlines, "flagged": flagged, "ratings": ratings,
        "plan": {
            "4.3": sections.dialogues(session, unit, period, as_of),
            "4.4": {"categories": list(TASK_44_CATEGORIES), "received": sum(received_44.values()),
                    "by_channel": received_44,
                    "within_competence": sum(v["within_competence"] for v in task44.values())},
            "4.5": {"matters": flagged["total"], "resolved": flagged["resolved"], **flagged["counts"]},
            "4.11": {"ratings": ratings["count"], "average": ratings["average"],
                     "satisfied_percent": ratings["satisfied_percent"]},
        },
    }
    return report


def report_for(session: Session, user: User, *, unit: str | None = None, period: str | None = None,
               first: str | None = None, last: str | None = None, now: dt.datetime | None = None,
               missing_unit: type[ValidationFailed] | type[NotFound] = ValidationFailed) -> dict[str, Any]:
    """The checked entry point of the API and the console: scope, period, then the report."""
    chosen = report_periods.resolve(period, first, last)
    scope = scope_for(session, user, unit, missing=missing_unit)
    report = build(session, scope, chosen, now=now)
    from service.domain.plans.tracking import report_section  # the plan's own tasks (issue #21)
    report["plan_tasks"] = report_section(session, scope, chosen, now or utcnow())
    return report


__all__ = ["CITY", "CITY_CODE", "build", "report_for", "scope_for"]
