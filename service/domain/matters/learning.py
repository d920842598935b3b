"""What Văn phòng's answers to "có thể cùng vụ việc" teach the matcher, per unit (kept simple on purpose).

Every answered suggestion keeps the names the two petitions shared and which of them the matcher took for a
concrete object (`evidence`). Read back for the unit at each match:
  - a name shared in REJECTS or more rejected suggestions and in no confirmed one is a *place word* of that unit
    (like "Cát Bà" on the island): it no longer raises a suggestion on its own (an automatic link still needs a
    concrete object, which such a name is only when written as one: "chợ Cát Bà");
  - a name shared in CONFIRMS or more confirmed suggestions and in no rejected one is *trusted*: it counts as a
    concrete object of that unit, so the next petition sharing it (with the same field and topic) is linked
    without asking.
A rejection also records the pair as separated (MatterSeparation), so the same two are never suggested again.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain import reference
from service.domain.matters.profiles import Similarity
from service.models.matter import MatterSuggestion

REJECTS = 2
CONFIRMS = 2


@dataclass(frozen=True)
class Lesson:
    stop: frozenset[str] = frozenset()
    trusted: frozenset[str] = frozenset()


def lessons(session: Session, unit_id: int) -> Lesson:
    """The unit's lessons, read once per `reference.TTL` per process (at once again after this process records an
    answer): an answer given on another machine teaches this one within that time."""
    return reference.cached(session, "lessons", unit_id, lambda: _read(session, unit_id))


def _read(session: Session, unit_id: int) -> Lesson:
    rows = session.execute(select(MatterSuggestion.state, MatterSuggestion.data).where(
        MatterSuggestion.unit_id == unit_id, MatterSuggestion.state.in_(("confirmed", "rejected")))).all()
    if not rows:
        return Lesson()
    yes, no = Counter(), Counter()
    for state, data in rows:
        (yes if state == "confirmed" else no).update(set((data or {}).get("names", [])))
    return Lesson(stop=frozenset(n for n, k in no.items() if k >= REJECTS and not yes[n]),
                  trusted=frozenset(n for n, k in yes.items() if k >= CONFIRMS and not no[n]))


def without_stop_names(s: Similarity, lesson: Lesson) -> Similarity:
    """The similarity with the unit's place words taken out of the shared names (score and strength too)."""
    dropped = [n for n in s.names if n in lesson.stop]
    if not dropped:
        return s
    names = [n for n in s.names if n not in lesson.stop]
    strength = sum(1.0 if " " in f or len(f) >= 3 and f.isdigit() else 0.5 for f in names)
    score = s.score - 0.45 * (min(1.0, s.strength / 2) - min(1.0, strength / 2))
    return replace(s, names=names, strength=strength, score=round(score, 4))
