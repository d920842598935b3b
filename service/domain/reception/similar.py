""""Already reported here": while a citizen describes a problem, up to three open, public petitions of the unit that
look like it (same words) or lie near the pin, one per matter, with their status — so they may support that
matter instead of filing again (service.domain.reception.supporters). Their choice, never forced.

Only what Open311 may show is shown: never a denunciation (Luật Tố cáo Điều 47), only the redacted text
(people.confidential.redacted_content, each placeholder one mask), no name, no phone, no exact address.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.casework.status import plain_status
from service.domain.deadlines.calendar import VN_TZ
from service.domain.people import confidential, redaction
from service.domain.text import fold
from service.models.petition import Petition
from service.models.reception import Supporter

OPEN_STATUSES = ("received", "classified", "accepted", "in_progress", "transferred")
MASK = "[đã ẩn]"
MAX_RESULTS = 3
CANDIDATES = 400  # the unit's most recent open petitions compared
WINDOW = dt.timedelta(days=365)
NEAR_METRES = 300.0
MIN_SCORE = 0.18
_WORD = re.compile(r"[a-z0-9]+")
# Words that say nothing about which problem it is (folded).
STOPWORDS = frozenset("""va la cua co cho o tai khi thi nhung cac mot nay do da dang se duoc bi den tu voi ve nhu
rat cung con khong toi chung em anh chi ong ba xin de nghi kien nghi phan anh don ubnd xa phuong to dan pho thon
ngay thang nam nhieu lau tren duoi trong ngoai sau truoc moi nguoi gia dinh chinh quyen viec van de hien nay""".split())


@dataclass
class Suggestion:
    petition: Petition
    score: float
    distance_m: float | None
    supporters: int


def words(text: str) -> set[str]:
    """Folded words and word pairs of a text, without the words that name no problem."""
    tokens = [t for t in _WORD.findall(fold(text or "")) if t not in STOPWORDS and len(t) > 1]
    return set(tokens) | {f"{a}_{b}" for a, b in zip(tokens, tokens[1:])}


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in metres."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def find(session: Session, unit_id: int, text: str | None, lat: float | None = None, lon: float | None = None,
         now: dt.datetime | None = None, limit: int = MAX_RESULTS) -> list[Suggestion]:
    """Up to `limit` open, public petitions of the unit like the text or near the point, one per matter."""
    now = now or utcnow()
    mine = words(text or "")
    located = lat is not None and lon is not None
    if len(mine) < 2 and not located:
        return []
    rows = session.scalars(select(Petition).where(
        Petition.unit_id == unit_id, Petition.kind != "to_cao", Petition.status.in_(OPEN_STATUSES),
        Petition.received_at >= now - WINDOW).order_by(Petition.received_at.desc()).limit(CANDIDATES)).all()
    scored: list[tuple[float, float | None, Petition]] = []
    for p in rows:
        theirs = words(f"{p.title_redacted or ''} {confidential.redacted_content(p)}")
        overlap = len(mine & theirs) / math.sqrt(len(mine) * len(theirs)) if mine and theirs else 0.0
        far = distance_m(lat, lon, p.latitude, p.longitude) if located and p.latitude is not None \
            and p.longitude is not None else None
        near = far is not None and far <= NEAR_METRES
        score = overlap + (0.25 * (1 - far / NEAR_METRES) if near else 0.0)
        if overlap >= MIN_SCORE or near:  # a report within NEAR_METRES is shown whatever its words (FixMyStreet)
            scored.append((score, far, p))
    scored.sort(key=lambda s: (-s[0], -s[2].received_at.timestamp()))
    out: list[Suggestion] = []
    seen: set[Any] = set()
    for score, far, p in scored:
        key = p.matter_id or f"p{p.id}"
        if key in seen:
            continue
        seen.add(key)
        out.append(Suggestion(p, round(score, 3), None if far is None else round(far), _supporters(session, p)))
        if len(out) == limit:
            break
    return out


def _supporters(session: Session, p: Petition) -> int:
    if p.matter_id is None:
        return 0
    return session.scalar(select(func.count(Supporter.id)).where(Supporter.matter_id == p.matter_id)) or 0


def public_text(p: Petition, max_chars: int = 240) -> str:
    """The redacted content with one mask for every kind of hidden detail, shortened."""
    text = confidential.redacted_content(p)
    for placeholder in redaction.PLACEHOLDERS:
        text = text.replace(placeholder, MASK)
    text = " ".join(text.split())
    return text if len(text) <= max_chars else text[:max_chars - 1].rstrip() + "…"


def as_dict(s: Suggestion) -> dict[str, Any]:
    p = s.petition
    return {"code": p.code, "summary": public_text(p), "status": str(p.status),
            # plain words naming the office, as the citizen's own status page says (issue #20 item 7)
            "status_label": plain_status(p.status, p.lead_office.name if p.lead_office else None),
            "category": p.category,
            "received": f"{p.received_at.astimezone(VN_TZ):%d/%m/%Y}", "distance_m": s.distance_m, "supporters": s.supporters,
            "support_url": f"/cung-van-de/{p.code}"}
