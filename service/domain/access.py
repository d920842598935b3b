"""Who may see which petition, and whose eyes may see a denouncer's identity.

Luật Tố cáo Điều 47, 56: the denouncer's name, address, contact, ID number and handwriting are
kept secret; only the people who must handle the case see them.
"""
from __future__ import annotations

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import object_session

from service.models.flag import Flag
from service.models.petition import Petition
from service.models.user import User

HIDDEN_DENOUNCER = "Người tố cáo (được giữ bí mật)"
INSPECTOR_FLAGS = ("dong_nguoi", "phuc_tap_keo_dai")


def _inspector_filter():
    """Inspectors follow denunciations and mass / complex cases of every unit."""
    flagged = exists().where(Flag.petition_id == Petition.id, Flag.code.in_(INSPECTOR_FLAGS),
                             Flag.cleared_at.is_(None))
    return or_(Petition.kind == "to_cao", flagged)


def is_triage_staff(user: User, petition: Petition) -> bool:
    """Staff of the unit's Văn phòng HĐND-UBND triage every petition of the unit."""
    return (user.role in {"staff", "office_head"} and user.unit_id == petition.unit_id
            and user.office is not None and user.office.code == "van_phong")


def can_view(user: User, petition: Petition) -> bool:
    if user.role == "admin":
        return True
    if user.role == "inspector":
        session = object_session(petition)
        return session.scalar(select(Petition.id).where(Petition.id == petition.id, _inspector_filter())) is not None
    if user.unit_id != petition.unit_id:
        return False
    if user.role == "chairperson" or is_triage_staff(user, petition):
        return True
    return petition.lead_office_id == user.office_id or petition.assignee_id == user.id


def visible_petitions(user: User) -> Select:
    """The petitions a user may list; the same rule as `can_view`, as SQL."""
    stmt = select(Petition)
    if user.role == "admin":
        return stmt
    if user.role == "inspector":
        return stmt.where(_inspector_filter())
    stmt = stmt.where(Petition.unit_id == user.unit_id)
    if user.role == "chairperson" or (user.office is not None and user.office.code == "van_phong"):
        return stmt
    return stmt.where(or_(Petition.lead_office_id == user.office_id, Petition.assignee_id == user.id))


def can_see_identity(user: User | None, petition: Petition) -> bool:
    """Anyone who may view the petition sees the petitioner, except for a denunciation: then only the
    receiving Văn phòng, the assigned handler, the head of the handling office, the chairperson and
    the inspectors (Luật Tố cáo Điều 47 k2, Điều 56)."""
    if user is None or not can_view(user, petition):
        return False
    if petition.kind != "to_cao" or petition.identity_disclosed:
        return True
    if user.role == "inspector":
        return True
    if user.role == "chairperson" or is_triage_staff(user, petition) or petition.assignee_id == user.id:
        return True
    return user.role == "office_head" and user.office_id == petition.lead_office_id
