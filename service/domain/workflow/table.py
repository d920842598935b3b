"""The legal workflow's one table of allowed moves: the states, which action each kind may take from which
state, and the worded refusal when the law or the petition's state forbids it.

`operations.perform` asks here (`move_for`) before it does anything; the console and the API ask
`can` and `allowed_actions` to show only the moves the table allows.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from service.domain.codes import KINDS, STATUSES
from service.domain.errors import Conflict
from service.domain.notifications import outbox as notify
from service.models.petition import Petition


class Status(enum.StrEnum):
    RECEIVED = "received"
    CLASSIFIED = "classified"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    GUIDED = "guided"
    TRANSFERRED = "transferred"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


assert {s.value for s in Status} == set(STATUSES), "workflow states must match codes.STATUSES"

S = Status
ALL = frozenset(KINDS)
KN_TC = frozenset({"khieu_nai", "to_cao"})
KNPA = frozenset({"kien_nghi", "phan_anh"})
OPEN = frozenset({S.RECEIVED, S.CLASSIFIED, S.ACCEPTED, S.IN_PROGRESS})
UNDECIDED = frozenset({S.RECEIVED, S.CLASSIFIED})
WORKING = frozenset({S.ACCEPTED, S.IN_PROGRESS})


@dataclass(frozen=True)
class Move:
    action: str
    kinds: frozenset[str]
    sources: frozenset[Status]
    target: Status | None  # None: the status does not change


# THE table of allowed moves. A (kind, status, action) with no row is refused with a Conflict.
TRANSITIONS: tuple[Move, ...] = (
    Move("classify", ALL, UNDECIDED, S.CLASSIFIED),
    Move("accept", ALL, UNDECIDED, S.ACCEPTED),
    Move("return", ALL, UNDECIDED, S.RETURNED),
    Move("guide", ALL, UNDECIDED, S.GUIDED),
    # A complaint outside competence is guided, never forwarded (TT 05/2021; legal.md §1).
    Move("transfer", frozenset({"to_cao"}) | KNPA, UNDECIDED, S.TRANSFERRED),
    Move("start", ALL, frozenset({S.ACCEPTED}), S.IN_PROGRESS),
    # Only a denunciation is extended: thụ lý 7 -> 10 WD (TC Đ24 k1), resolution +30 days (TC Đ30).
    Move("extend", frozenset({"to_cao"}), UNDECIDED, None),
    Move("extend", frozenset({"to_cao"}), WORKING, S.IN_PROGRESS),
    Move("mark_complex", KN_TC, OPEN, None),
    Move("answer", KN_TC, WORKING, S.ANSWERED),
    Move("answer", KNPA, frozenset({S.CLASSIFIED}) | WORKING, S.ANSWERED),
    Move("close", ALL, frozenset({S.ANSWERED, S.RETURNED, S.GUIDED, S.TRANSFERRED}), S.CLOSED),
    Move("reopen", ALL, frozenset({S.ANSWERED, S.CLOSED}), S.IN_PROGRESS),
    Move("withdraw", ALL, OPEN, S.WITHDRAWN),
)


# Every action, in the table's order (the order `allowed_actions` lists them).
ACTION_NAMES: tuple[str, ...] = tuple(dict.fromkeys(m.action for m in TRANSITIONS))
REASON_REQUIRED = {"return", "extend", "mark_complex", "reopen"}


@lru_cache(maxsize=1)
def _refusals() -> dict[str, Any]:
    return yaml.safe_load((notify.NOTICES_DIR / "refusals.yaml").read_text(encoding="utf-8"))


def refusal(key: str, code: str = "transition_not_allowed", **values: Any) -> Conflict:
    """A Conflict worded from config/notices/refusals.yaml."""
    vi, en = _refusals()[key] if "." not in key else _refusals()["hints"][key]
    return Conflict(vi.format(**values), en.format(**values), code=code)


def move_for(kind: str, status: str, action: str) -> Move | None:
    """The row of the table that allows this action on a petition of this kind and status, if any."""
    return next((m for m in TRANSITIONS if m.action == action and kind in m.kinds and status in m.sources), None)


def can(petition: Petition, action: str) -> bool:
    return move_for(petition.kind, petition.status, action) is not None


def allowed_actions(petition: Petition) -> list[str]:
    return [a for a in ACTION_NAMES if can(petition, a)]


def refuse(petition: Petition, action: str) -> Conflict:
    """The Conflict saying why the table has no row for this action on this petition."""
    if f"{action}.{petition.kind}" in _refusals()["hints"]:
        return refusal(f"{action}.{petition.kind}")
    vi, en = _refusals()["actions"].get(action, [action, action])
    values = {"action": action, "action_vi": vi, "action_en": en, "kind": petition.kind,
              "kind_vi": KINDS[petition.kind].lower(), "status": petition.status,
              "status_vi": STATUSES.get(petition.status, petition.status)}
    if not any(m.action == action and petition.kind in m.kinds for m in TRANSITIONS):
        return refusal("not_for_kind", **values)
    return refusal("not_in_state", **values)
