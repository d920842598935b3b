"""The append-only history: every step of a petition or matter is an event."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.inbound import Actor
from service.models.event import Event
from service.models.petition import Petition


def record(session: Session, petition: Petition | None, kind: str, actor: Actor, *, at: dt.datetime | None = None,
           reason: str | None = None, data: dict[str, Any] | None = None, public: bool = False,
           matter_id: int | None = None) -> Event:
    event = Event(petition_id=petition.id if petition else None, matter_id=matter_id, kind=kind, at=at or utcnow(),
                  actor_id=actor.user_id, actor_label=actor.label, reason=reason, data=data or {}, public=public)
    if petition is not None and petition.id is None:
        event.petition = petition  # not flushed yet: its id comes with the same flush
    session.add(event)
    return event
