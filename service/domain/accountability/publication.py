"""Published answers (issue #21; seed plan 003 II.5 "công khai"): a citizen allows publication when sending
(default off), the unit's Văn phòng HĐND-UBND approves, and the redacted petition, its office and the answer
appear at /cong-khai/tra-loi, GET /api/v1/public/answers and the unit's Atom feed.

What never appears: a denunciation (Luật Tố cáo 2018 Điều 47: the denouncer's identity and the denunciation's
file are kept secret; refused here whatever the citizen ticked, and filtered again on every read), a name, a
phone number or an address (both texts go through `people.redaction` with the petition's own people's names
and addresses and every honorific-named person, as `people.confidential` does at intake).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.codes import KINDS, categories
from service.domain.deadlines.calendar import local_date
from service.domain.errors import Conflict, Forbidden
from service.domain.people import access, audit, redaction
from service.models.person import Person
from service.models.petition import Petition
from service.models.reply import Reply
from service.models.unit import Office, Unit
from service.models.user import User

ANSWERED = ("answered", "closed")
NEVER = "to_cao"


def _answer(session: Session, petition: Petition) -> Reply | None:
    return session.scalar(select(Reply).where(Reply.petition_id == petition.id, Reply.kind == "answer")
                          .order_by(Reply.created_at.desc(), Reply.id.desc()).limit(1))


def publishable(session: Session, petition: Petition) -> bool:
    """Allowed by the citizen, answered, not a denunciation."""
    return (petition.kind != NEVER and bool(petition.allow_publication) and petition.status in ANSWERED
            and _answer(session, petition) is not None)


def approve(session: Session, user: User, petition: Petition, *, now: dt.datetime | None = None) -> None:
    if not access.can_approve_publication(user, petition):
        raise Forbidden("Chỉ Văn phòng HĐND-UBND của đơn vị duyệt công khai câu trả lời.",
                        "Only the unit's Văn phòng approves a publication.")
    if not publishable(session, petition):
        raise Conflict("Đơn này không thể công khai: người gửi chưa đồng ý, đơn chưa được trả lời hoặc là đơn tố cáo.",
                       "This answer cannot be published: not allowed by the citizen, not answered, or a denunciation.")
    petition.published_at = now or utcnow()
    petition.published_by_id = user.id
    audit.record(session, "publish_answer", user=user, object_type="petition", object_id=petition.code)
    session.flush()


def withdraw(session: Session, user: User, petition: Petition) -> None:
    if not (access.can_approve_publication(user, petition) or user.role == "admin"):
        raise Forbidden("Chỉ Văn phòng HĐND-UBND của đơn vị gỡ câu trả lời đã công khai.",
                        "Only the unit's Văn phòng withdraws a publication.")
    petition.published_at = None
    petition.published_by_id = None
    audit.record(session, "unpublish_answer", user=user, object_type="petition", object_id=petition.code)
    session.flush()


def waiting(session: Session, unit_id: int | None, limit: int = 100) -> list[Petition]:
    """Answered petitions whose citizen allowed publication, not yet published (the console's queue)."""
    stmt = (select(Petition).where(Petition.allow_publication.is_(True), Petition.published_at.is_(None),
                                   Petition.kind != NEVER, Petition.status.in_(ANSWERED))
            .order_by(Petition.received_at.desc()).limit(limit))
    if unit_id is not None:
        stmt = stmt.where(Petition.unit_id == unit_id)
    return [p for p in session.scalars(stmt) if _answer(session, p) is not None]


def _people(session: Session, petition: Petition) -> tuple[list[str], list[str]]:
    people = session.scalars(select(Person).where(Person.petition_id == petition.id)).all()
    return [p.name for p in people if p.name], [p.address for p in people if p.address]


def public_text(text: str | None, names: list[str], addresses: list[str]) -> str:
    """A text as the public may read it: no name, phone, ID number, e-mail or address (strict: every house
    number goes, as for a denunciation)."""
    return redaction.redact(text or "", names, addresses=addresses, strict=True, public=True)


def item(session: Session, petition: Petition, offices: dict[int, tuple[str, str]] | None = None) -> dict[str, Any]:
    names, addresses = _people(session, petition)
    reply = _answer(session, petition)
    office = session.get(Office, petition.lead_office_id) if petition.lead_office_id else None
    unit = session.get(Unit, petition.unit_id)
    category = categories().get(petition.category, {}).get("label", petition.category)
    return {
        "id": petition.id,
        "published_at": petition.published_at.isoformat() if petition.published_at else None,
        "unit": unit.code, "unit_name": unit.name,
        "office": office.code if office else None, "office_name": office.name if office else unit.name,
        "kind": petition.kind, "kind_label": KINDS.get(petition.kind, petition.kind),
        "category": petition.category, "category_label": category,
        "received_on": local_date(petition.received_at).isoformat(),
        "answered_on": local_date(reply.created_at).isoformat() if reply else None,
        "petition": public_text(petition.content, names, addresses),
        "answer": public_text(reply.text if reply else "", names, addresses),
    }


def published(session: Session, unit: Unit | None, *, limit: int = 50) -> list[dict[str, Any]]:
    """The published answers, newest first; a denunciation never, even if a row says published."""
    stmt = (select(Petition).where(Petition.published_at.is_not(None), Petition.allow_publication.is_(True),
                                   Petition.kind != NEVER)
            .order_by(Petition.published_at.desc(), Petition.id.desc()).limit(limit))
    if unit is not None:
        stmt = stmt.where(Petition.unit_id == unit.id)
    return [item(session, p) for p in session.scalars(stmt) if p.kind != NEVER]
