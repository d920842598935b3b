"""The deadline scan and the daily office digest (jobs process only).

Set-based: each threshold is one conditional UPDATE … RETURNING that marks the rows it claims
(`due_soon_flagged_at`, `overdue_flagged_at`, `escalation_level`), so a rerun claims nothing and
sends nothing; flags and reminders are made only for the rows claimed in this run. Reminders go
to the handling office, aggregated per office and run; escalations of overdue steps go to the office
head, then Văn phòng HĐND-UBND, then the chairperson (config/deadlines.yaml `escalation`).
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from service.db import Database, utcnow
from service.domain.codes import STEPS
from service.domain.deadlines.calendar import VN_TZ, Calendar, local_date, start_of_day
from service.domain.deadlines.rules import RuleBook, clear_deadline_flags, due_soon_cutoff, load_rules
from service.domain.notifications import outbox as notify
from service.models.deadline import Deadline
from service.models.flag import Flag
from service.models.petition import OPEN_STATUSES, Petition
from service.models.unit import Office
from service.models.user import User

logger = logging.getLogger(__name__)

LISTED = 30  # petitions named in one reminder; the rest are counted
CHUNK = 5000  # ids per IN (...) list
VAN_PHONG = ("van_phong", "vp_ubnd_tp")  # Văn phòng HĐND-UBND of a commune; of the city


@dataclass
class ScanResult:
    due_soon: int = 0
    overdue: int = 0
    escalated: dict[int, int] = field(default_factory=dict)
    flags: int = 0
    messages: int = 0
    skipped: bool = False


@dataclass
class _Row:
    deadline_id: int
    petition_id: int
    step: str
    due_at: dt.datetime
    code: str = ""
    unit_id: int = 0
    office_id: int | None = None


def _open():
    return (Deadline.met_at.is_(None), Deadline.cancelled_at.is_(None))


def _claim(session: Session, where: list[Any], values: dict[str, Any]) -> list[_Row]:
    """One UPDATE … RETURNING marks the rows this run claims (a rerun finds them marked)."""
    result = session.execute(update(Deadline).where(*_open(), *where).values(**values)
                             .returning(Deadline.id, Deadline.petition_id, Deadline.step, Deadline.due_at)
                             .execution_options(synchronize_session=False))
    return [_Row(*r) for r in result]


def _attach_petitions(session: Session, rows: list[_Row]) -> None:
    """Code, unit and office of the claimed rows' petitions, by primary key (never a scan of petitions)."""
    ids = sorted({r.petition_id for r in rows})
    info: dict[int, tuple[str, int, int | None]] = {}
    for i in range(0, len(ids), CHUNK):
        for pid, code, unit_id, office_id in session.execute(
                select(Petition.id, Petition.code, Petition.unit_id, Petition.lead_office_id)
                .where(Petition.id.in_(ids[i:i + CHUNK]))):
            info[pid] = (code, unit_id, office_id)
    for r in rows:
        r.code, r.unit_id, r.office_id = info[r.petition_id]


def _raise_flags(session: Session, code: str, rows: list[_Row], now: dt.datetime) -> int:
    by_petition: dict[int, list[_Row]] = defaultdict(list)
    for r in rows:
        by_petition[r.petition_id].append(r)
    ids = sorted(by_petition)
    have: set[int] = set()
    for i in range(0, len(ids), CHUNK):
        have.update(session.scalars(select(Flag.petition_id).where(
            Flag.code == code, Flag.cleared_at.is_(None), Flag.petition_id.in_(ids[i:i + CHUNK]))))
    new = [{"code": code, "petition_id": pid, "raised_at": now,
            "explanation": {"steps": [r.step for r in rs], "due": [r.due_at.isoformat() for r in rs],
                            "deadline_ids": [r.deadline_id for r in rs]}}
           for pid, rs in by_petition.items() if pid not in have]
    if new:
        session.execute(insert(Flag), new)
    return len(new)


def _lines(rows: list[_Row]) -> str:
    lines = [f"- {r.code}: {STEPS.get(r.step, r.step)}, hạn {r.due_at.astimezone(VN_TZ):%d/%m/%Y}"
             for r in sorted(rows, key=lambda r: (r.due_at, r.code))[:LISTED]]
    if len(rows) > LISTED:
        lines.append(f"… và {len(rows) - LISTED} thời hạn khác.")
    return "\n".join(lines)


class _Recipients:
    """Offices, each unit's Văn phòng and the users to escalate to, loaded in a few queries per scan."""

    def __init__(self, session: Session, rows: list[_Row]):
        office_ids = {r.office_id for r in rows if r.office_id}
        unit_ids = {r.unit_id for r in rows}
        self.offices: dict[int, Office] = {}
        self.van_phong: dict[int, Office] = {}
        self.heads: dict[int, list[int]] = defaultdict(list)
        self.chairs: dict[int, list[int]] = defaultdict(list)
        if not rows:
            return
        for office in session.scalars(select(Office).where(
                (Office.id.in_(office_ids)) | (Office.unit_id.in_(unit_ids) & Office.code.in_(VAN_PHONG)))):
            self.offices[office.id] = office
            if office.code in VAN_PHONG and office.unit_id in unit_ids:
                self.van_phong[office.unit_id] = office
        for user_id, role, unit_id, office_id in session.execute(
                select(User.id, User.role, User.unit_id, User.office_id).where(
                    User.active.is_(True), ((User.role == "office_head") & User.office_id.in_(office_ids))
                    | ((User.role == "chairperson") & User.unit_id.in_(unit_ids))).order_by(User.id)):
            if role == "office_head":
                self.heads[office_id].append(user_id)
            else:
                self.chairs[unit_id].append(user_id)

    def handling_office(self, r: _Row) -> Office | None:
        return self.offices.get(r.office_id) if r.office_id else self.van_phong.get(r.unit_id)


def _to_office(office: Office, text: str, key: str) -> list[dict[str, Any]]:
    return [{"channel": channel, "recipient": recipient, "text": text, "dedupe_key": f"{key}:{channel}"}
            for channel, recipient in notify.office_targets(office)]


def _to_users(user_ids: list[int], text: str, key: str) -> list[dict[str, Any]]:
    return [{"channel": "console", "recipient": f"user:{uid}", "text": text, "dedupe_key": f"{key}:user:{uid}"}
            for uid in user_ids]


def _reminders(who: _Recipients, code: str, rows: list[_Row], stamp: str) -> list[dict[str, Any]]:
    """One reminder per handling office per run, naming the petitions (and to its head, when overdue)."""
    groups: dict[int, list[_Row]] = defaultdict(list)
    for r in rows:
        office = who.handling_office(r)
        if office is not None:
            groups[office.id].append(r)
    out = []
    for office_id, group in groups.items():
        if code == "sap_han":
            head = f"[Sắp hạn] {len(group)} thời hạn đến hạn trong 3 ngày làm việc tới:"
        else:
            head = f"[Quá hạn] {len(group)} thời hạn đã quá hạn, đề nghị Trưởng phòng chỉ đạo xử lý ngay:"
        body, key = f"{head}\n{_lines(group)}", f"scan:{code}:office:{office_id}:{stamp}"
        out += _to_office(who.offices[office_id], body, key)
        if code == "qua_han":  # escalation level 1: the head of the handling office
            out += _to_users(who.heads.get(office_id, []), body, key)
    return out


def _escalations(who: _Recipients, level: int, to: str, rows: list[_Row], stamp: str,
                 after: int) -> list[dict[str, Any]]:
    groups: dict[int, list[_Row]] = defaultdict(list)
    for r in rows:
        groups[r.unit_id].append(r)
    out = []
    for unit_id, group in groups.items():
        body = (f"[Quá hạn {after} ngày làm việc – báo cáo lần {level}] {len(group)} thời hạn quá hạn chưa xử lý:\n"
                f"{_lines(group)}")
        key = f"scan:escalate{level}:unit:{unit_id}:{stamp}"
        if to == "chairperson" and who.chairs.get(unit_id):
            out += _to_users(who.chairs[unit_id], body, key)
            continue
        if to == "chairperson":
            body = "Kính trình Chủ tịch UBND. " + body  # no chairperson account yet: via Văn phòng
        if unit_id in who.van_phong:
            out += _to_office(who.van_phong[unit_id], body, key)
    return out


def _scan_lock(session: Session) -> bool:
    """On PostgreSQL a transaction-scoped advisory lock also keeps two scans apart (released at commit)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(hashtext('deadline-scan'))")))


def run_scan(session: Session, now: dt.datetime, calendar: Calendar, book: RuleBook) -> ScanResult:
    result = ScanResult()
    stamp = now.isoformat()
    soon = _claim(session, [Deadline.due_soon_flagged_at.is_(None), Deadline.overdue_flagged_at.is_(None),
                            Deadline.due_at >= now, Deadline.due_at <= due_soon_cutoff(now, calendar, book)],
                  {"due_soon_flagged_at": now})
    late = _claim(session, [Deadline.overdue_flagged_at.is_(None), Deadline.due_at < now],
                  {"overdue_flagged_at": now, "escalation_level": 1})
    escalations: list[tuple[Any, list[_Row]]] = []
    today = local_date(now)
    for esc in book.escalation:
        if esc.level <= 1:
            continue
        # "after n working days": n working days have passed since the due date.
        threshold = start_of_day(calendar.nth_working_day_back(today, esc.after_working_days))
        escalations.append((esc, _claim(session, [Deadline.escalation_level == esc.level - 1,
                                                  Deadline.due_at < threshold], {"escalation_level": esc.level})))
    _attach_petitions(session, soon + late + [r for _, rows in escalations for r in rows])
    result.due_soon, result.overdue = len(soon), len(late)
    result.flags = _raise_flags(session, "sap_han", soon, now) + _raise_flags(session, "qua_han", late, now)
    who = _Recipients(session, soon + late + [r for _, rows in escalations for r in rows])
    outgoing = _reminders(who, "sap_han", soon, stamp) + _reminders(who, "qua_han", late, stamp)
    for esc, rows in escalations:
        result.escalated[esc.level] = len(rows)
        outgoing += _escalations(who, esc.level, esc.to, rows, stamp, esc.after_working_days)
    result.messages = notify.enqueue_many(session, outgoing, now=now)
    late_ids = sorted({r.petition_id for r in late})
    for i in range(0, len(late_ids), CHUNK):
        clear_deadline_flags(session, late_ids[i:i + CHUNK], now)  # sắp hạn gives way to quá hạn
    return result


def scan_deadlines(database: Database, now: dt.datetime | None = None, *, calendar: Calendar | None = None,
                   rules: RuleBook | None = None) -> ScanResult:
    """Raise sắp hạn / quá hạn flags, remind offices and escalate, each exactly once; one transaction."""
    now = now or utcnow()
    with database.session_scope() as session:
        if not _scan_lock(session):
            logger.info("another deadline scan is running; skipped")
            return ScanResult(skipped=True)
        result = run_scan(session, now, calendar or Calendar.load(session), rules or load_rules())
    if result.due_soon or result.overdue or any(result.escalated.values()):
        logger.info("deadline scan: %s due soon, %s overdue, escalated %s, %s messages", result.due_soon,
                    result.overdue, result.escalated, result.messages)
    return result


def office_digest(database: Database, now: dt.datetime | None = None) -> int:
    """Each office with open petitions gets one digest a day: open, due soon and overdue counts."""
    now = now or utcnow()
    today = local_date(now)
    with database.session_scope() as session:
        cutoff = due_soon_cutoff(now, Calendar.load(session))
        open_by_office = dict(session.execute(
            select(Petition.lead_office_id, func.count()).where(Petition.status.in_(OPEN_STATUSES),
                                                                Petition.lead_office_id.is_not(None))
            .group_by(Petition.lead_office_id)).all())

        def count_where(*cond: Any) -> dict[int, int]:
            return dict(session.execute(
                select(Petition.lead_office_id, func.count(func.distinct(Petition.id)))
                .join(Deadline, Deadline.petition_id == Petition.id)
                .where(*_open(), Petition.status.in_(OPEN_STATUSES), *cond).group_by(Petition.lead_office_id)).all())

        overdue = count_where(Deadline.due_at < now)
        soon = count_where(Deadline.due_at >= now, Deadline.due_at <= cutoff)
        sent = 0
        for office_id, total in open_by_office.items():
            office = session.get(Office, office_id)
            body = (f"Tổng hợp ngày {today:%d/%m/%Y}: {total} đơn đang xử lý, {soon.get(office_id, 0)} đơn sắp hạn, "
                    f"{overdue.get(office_id, 0)} đơn quá hạn.")
            sent += len(notify.enqueue_office_notice(session, office, body, f"digest:{office_id}:{today.isoformat()}",
                                                     now=now))
    return sent
