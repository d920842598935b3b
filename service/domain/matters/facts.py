"""What the flag rules read about a matter besides its petitions (issue #19: one round trip after its lock).

Its supporters, when each answered or closed petition got its answer, and the steps more than 30 days overdue
(the "kéo dài" criterion of legal.md §3) — three reads that `flags` would otherwise make one by one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, literal_column, null, select, union_all
from sqlalchemy.orm import Session

from service.domain.matters.people import supporter_keys_of
from service.models.deadline import Deadline
from service.models.event import Event
from service.models.petition import Petition
from service.models.reception import Supporter

OVERDUE_GRACE = dt.timedelta(days=30)  # unresolved more than 30 days past a deadline: phức tạp, kéo dài
_ANSWERED = ("answered", "closed")


@dataclass
class Facts:
    """What the rules read besides the petitions themselves (`read_facts`)."""
    supporters: list[tuple[list[tuple], dt.datetime]]  # as matters.people.dated_supporter_keys
    answered: dict[int, dt.datetime]  # when each answered or closed petition got its answer
    late: list[tuple[int, str, dt.datetime]]  # steps more than 30 days overdue: (petition, step, due), oldest first


def read_facts(session: Session, matter_id: int | None, petitions: list[Petition], now: dt.datetime) -> Facts:
    """The matter's supporters, when each answered or closed petition got its answer (the first 'answered' event,
    else its closing) and the steps more than 30 days overdue: one round trip for the three (issue #19)."""
    ids = [p.id for p in petitions if p.status in _ANSWERED or p.status == "in_progress"]  # answered, maybe reopened
    old = [p.id for p in petitions if p.received_at < now - OVERDUE_GRACE]  # younger ones cannot be 30 days late
    parts = []
    if ids:
        parts.append(select(literal_column("0").label("fact"), Event.petition_id, func.min(Event.at).label("at"),
                            null().label("step"), null().label("channel"), null().label("chat"))
                     .where(Event.petition_id.in_(ids), Event.kind == "answered").group_by(Event.petition_id))
    if old:
        parts.append(select(literal_column("1"), Deadline.petition_id, Deadline.due_at, Deadline.step, null(),
                            null()).where(
            Deadline.petition_id.in_(old), Deadline.met_at.is_(None), Deadline.cancelled_at.is_(None),
            Deadline.due_at < now - OVERDUE_GRACE))
    if matter_id is not None:  # the phone goes in the step's column
        parts.append(select(literal_column("2"), null(), Supporter.created_at, Supporter.phone, Supporter.channel,
                            Supporter.chat_user_id).where(Supporter.matter_id == matter_id))
    rows = session.execute(union_all(*parts) if len(parts) > 1 else parts[0]).all() if parts else []
    got = {pid: at for fact, pid, at, *_ in rows if int(fact) == 0}
    for p in petitions:
        if p.id not in got and p.status in _ANSWERED:
            got[p.id] = p.closed_at or p.updated_at
    late = sorted(((pid, step, at) for fact, pid, at, step, *_ in rows if int(fact) == 1), key=lambda r: (r[2], r[0]))
    supporters = [(supporter_keys_of(phone, channel, chat), at) for fact, _, at, phone, channel, chat in rows
                  if int(fact) == 2]
    return Facts(supporters, got, late)
