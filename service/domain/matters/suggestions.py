""""Có thể cùng vụ việc": what the matcher was not sure of, for Văn phòng to confirm or reject in one click.

A suggestion never moves a petition nor raises a flag: the petition keeps a matter of its own until someone
confirms. Confirming merges the petition's matter into the suggested one (`operations.merge_matters`, so the
flags are evaluated on the confirmed link); rejecting records the pair as separated (never suggested or linked
again). Rejecting a suggestion confirmed earlier undoes the link: the petition is split out, and the flags that
no longer hold are cleared with an event saying why (`flags.evaluate_matter_flags(undone=…)`). Both answers
are kept with their evidence and teach the matcher (`learning`).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from service.domain.events import record
from service.domain.inbound import Actor
from service.domain.matters.evidence import Evidence
from service.domain.matters.profiles import Similarity
from service.domain.people import access
from service.models.matter import Matter, MatterSuggestion
from service.models.petition import Petition

DECISIONS = ("confirm", "reject")
SYSTEM = Actor(label="Hệ thống (ghép vụ việc)")


def suggest(session: Session, petition: Petition, matter_id: int, s: Similarity, e: Evidence, sentence: str,
            now: dt.datetime, *, fresh: bool = False) -> MatterSuggestion | None:
    """`fresh`: the petition was stored in this transaction, so it has no suggestion yet to look for."""
    if not fresh and session.scalar(select(MatterSuggestion.id).where(MatterSuggestion.petition_id == petition.id,
                                                        MatterSuggestion.matter_id == matter_id)):
        return None
    row = MatterSuggestion(petition_id=petition.id, matter_id=matter_id, unit_id=petition.unit_id, score=s.score,
                           reason=sentence, state="pending", created_at=now,
                           data={"names": e.names, "objects": e.objects, "why_not": e.why_not, "topic": s.topic})
    session.add(row)
    session.flush()
    record(session, petition, "matter_suggested", SYSTEM, at=now, matter_id=matter_id,
           reason=f"Có thể cùng vụ việc #{matter_id}: {sentence}", data={"suggestion_id": row.id, "score": s.score})
    return row


def for_petition(session: Session, petition: Petition, states: tuple[str, ...] = ("pending",)
                 ) -> list[MatterSuggestion]:
    return list(session.scalars(select(MatterSuggestion).where(
        MatterSuggestion.petition_id == petition.id, MatterSuggestion.state.in_(states))
        .order_by(MatterSuggestion.score.desc(), MatterSuggestion.id)))


def get(session: Session, petition: Petition, suggestion_id: int) -> MatterSuggestion:
    row = session.get(MatterSuggestion, suggestion_id)
    if row is None or row.petition_id != petition.id:
        raise NotFound("Không tìm thấy gợi ý vụ việc.", "No such matter suggestion.")
    return row


def decide(session: Session, row: MatterSuggestion, decision: str, actor: Actor, reason: str | None = None,
           now: dt.datetime | None = None) -> MatterSuggestion:
    """Văn phòng's answer: "confirm" or "reject" (a confirmed one rejected later is undone)."""
    from service.domain.matters import operations  # operations imports this module

    now = now or utcnow()
    if decision not in DECISIONS:
        raise ValidationFailed("Chỉ chọn xác nhận hoặc không cùng vụ việc.", "decision must be confirm or reject.",
                               fields={"decision": ["confirm | reject"]})
    if not actor.is_staff:
        raise Forbidden("Chỉ cán bộ được xác nhận vụ việc.", "Only staff may answer a suggestion.")
    petition, target = session.get(Petition, row.petition_id), session.get(Matter, row.matter_id)
    while target.status == "merged" and target.merged_into_id:
        target = session.get(Matter, target.merged_into_id)
    user = access.user_of(session, actor)
    if user is not None:
        access.require_act(user, petition, "merge_matter")
        access.require_manage_matter(user, target)
    undo = decision == "reject" and row.state == "confirmed"
    if row.state != "pending" and not undo:
        raise Conflict("Gợi ý này đã được trả lời.", "The suggestion was answered already.")
    why = (reason or "").strip() or row.reason
    if decision == "confirm":
        own = session.get(Matter, petition.matter_id)
        if own.id != target.id:
            operations.merge_matters(session, target, own, actor, f"Xác nhận cùng vụ việc: {why}", now)
        for other in for_petition(session, petition):
            if other.id != row.id:
                other.state = "dropped"
    elif undo:
        operations.split_petition(session, petition, actor, f"Không cùng vụ việc: {why}", now)
    else:
        others = session.scalars(select(Petition.id).where(Petition.matter_id == target.id)).all()
        operations.keep_apart(session, petition.id, others, now)
    row.state = "confirmed" if decision == "confirm" else "rejected"
    row.decided_at, row.decided_by_id = now, actor.user_id
    kind = "matter_suggestion_confirmed" if decision == "confirm" else "matter_suggestion_rejected"
    record(session, petition, kind, actor, at=now, matter_id=target.id, reason=why,
           data={"suggestion_id": row.id, "undone": undo, "sentence": (
               f"Văn phòng xác nhận cùng vụ việc: {row.reason}" if decision == "confirm" else None)})
    session.flush()
    return row
