"""Finding a petition for a caller who lost the code: by the petitioner's phone in any spelling or exact name,
and ranking of word searches (whole-word, accent-exact matches first).

A phone or a name finds a petition only for a user who may see its petitioner (`access.identity_visible_clause`,
the SQL form of `access.can_see_identity`): finding a denunciation by its denouncer's phone would say who
denounced (Luật Tố cáo 2018 Điều 47 k2). Word searches match the folded text (a sealed denunciation's redacted
text), and rank what the reader may see of it: "Hương" puts "Hương" before "hướng", and both before "phương".
"""
from __future__ import annotations

import re

from sqlalchemy import Boolean, ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.orm import Session

from service.domain.errors import DomainError
from service.domain.intake.tracking import normalise_code
from service.domain.intake.validation import FieldError, normalise_phone
from service.domain.people import confidential
from service.domain.people.access import can_see_identity, identity_visible_clause
from service.domain.text import fold, nfc
from service.models.person import Person
from service.models.petition import Petition
from service.models.user import User

MAX_WORDS = 8
RANK_CAP = 500  # a word search ranks at most this many matches (the newest: casework.paging); narrow it to see more
_PHONE_NOISE = re.compile(r"[\s.\-()/]")


def as_phone(q: str) -> str | None:
    """'0913.246.810', '+84913246810', '0913 246 810' -> '0913246810'; None when q is not a phone number."""
    compact = _PHONE_NOISE.sub("", q.strip())
    digits = compact[1:] if compact.startswith("+") else compact
    if not digits.isdigit() or not 9 <= len(digits) <= 12:
        return None
    try:
        return normalise_phone(compact)
    except (DomainError, FieldError):  # an ID number or other digits that are no Vietnamese phone
        return None


def ranks(q: str | None) -> bool:
    """A word search (not a tracking code nor a phone) is ranked."""
    return bool(q and q.strip() and not normalise_code(q.strip()) and not as_phone(q) and fold(q))


def clause(user: User, q: str) -> ColumnElement[bool]:
    """The petitions a non-code query finds: its phone's, or every word in the folded text, or the exact name."""
    visible = identity_visible_clause(user)
    phone = as_phone(q)
    if phone:
        return and_(exists().where(Person.petition_id == Petition.id, Person.phone == phone), visible)
    words = fold(q).split()[:MAX_WORDS]
    if not words:
        return Petition.id.is_(None)
    text = and_(*[Petition.content_folded.contains(w, autoescape=True) for w in words])
    named = and_(IdIn(select(Person.petition_id).where(Person.name_folded == " ".join(words))), visible)
    return or_(text, named)


class IdIn(ColumnElement[bool]):
    """petitions.id IN (subquery). PostgreSQL gets `id = ANY(ARRAY(subquery))`: the subquery runs once (an
    InitPlan) and the test is an index condition, so the planner can OR it with the trigram index's bitmap for the
    words; a plain IN (or EXISTS) there is a per-row filter that forces reading every candidate row (issue #19)."""

    inherit_cache = True
    type = Boolean()
    _traverse_internals = [("subquery", InternalTraversal.dp_clauseelement)]  # its name is part of the cache key

    def __init__(self, subquery: Select):
        self.subquery = subquery


@compiles(IdIn)
def _id_in(element: IdIn, compiler, **kw) -> str:
    return f"{compiler.process(Petition.id, **kw)} IN ({compiler.process(element.subquery, **kw)})"


@compiles(IdIn, "postgresql")
def _id_any(element: IdIn, compiler, **kw) -> str:
    return f"{compiler.process(Petition.id, **kw)} = ANY(ARRAY({compiler.process(element.subquery, **kw)}))"


def _whole(word: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


def score(user: User, petition: Petition, words: list[str], names: list[str] = ()) -> int:
    """Higher first: per word of the query (lower-case, `ranked`) 3 when it occurs as a whole word with its accents,
    2 as a whole word without them, 0 inside another word; the petitioner's exact name (when the user may see it)
    counts most."""
    seen = nfc(f"{confidential.list_title(petition) or ''} {confidential.list_content(petition)}").lower()
    seen_words = None  # folded only when a word is not there with its accents
    total = 0
    for word in words:
        if word in seen and _whole(word, seen):
            total += 3
            continue
        if seen_words is None:
            seen_words = _folded_words(petition, seen)
        if fold(word) in seen_words:
            total += 2
    if names and can_see_identity(user, petition):  # `names`: its people whose folded name is the query
        total += 20 if any(nfc(name).lower() == " ".join(words) for name in names) else 10
    return total


def _folded_words(petition: Petition, seen: str) -> set[str]:
    """The folded words the search matched: the petition's search text, folded once at intake
    (`confidential.folded_search_text`: a sealed denunciation's redacted text without its placeholders);
    folded here from what the reader sees when it was not loaded with the candidates (casework.paging)."""
    stored = petition.__dict__.get("content_folded")  # never a query per candidate
    return set(stored.split()) if stored is not None else set(fold(seen).split())


def ranked(session: Session, user: User, rows: list, q: str) -> list:
    """The rows [(petition, …)] in rank order; equal ranks keep their order (nearest deadline first)."""
    wanted = " ".join(fold(q).split()[:MAX_WORDS])
    names: dict[int, list[str]] = {}
    ids = [row[0].id for row in rows]
    if ids and session.scalar(select(Person.id).where(Person.name_folded == wanted).limit(1)) is None:
        ids = []  # nobody has that name (most word searches): no need to look among the 500 candidates' people
    for pid, name in session.execute(select(Person.petition_id, Person.name).where(
            Person.petition_id.in_(ids), Person.name_folded == wanted)) if ids else ():
        names.setdefault(pid, []).append(name or "")
    words = nfc(q).lower().split()[:MAX_WORDS]
    scores = {row[0].id: score(user, row[0], words, names.get(row[0].id, [])) for row in rows}
    return sorted(rows, key=lambda row: -scores[row[0].id])
