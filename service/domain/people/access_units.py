"""The access policy beyond one petition: who works across units, keeps a unit's dialogue sessions and
reception book, edits canned answers, reads personal-data requests, publishes answers, sees scorecards and
tracks the plan's tasks. Part of THE policy: callers ask `service.domain.people.access`, which re-exports these."""
from __future__ import annotations

from sqlalchemy import Select, select

from service.models.petition import Petition
from service.models.user import User

HANDLING_ROLES = ("staff", "office_head")


def _is_van_phong(user: User, unit_id: int | None) -> bool:
    return (user.role in HANDLING_ROLES and user.unit_id is not None and user.unit_id == unit_id
            and user.office is not None and user.office.code == "van_phong")


# Who works across units: the administrators, and the city inspectors who supervise every unit (task 4.6).
CROSS_UNIT_ROLES = frozenset({"admin", "inspector"})
_VAN_PHONG_CODES = ("van_phong", "vp_ubnd_tp")


def sees_every_unit(user: User) -> bool:
    """Lists, inboxes and reports of every unit (and of the city as a whole)."""
    return user.role in CROSS_UNIT_ROLES


def can_manage_dialogue(user: User | None, unit_id: int) -> bool:
    """A unit's dialogue sessions (task 4.3 of the plans): admins; the unit's chairperson, who presides;
    staff and heads of the unit's Văn phòng HĐND-UBND, which prepares them."""
    if user is None:
        return False
    if user.role == "admin":
        return True
    if user.unit_id != unit_id:
        return False
    if user.role == "chairperson":
        return True
    return user.role in HANDLING_ROLES and user.office is not None and user.office.code in _VAN_PHONG_CODES


def can_see_visit_identity(user: User | None, unit_id: int, kind: str) -> bool:
    """A line of the sổ tiếp công dân (TT 04/2021 Mẫu 03): who the visitor was. For a denunciation (Luật Tố cáo
    Điều 47) only the unit's Văn phòng HĐND-UBND that received them, its chairperson and the inspectors; for
    other kinds whoever keeps the book (can_manage_dialogue: Văn phòng, the chairperson, admins)."""
    if user is None:
        return False
    if kind != "to_cao":
        return can_manage_dialogue(user, unit_id)
    if user.role == "inspector":
        return True
    return user.role != "admin" and can_manage_dialogue(user, unit_id)


def can_edit_canned_answers(user: User | None, office) -> bool:
    """An office's canned answers ("mẫu trả lời"): its head, the unit's Văn phòng HĐND-UBND, an admin."""
    if user is None or not user.active:
        return False
    if user.role == "admin":
        return True
    if user.role not in HANDLING_ROLES or user.unit_id != office.unit_id:
        return False
    return _is_van_phong(user, office.unit_id) or (user.role == "office_head" and user.office_id == office.id)


def dialogue_unit_of(user: User) -> int | None:
    """The unit whose dialogue sessions a console user lists (None: every unit, for an admin)."""
    return None if user.role == "admin" else user.unit_id


def visible_data_requests(user: User) -> Select:
    """Personal-data requests (Luật Bảo vệ dữ liệu cá nhân 91/2025) a user may read: admins all; the unit's
    chairperson; the staff of the office the request was routed to."""
    from service.models.data_request import DataRequest

    stmt = select(DataRequest)
    if user.role == "admin":
        return stmt
    if user.role == "chairperson":
        return stmt.where(DataRequest.unit_id == user.unit_id)
    if user.role in HANDLING_ROLES:
        return stmt.where(DataRequest.unit_id == user.unit_id, DataRequest.office_id == user.office_id)
    return stmt.where(DataRequest.id.is_(None))


def can_handle_data_request(user: User, request) -> bool:
    """Who answers a personal-data request: admins, and staff of the office it was routed to."""
    return user.role == "admin" or (user.role in HANDLING_ROLES and user.unit_id == request.unit_id
                                    and user.office_id == request.office_id)


# --- accountability (issue #21) -----------------------------------------------------------------------------

def can_approve_publication(user: User | None, petition: Petition) -> bool:
    """Who publishes an answer the citizen allowed to publish: the unit's Văn phòng HĐND-UBND, and admins.
    Never a denunciation (Luật Tố cáo Điều 47), whoever asks."""
    if user is None or petition.kind == "to_cao":
        return False
    return user.role == "admin" or _is_van_phong(user, petition.unit_id)


def can_see_scorecards(user: User | None, unit_id: int | None) -> bool:
    """The scorecards of a unit's offices and heads (seed plans tasks 4.6, 4.7): the unit's chairperson; the
    city's inspectors and administrators for every unit (unit_id None: the whole city)."""
    if user is None:
        return False
    if user.role in CROSS_UNIT_ROLES:
        return True
    return user.role == "chairperson" and unit_id is not None and user.unit_id == unit_id


def can_track_plan(user: User | None, unit_id: int, lead_offices: list[str] | tuple[str, ...] = ()) -> bool:
    """Who updates a plan task's status, notes and evidence: admins; the unit's chairperson and Văn phòng;
    staff and heads of the task's lead office."""
    if user is None or (user.role != "admin" and user.unit_id != unit_id):
        return False
    if user.role in ("admin", "chairperson"):
        return True
    office = user.office.code if user.office is not None else None
    return user.role in HANDLING_ROLES and (office in _VAN_PHONG_CODES or office in lead_offices)
