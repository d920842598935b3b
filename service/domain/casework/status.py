"""The citizen's view of a petition: found by tracking code and phone (or access key), timeline, answer, rating."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.codes import KINDS, STATUSES, STEPS, category_label, event_label
from service.domain.errors import Conflict, NotFound, ValidationFailed
from service.domain.events import record
from service.domain.inbound import CITIZEN
from service.domain.intake import lookup_guard, tracking
from service.domain.intake.lookup_guard import LookupPolicy
from service.domain.intake.validation import FieldError, normalise_phone
from service.domain.workflow import reviews
from service.models.event import Event
from service.models.person import Person
from service.models.petition import Petition
from service.models.rating import Rating
from service.models.reply import Reply

RATABLE_STATUSES = {"answered", "closed"}
_NOT_FOUND = NotFound("Không tìm thấy đơn với mã và số điện thoại này (hoặc mã truy cập đã được cấp khi gửi đơn). "
                      "Vui lòng kiểm tra lại.",
                      "No petition matches this tracking code and phone number (or access key).")


@dataclass
class CitizenView:
    code: str
    status: str
    status_label: str
    kind: str
    kind_label: str
    category_label: str
    unit: str
    received_at: dt.datetime
    title: str | None
    deadlines: list[dict] = field(default_factory=list)
    timeline: list[dict] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)
    rating: int | None = None
    can_rate: bool = False
    review: str | None = None  # after a 1-2 rating: offered | requested | declined (reviews)
    office: str | None = None  # the office handling the petition (its lead office), named to the citizen
    status_text: str = ""  # the status in plain words, with the office ("Đã tiếp nhận, đang chuyển đến …")


def plain_status(status: str, office: str | None) -> str:
    """The status as a citizen says it, naming the office that handles the petition; not staff words such as
    "Đã phân loại"."""
    at = office or "bộ phận có thẩm quyền"
    words = {
        "received": f"Đã tiếp nhận, đang chuyển đến {at}" if office else "Đã tiếp nhận, đang xem xét để chuyển "
                                                                       "đến bộ phận có thẩm quyền",
        "classified": f"Đã tiếp nhận, đang chuyển đến {at}",
        "accepted": f"{at} đã nhận giải quyết đơn (đã thụ lý)",
        "in_progress": f"{at} đang giải quyết đơn",
        "answered": f"{at} đã trả lời đơn",
        "closed": "Đã giải quyết xong",
        "returned": "Đơn được trả lại kèm hướng dẫn",
        "guided": "Đã hướng dẫn bạn gửi đơn đến cơ quan có thẩm quyền",
        "transferred": "Đơn đã được chuyển đến cơ quan có thẩm quyền giải quyết",
        "withdrawn": "Bạn đã rút đơn",
    }
    text = words.get(status, STATUSES.get(status, status))
    return text[0].upper() + text[1:]


def find_for_citizen(session: Session, code: str, proof: str | None, key: str | None = None) -> Petition:
    """The petition when the code matches and the proof is the phone on record or, for a petition without a
    phone, its access key; the same answer for every mismatch, so nobody learns whether a code exists nor
    whether a phone belongs to it (Luật Tố cáo Đ47). The code alone never suffices."""
    normal = tracking.normalise_code(code)
    petition = session.scalar(select(Petition).where(Petition.code == normal)) if normal else None
    if petition is None or not proves(session, petition, proof, key):
        raise _NOT_FOUND
    return petition


def proves(session: Session, petition: Petition, *proofs: str | None) -> bool:
    """Whether one of the proofs is a phone of the petition's people or the petition's access key."""
    phones = {p.phone for p in session.scalars(select(Person).where(Person.petition_id == petition.id)) if p.phone}
    for proof in proofs:
        if not proof or not isinstance(proof, str):
            continue
        try:
            phone = normalise_phone(proof)
        except FieldError:
            phone = None
        if (phone and phone in phones) or tracking.access_key_matches(petition.code, petition.access_key_hash, proof):
            return True
    return False


def look_up(session: Session, code: str, proof: str | None, *, client: str, key: str | None = None,
            policy: LookupPolicy | None = None) -> Petition:
    """`find_for_citizen` within the adapter's failed-attempt limits per requester and per code (lookup_guard;
    None: unlimited); the caller commits even when it answers NotFound, so the failure counts."""
    return lookup_guard.guarded(session, client, code, lambda: find_for_citizen(session, code, proof, key),
                                policy=policy)


def citizen_view(session: Session, petition: Petition) -> CitizenView:
    events = session.scalars(select(Event).where(Event.petition_id == petition.id, Event.public.is_(True))
                             .order_by(Event.at, Event.id)).all()
    replies = session.scalars(select(Reply).where(Reply.petition_id == petition.id).order_by(Reply.created_at)).all()
    rating = session.scalar(select(Rating).where(Rating.petition_id == petition.id)
                            .order_by(Rating.created_at.desc()).limit(1))
    return CitizenView(
        code=petition.code, status=petition.status, status_label=STATUSES.get(petition.status, petition.status),
        kind=petition.kind, kind_label=KINDS[petition.kind], category_label=category_label(petition.category),
        unit=petition.unit.name, received_at=petition.received_at, title=petition.title,
        deadlines=[{"step": d.step, "label": STEPS.get(d.step, d.step), "due": d.due_at, "met_at": d.met_at}
                   for d in petition.deadlines if d.cancelled_at is None],
        timeline=[{"at": e.at, "kind": e.kind, "label": event_label(e.kind, citizen=True)} for e in events],
        answers=[{"at": r.created_at, "kind": r.kind, "text": r.text, "document_number": r.document_number}
                 for r in replies],
        rating=rating.score if rating else None,
        can_rate=petition.status in RATABLE_STATUSES,
        review=rating.review if rating else None,
        office=petition.lead_office.name if petition.lead_office else None,
        status_text=plain_status(petition.status, petition.lead_office.name if petition.lead_office else None),
    )


def rate(session: Session, petition: Petition, score: object, comment: str | None = None,
         reopen: bool | None = None) -> Rating:
    """The citizen's 1-5 rating of the answer; the latest rating counts, and the same score again (a double
    tap, a resent form) is the same rating. A 1 or 2 offers a review: `reopen=True` reopens the petition,
    False declines, None leaves the question open (reviews)."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationFailed("Điểm đánh giá phải từ 1 đến 5.", "score must be an integer from 1 to 5.",
                               fields={"score": ["Điểm đánh giá phải từ 1 đến 5."]})
    if reopen is not None and not isinstance(reopen, bool):
        raise ValidationFailed("“reopen” phải là true hoặc false.", "reopen must be true or false.",
                               fields={"reopen": ["Phải là true hoặc false."]})
    comment = (comment or "").strip()[:2000] or None
    rating = reviews.current_rating(session, petition)
    if rating is None or rating.score != score:
        if petition.status not in RATABLE_STATUSES:
            raise Conflict("Chỉ đánh giá được sau khi đơn đã được trả lời.", "Only an answered petition can be rated.")
        rating = Rating(petition_id=petition.id, score=score, comment=comment, created_at=utcnow(),
                        review=reviews.OFFERED if score <= reviews.LOW else None)
        session.add(rating)
        session.flush()
        record(session, petition, "rated", CITIZEN, public=True, data={"score": score, "rating_id": rating.id})
    elif comment and not rating.comment:
        rating.comment = comment
    if reopen is not None and rating.review in (reviews.OFFERED, reviews.REQUESTED):
        reviews.decide(session, petition, rating, reopen, comment)
    session.flush()
    return rating
