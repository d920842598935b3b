"""The đông người and phức tạp, kéo dài flags of a matter and its petitions (domain.md Flags; legal.md §3).

`dong_nguoi`: one petition carries 5 or more petitioners ("đơn nhiều người đứng tên", TT 07/2014 Đ6 k4;
Luật Tiếp công dân Đ29), or 5 or more distinct people petitioned on the same matter within 90 days.
`phuc_tap_keo_dai`: the matter comes back after an answer, reaches a higher level (vượt cấp), reaches a
second-round complaint, or stays unresolved more than 30 days past a deadline (practice criteria of
KH 363/KH-TTCP and QĐ 1849/QĐ-TTg, legal.md §3). A flag is set on the matter and on every petition of it,
explained (which rules, how many people, since when), routed under task 4.5 to Văn phòng HĐND-UBND (and for
denunciations to Thanh tra thành phố), raised automatically and cleared only by staff with a reason.
Explanations carry petition codes and counts, never names: a denouncer's identity is secret (TC Đ47).
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Iterable

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, joinedload

from service.db import utcnow
from service.domain.codes import FLAGS, event_label
from service.domain.deadlines.calendar import VN_TZ, local_date
from service.domain.errors import Forbidden, ValidationFailed
from service.domain.events import record
from service.domain.inbound import Actor
from service.domain.matters.facts import OVERDUE_GRACE, Facts, read_facts
from service.domain.matters.people import (  # noqa: F401 (distinct_people re-exported)
    count_people,
    distinct_people,
    petitioners_on,
)
from service.domain.notifications import outbox as notify
from service.domain.people import access
from service.domain.routing.units import CITY_CODE, office_of
from service.models.deadline import Deadline
from service.models.event import Event
from service.models.flag import Flag
from service.models.matter import Matter
from service.models.petition import Petition
from service.models.unit import Office, Unit

logger = logging.getLogger(__name__)

DONG_NGUOI = "dong_nguoi"
PHUC_TAP = "phuc_tap_keo_dai"
MATTER_FLAGS = (DONG_NGUOI, PHUC_TAP)
CROWD = 5  # Luật TCD Đ29: five or more people on one content
WINDOW = dt.timedelta(days=90)
TASK = "4.5"  # review and resolve mass, complex and prolonged cases
FLAG_ACTOR = Actor(label="Hệ thống (cờ đông người, phức tạp kéo dài)")


def _reasons(session: Session, matter: Matter | None, petitions: list[Petition], now: dt.datetime,
             escalated: Iterable[int] = (), facts: Facts | None = None) -> dict[str, dict[str, Any]]:
    """Which rules hold for these petitions (of one matter), with what they show. `facts`: what `read_facts` read,
    when the caller has read it already."""
    found: dict[str, list[dict[str, Any]]] = {DONG_NGUOI: [], PHUC_TAP: []}
    recent = [p for p in petitions if p.received_at >= now - WINDOW]
    for p in petitions:
        if petitioners_on(p) >= CROWD:
            found[DONG_NGUOI].append({"rule": "many_signers", "petition": p.code, "people": petitioners_on(p)})
        if p.round >= 2:
            found[PHUC_TAP].append({"rule": "second_round", "petition": p.code})
    if facts is None:
        facts = read_facts(session, matter.id if matter else None, petitions, now)
    supporters = [keys for keys, at in facts.supporters if at >= now - WINDOW]
    people = count_people(recent, supporters)
    if matter is not None and people >= CROWD and len(recent) + len(supporters) > 1:
        found[DONG_NGUOI].append({"rule": "many_petitioners", "people": people, "petitions": len(recent),
                                  "window_days": WINDOW.days})
    units = {uid: session.get(Unit, uid) for uid in {p.unit_id for p in petitions}}
    home = session.get(Unit, matter.unit_id) if matter is not None else None
    commune = home is not None and (home.kind != "city" or any(u.kind != "city" for u in units.values()))
    for p in petitions:
        if p.id in escalated or commune and units[p.unit_id].kind == "city":
            found[PHUC_TAP].append({"rule": "escalated", "petition": p.code, "unit": units[p.unit_id].name})
    answered, late = facts.answered, facts.late
    answers = sorted((at, q) for q, at in answered.items() if at is not None)[:2]
    codes = {p.id: p.code for p in petitions}
    for p in petitions:  # it came back after an answer: the earliest answer to another petition of the matter
        at, q = next(((at, q) for at, q in answers if q != p.id), (None, None))
        if at is not None and at < p.received_at:
            found[PHUC_TAP].append({"rule": "resubmitted", "petition": p.code, "answered": codes[q],
                                    "answered_at": at.isoformat()})
    for pid, step, due in late:
        found[PHUC_TAP].append({"rule": "overdue_30", "petition": codes[pid], "step": step, "due": due.isoformat(),
                                "days_late": (now - due).days})
    since = min((p.received_at for p in petitions), default=now)
    return {code: {"task": TASK, "rules": rules, "petitions": len(petitions), "people": people,
                   "since": since.isoformat(), "codes": [p.code for p in petitions][:30]}
            for code, rules in found.items() if rules}


def _rule_keys(explanation: dict[str, Any]) -> set[tuple]:
    return {(r.get("rule"), r.get("petition")) for r in explanation.get("rules", [])}


OPENED = "matters_opened"  # session.info key: {matter id: the transaction that created it, invisible to others}


def _petitions(session: Session, matter: Matter, now: dt.datetime) -> tuple[list[Petition], Facts]:
    """The matter's petitions with their people, in one query that also locks the matter row, so two arrivals
    never raise the same flag twice (a matter opened in this transaction needs no lock: nobody else sees it);
    then what the rules read besides (`read_facts`: its supporters too, read once for both counts)."""
    stmt = (select(Petition).join(Matter, Matter.id == Petition.matter_id).where(Matter.id == matter.id)
            .options(joinedload(Petition.people)).order_by(Petition.received_at, Petition.id))
    mine = session.info.get(OPENED, {}).get(matter.id) is session.get_transaction()
    if session.get_bind().dialect.name == "postgresql" and not mine:
        # FOR NO KEY UPDATE: it serialises two arrivals but does not clash with the FOR KEY SHARE lock that
        # inserting a petition's matter_id takes on the same row (FOR UPDATE deadlocked under load).
        stmt = stmt.with_for_update(of=Matter, key_share=True)
    petitions = list(session.scalars(stmt).unique())
    facts = read_facts(session, matter.id, petitions, now)
    matter.petitioner_count = count_people(petitions, [keys for keys, _ in facts.supporters])
    return petitions, facts


def _existing(session: Session, matter: Matter | None, petitions: list[Petition]) -> list[Flag]:
    """Every đông người / kéo dài flag of the matter and of its petitions, open or cleared: one query."""
    ids = [p.id for p in petitions]
    scope = or_(and_(Flag.matter_id == matter.id, Flag.petition_id.is_(None)), Flag.petition_id.in_(ids)) \
        if matter is not None else Flag.petition_id.in_(ids)
    return session.scalars(select(Flag).where(Flag.code.in_(MATTER_FLAGS), scope).order_by(Flag.id)).all()


def _raise(session: Session, code: str, matter: Matter | None, petitions: list[Petition],
           explanation: dict[str, Any], now: dt.datetime, existing: list[Flag]) -> Flag | None:
    """Open (or refresh) the flag on the matter and on each petition; the new flag to route, if any."""
    mine = [f for f in existing if f.code == code and (
        f.petition_id is None if matter is not None else f.petition_id == petitions[0].id)]
    current = next((f for f in mine if f.cleared_at is None), None)
    cleared = [f for f in mine if f.cleared_at is not None and not f.explanation.get("undone")]  # staff's
    if current is None and cleared:
        last = cleared[-1]
        newest = max(p.received_at for p in petitions)
        if newest <= last.cleared_at and _rule_keys(explanation) <= _rule_keys(last.explanation):
            return None  # staff cleared it and nothing new happened since
    new = None
    if current is not None:
        current.explanation = {**explanation, "routed_to": current.explanation.get("routed_to", [])}
    elif matter is not None:
        new = Flag(code=code, matter_id=matter.id, raised_at=now, explanation=explanation)
        session.add(new)
    open_on = {f.petition_id for f in existing if f.code == code and f.cleared_at is None}
    for p in petitions:
        if p.id not in open_on:
            flag = Flag(code=code, petition_id=p.id, matter_id=matter.id if matter else None, raised_at=now,
                        explanation=explanation)
            session.add(flag)
            new = new or (flag if matter is None else None)
    return new


def _offices(session: Session, unit: Unit, petitions: list[Petition]) -> list[Office]:
    """Văn phòng HĐND-UBND of the unit (task 4.5); Thanh tra thành phố too when a denunciation is in it."""
    offices = [office_of(session, unit, "van_phong" if unit.kind != "city" else "vp_ubnd_tp")]
    if any(p.kind == "to_cao" for p in petitions):
        city = session.scalar(select(Unit).where(Unit.code == CITY_CODE))
        offices.append(office_of(session, city, "thanh_tra_tp") if city else None)
    return [o for o in offices if o is not None]


def _notify(session: Session, flag: Flag, offices: list[Office], unit: Unit, petitions: list[Petition],
            title: str, now: dt.datetime) -> None:
    """Once per new flag (the dedupe key holds its id): counts and codes only, never a name (TC Đ47)."""
    e = flag.explanation
    text = (f"[{FLAGS[flag.code]}] {title} ({unit.name}): {e['petitions']} đơn, {e['people']} người, "
            f"từ {dt.datetime.fromisoformat(e['since']).astimezone(VN_TZ):%d/%m/%Y}. "
            f"Căn cứ: {', '.join(_RULE_LABELS.get(r['rule'], r['rule']) for r in e['rules'])}. "
            f"Chuyển Văn phòng HĐND-UBND theo nhiệm vụ {TASK}.")
    for office in offices:
        notify.enqueue_office_notice(session, office, text, f"flag:{flag.id}:office:{office.id}",
                                     petition=petitions[-1], payload={"flag_id": flag.id, "code": flag.code},
                                     now=now)


_RULE_LABELS = {
    "many_signers": "đơn có từ 5 người đứng tên",
    "many_petitioners": "từ 5 người gửi đơn cùng nội dung trong 90 ngày",
    "second_round": "khiếu nại lần hai",
    "escalated": "gửi vượt cấp",
    "resubmitted": "tiếp tục gửi đơn sau khi đã trả lời",
    "overdue_30": "quá hạn giải quyết trên 30 ngày",
}


def _evaluate(session: Session, matter: Matter | None, petitions: list[Petition], now: dt.datetime,
              escalated: Iterable[int] = (), facts: Facts | None = None) -> list[Flag]:
    unit = session.get(Unit, matter.unit_id if matter is not None else petitions[0].unit_id)
    title = f"Vụ việc #{matter.id} «{matter.title}»" if matter is not None else f"Đơn {petitions[0].code}"
    raised: list[Flag] = []
    offices: list[Office] | None = None
    with session.no_autoflush:  # reads only, then one flush for every new flag
        reasons = _reasons(session, matter, petitions, now, escalated, facts)
        existing = _existing(session, matter, petitions) if reasons else []
        for code, explanation in reasons.items():
            flag = _raise(session, code, matter, petitions, explanation, now, existing)
            if flag is not None:
                offices = offices if offices is not None else _offices(session, unit, petitions)
                flag.explanation = {**flag.explanation, "routed_to": [o.code for o in offices]}
                raised.append(flag)
    session.flush()
    for flag in raised:
        _notify(session, flag, offices or [], unit, petitions, title, now)
        record(session, petitions[-1], "flag_raised", FLAG_ACTOR, at=now, matter_id=flag.matter_id,
               data={"code": flag.code, "flag_id": flag.id, "rules": [r["rule"] for r in flag.explanation["rules"]]})
        logger.info("Flag %s raised on %s", flag.code, title)
    if raised:
        session.flush()
    return raised


def evaluate_matter_flags(session: Session, matter: Matter, now: dt.datetime | None = None,
                          undone: str | None = None) -> list[Flag]:
    """Raise what the rules say for a matter and all its petitions, and recount its distinct petitioners;
    returns the newly raised flags. `undone`: a link of this matter was undone (split, suggestion rejected):
    a flag whose rules no longer hold is cleared, with a flag_cleared event saying why."""
    now = now or utcnow()
    petitions, facts = _petitions(session, matter, now)
    if undone is not None:
        _clear_undone(session, matter, petitions, now, undone, facts)
    return _evaluate(session, matter, petitions, now, facts=facts) if petitions else []


def _clear_undone(session: Session, matter: Matter, petitions: list[Petition], now: dt.datetime,
                  undone: str, facts: Facts) -> None:
    holds = _reasons(session, matter, petitions, now, facts=facts) if petitions else {}
    for code in MATTER_FLAGS:
        if code in holds:
            continue
        open_ = session.scalars(select(Flag).where(Flag.code == code, Flag.matter_id == matter.id,
                                                   Flag.cleared_at.is_(None))).all()
        if not open_:
            continue
        people = count_people(petitions, [keys for keys, _ in facts.supporters])
        why = (f"{undone}: vụ việc còn {len(petitions)} đơn của {people} người, không còn đủ căn cứ "
               + ("(đông người: từ 5 người, Luật Tiếp công dân Điều 29)" if code == DONG_NGUOI else
                  "(phức tạp, kéo dài)"))
        for f in open_:  # marked: a link undone is no staff decision that the flag is wrong
            f.cleared_at, f.cleared_reason, f.explanation = now, why, {**f.explanation, "undone": True}
        record(session, petitions[-1] if petitions else None, "flag_cleared", FLAG_ACTOR, at=now,
               matter_id=matter.id, reason=why, data={"code": code, "flag_id": open_[0].id, "cleared": len(open_),
                                                      "undone": True})


def evaluate_opened(session: Session, matter: Matter, petition: Petition, now: dt.datetime | None = None
                    ) -> list[Flag]:
    """A matter the petition just opened, alone (`arrival`): the same rules on what is in memory, with no
    query to find its petitions (this one, its people loaded), supporters (none yet) or lock (nobody else
    sees the matter before the commit). ≥ 5 signers still raise đông người at once (Luật TCD Điều 29)."""
    now = now or utcnow()
    return _evaluate(session, matter, [petition], now, facts=read_facts(session, None, [petition], now))


def evaluate_petition_flags(session: Session, petition: Petition, now: dt.datetime | None = None, *,
                            escalated: bool = False) -> list[Flag]:
    """The same for one petition (its matter when it has one). `escalated=True`: staff know it went over the
    commune's head (vượt cấp) though it arrived here, e.g. forwarded by a higher body."""
    now = now or utcnow()
    if petition.matter_id is not None:
        matter = session.get(Matter, petition.matter_id)
        petitions, facts = _petitions(session, matter, now)
        return _evaluate(session, matter, petitions, now, [petition.id] if escalated else [], facts)
    return _evaluate(session, None, [petition], now, [petition.id] if escalated else [])


def clear_flag(session: Session, flag: Flag, actor: Actor, reason: str, now: dt.datetime | None = None) -> Flag:
    """Staff clear a flag with a reason; a matter flag clears with the same flag on its petitions."""
    if not actor.is_staff:
        raise Forbidden("Chỉ cán bộ được gỡ cờ.", "Only staff may clear a flag.")
    user = access.user_of(session, actor)
    if user is not None and flag.petition_id is not None:
        access.require_act(user, session.get(Petition, flag.petition_id), "clear_flag")
    elif user is not None and flag.matter_id is not None:  # a matter's flag is every office's of the matter
        access.require_manage_matter(user, session.get(Matter, flag.matter_id))
    if not (reason or "").strip():
        raise ValidationFailed("Cần ghi rõ lý do gỡ cờ.", "A reason is required.",
                               fields={"reason": ["Cần ghi lý do."]})
    now = now or utcnow()
    flags = [flag]
    if flag.petition_id is None and flag.matter_id is not None:
        flags += session.scalars(select(Flag).where(Flag.code == flag.code, Flag.matter_id == flag.matter_id,
                                                    Flag.petition_id.is_not(None), Flag.cleared_at.is_(None))).all()
    for f in flags:
        if f.cleared_at is None:
            f.cleared_at, f.cleared_by_id, f.cleared_reason = now, actor.user_id, reason.strip()
    petition = session.get(Petition, flag.petition_id) if flag.petition_id else None
    record(session, petition, "flag_cleared", actor, at=now, reason=reason.strip(), matter_id=flag.matter_id,
           data={"code": flag.code, "flag_id": flag.id, "cleared": len(flags)})
    session.flush()
    return flag


def raise_overdue_flags(session: Session, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Daily: evaluate petitions with a step more than 30 days overdue and no kéo dài flag yet (one staff
    cleared stays cleared: being late is no new fact)."""
    now = now or utcnow()
    flagged = exists().where(Flag.petition_id == Deadline.petition_id, Flag.code == PHUC_TAP)
    ids = session.scalars(select(Deadline.petition_id).where(
        Deadline.met_at.is_(None), Deadline.cancelled_at.is_(None), Deadline.due_at < now - OVERDUE_GRACE,
        ~flagged).distinct().limit(limit)).all()
    for pid in ids:
        evaluate_petition_flags(session, session.get(Petition, pid), now)
    return len(ids)


def flag_digest(session: Session, unit: Unit, now: dt.datetime | None = None) -> str:
    """The daily text for Văn phòng HĐND-UBND: every open flagged matter of the unit, with its history."""
    now = now or utcnow()
    by_matter: dict[int, tuple[Matter, list[Flag]]] = {}
    for flag, matter in session.execute(select(Flag, Matter).join(Matter, Matter.id == Flag.matter_id).where(
            Flag.petition_id.is_(None), Flag.cleared_at.is_(None), Flag.code.in_(MATTER_FLAGS),
            Matter.unit_id == unit.id).order_by(Matter.id, Flag.code)):
        by_matter.setdefault(matter.id, (matter, []))[1].append(flag)
    lines = [f"Tổng hợp vụ việc đông người, phức tạp, kéo dài — {unit.name} — {local_date(now):%d/%m/%Y}",
             f"{len(by_matter)} vụ việc đang gắn cờ (nhiệm vụ {TASK})."]
    for matter, flags in by_matter.values():
        e = max(flags, key=lambda f: f.explanation.get("petitions", 0)).explanation
        since = dt.datetime.fromisoformat(e["since"]).astimezone(VN_TZ)
        lines.append(f"\n• Vụ việc #{matter.id} «{matter.title}»: {', '.join(FLAGS[f.code] for f in flags)}; "
                     f"{e['petitions']} đơn, {e['people']} người, từ {since:%d/%m/%Y}.")
        for f in flags:
            rules = "; ".join(_RULE_LABELS.get(r["rule"], r["rule"])
                              + (f" ({r['petition']})" if r.get("petition") else "")
                              for r in f.explanation.get("rules", [])[:8])
            lines.append(f"  - {FLAGS[f.code]} từ {f.raised_at.astimezone(VN_TZ):%d/%m/%Y}: {rules}")
        history = session.scalars(select(Event).where(Event.matter_id == matter.id)
                                  .order_by(Event.at.desc(), Event.id.desc()).limit(8)).all()
        for ev in reversed(history):
            lines.append(f"  {ev.at.astimezone(VN_TZ):%d/%m/%Y} {event_label(ev.kind).lower()}"
                         + (f": {ev.reason}" if ev.reason else ""))
    return "\n".join(lines)


def send_flag_digests(session: Session, now: dt.datetime | None = None) -> int:
    """Enqueue one digest per unit with open flagged matters; once a day per unit (dedupe key)."""
    now = now or utcnow()
    raise_overdue_flags(session, now)
    unit_ids = sorted(set(session.scalars(select(Matter.unit_id).join(Flag, Flag.matter_id == Matter.id).where(
        Flag.petition_id.is_(None), Flag.cleared_at.is_(None), Flag.code.in_(MATTER_FLAGS)))))
    sent = 0
    for unit in session.scalars(select(Unit).where(Unit.id.in_(unit_ids)).order_by(Unit.id)):
        office = office_of(session, unit, "van_phong" if unit.kind != "city" else "vp_ubnd_tp")
        if office is None:
            continue
        key = f"flag-digest:{unit.id}:{local_date(now).isoformat()}"
        if notify.enqueue_office_notice(session, office, flag_digest(session, unit, now), key, now=now):
            sent += 1
    session.flush()
    return sent
