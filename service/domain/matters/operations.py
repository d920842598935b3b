"""Matters: petitions about the same concrete thing (place, object, decision or project, person accused).

A new petition is compared with the petitions of its unit received or closed in the last 90 days and, for a
strong overlap of names, with those of other units (a neighbour; the commune a city-level petition names when
it went over the commune's head). Candidates come from one indexed query on the shingle index
(`index.probe_keys`); a re-rank with rapidfuzz and the overlap of names and distinctive words decides
(`profiles.similarity`). The petition joins the best matter that names the same thing and speaks of the same
object, or opens a new one; pairs staff split apart (MatterSeparation) are never joined again. Staff merge,
split and rename; every step is an event, and the flags are evaluated again after each.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

from sqlalchemy import insert, or_, select, text
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain import reference
from service.domain.errors import Conflict, Forbidden, ValidationFailed
from service.domain.events import record
from service.domain.inbound import Actor
from service.domain.matters import evidence, flags, learning
from service.domain.matters.candidates import (  # noqa: F401  (PROFILE_EVENTS re-exported: bench)
    MATTER_COLUMNS,
    PROFILE_EVENTS,
    find_candidates,
)
from service.domain.matters.index import epoch, probe_keys
from service.domain.matters.profiles import Profile, Similarity, similarity
from service.domain.matters.texts import (  # noqa: F401  (re-exported: bench, other features)
    HONORIFICS,
    content_words,
    encode_profile,
    matching_text,
    petition_profile,
    stored_profile,
)
from service.domain.matters.titles import title_for
from service.domain.people import access
from service.domain.text import fold, strip_invisible
from service.models.flag import Flag
from service.models.matter import Matter, MatterSeparation, PetitionSignature
from service.models.person import Person
from service.models.petition import Petition
from service.models.unit import Unit

logger = logging.getLogger(__name__)

WINDOW = dt.timedelta(days=90)
LINK_SCORE, LINK_TOPIC = 0.4, 0.1  # tuned on config/corpus/clusters.jsonl (bench/matters.py prints P/R)
SUGGEST_SCORE = 0.3  # below the link score: still worth asking Văn phòng when a name is shared
OBJECT_TOPIC = 0.17  # a concrete object shared by a short name links with this much of the same words
FIELD_SURE = 0.6  # a field the classifier gave with less confidence does not block an automatic link
SUGGESTIONS = 2  # "có thể cùng vụ việc": at most two matters offered per petition
CROSS_UNIT_NAMES = 2  # another unit's matter needs two shared names (or one and that unit's name)
MATCHER = Actor(label="Hệ thống (ghép vụ việc)")


@dataclass
class Decision:
    link: tuple[Matter, Similarity, evidence.Evidence] | None = None
    suggestions: list[tuple[int, Similarity, evidence.Evidence]] = field(default_factory=list)


def eligible(since: dt.datetime):
    """Received or closed in the window: what a new petition is compared with."""
    return or_(Petition.received_at >= since, Petition.closed_at >= since)


def accepts(s: Similarity, cross_unit: bool, names_unit: bool = False) -> bool:
    """Same thing: a shared name (a two-word name, or two weaker ones), the same object (topic), enough of both;
    another unit's matter also needs two names, or one and the text naming that unit."""
    if s.strength < 1.0 or s.topic < LINK_TOPIC or s.score < LINK_SCORE or not s.typical:
        return False
    return not cross_unit or len(s.names) >= CROSS_UNIT_NAMES or names_unit


_NAMED_UNIT = re.compile(r"\b(?:xa|phuong|dac khu)(?=((?: \w+){1,3}))")  # lookahead: "thon phuong my xa an khanh"


def named_units(session: Session, petition: Petition) -> list[int]:
    """Other communes the text names ("… xã An Khánh …"): a city-level petition about a commune's matter."""
    own = fold(petition.unit.short_name) if petition.unit.kind != "city" else None
    wanted = set()
    for m in _NAMED_UNIT.finditer(petition.content_folded):
        words = m.group(1).split()
        if own and " ".join(words).startswith(own):
            continue  # its own commune
        wanted |= {" ".join(words[:k]) for k in range(1, len(words) + 1)}
    if not wanted:
        return []
    communes = select(Unit.id, Unit.short_name).where(Unit.kind != "city")
    found = reference.cached(session, "commune_names", None,
                             lambda: [(uid, fold(name)) for uid, name in session.execute(communes)])
    return [uid for uid, name in found if name in wanted and uid != petition.unit_id][:3]


def best_match(session: Session, petition: Petition, mine: Profile, now: dt.datetime) -> Decision:
    """The matter this petition surely belongs to (strong evidence, `evidence.judge`), and the matters it may
    belong to (suggestions for Văn phòng, best first)."""
    decision = Decision()
    since = min(petition.received_at, now) - WINDOW
    named = named_units(session, petition)
    periods = range(epoch(since), epoch(max(petition.received_at, now)) + 1)
    rows = probe_keys(mine, [petition.unit_id, *named], periods)
    if not rows:
        return decision  # nothing distinctive to compare
    candidates = find_candidates(session, petition, rows, since)
    if not candidates:
        return decision
    lesson = learning.lessons(session, petition.unit_id)  # read only when there is something to judge
    folded = fold(matching_text(petition))
    sure = (petition.classification or {}).get("category_confidence", 1.0) >= FIELD_SURE
    category = str(petition.category) if petition.category and sure else None
    found = []
    for c in candidates:
        if c.status == "merged":
            continue
        s = similarity(mine, c.profile, c.text)
        weak = learning.without_stop_names(s, lesson)  # the unit's learnt place words: no reason to ask
        cross = c.unit_id != petition.unit_id
        # A lone short name ("tổ 6", "cán bộ Hòa") is too weak for `accepts`, but with a concrete object and
        # enough of the same words it is the same thing (checked by `evidence.judge` below).
        link = accepts(s, cross, c.unit_id in named) or s.score >= SUGGEST_SCORE and s.topic >= OBJECT_TOPIC
        link = link and not (cross and not accepts(s, cross, c.unit_id in named))
        ask = accepts(weak, cross, c.unit_id in named) or weak.score >= SUGGEST_SCORE and weak.strength >= 0.5
        if not (link or ask):
            continue
        fields = {f for f, k in c.categories.items() if 3 * k >= sum(c.categories.values())}  # its main fields
        over_head = cross and petition.unit.kind == "city" and c.unit_id in named  # vượt cấp (evidence.py)
        e = evidence.judge(s, folded, c.text, category, fields, not cross, lesson.trusted, over_head)
        if (link and e.strong) or ask:
            found.append((link and e.strong, s.score, c, s, e))
    found.sort(key=lambda x: (x[0], x[1]), reverse=True)
    if found and found[0][0]:
        _, _, c, s, e = found.pop(0)
        decision.link = (reference.attach(session, Matter, MATTER_COLUMNS, c.row), s, e)
    if decision.link is None:
        decision.suggestions = [(c.matter_id, s, e) for _, _, c, s, e in found][:SUGGESTIONS]
    return decision


def store_signature(session: Session, petition: Petition, keys: list[int]) -> None:
    """Index the petition under its keys (matched again after a split: the keys it has are kept)."""
    if not keys:
        return
    if session.get_bind().dialect.name == "postgresql":  # one prepared statement, one round trip
        session.execute(text("INSERT INTO petition_signatures (bucket, petition_id) "
                             "SELECT unnest(CAST(:buckets AS integer[])), :pid ON CONFLICT DO NOTHING"),
                        {"pid": petition.id, "buckets": keys})
    else:
        session.execute(insert(PetitionSignature.__table__).prefix_with("OR IGNORE"), [
            {"petition_id": petition.id, "bucket": k} for k in keys])


def assign_matter(session: Session, petition: Petition, now: dt.datetime | None = None, *,
                  with_flags: bool = False) -> Matter:
    """Link a petition to the matter it belongs to, or open a new matter titled from it (`arrival`: intake does
    the same around the petition's one flush); `with_flags`: then raise the đông người / kéo dài flags."""
    from service.domain.matters import arrival  # it builds on this module

    now = now or utcnow()
    if petition.matter_id is not None:
        return session.get(Matter, petition.matter_id)
    came = arrival.prepare(session, petition, now)
    session.flush()
    return arrival.finish(session, came, now, with_flags=with_flags)


def on_petition_received(session: Session, petition: Petition, now: dt.datetime | None = None) -> Matter:
    """The end of intake for a petition stored already: its matter, then the đông người / kéo dài flags."""
    if petition.matter_id is not None:
        matter = session.get(Matter, petition.matter_id)
        flags.evaluate_matter_flags(session, matter, now or utcnow())
        return matter
    return assign_matter(session, petition, now, with_flags=True)


def _check(actor: Actor, reason: str) -> str:
    if not actor.is_staff:
        raise Forbidden("Chỉ cán bộ được gộp, tách hoặc đổi tên vụ việc.", "Only staff may change matters.")
    reason = strip_invisible(reason or "").strip()
    if not reason:
        raise ValidationFailed("Cần ghi rõ lý do.", "A reason is required.", fields={"reason": ["Cần ghi lý do."]})
    return reason


def merge_matters(session: Session, keep: Matter, other: Matter, actor: Actor, reason: str,
                  now: dt.datetime | None = None) -> Matter:
    """Staff: move every petition of `other` into `keep`; `other` stays as a pointer (status merged). Both
    matters must be the user's to manage (access.require_merge): merging clears `other`'s own flags."""
    reason, now = _check(actor, reason), now or utcnow()
    user = access.user_of(session, actor)
    if user is not None:
        access.require_merge(user, keep, other)
    if keep.id == other.id or "merged" in (keep.status, other.status):
        raise Conflict("Không thể gộp: hai vụ việc trùng nhau hoặc đã được gộp trước đó.",
                       "Cannot merge a matter with itself or a merged matter.")
    moved = session.scalars(select(Petition).where(Petition.matter_id == other.id)).all()
    for p in moved:
        p.matter_id, p.matter = keep.id, keep
    for flag in session.scalars(select(Flag).where(Flag.matter_id == other.id, Flag.cleared_at.is_(None))):
        if flag.petition_id is None:  # the kept matter's own flag takes over
            flag.cleared_at, flag.cleared_by_id = now, actor.user_id
            flag.cleared_reason = f"Gộp vào vụ việc #{keep.id}"
        else:
            flag.matter_id = keep.id
    if other.status == "open":
        keep.status = "open"
    other.status, other.merged_into_id, other.updated_at, keep.updated_at = "merged", keep.id, now, now
    data = {"kept": keep.id, "merged": other.id, "petitions": [p.code for p in moved]}
    record(session, None, "matter_merged", actor, at=now, reason=reason, matter_id=keep.id, data=data)
    record(session, None, "matter_merged", actor, at=now, reason=reason, matter_id=other.id, data=data)
    session.flush()
    other.petitioner_count = 0
    flags.evaluate_matter_flags(session, keep, now)  # recounts the petitioners too
    return keep


def keep_apart(session: Session, petition_id: int, others, now: dt.datetime) -> None:
    """Record that the petition and each of `others` are not the same matter (both directions), so the matcher
    never joins them again."""
    have = set(session.execute(select(MatterSeparation.petition_a_id, MatterSeparation.petition_b_id).where(
        or_(MatterSeparation.petition_a_id == petition_id, MatterSeparation.petition_b_id == petition_id))).all())
    pairs = [(a, b) for o in others for a, b in ((petition_id, o), (o, petition_id)) if (a, b) not in have]
    if pairs:
        session.execute(insert(MatterSeparation), [{"petition_a_id": a, "petition_b_id": b, "created_at": now}
                                                   for a, b in pairs])


def split_petition(session: Session, petition: Petition, actor: Actor, reason: str,
                   now: dt.datetime | None = None) -> Matter:
    """Staff: take a petition out of its matter into a new one; the matcher never joins it with the
    petitions it left (MatterSeparation, both directions so one indexed lookup finds them)."""
    reason, now = _check(actor, reason), now or utcnow()
    access.check_act(session, actor, petition, "split_matter")
    old = session.get(Matter, petition.matter_id) if petition.matter_id else None
    if old is None:
        raise Conflict("Đơn chưa thuộc vụ việc nào.", "The petition belongs to no matter.")
    others = session.scalars(select(Petition.id).where(Petition.matter_id == old.id,
                                                       Petition.id != petition.id)).all()
    if not others:
        raise Conflict("Vụ việc chỉ có một đơn, không thể tách.", "A matter of one petition cannot be split.")
    keep_apart(session, petition.id, others, now)
    new = Matter(unit_id=petition.unit_id, title=title_for(petition), status="open", created_at=now,
                 updated_at=now)
    session.add(new)
    session.flush()
    petition.matter_id, petition.matter = new.id, new
    for flag in session.scalars(select(Flag).where(Flag.petition_id == petition.id, Flag.cleared_at.is_(None),
                                                   Flag.code.in_(flags.MATTER_FLAGS))):
        flag.cleared_at, flag.cleared_by_id = now, actor.user_id
        flag.cleared_reason = f"Tách khỏi vụ việc #{old.id}: cờ của vụ việc không còn áp dụng cho đơn này"
        record(session, petition, "flag_cleared", actor, at=now, reason=flag.cleared_reason, matter_id=old.id,
               data={"code": flag.code, "flag_id": flag.id, "cleared": 1, "undone": True})
    data = {"petition": petition.code, "from": old.id, "to": new.id, "separated_from": len(others)}
    # One event on the petition (its timeline), in its new matter; the matter it left gets its own, naming no
    # petition, which the timelines of the petitions staying there show. Two events naming the petition (one
    # per matter) made its timeline say "tách vụ việc" twice.
    record(session, petition, "matter_split", actor, at=now, reason=reason, matter_id=new.id, data=data)
    record(session, None, "matter_split", actor, at=now, reason=reason, matter_id=old.id, data=data)
    session.flush()
    flags.evaluate_matter_flags(session, old, now, undone=f"Tách đơn {petition.code} khỏi vụ việc #{old.id}")
    flags.evaluate_matter_flags(session, new, now)
    return new


def rename_matter(session: Session, matter: Matter, title: str, actor: Actor, reason: str,
                  now: dt.datetime | None = None) -> Matter:
    """Staff: give the matter a better title (a title every office of the matter reads: theirs to manage)."""
    reason, now = _check(actor, reason), now or utcnow()
    user = access.user_of(session, actor)
    if user is not None:
        access.require_manage_matter(user, matter)
    title = " ".join(strip_invisible(title or "").split())
    if not title or len(title) > 300:
        raise ValidationFailed("Tên vụ việc phải có từ 1 đến 300 ký tự.", "title must be 1-300 characters.",
                               fields={"title": ["Từ 1 đến 300 ký tự."]})
    old, matter.title, matter.updated_at = matter.title, title, now
    record(session, None, "matter_renamed", actor, at=now, reason=reason, matter_id=matter.id,
           data={"from": old, "to": title})
    session.flush()
    flags.evaluate_matter_flags(session, matter, now)
    return matter


def representatives(petition: Petition) -> list[Person]:
    """The people a crowd appointed to speak for it (Luật Tiếp công dân Điều 29)."""
    return [p for p in petition.people if p.representative]


def representative_limits(people: int) -> tuple[int, int]:
    """(fewest, most) representatives for a crowd: 5–10 people appoint 1–2, more people up to 5 (TCD Đ29)."""
    if people < flags.CROWD:
        return (0, 0)
    return (1, 2) if people <= 10 else (1, 5)


def needs_representatives(petition: Petition) -> bool:
    """A petition of 5 or more people that has not (validly) appointed its representatives yet."""
    count = flags.petitioners_on(petition)
    low, high = representative_limits(count)
    return count >= flags.CROWD and not (low <= len(representatives(petition)) <= high)
