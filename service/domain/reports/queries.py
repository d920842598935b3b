"""Periodic reports of a unit or of the whole city (TT 01/2024/TT-TTCP; seed plans tasks 4.3-4.5, 4.11).

`build(session, unit, period)` answers one JSON-ready dict. Every figure comes from aggregate SQL (GROUP BY);
only the few petitions whose decisions straddle a boundary of the period are read one by one (`_parts`), so the
yearly city report over a million petitions stays fast (bench/reports.py; the deadline figures: reports/deadlines.py). Definitions (each one is stated in the report's notes as well):

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

from sqlalchemy import and_, case, func, or_, select, text
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.codes import CHANNELS, KINDS, STATUSES, categories
from service.domain.errors import Forbidden, NotFound, ValidationFailed
from service.domain.events import DECISION_WEIGHT
from service.domain.people import access
from service.domain.reports import deadlines as deadline_figures
from service.domain.reports import periods as report_periods
from service.domain.reports import sections
from service.domain.reports.periods import Period
from service.domain.routing.units import CITY_CODE, find_unit
from service.models.catalogue import CatalogueTask
from service.models.event import Event
from service.models.petition import Petition
from service.models.unit import Office, Unit
from service.models.user import User

CITY = "city"
CITY_WIDE_ROLES = access.CROSS_UNIT_ROLES  # who reports on every unit: the access policy decides
MATTER_FLAGS = sections.MATTER_FLAGS
SETTLED = ("answered", "returned", "guided", "transferred", "withdrawn", "closed")
SIGNERS = ("mot_nguoi", "hai_den_bon", "nhieu_nguoi", "khong_ro_ten")
OUTCOMES = ("trong_tham_quyen", "chuyen_don", "huong_dan", "tra_lai", "rut_don", "chua_xu_ly")
OUTSIDE_COMPETENCE = ("chuyen_don", "huong_dan")
TIMELINESS = deadline_figures.TIMELINESS
FINAL_STEPS = deadline_figures.FINAL_STEPS
NO_OFFICE = deadline_figures.NO_OFFICE
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
# The marginal tables come from two groupings of the same petitions: at a million rows each grouping costs a hash of
# every row, so the nine tables of the report are summed in Python from two small groupings (a few thousand groups:
# a task and an office go with a field) instead of being nine (issue #19).
GROUPS = {"people": ("kind", "category", "channel", "outcome", "signers", "carried"),
          "where": ("unit_id", "lead_office_id", "status", "task_id")}
MARGINS = {"kind_outcome": ("people", (0, 3)), "signers": ("people", (4, 5)), "category": ("people", (1,)),
           "channel": ("people", (2,)), "task44": ("people", (1, 2, 3)), "status": ("where", (2,)),
           "office": ("where", (1,)), "unit": ("where", (0,)), "task": ("where", (3,))}


def _straddles(p, period: Period):
    """The petitions whose decision events straddle a boundary of the period: the weightiest decision reached after
    the end while an earlier one came before it, or (received before the start) decided before and after the start.
    Only for these does the row not say it all; everything else is judged from the row."""
    start, end = period.start, period.end
    # Both cases imply a decision before the boundary and one at or after it, so the last decision came after the
    # first and after the start: written out, the planner reads the few from ix_petitions_redecided.
    return and_(p.c.first_decided_at < p.c.last_decided_at, p.c.last_decided_at >= start,
                or_(and_(p.c.first_decided_at < end, p.c.decision_at >= end),
                    and_(p.c.received_at < start, p.c.first_decided_at < start, p.c.last_decided_at >= start)))


WEIGHT_OF_DECISION = {kind: w for kind, w, _ in DECISIONS}
KIND_OF_WEIGHT = {w: kind for kind, w, _ in reversed(DECISIONS)}  # 4: "accepted" (answered weighs the same)
# What the database groups: plain columns and comparisons (booleans), whose distinct values PostgreSQL's planner
# knows, so it runs each GROUP BY as a parallel partial aggregate; `_logical` turns a raw key into the report's.
RAW = {"people": ("kind", "category", "channel", "decision", "decided", "anonymous", "co4", "co1", "carried"),
       "where": ("unit_id", "lead_office_id", "status", "task_id")}


def _columns(p, period: Period, decision, decided) -> list:
    """The raw columns of a counted petition, labelled as RAW names them."""
    return [p.c.id, p.c.unit_id, p.c.kind, p.c.category, p.c.channel, p.c.status, p.c.lead_office_id, p.c.task_id,
            decision.label("decision"), decided.label("decided"), p.c.anonymous.label("anonymous"),
            (p.c.co_signer_count >= 4).label("co4"), (p.c.co_signer_count >= 1).label("co1"),
            (p.c.received_at < period.start).label("carried")]


def _logical(v: dict[str, Any]) -> dict[str, Any]:
    """The report's values of a raw row: the outcome as the decision's weight by the end, the index in SIGNERS
    ("đơn nhiều người đứng tên" from five names: the petitioner and four co-signers), carried over as 0/1."""
    return {**v, "outcome": WEIGHT_OF_DECISION.get(v["decision"], 0) if v["decided"] else 0,
            "signers": 3 if v["anonymous"] else 2 if v["co4"] else 1 if v["co1"] else 0,
            "carried": 1 if v["carried"] else 0}


def _parts(unit: Unit | None, period: Period):
    """The petitions counted in the period (carried over or new), with their decision by its end, in two parts.

    The petition row keeps its decisions (events.note_decision): the weightiest one and when it was first reached,
    the latest settling and reopening, the first and last decision event. (1) For every petition whose decision
    events do not straddle a boundary of the period they say it all: plain columns and comparisons. (2) The few
    that straddle (found by one more scan of the row) are judged from their decision events, over the events'
    decision index."""
    p = Petition.__table__
    start, end = period.start, period.end
    # (1) The negation of _straddles written out with its NULLs (a petition never decided straddles nothing);
    # open at the start by the row: not settled before it, or reopened after the settling.
    not_straddling = and_(
        or_(p.c.first_decided_at.is_(None), p.c.first_decided_at >= end, p.c.decision_at.is_(None),
            p.c.decision_at < end),
        or_(p.c.received_at >= start, p.c.first_decided_at.is_(None), p.c.first_decided_at >= start,
            p.c.last_decided_at < start))
    counted = or_(p.c.received_at >= start, p.c.last_decided_at.is_(None), p.c.last_decided_at >= start,
                  p.c.settled_at.is_(None), p.c.reopened_at > p.c.settled_at)
    plain = select(*_columns(p, period, p.c.decision, p.c.decision_at < end)) \
        .where(p.c.received_at < end, not_straddling, counted)
    # (2) The straddling ones (`_from_events` judges them).
    straddling = select(p.c.id).where(p.c.received_at < end, _straddles(p, period))
    if unit is not None:
        plain, straddling = plain.where(p.c.unit_id == unit.id), straddling.where(p.c.unit_id == unit.id)
    return plain, straddling


def _from_events(period: Period, ids: list[int]):
    """The straddling petitions `ids` judged from their decision events: the weightiest before the end, the
    latest settling and reopening before the start. The ids are read first (one more scan of the row), so the
    planner knows they are few and goes from the events' decision index to the petitions' primary key."""
    p, e = Petition.__table__, Event.__table__
    start, end = period.start, period.end
    weight = case(*((e.c.kind == kind, w) for kind, w, _ in DECISIONS), else_=0)
    ev = (select(e.c.petition_id.label("pid"), func.max(weight).label("decision"),
                 func.max(case((and_(e.c.kind.in_(SETTLED), e.c.at < start), e.c.at))).label("settled"),
                 func.max(case((and_(e.c.kind == "reopened", e.c.at < start), e.c.at))).label("reopened"))
          .where(e.c.kind.in_(SETTLED + ("accepted", "reopened")), e.c.at < end, e.c.petition_id.in_(ids))
          .group_by(e.c.petition_id).subquery("ev"))
    decision = case(*((ev.c.decision == w, kind) for w, kind in KIND_OF_WEIGHT.items()))
    return (select(*_columns(p, period, decision, ev.c.decision > 0))
            .select_from(p.join(ev, ev.c.pid == p.c.id))
            .where(or_(p.c.received_at >= start, ev.c.settled.is_(None), ev.c.reopened > ev.c.settled)))


def _straddling_rows(session: Session, straddling, period: Period) -> list[dict[str, Any]]:
    ids = list(session.scalars(straddling))
    rows = []
    for i in range(0, len(ids), 5000):  # SQLite takes some 30,000 parameters a statement
        rows += [_logical(dict(row._mapping)) for row in session.execute(_from_events(period, ids[i:i + 5000]))]
    return rows


def scope_rows(session: Session, unit: Unit | None, period: Period) -> list[dict[str, Any]]:
    """Every petition counted in the period with the report's values (what the tests compare with the events)."""
    plain, straddling = _parts(unit, period)
    return [_logical(dict(row._mapping)) for row in session.execute(plain)] + \
        _straddling_rows(session, straddling, period)


def _grouped(session: Session, unit: Unit | None, period: Period) -> dict[str, dict[tuple, int]]:
    """{group name: {key: count}} for every group of GROUPS: the plain part grouped by the database (one GROUP BY
    a group), the straddling part read row by row (a few thousand at most); both turned into the report's keys."""
    plain, straddling = _parts(unit, period)
    plain = plain.subquery()
    out: dict[str, dict[tuple, int]] = {name: {} for name in GROUPS}

    def add(name: str, value_of: dict[str, Any], n: int) -> None:
        key = tuple(value_of[c] for c in GROUPS[name])
        out[name][key] = out[name].get(key, 0) + n

    for name, cols in RAW.items():
        keys = [plain.c[c] for c in cols]
        for *key, n in session.execute(select(*keys, func.count()).group_by(*keys)):
            add(name, _logical(dict(zip(cols, key))) if name == "people" else dict(zip(cols, key)), n)
    for value_of in _straddling_rows(session, straddling, period):
        for name in GROUPS:
            add(name, value_of, 1)
    return out


def _zeros(codes) -> dict[str, int]:
    return {c: 0 for c in codes}


def _sorted(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _petition_figures(session: Session, unit: Unit | None, period: Period) -> dict[str, Any]:
    grouped = _grouped(session, unit, period)
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


def build(session: Session, unit: Unit | None, period: Period, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The report of `unit` (None: the whole city) for `period`, JSON-ready."""
    now = now or utcnow()
    as_of = min(period.end, now)
    if session.get_bind().dialect.name == "postgresql":
        # Hash the groups in memory rather than sort on disk; for this transaction only.
        session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'; SET LOCAL jit = off"))
    figures = _petition_figures(session, unit, period)
    task44 = figures.pop("_task44")
    deadlines = deadline_figures.figures(session, unit, period, as_of)
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
