"""Scorecards of a unit's offices and of their heads for a period (seed plans tasks 4.6, 4.7; seed 001 3.1
"chấm điểm, xếp loại công tác dân vận"), for the chairperson and the city (`access.can_see_scorecards`).

Per office: the public figures (`accountability.figures`, the same query layer as the staff report) and
overdue count and days, reopen rate, answers with evidence (files attached to the answer), flagged matters
resolved; a score by the criteria and weights of config/scorecards.yaml (UNCONFIRMED until decided).
Per head: each answer is credited to the head of its office at the moment of the answer (`heads.Heads`).
Counts only: no petition text, code or name of a petitioner.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import lru_cache
from typing import Any

import yaml
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.accountability import figures, stats
from service.domain.accountability.heads import Heads
from service.domain.codes import CONFIG_DIR
from service.domain.deadlines.calendar import Calendar, local_date
from service.domain.errors import Forbidden, NotFound, ValidationFailed
from service.domain.people import access
from service.domain.reports import periods, queries
from service.domain.reports.periods import Period
from service.models.attachment import Attachment
from service.models.deadline import Deadline
from service.models.flag import Flag
from service.models.petition import Petition
from service.models.rating import Rating
from service.models.reply import Reply
from service.models.unit import Office, Unit
from service.models.user import User

MATTER_FLAGS = ("dong_nguoi", "phuc_tap_keo_dai")


@lru_cache(maxsize=1)
def criteria() -> dict[str, Any]:
    return yaml.safe_load((CONFIG_DIR / "scorecards.yaml").read_text(encoding="utf-8"))


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def score(row: dict[str, Any]) -> dict[str, Any]:
    """Points per criterion and the total out of 100 over the criteria that have a figure, with the grade."""
    conf = criteria()
    points, got, possible = {}, 0.0, 0.0
    for c in conf["criteria"]:
        value = row.get(c["figure"])
        if value is None:
            points[c["code"]] = None
            continue
        value = max(0.0, min(float(value), 1.0))
        earned = c["points"] * (value if c["better"] == "higher" else 1 - value)
        points[c["code"]] = round(earned, 2)
        got, possible = got + earned, possible + c["points"]
    total = round(100 * got / possible, 1) if possible else None
    grade = next((g for g in conf["grades"] if total is not None and total >= g["min"]), None)
    return {"points": points, "total": total, "grade": grade["code"] if grade else None,
            "grade_label": grade["label"] if grade else None,
            "unconfirmed": any(c.get("unconfirmed") for c in conf["criteria"])}


def _late_deadlines(session: Session, unit: Unit | None, period: Period, as_of: dt.datetime, cal: Calendar):
    """(office id, moment, working days late) of each deadline missed in the period: met late within it, or
    still open past due at its end."""
    d = Deadline
    stmt = (select(Petition.lead_office_id, d.due_at, d.met_at).join(Petition, Petition.id == d.petition_id)
            .where(or_(and_(d.met_at >= period.start, d.met_at < as_of, d.met_at > d.due_at),
                       and_(d.met_at.is_(None), d.cancelled_at.is_(None), d.due_at < as_of))))
    if unit is not None:
        stmt = stmt.where(Petition.unit_id == unit.id)
    for oid, due, met in session.execute(stmt):
        end = met or as_of
        yield oid, end, cal.working_days_between(local_date(due), local_date(end))


def _evidence(session: Session, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(session.scalars(select(Reply.petition_id).join(Attachment, Attachment.reply_id == Reply.id)
                               .where(Reply.kind == "answer", Reply.petition_id.in_(ids),
                                      Attachment.erased_at.is_(None))))


def _flagged(session: Session, unit: Unit | None, period: Period) -> list[tuple[int | None, str]]:
    """(office id, status) of each petition flagged đông người / phức tạp kéo dài during the period."""
    window = and_(Flag.code.in_(MATTER_FLAGS), Flag.raised_at < period.end,
                  or_(Flag.cleared_at.is_(None), Flag.cleared_at >= period.start))
    stmt = (select(Petition.id, Petition.lead_office_id, Petition.status).distinct()
            .join(Flag, or_(Flag.petition_id == Petition.id,
                            and_(Flag.matter_id.is_not(None), Flag.matter_id == Petition.matter_id)))
            .where(window))
    if unit is not None:
        stmt = stmt.where(Petition.unit_id == unit.id)
    return [(oid, status) for _, oid, status in session.execute(stmt)]


def _latest_ratings(session: Session, ids: list[int], period: Period) -> dict[int, tuple[int, str | None]]:
    out: dict[int, tuple[int, str | None]] = {}
    if not ids:
        return out
    for pid, score_, review in session.execute(
            select(Rating.petition_id, Rating.score, Rating.review)
            .where(Rating.petition_id.in_(ids), Rating.created_at >= period.start, Rating.created_at < period.end)
            .order_by(Rating.id)):
        out[pid] = (score_, review)
    return out


def build(session: Session, unit: Unit | None, period: Period, *, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    as_of = min(period.end, now)
    cal = Calendar.load(session)
    report = queries.build(session, unit, period, now=now)
    rows, total = figures.office_figures(session, unit, period, report["by_office"], now=now, calendar=cal)
    offices = session.execute(select(Office.id, Office.code)
                              .where(True if unit is None else Office.unit_id == unit.id)).all()
    code_of = {oid: code for oid, code in offices}
    heads = Heads(session, list(code_of))
    answered = figures.answered_rows(session, unit, period)
    when = {pid: at for pid, _, _, at in answered}
    late = figures.late_answers(session, list(when), when)
    evidence = _evidence(session, list(when))
    rated = _latest_ratings(session, list(when), period)
    extra: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    by_head: dict[int, dict[str, Any]] = {}

    def head_row(uid: int) -> dict[str, Any]:
        return by_head.setdefault(uid, {"user_id": uid, "offices": set(), "answered": 0, "answered_on_time": 0,
                                        "with_evidence": 0, "overdue_count": 0, "overdue_days": 0, "_scores": [],
                                        "reopened_by_citizens": 0})

    for pid, oid, _, at in answered:
        code = code_of.get(oid, figures.NO_OFFICE)
        extra[code]["with_evidence"] += pid in evidence
        uid = heads.at(oid, at)
        if uid is not None:
            h = head_row(uid)
            h["offices"].add(code)
            h["answered"] += 1
            h["answered_on_time"] += pid not in late
            h["with_evidence"] += pid in evidence
            if pid in rated:
                h["_scores"].append(rated[pid][0])
                h["reopened_by_citizens"] += rated[pid][1] == "requested"
    for oid, moment, days in _late_deadlines(session, unit, period, as_of, cal):
        code = code_of.get(oid, figures.NO_OFFICE)
        extra[code]["overdue_count"] += 1
        extra[code]["overdue_days"] += days
        uid = heads.at(oid, moment)
        if uid is not None:
            head_row(uid)["offices"].add(code)
            by_head[uid]["overdue_count"] += 1
            by_head[uid]["overdue_days"] += days
    for oid, status in _flagged(session, unit, period):
        code = code_of.get(oid, figures.NO_OFFICE)
        extra[code]["flagged"] += 1
        extra[code]["flagged_resolved"] += status not in figures.OPEN_STATUSES

    cards = []
    for code, row in sorted(rows.items(), key=lambda kv: kv[0]):
        card = {**row, **{k: extra[code][k] for k in ("with_evidence", "overdue_count", "overdue_days", "flagged",
                                                      "flagged_resolved")}}
        _rates(card)
        card["score"] = score(card)
        cards.append(card)
    names = dict(session.execute(select(User.id, User.full_name)).all()) if by_head else {}
    users = dict(session.execute(select(User.id, User.username)).all()) if by_head else {}
    head_cards = []
    for uid, h in sorted(by_head.items()):
        scores = h.pop("_scores")
        h.update(offices=sorted(h["offices"]), name=names.get(uid) or users.get(uid), username=users.get(uid),
                 on_time_rate=figures.rate(h["answered_on_time"], h["answered"]),
                 satisfaction_avg=figures.average(scores), ratings=len(scores), received=h["answered"])
        _rates(h)
        h["score"] = score(h)
        head_cards.append(h)
    return {"unit": ({"code": stats.CITY, "name": stats.CITY_NAME} if unit is None
                     else {"code": unit.code, "name": unit.name}),
            "period": period.as_json(), "as_of": as_of.isoformat(), "totals": total,
            "offices": cards, "heads": head_cards, "criteria": criteria()}


def _rates(card: dict[str, Any]) -> None:
    card["reopen_rate"] = _share(card.get("reopened_by_citizens", 0), card["answered"])
    card["evidence_rate"] = _share(card.get("with_evidence", 0), card["answered"])
    card["flagged_resolved_rate"] = _share(card.get("flagged_resolved", 0), card.get("flagged", 0))
    card["overdue_share"] = _share(card["overdue_count"], max(card.get("received") or 0, card["overdue_count"]))
    avg = card.get("satisfaction_avg")
    card["satisfaction_share"] = None if avg is None else round((avg - 1) / 4, 4)


def scorecards_for(session: Session, user: User, *, unit: str | None = None, period: str | None = None,
                   first: str | None = None, last: str | None = None, now: dt.datetime | None = None,
                   missing_unit: type[ValidationFailed] | type[NotFound] = ValidationFailed) -> dict[str, Any]:
    """The checked entry point of the API and the console: access, period, then the scorecards."""
    if not unit and user.role == "chairperson":
        unit = session.get(Unit, user.unit_id).code if user.unit_id else None
    chosen = stats.unit_for(session, unit, missing=missing_unit)
    if not access.can_see_scorecards(user, chosen.id if chosen else None):
        raise Forbidden("Bạn không có quyền xem bảng đánh giá của đơn vị này.",
                        "You may not see this unit's scorecards.")
    return build(session, chosen, periods.resolve(period, first, last), now=now)
