"""The report's side sections (TT 01/2024/TT-TTCP; seed plans tasks 4.3, 4.5, 4.11): the đông người and
phức tạp, kéo dài matters standing during the period, the citizens' ratings, and the dialogue sessions held
with their commitments. Aggregate SQL only, like `queries`."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from service.domain.codes import KINDS, categories
from service.domain.reports.periods import Period
from service.models.dialogue import Commitment, DialogueSession
from service.models.flag import Flag
from service.models.matter import Matter
from service.models.petition import OPEN_STATUSES, Petition
from service.models.rating import Rating
from service.models.unit import Unit

MATTER_FLAGS = ("dong_nguoi", "phuc_tap_keo_dai")  # the flags Văn phòng follows up (task 4.5)
HELD_DIALOGUES = ("held", "closed")


def flagged(session: Session, unit: Unit | None, period: Period) -> dict[str, Any]:
    """Every dong_nguoi and phuc_tap_keo_dai matter standing during the period (raised before its end,
    not cleared before its start), and flagged petitions that belong to no matter."""
    f, m, p, u = Flag.__table__, Matter.__table__, Petition.__table__, Unit.__table__
    window = and_(f.c.code.in_(MATTER_FLAGS), f.c.raised_at < period.end,
                  or_(f.c.cleared_at.is_(None), f.c.cleared_at >= period.start))
    matter_stmt = (select(m.c.id, m.c.title, m.c.status, m.c.petitioner_count, u.c.code, u.c.name, f.c.code,
                          func.min(f.c.raised_at))
                   .select_from(f.join(m, m.c.id == f.c.matter_id).join(u, u.c.id == m.c.unit_id)).where(window)
                   .group_by(m.c.id, m.c.title, m.c.status, m.c.petitioner_count, u.c.code, u.c.name, f.c.code))
    petition_stmt = (select(p.c.code, p.c.kind, p.c.category, p.c.status, p.c.co_signer_count, u.c.code, u.c.name,
                            f.c.code, func.min(f.c.raised_at))
                     .select_from(f.join(p, p.c.id == f.c.petition_id).join(u, u.c.id == p.c.unit_id))
                     .where(window, f.c.matter_id.is_(None), p.c.matter_id.is_(None))
                     .group_by(p.c.code, p.c.kind, p.c.category, p.c.status, p.c.co_signer_count, u.c.code,
                               u.c.name, f.c.code))
    if unit is not None:
        matter_stmt = matter_stmt.where(m.c.unit_id == unit.id)
        petition_stmt = petition_stmt.where(p.c.unit_id == unit.id)
    items: dict[tuple, dict[str, Any]] = {}
    for mid, title, status, people, ucode, uname, flag, raised in session.execute(matter_stmt):
        item = items.setdefault(("matter", mid), {
            "type": "matter", "id": mid, "title": title, "status": status, "petitioners": people,
            "unit": ucode, "unit_name": uname, "flags": [], "raised_at": raised.isoformat()})
        item["flags"].append(flag)
        item["raised_at"] = min(item["raised_at"], raised.isoformat())
    if any(k[0] == "matter" for k in items):
        ids = [k[1] for k in items if k[0] == "matter"]
        counts = {mid: (n, still_open) for mid, n, still_open in session.execute(
            select(p.c.matter_id, func.count(), func.sum(case((p.c.status.in_(OPEN_STATUSES), 1), else_=0)))
            .where(p.c.matter_id.in_(ids)).group_by(p.c.matter_id))}
        for key, item in items.items():
            item["petitions"], item["open_petitions"] = counts.get(key[1], (0, 0))
    for code, kind, category, status, cosigners, ucode, uname, flag, raised in session.execute(petition_stmt):
        # A petition's own text may name the denouncer: only its field is shown (TC Đ47).
        item = items.setdefault(("petition", code), {
            "type": "petition", "id": code, "title": f"{KINDS.get(kind, kind)} – "
                                                     f"{categories().get(category, {}).get('label', category)}",
            "status": status, "petitioners": 1 + (cosigners or 0), "unit": ucode, "unit_name": uname,
            "flags": [], "raised_at": raised.isoformat(), "petitions": 1,
            "open_petitions": int(status in OPEN_STATUSES)})
        item["flags"].append(flag)
    listed = sorted(items.values(), key=lambda i: (i["raised_at"], str(i["id"])))
    for item in listed:
        item["flags"] = sorted(set(item["flags"]), key=MATTER_FLAGS.index)
        item["resolved"] = item["open_petitions"] == 0
    return {"counts": {code: sum(code in i["flags"] for i in listed) for code in MATTER_FLAGS},
            "total": len(listed), "resolved": sum(i["resolved"] for i in listed), "matters": listed}


def ratings(session: Session, unit: Unit | None, period: Period) -> dict[str, Any]:
    """Ratings given within the period; a petition's latest rating counts (status.rate)."""
    r, p = Rating.__table__, Petition.__table__
    # The latest of each petition by a window over the period's ratings: one sort, no second read of the table
    # (a MAX per petition joined back read it twice; issue #19).
    newest = func.row_number().over(partition_by=r.c.petition_id, order_by=r.c.id.desc()).label("newest")
    given = select(r.c.score, newest).where(r.c.created_at >= period.start, r.c.created_at < period.end)
    if unit is not None:
        given = given.where(r.c.petition_id.in_(select(p.c.id).where(p.c.unit_id == unit.id)))
    given = given.subquery()
    rows = session.execute(select(given.c.score, func.count()).where(given.c.newest == 1)
                           .group_by(given.c.score)).all()
    dist = {str(s): 0 for s in range(1, 6)}
    for score, n in rows:
        dist[str(score)] = n
    count = sum(dist.values())
    total = sum(int(s) * n for s, n in dist.items())
    satisfied = dist["4"] + dist["5"]
    return {"count": count, "average": round(total / count, 2) if count else None, "distribution": dist,
            "satisfied": satisfied, "satisfied_percent": round(100 * satisfied / count, 1) if count else None}


def dialogues(session: Session, unit: Unit | None, period: Period, as_of: dt.datetime) -> dict[str, Any]:
    """Task 4.3: dialogue sessions held and the commitments made in them (Luật DCCS Đ32; TCD Đ15)."""
    s, c = DialogueSession.__table__, Commitment.__table__
    where = [s.c.starts_at >= period.start, s.c.starts_at < period.end]
    if unit is not None:
        where.append(s.c.unit_id == unit.id)
    held = session.scalar(select(func.count()).where(*where, s.c.status.in_(HELD_DIALOGUES))) or 0
    planned = session.scalar(select(func.count()).where(*where)) or 0
    done = and_(c.c.met_at.is_not(None), c.c.met_at < as_of)
    row = session.execute(select(func.count(), func.sum(case((done, 1), else_=0)),
                                 func.sum(case((and_(~done, c.c.due_at < as_of, c.c.status != "cancelled"), 1),
                                               else_=0)))
                          .select_from(c.join(s, s.c.id == c.c.session_id)).where(*where)).one()
    return {"sessions": planned, "held": held, "commitments": row[0] or 0, "commitments_done": row[1] or 0,
            "commitments_overdue": row[2] or 0}
