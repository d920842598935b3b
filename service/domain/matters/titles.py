"""Matter titles: what a matter is called in lists, reports, notices and staff group chats.

A denunciation's text may say who denounced (Luật Tố cáo 2018 Điều 47 k2), so a matter it opens is titled by
its field and unit only; other matters take the petition's redacted title or first sentence.
"""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.codes import KINDS, category_label
from service.domain.people import confidential, redaction
from service.models.event import Event
from service.models.matter import Matter
from service.models.petition import Petition


def neutral_title(petition: Petition) -> str:
    return f"Tố cáo – {category_label(petition.category)} – {petition.unit.name}"


def title_for(petition: Petition) -> str:
    """A matter title. A denunciation's is never taken from its text, which may say who denounced (Luật Tố cáo
    Điều 47 k2): "Tố cáo – <lĩnh vực> – <đơn vị>". Other kinds: the redacted title, else the first sentence of
    the redacted text, without the placeholders."""
    if petition.kind == "to_cao":
        return neutral_title(petition)
    title = petition.title_redacted if petition.title_redacted is not None else confidential.redacted(
        petition.kind, petition.title, [p.name for p in petition.people if p.name])
    text = title or re.split(r"(?<=[.!?])\s", confidential.redacted_content(petition).strip(), maxsplit=1)[0]
    text = redaction.without_placeholders(text)
    for person in petition.people:  # the petitioners' names, in case the redaction had no cue for them
        if person.name:
            text = re.sub(re.escape(person.name), "", text, flags=re.IGNORECASE)
    text = " ".join(text.split()).strip(" ,.;:-")
    if not text:
        return f"{KINDS.get(petition.kind, petition.kind)} – {category_label(petition.category)}"
    return text if len(text) <= 120 else text[:117].rsplit(" ", 1)[0] + "…"


def retitle_if_derived(session: Session, petition: Petition, now: dt.datetime | None = None) -> None:
    """After a petition became a denunciation: the matter it opened loses the title taken from its text, unless
    staff named the matter themselves."""
    if petition.kind != "to_cao" or petition.matter_id is None:
        return
    opened = session.scalar(select(Event.id).where(Event.kind == "matter_opened", Event.petition_id == petition.id,
                                                   Event.matter_id == petition.matter_id))
    renamed = session.scalar(select(Event.id).where(Event.kind == "matter_renamed",
                                                    Event.matter_id == petition.matter_id).limit(1))
    if opened is None or renamed is not None:
        return
    matter = session.get(Matter, petition.matter_id)
    matter.title, matter.updated_at = title_for(petition), now or utcnow()
