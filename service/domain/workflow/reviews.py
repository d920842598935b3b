"""The citizen's review after a low rating: asked, reopened, declined; and the closing it holds back.

A rating of 1 or 2 asks the citizen whether they want the petition looked at again (Rating.review
"offered"). Yes reopens it at once (status in_progress, event `reopened` with the citizen's comment, a new
answer period: Luật TCD 2013 Điều 28 for a kiến nghị, phản ánh; the resolution period again for a complaint or
denunciation), and the handling office and Văn phòng are told. No closes the question ("declined").
While a review is offered and unanswered (REVIEW_OPEN_FOR) or requested and not answered again, staff cannot
close the petition: closing would cut off the citizen's request (Luật TCD 2013 Điều 28; NĐ 124/2020 on
supervising the handling).
"""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.errors import Conflict
from service.domain.events import record
from service.domain.inbound import Actor
from service.domain.notifications import outbox as notify
from service.domain.routing.units import office_of
from service.models.petition import Petition
from service.models.rating import Rating
from service.models.reply import Reply

logger = logging.getLogger(__name__)

LOW = 2  # ratings 1 and 2 offer a review
REVIEW_OPEN_FOR = dt.timedelta(days=7)  # an unanswered offer holds back closing this long
OFFERED, REQUESTED, DECLINED = "offered", "requested", "declined"
CITIZEN_REVIEW = Actor(label="Công dân (đề nghị xem xét lại)")


def last_answer_at(session: Session, petition: Petition) -> dt.datetime | None:
    return session.scalar(select(Reply.created_at).where(Reply.petition_id == petition.id, Reply.kind == "answer")
                          .order_by(Reply.created_at.desc()).limit(1))


def current_rating(session: Session, petition: Petition) -> Rating | None:
    """The latest rating of the latest answer, if any."""
    query = select(Rating).where(Rating.petition_id == petition.id)
    answered = last_answer_at(session, petition)
    if answered is not None:
        query = query.where(Rating.created_at >= answered)
    return session.scalar(query.order_by(Rating.created_at.desc(), Rating.id.desc()).limit(1))


def open_review(session: Session, petition: Petition, now: dt.datetime | None = None) -> Rating | None:
    """The rating whose review is still open: offered within REVIEW_OPEN_FOR, or requested."""
    rating = current_rating(session, petition)
    if rating is None or rating.review not in (OFFERED, REQUESTED):
        return None
    if rating.review == OFFERED and (now or utcnow()) - rating.created_at > REVIEW_OPEN_FOR:
        return None
    return rating


def check_closable(session: Session, petition: Petition, now: dt.datetime | None = None) -> None:
    rating = open_review(session, petition, now)
    if rating is not None:
        raise Conflict(f"Công dân đã đánh giá {rating.score}/5 và "
                       f"{'đề nghị' if rating.review == REQUESTED else 'đang được hỏi có muốn'} xem xét lại đơn; "
                       "chưa thể đóng hồ sơ. Hãy xem xét lại và trả lời, hoặc chờ công dân trả lời.",
                       f"The citizen rated {rating.score}/5 and a review is open; the petition cannot be closed.",
                       code="open_citizen_review")


def decide(session: Session, petition: Petition, rating: Rating, reopen: bool, comment: str | None = None,
           now: dt.datetime | None = None) -> bool:
    """The citizen's answer to the offer; True when the petition was reopened (now or before)."""
    if rating.score > LOW:
        return False
    if rating.review == REQUESTED:
        return True  # a double tap: reopened already
    if not reopen:
        rating.review = DECLINED
        session.flush()
        return False
    rating.review = REQUESTED
    reopen_for_citizen(session, petition, comment or rating.comment, rating, now or utcnow())
    return True


def reopen_for_citizen(session: Session, petition: Petition, comment: str | None, rating: Rating,
                       now: dt.datetime) -> None:
    """Reopen through the workflow's own table and reopen step (new deadlines), without a staff actor."""
    from service.domain.deadlines.calendar import Calendar
    from service.domain.workflow import operations as workflow

    move = workflow.move_for(petition.kind, petition.status, "reopen")
    if move is None:
        raise workflow.refuse(petition, "reopen")
    reason = comment or f"Công dân đánh giá {rating.score}/5 và đề nghị xem xét lại."
    ctx = workflow._Ctx(session, petition, CITIZEN_REVIEW, now, Calendar.load(session), False)
    data = workflow._reopen(ctx, reason=reason)
    before, petition.status = petition.status, move.target.value
    record(session, petition, "reopened", CITIZEN_REVIEW, at=now, reason=reason, public=True,
           data={"from": before, "to": petition.status, "rating": rating.score, "rating_id": rating.id,
                 "by": "citizen", **data})
    session.flush()
    tell_offices(session, petition, rating, reason, now)
    notify.notify_citizen(session, petition, f"Đơn {petition.code} đã được mở lại để xem xét lại theo đề nghị của "
                          "ông/bà. Cơ quan sẽ trả lời lại trong thời hạn luật định.", f"petition:{petition.id}:"
                          f"reopened:{rating.id}", payload={"reply_kind": "reopened", "code": petition.code},
                          now=now)
    logger.info("Petition %s reopened at the citizen's request (rating %s/5)", petition.code, rating.score)


def tell_offices(session: Session, petition: Petition, rating: Rating, reason: str, now: dt.datetime) -> None:
    """The handling office and the unit's Văn phòng (VP UBND TP for the city)."""
    vp = office_of(session, petition.unit, "vp_ubnd_tp" if petition.unit.kind == "city" else "van_phong")
    text = (f"[Mở lại theo đề nghị của công dân] Đơn {petition.code}: công dân đánh giá {rating.score}/5 và đề "
            f"nghị xem xét lại. Ý kiến: {reason} Đơn đã chuyển về trạng thái đang giải quyết; đề nghị xem xét và "
            "trả lời lại.")
    for office in {o.id: o for o in (petition.lead_office, vp) if o is not None}.values():
        notify.enqueue_office_notice(session, office, text, f"reopened:{petition.id}:{rating.id}:{office.id}",
                                     petition=petition, now=now)
