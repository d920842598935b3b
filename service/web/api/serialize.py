"""How petitions look in API v1 answers. A denouncer's identity only reaches those allowed to see it."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.matters import explain
from service.domain.people import confidential
from service.domain.people.access import HIDDEN_DENOUNCER, can_see_identity
from service.domain.routing import catalogue
from service.models.deadline import Deadline
from service.models.event import Event
from service.models.flag import Flag
from service.models.matter import Matter
from service.models.petition import Petition
from service.models.user import User


def iso(value: dt.datetime | None) -> str | None:
    """Every time in API answers is UTC with its offset, whatever it was given in."""
    return value.astimezone(dt.timezone.utc).isoformat() if value else None


def deadline_json(d: Deadline, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    late = (d.met_at or now) > d.due_at if d.cancelled_at is None else False
    return {"step": d.step, "due": iso(d.due_at), "met_at": iso(d.met_at), "late": late, "rule": d.rule,
            "cancelled": d.cancelled_at is not None}


def task_code(session: Session, petition: Petition) -> str | None:
    return catalogue.task_code(session, petition.task_id)


def created_json(session: Session, petition: Petition, deadlines: list[Deadline] | None = None) -> dict[str, Any]:
    """The fixed answer of POST /api/v1/petitions (`deadlines`: those intake just stamped, when at hand)."""
    return {
        "code": petition.code, "status": petition.status, "kind": petition.kind, "category": petition.category,
        "unit": petition.unit.code, "lead_office": petition.lead_office.code if petition.lead_office else None,
        "task": task_code(session, petition),
        "deadlines": [{"step": d.step, "due": iso(d.due_at)}
                      for d in (petition.deadlines if deadlines is None else deadlines)],
        "received_at": iso(petition.received_at),
        "needs_review": petition.needs_review,
        "explanation": {"classification": petition.classification.get("explanation"),
                        "confidence": petition.classification.get("confidence"),
                        "routing": petition.routing.get("explanation")},
    }


def summary_json(session: Session, petition: Petition) -> dict[str, Any]:
    return {
        "code": petition.code, "status": petition.status, "kind": petition.kind, "category": petition.category,
        "channel": petition.channel, "unit": petition.unit.code, "title": confidential.list_title(petition),
        "lead_office": petition.lead_office.code if petition.lead_office else None,
        "received_at": iso(petition.received_at), "needs_review": petition.needs_review,
        "deadlines": [deadline_json(d) for d in petition.deadlines],
    }


def people_json(user: User | None, petition: Petition) -> list[dict[str, Any]]:
    if not can_see_identity(user, petition):
        return [{"role": p.role, "name": HIDDEN_DENOUNCER, "hidden": True} for p in petition.people]
    return [{"role": p.role, "name": p.name, "phone": p.phone, "email": p.email, "address": p.address,
             "id_number": p.id_number, "representative": p.representative, "hidden": False}
            for p in petition.people]


def detail_json(session: Session, petition: Petition, user: User) -> dict[str, Any]:
    flags = session.scalars(select(Flag).where(Flag.petition_id == petition.id).order_by(Flag.raised_at)).all()
    events = session.scalars(select(Event).where(Event.petition_id == petition.id).order_by(Event.at, Event.id)).all()
    matter = session.get(Matter, petition.matter_id) if petition.matter_id else None
    body = summary_json(session, petition)
    why = explain.petition(session, petition)
    # A sealed denunciation reaches those who may not know its denouncer only as its redacted text (TC Đ47, 56).
    place = confidential.place_for(user, petition)
    shows = confidential.shows_identity(user, petition)
    body.update({
        "title": confidential.title_for(user, petition), "content": confidential.content_for(user, petition),
        "round": petition.round, "anonymous": petition.anonymous,
        "co_signer_count": petition.co_signer_count, "place": place,
        "location": {"lat": petition.latitude if shows else None, "lon": petition.longitude if shows else None,
                     "address": place},  # coordinates of a sealed denunciation may be the denouncer's home
        "task": task_code(session, petition), "collaborating_offices": petition.collaborating_office_codes,
        "classification": petition.classification, "routing": petition.routing,
        "people": people_json(user, petition),
        "attachments": [{"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size}
                        for a in petition.attachments],
        "flags": [{"code": f.code, "raised_at": iso(f.raised_at), "cleared_at": iso(f.cleared_at),
                   "explanation": f.explanation, "sentence": explain.flag_sentence(f)} for f in flags],
        "matter": {"id": matter.id, "title": matter.title, "status": matter.status,
                   "people": matter.petitioner_count, "explanation": why.link} if matter else None,
        "matter_suggestions": [{"id": sg.id, "matter_id": sg.matter_id, "score": sg.score, "state": sg.state,
                                "sentence": sentence} for sg, sentence in why.suggestions],
        "events": [_event_json(e, user, petition, shows) for e in events],
    })
    return body


def _event_json(e: Event, user: User, petition: Petition, shows: bool) -> dict[str, Any]:
    """Staff notes and reasons may repeat what identifies a denouncer: redacted for those who may not know."""
    reason, data = e.reason, e.data
    if not shows:
        reason = confidential.text_for(user, petition, reason)
        if isinstance(data.get("text"), str):
            data = {**data, "text": confidential.text_for(user, petition, data["text"])}
    return {"kind": e.kind, "at": iso(e.at), "actor": e.actor_label, "reason": reason, "data": data}
