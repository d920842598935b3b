"""A petition arriving: matched BEFORE its one flush, finished after it (issue #19).

`prepare` runs while the petition is still pending (intake) or already stored (imports, re-matching after a
split): it finds the matter, and either links the petition to it or opens a new matter hanging on the petition
object, with its `matter_opened` / `matter_linked` event, so all of them go in the petition's single flush.
`finish` runs after that flush: the petition's index keys, the "có thể cùng vụ việc" suggestions and the flags.
A matter the petition opened alone needs no flag query: its petitions are this one (its people are in memory),
it has no supporters, no answers, and a petition received in the last 30 days cannot be 30 days late; the same
rules (`flags._reasons`) are applied to that, so ≥ 5 signers still raise đông người at once (Luật Tiếp công dân
Điều 29). Joining an existing matter keeps the locked evaluation (`flags.evaluate_matter_flags`).
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from service.domain.events import record
from service.domain.matters import evidence, flags, suggestions
from service.domain.matters import operations as ops
from service.domain.matters.index import epoch, stored_keys
from service.domain.matters.people import count_people
from service.domain.matters.profiles import Profile
from service.domain.matters.texts import encode_profile, matching_text, petition_profile
from service.domain.matters.titles import title_for
from service.models.matter import Matter
from service.models.petition import Petition

logger = logging.getLogger(__name__)


@dataclass
class Arrival:
    petition: Petition
    matter: Matter
    opened: bool
    profile: Profile
    decision: ops.Decision


def prepare(session: Session, petition: Petition, now: dt.datetime) -> Arrival:
    """Decide the petition's matter and hang it (a new one included) on the petition; nothing is flushed."""
    mine = petition_profile(petition)
    decision = ops.best_match(session, petition, mine, now)
    data = {"profile": encode_profile(mine)}
    if decision.link is None:
        matter = Matter(unit_id=petition.unit_id, title=title_for(petition), status="open", created_at=now,
                        updated_at=now)
        session.add(matter)
        petition.matter = matter
        # Alone in its matter: its people, counted in memory (the flag evaluation below recounts nothing).
        matter.petitioner_count = count_people([petition])
        event = record(session, petition, "matter_opened", ops.MATCHER, at=now,
                       data={"title": matter.title, **data})
        event.matter = matter
        return Arrival(petition, matter, True, mine, decision)
    matter, s, e = decision.link
    petition.matter = matter
    if matter.status == "closed":
        matter.status = "open"  # it came back: the matter is live again
    matter.updated_at = now
    why = evidence.sentence(e, matching_text(petition), petition.category)
    record(session, petition, "matter_linked", ops.MATCHER, at=now, matter_id=matter.id,
           reason=f"Ghép tự động: {why}", data={**s.explain(), "objects": e.objects,
                                                "sentence": f"Ghép tự động: {why}", **data})
    return Arrival(petition, matter, False, mine, decision)


def finish(session: Session, arrival: Arrival, now: dt.datetime, *, fresh: bool = False,
           with_flags: bool = True) -> Matter:
    """After the petition's flush: its index keys, the suggestions, then the đông người / kéo dài flags.
    `fresh`: the petition was stored in this same flush (no suggestion of it can exist yet)."""
    petition, matter = arrival.petition, arrival.matter
    if arrival.opened:
        session.info.setdefault(flags.OPENED, {})[matter.id] = session.get_transaction()
    ops.store_signature(session, petition, stored_keys(arrival.profile, petition.unit_id,
                                                       epoch(petition.received_at)))
    for mid, s, e in arrival.decision.suggestions:
        suggestions.suggest(session, petition, mid, s, e, evidence.sentence(e, matching_text(petition),
                                                                            petition.category), now, fresh=fresh)
    logger.info("Petition %s %s matter %s", petition.code, "opened" if arrival.opened else "joined", matter.id)
    if not with_flags:
        return matter
    if arrival.opened:
        flags.evaluate_opened(session, matter, petition, now)
    else:
        flags.evaluate_matter_flags(session, matter, now)
    return matter
