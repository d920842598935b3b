"""A chat citizen's own petitions: status by code, the 1-5 rating, and a request to reopen.

A chat user sees a petition by its code only when they are its petitioner in the same channel
(Person.chat_user_id); any other petition needs the phone on record or its access key, as on the web.
Failed look-ups count per chat user and per code (service.domain.intake.lookup_guard), as on every channel.
"""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from bots import prompts
from bots.replies import Reply
from service.db import utcnow
from service.domain.casework import status
from service.domain.errors import NotFound
from service.domain.intake import lookup_guard, tracking
from service.domain.intake.lookup_guard import LookupPolicy
from service.domain.workflow import reviews
from service.models.person import Person
from service.models.petition import Petition
from service.models.rating import Rating

logger = logging.getLogger(__name__)

ANSWER_EXCERPT = 600


def not_found() -> NotFound:
    return NotFound("Không tìm thấy đơn có mã này do bạn gửi qua kênh này. Nếu đơn gửi qua kênh khác, gõ: "
                    "/tracuu <mã đơn> <số điện thoại đã khai hoặc mã truy cập>.",
                    "No petition with this code from this chat user.")


def find_for_chat(session: Session, channel: str, chat_user_id: str, code: str, proof: str | None = None, *,
                  policy: LookupPolicy | None = None) -> Petition:
    """The petition of this chat user (or, with a phone or access key, the one it proves); raises NotFound,
    or TooManyLookups once this chat user or this code has failed too often."""
    client = lookup_guard.requester(channel, chat_user_id)
    if proof:
        return status.look_up(session, code, proof, client=client, policy=policy)

    def own() -> Petition:
        normal = tracking.normalise_code(code)
        petition = session.scalar(select(Petition).where(Petition.code == normal)) if normal else None
        if petition is None or not is_petitioner(session, petition, channel, chat_user_id):
            raise not_found()
        return petition

    return lookup_guard.guarded(session, client, code, own, policy=policy)


def is_petitioner(session: Session, petition: Petition, channel: str, chat_user_id: str) -> bool:
    return session.scalar(select(Person.id).where(Person.petition_id == petition.id, Person.role == "petitioner",
                                                  Person.chat_channel == channel,
                                                  Person.chat_user_id == chat_user_id).limit(1)) is not None


def status_reply(session: Session, petition: Petition) -> Reply:
    """The status in a few lines; with the rating buttons when the petition is answered and not yet rated."""
    view = status.citizen_view(session, petition)
    lines = [f"Đơn {view.code} – {view.kind_label}, lĩnh vực {view.category_label.lower()}",
             f"Gửi tới: {view.unit}", f"Ngày nhận: {prompts.date_vn(view.received_at)}",
             f"Tình trạng: {view.status_text}"]
    for d in view.deadlines:
        done = f" (đã xong ngày {prompts.date_vn(d['met_at'])})" if d["met_at"] else ""
        lines.append(f"• {d['label']}: chậm nhất ngày {prompts.date_vn(d['due'])}{done}")
    if view.answers:
        last = view.answers[-1]
        text = last["text"] if len(last["text"]) <= ANSWER_EXCERPT else last["text"][:ANSWER_EXCERPT] + "…"
        lines.append(f"Trả lời ngày {prompts.date_vn(last['at'])}:\n{text}")
    if view.rating:
        lines.append(f"Bạn đã đánh giá {view.rating}/5.")
    text = "\n".join(lines)
    if view.can_rate and not view.rating:
        return prompts.rating_reply(view.code, text)
    return Reply(text)


def rate(session: Session, channel: str, chat_user_id: str, code: str, score: int, *,
         policy: LookupPolicy | None = None) -> tuple[Petition, Rating]:
    """The citizen's rating through status.rate, once the petition is found to be theirs."""
    petition = find_for_chat(session, channel, chat_user_id, code, policy=policy)
    return petition, status.rate(session, petition, score)


def request_reopen(session: Session, petition: Petition, rating_id: int | None, channel: str,
                   now: dt.datetime | None = None, reopen: bool = True) -> bool:
    """The citizen's answer to "look at it again?" after a 1-2 rating: yes reopens the petition and tells the
    handling office and Văn phòng (service.domain.workflow.reviews), no closes the question. True: reopened."""
    rating = session.get(Rating, rating_id) if rating_id else None
    if rating is None or rating.petition_id != petition.id:
        logger.warning("petition %s: no rating %s to answer the review offer", petition.code, rating_id)
        return False
    return reviews.decide(session, petition, rating, reopen, now=now or utcnow())
