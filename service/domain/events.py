"""The append-only history: every step of a petition or matter is an event."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.inbound import Actor
from service.models.event import Event
from service.models.petition import Petition


# The workflow decisions the periodic reports count (service.domain.reports.queries): their weight decides the
# outcome at a period's end (the weightiest one before it; the workflow allows a withdrawal after acceptance,
# never a transfer after one).
DECISION_WEIGHT = {"withdrawn": 5, "accepted": 4, "answered": 4, "transferred": 3, "guided": 2, "returned": 1}
SETTLING = ("answered", "returned", "guided", "transferred", "withdrawn", "closed")
DECISION_KINDS = SETTLING + ("accepted", "reopened")


def note_decision(petition: Petition, kind: str, at: dt.datetime) -> None:
    """Keep the petition row's decision columns in step with a decision event (set when workflow.perform,
    a citizen's review or anything else records one), so the reports read them without the events."""
    if kind not in DECISION_KINDS:
        return
    petition.first_decided_at = min(petition.first_decided_at, at) if petition.first_decided_at else at
    petition.last_decided_at = max(petition.last_decided_at, at) if petition.last_decided_at else at
    if kind in SETTLING:
        petition.settled_at = max(petition.settled_at, at) if petition.settled_at else at
    if kind == "reopened":
        petition.reopened_at = max(petition.reopened_at, at) if petition.reopened_at else at
    weight = DECISION_WEIGHT.get(kind, 0)
    if not weight:
        return
    current = DECISION_WEIGHT.get(petition.decision or "", 0)
    if weight > current or (weight == current and petition.decision_at is not None and at < petition.decision_at):
        petition.decision, petition.decision_at = kind, at


def record(session: Session, petition: Petition | None, kind: str, actor: Actor, *, at: dt.datetime | None = None,
           reason: str | None = None, data: dict[str, Any] | None = None, public: bool = False,
           matter_id: int | None = None) -> Event:
    event = Event(petition_id=petition.id if petition else None, matter_id=matter_id, kind=kind, at=at or utcnow(),
                  actor_id=actor.user_id, actor_label=actor.label, reason=reason, data=data or {}, public=public)
    if petition is not None:
        note_decision(petition, kind, event.at)
    if petition is not None and petition.id is None:
        event.petition = petition  # not flushed yet: its id comes with the same flush
    session.add(event)
    return event
