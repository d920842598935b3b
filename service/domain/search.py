"""Listing petitions for staff: filters, diacritics-free search, paging; the nearest deadline first."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.access import visible_petitions
from service.domain.text import fold
from service.models.deadline import Deadline
from service.models.flag import Flag
from service.models.petition import Petition
from service.models.unit import Office, Unit
from service.models.user import User

MAX_PER_PAGE = 100


@dataclass
class PetitionFilters:
    unit: str | None = None  # unit code
    office: str | None = None  # office code
    kind: str | None = None
    category: str | None = None
    status: str | None = None
    flag: str | None = None
    channel: str | None = None
    received_from: dt.datetime | None = None
    received_to: dt.datetime | None = None
    overdue: bool | None = None
    needs_review: bool | None = None
    q: str | None = None  # words, with or without diacritics


def _open_deadline(now: dt.datetime | None = None):
    cond = and_(Deadline.petition_id == Petition.id, Deadline.met_at.is_(None), Deadline.cancelled_at.is_(None))
    return cond if now is None else and_(cond, Deadline.due_at < now)


def filtered(user: User, f: PetitionFilters, now: dt.datetime | None = None):
    now = now or utcnow()
    stmt = visible_petitions(user)
    if f.unit:
        stmt = stmt.where(Petition.unit_id == select(Unit.id).where(Unit.code == f.unit).scalar_subquery())
    if f.office:
        stmt = stmt.where(Petition.lead_office_id.in_(select(Office.id).where(Office.code == f.office)))
    for column, value in ((Petition.kind, f.kind), (Petition.category, f.category), (Petition.status, f.status),
                          (Petition.channel, f.channel)):
        if value:
            stmt = stmt.where(column == value)
    if f.flag:
        stmt = stmt.where(exists().where(Flag.petition_id == Petition.id, Flag.code == f.flag,
                                         Flag.cleared_at.is_(None)))
    if f.received_from:
        stmt = stmt.where(Petition.received_at >= f.received_from)
    if f.received_to:
        stmt = stmt.where(Petition.received_at <= f.received_to)
    if f.overdue is not None:
        late = exists().where(_open_deadline(now))
        stmt = stmt.where(late if f.overdue else ~late)
    if f.needs_review is not None:
        stmt = stmt.where(Petition.needs_review.is_(f.needs_review))
    for word in fold(f.q or "").split()[:8]:
        stmt = stmt.where(Petition.content_folded.contains(word, autoescape=True))
    return stmt


def list_petitions(session: Session, user: User, f: PetitionFilters, *, page: int = 1, per_page: int = 20,
                   now: dt.datetime | None = None) -> tuple[list[Petition], int]:
    stmt = filtered(user, f, now)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    nearest = (select(func.min(Deadline.due_at)).where(_open_deadline()).correlate(Petition).scalar_subquery())
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    rows = session.scalars(stmt.order_by(nearest.is_(None), nearest, Petition.received_at.desc())
                           .offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    return list(rows), total
