"""What same-matter matching reads of a petition: the text (a denunciation's redacted one), its profile, and
the compact profile kept in the matter event."""
from __future__ import annotations

import re

from service.domain.matters.profiles import Profile, profile
from service.domain.people import confidential, redaction
from service.models.petition import Petition
from service.models.unit import Unit

HONORIFICS = ("ông", "bà", "anh", "chị", "em", "cô", "chú", "bác", "cụ")


def _drop_phrases(petition: Petition, unit: Unit) -> list[str]:
    """Words that say nothing about the matter: the unit's own name and the petitioners' names
    ("Nguyễn Văn Hùng", and "ông Hùng" in a hotline note)."""
    drop = [unit.short_name] if unit.kind != "city" else []
    for person in petition.people:
        if person.name:
            drop.append(person.name)
            drop += [f"{h} {person.name.split()[-1]}" for h in HONORIFICS]
    return drop


def matching_text(petition: Petition) -> str:
    """What matching reads: a sealed denunciation's redacted text, so neither its profile (kept in the matter
    events) nor the shared names a link cites can carry what identifies the denouncer (TC Đ47)."""
    if confidential.sealed(petition):
        title, content = petition.title_redacted, confidential.list_content(petition)
        place = confidential.redacted(petition.kind, petition.place)
        return redaction.without_placeholders(". ".join(x for x in (title, content, place) if x))
    return ". ".join(x for x in (petition.title, petition.content, petition.place) if x)


def petition_profile(petition: Petition) -> Profile:
    return profile(matching_text(petition), _drop_phrases(petition, petition.unit))


def encode_profile(p: Profile, limit: int = 200) -> dict:
    """A compact profile kept in the matter event, so later matching never re-reads the text."""
    order = sorted(p.weights.items(), key=lambda x: (x[0] not in p.names, -x[1]))[:limit]
    return {"w": {f: round(w, 2) for f, w in order}, "n": sorted(p.names)}


def stored_profile(data: dict | None) -> Profile | None:
    """The profile a matter event keeps (None for a petition stored before matching existed)."""
    if not data or "profile" not in data:
        return None
    return Profile(weights=dict(data["profile"]["w"]), names=set(data["profile"]["n"]))


_STOPWORDS = re.compile(r"\b(?:a|ah|ai|bi|cac|cai|co|cua|da|dang|de|duoc|khong|ko|la|ma|nay|o|ra|roi|se|thi|toi|va|"
                        r"vao|ve|voi|vi|kinh gui|ubnd|de nghi|phan anh)\b")


def content_words(folded: str) -> str:
    """The folded text without its commonest function words: what rapidfuzz compares."""
    return " ".join(_STOPWORDS.sub(" ", folded[:4000]).split())
