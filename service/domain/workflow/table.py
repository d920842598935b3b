"""The legal workflow's one table of allowed moves: the states, which action each kind may take from which
state, and the worded refusal when the law or the petition's state forbids it.

`operations.perform` asks here (`move_for`) before it does anything; the console and the API ask
`can` and `allowed_actions` to show only the moves the table allows.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from service.domain.codes import KINDS, STATUSES, Action, Kind, Status
from service.domain.errors import Conflict
from service.domain.notifications import outbox as notify
from service.models.petition import Petition

# The states are `codes.Status` (stored in petitions.status); the actions `codes.Action`.
S, A = Status, Action
ALL = frozenset(Kind)
KN_TC = frozenset({Kind.KHIEU_NAI, Kind.TO_CAO})
KNPA = frozenset({Kind.KIEN_NGHI, Kind.PHAN_ANH})
OPEN = frozenset({S.RECEIVED, S.CLASSIFIED, S.ACCEPTED, S.IN_PROGRESS})
UNDECIDED = frozenset({S.RECEIVED, S.CLASSIFIED})
WORKING = frozenset({S.ACCEPTED, S.IN_PROGRESS})


@dataclass(frozen=True)
class Move:
    action: Action
    kinds: frozenset[Kind]
    sources: frozenset[Status]
    target: Status | None  # None: the status does not change


# THE table of allowed moves. A (kind, status, action) with no row is refused with a Conflict.
TRANSITIONS: tuple[Move, ...] = (
    Move(A.CLASSIFY, ALL, UNDECIDED, S.CLASSIFIED),
    Move(A.ACCEPT, ALL, UNDECIDED, S.ACCEPTED),
    Move(A.RETURN, ALL, UNDECIDED, S.RETURNED),
    Move(A.GUIDE, ALL, UNDECIDED, S.GUIDED),
    # A complaint outside competence is guided, never forwarded (TT 05/2021; legal.md §1).
    Move(A.TRANSFER, frozenset({Kind.TO_CAO}) | KNPA, UNDECIDED, S.TRANSFERRED),
    Move(A.START, ALL, frozenset({S.ACCEPTED}), S.IN_PROGRESS),
    # Only a denunciation is extended: thụ lý 7 -> 10 WD (TC Đ24 k1), resolution +30 days (TC Đ30).
    Move(A.EXTEND, frozenset({Kind.TO_CAO}), UNDECIDED, None),
    Move(A.EXTEND, frozenset({Kind.TO_CAO}), WORKING, S.IN_PROGRESS),
    Move(A.MARK_COMPLEX, KN_TC, OPEN, None),
    Move(A.ANSWER, KN_TC, WORKING, S.ANSWERED),
    Move(A.ANSWER, KNPA, frozenset({S.CLASSIFIED}) | WORKING, S.ANSWERED),
    Move(A.CLOSE, ALL, frozenset({S.ANSWERED, S.RETURNED, S.GUIDED, S.TRANSFERRED}), S.CLOSED),
    Move(A.REOPEN, ALL, frozenset({S.ANSWERED, S.CLOSED}), S.IN_PROGRESS),
    Move(A.WITHDRAW, ALL, OPEN, S.WITHDRAWN),
)


# Every action, in the table's order (the order `allowed_actions` lists them).
ACTION_NAMES: tuple[Action, ...] = tuple(dict.fromkeys(m.action for m in TRANSITIONS))


@dataclass(frozen=True)
class Parameters:
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    def problem(self, given: set[str]) -> str | None:
        """Why `given` names are not this action's parameters (English, for the API), or None."""
        missing = [n for n in self.required if n not in given]
        unknown = sorted(given - set(self.required) - set(self.optional))
        if missing:
            return f"missing a required parameter: {', '.join(missing)}"
        return f"unexpected parameter: {', '.join(unknown)}" if unknown else None


# The parameters each action takes (beside `at`, `paper` and `calendar`); `perform` refuses any other.
PARAMETERS: dict[Action, Parameters] = {
    A.CLASSIFY: Parameters(optional=("kind", "category", "office", "competent", "reason")),
    A.ACCEPT: Parameters(optional=("document_number", "note")),
    A.RETURN: Parameters(("reason",), ("document_number",)),
    A.GUIDE: Parameters(("to_body",), ("reason",)),
    A.TRANSFER: Parameters(("to_body",), ("document_number", "reason")),
    A.START: Parameters(),
    A.EXTEND: Parameters(("reason",), ("document_number",)),
    A.MARK_COMPLEX: Parameters(("reason",), ("level", "criteria")),
    A.ANSWER: Parameters(("text",), ("document_number",)),
    A.CLOSE: Parameters(optional=("reason",)),
    A.REOPEN: Parameters(("reason",)),
    A.WITHDRAW: Parameters(optional=("reason",)),
}
assert tuple(PARAMETERS) == ACTION_NAMES, "every action of the table needs its parameters, in the table's order"
# A required reason must also say something (not blank).
REASON_REQUIRED = frozenset(a for a, p in PARAMETERS.items() if "reason" in p.required)


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
