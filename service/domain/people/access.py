"""THE access policy: who may view a petition, act on it, assign it, see who sent it, and change its matter.
No other module decides these; the console, API v1, Open311, the bots, reports and `workflow.perform` ask here.

Who someone is for one petition (always a user of the petition's unit, but for admins and inspectors):

  admin        views and acts everywhere; does not see a denouncer's identity (not a handler of the case)
  chairperson  views every petition of the unit and sees identities; never acts nor assigns: the chairperson
               decides on paper (signed decisions the offices then record)
  inspector    views denunciations and mass / prolonged cases of every unit and sees identities; never acts:
               who supervises a case must not also change it (Luật Thanh tra; task 4.6 of the plans)
  van_phong    staff or head of the unit's Văn phòng HĐND-UBND, which receives and triages every petition of
               the unit (task 4.4 of the plans): every action, and assigns
  lead_head    the head (office_head) of the office leading the petition: every action, and assigns
  lead         a staff member of the office leading the petition
  assignee     the person the petition is assigned to (always chosen by van_phong, a head or an admin)

Who may do what (`ACT`; admin: everything):

  classify, route, accept, return, guide, transfer   van_phong, lead_head, lead    (where it goes, whether
                                                                                    it is taken up)
  start, extend, mark_complex, answer, close, reopen,  van_phong, lead_head, lead,  (handling the case)
  withdraw, note, split_matter                         assignee
  assign                                             van_phong, lead_head          (TC Đ47 k2: the head
                                                                                    chooses who handles)
  merge_matter, rename_matter, clear_flag            as handling, and for the matter itself `can_manage_matter`:
                                                     van_phong of its unit, or an office that may act on every
                                                     petition of it (a mass / prolonged flag belongs to all)

A denunciation's identity (Luật Tố cáo 2018 Điều 47 k2, Điều 56; legal.md §4) is seen only by the receiving
Văn phòng, the head of the handling office, the assignee chosen by one of them (or an admin), the chairperson
and the inspectors — never by a plain member of the handling office, never by another office.

Someone who may not view a petition gets the answer of a code that does not exist (404), so codes cannot be
probed; someone who may view but not act gets 403.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, Select, exists, false, or_, select, true
from sqlalchemy.orm import Session, object_session

from service.domain.errors import Forbidden, NotFound
from service.domain.inbound import Actor
from service.domain.people.access_units import (  # noqa: F401  (re-exported: this module is the one door)
    CROSS_UNIT_ROLES, HANDLING_ROLES, _is_van_phong, can_approve_publication, can_edit_canned_answers,
    can_handle_data_request, can_manage_dialogue, can_see_scorecards, can_see_visit_identity, can_track_plan,
    dialogue_unit_of, sees_every_unit, visible_data_requests)
from service.models.event import Event
from service.models.flag import Flag
from service.models.matter import Matter
from service.models.petition import Petition
from service.models.user import User

HIDDEN_DENOUNCER = "Người tố cáo (được giữ bí mật)"
INSPECTOR_FLAGS = ("dong_nguoi", "phuc_tap_keo_dai")
READ_ONLY_ROLES = ("chairperson", "inspector")

VAN_PHONG, LEAD_HEAD, LEAD, ASSIGNEE = "van_phong", "lead_head", "lead", "assignee"
_DECIDE = frozenset({VAN_PHONG, LEAD_HEAD, LEAD})
_HANDLE = _DECIDE | {ASSIGNEE}
_ASSIGN = frozenset({VAN_PHONG, LEAD_HEAD})

# THE table of who may do what on a petition (see the module docstring); an action not listed is refused.
ACT: dict[str, frozenset[str]] = {
    "classify": _DECIDE, "route": _DECIDE, "accept": _DECIDE, "return": _DECIDE, "guide": _DECIDE,
    "transfer": _DECIDE,
    "start": _HANDLE, "extend": _HANDLE, "mark_complex": _HANDLE, "answer": _HANDLE, "close": _HANDLE,
    "reopen": _HANDLE, "withdraw": _HANDLE, "note": _HANDLE, "split_matter": _HANDLE,
    "merge_matter": _HANDLE, "rename_matter": _HANDLE, "clear_flag": _HANDLE,
    "assign": _ASSIGN,
}
MATTER_ACTIONS = frozenset({"merge_matter", "rename_matter"})


# --- who someone is for a petition ------------------------------------------------------------------

def _inspector_filter():
    """Inspectors follow denunciations and mass / complex cases of every unit."""
    flagged = exists().where(Flag.petition_id == Petition.id, Flag.code.in_(INSPECTOR_FLAGS),
                             Flag.cleared_at.is_(None))
    return or_(Petition.kind == "to_cao", flagged)


def is_triage_staff(user: User, petition: Petition) -> bool:
    """Staff of the unit's Văn phòng HĐND-UBND triage every petition of the unit."""
    return _is_van_phong(user, petition.unit_id)


def triages_unit(user: User) -> bool:
    """The user is staff of their unit's Văn phòng HĐND-UBND."""
    return _is_van_phong(user, user.unit_id)


def relations(user: User, petition: Petition) -> frozenset[str]:
    """What the user is for this petition, of van_phong, lead_head, lead and assignee (empty: nothing)."""
    if user.role not in HANDLING_ROLES or not user.active or user.unit_id != petition.unit_id:
        return frozenset()
    out = set()
    if _is_van_phong(user, petition.unit_id):
        out.add(VAN_PHONG)
    if petition.lead_office_id is not None and user.office_id == petition.lead_office_id:
        out.add(LEAD_HEAD if user.role == "office_head" else LEAD)
    if petition.assignee_id is not None and petition.assignee_id == user.id:
        out.add(ASSIGNEE)
    return frozenset(out)


# --- view -------------------------------------------------------------------------------------------

def can_view(user: User | None, petition: Petition) -> bool:
    if user is None or not user.active:
        return False
    if user.role == "admin":
        return True
    if user.role == "inspector":
        session = object_session(petition)
        return session.scalar(select(Petition.id).where(Petition.id == petition.id, _inspector_filter())) is not None
    if user.unit_id != petition.unit_id:
        return False
    return user.role == "chairperson" or bool(relations(user, petition))


def visible_petitions(user: User) -> Select:
    """The petitions a user may list; the same rule as `can_view`, as SQL."""
    stmt = select(Petition)
    if user.role == "admin":
        return stmt
    if user.role == "inspector":
        return stmt.where(_inspector_filter())
    stmt = stmt.where(Petition.unit_id == user.unit_id)
    if user.role == "chairperson" or (user.role in HANDLING_ROLES and user.office is not None
                                      and user.office.code == "van_phong"):
        return stmt
    if user.role not in HANDLING_ROLES:
        return stmt.where(Petition.id.is_(None))
    return stmt.where(or_(Petition.lead_office_id == user.office_id, Petition.assignee_id == user.id))


# --- act and assign ---------------------------------------------------------------------------------

def can_act(user: User | None, petition: Petition, action: str) -> bool:
    """May the user do `action` (a workflow action or a casework verb of `ACT`) on the petition? The
    petition's state is the workflow's business (`workflow.can`), not this one's."""
    if user is None or not user.active or action not in ACT:
        return False
    if user.role == "admin":
        return True
    return bool(relations(user, petition) & ACT[action])


def can_act_at_all(user: User | None, petition: Petition) -> bool:
    """Whether the page shows any action form: some action of the table is the user's."""
    return any(can_act(user, petition, a) for a in ACT)


def can_assign(user: User | None, petition: Petition) -> bool:
    """Only the head of the handling office, the unit's Văn phòng or an admin chooses who handles a petition
    (Luật Tố cáo Điều 47 k2: whoever is assigned a denunciation learns who made it)."""
    return can_act(user, petition, "assign")


def not_found(code: str) -> NotFound:
    """The one answer for a code that does not exist and for a petition the caller may not view."""
    return NotFound(f"Không tìm thấy đơn {code}.", f"No petition {code}.")


def require_view(user: User | None, petition: Petition, code: str | None = None) -> None:
    if not can_view(user, petition):
        raise not_found(code or petition.code)


def require_act(user: User | None, petition: Petition, action: str, code: str | None = None) -> None:
    """NotFound when the user may not even view the petition; Forbidden when they may view but not act."""
    require_view(user, petition, code)
    if can_act(user, petition, action):
        return
    if user.role in READ_ONLY_ROLES:
        raise Forbidden("Chủ tịch và Thanh tra chỉ được xem đơn, không thực hiện thao tác trên đơn.",
                        "The chairperson and the inspectors have read-only access.")
    if action == "assign":
        raise Forbidden("Chỉ trưởng phòng ban chủ trì, Văn phòng HĐND-UBND hoặc quản trị viên được giao người "
                        "xử lý đơn (Luật Tố cáo Điều 47).",
                        "Only the head of the lead office, the Văn phòng or an admin assigns a petition.")
    raise Forbidden("Bạn chỉ được xem đơn này, không thực hiện thao tác này.",
                    "Read-only access to this petition for this action.")


# --- matters ----------------------------------------------------------------------------------------

def _matter_petitions(matter: Matter) -> list[Petition]:
    session = object_session(matter)
    return list(session.scalars(select(Petition).where(Petition.matter_id == matter.id)))


def can_manage_matter(user: User | None, matter: Matter) -> bool:
    """Merge into, rename or clear a matter-wide flag of a matter: an admin; the Văn phòng of its unit; an
    office that may act on every one of its petitions. A matter's đông người and phức tạp kéo dài flags belong
    to all its petitions: one office must not clear them by moving or renaming others' cases."""
    if user is None or not user.active:
        return False
    if user.role == "admin":
        return True
    if user.role not in HANDLING_ROLES or user.unit_id != matter.unit_id:
        return False
    if _is_van_phong(user, matter.unit_id):
        return True
    petitions = _matter_petitions(matter)
    return bool(petitions) and all(can_act(user, p, "merge_matter") for p in petitions)


def require_merge(user: User | None, keep: Matter, other: Matter) -> None:
    """Both matters within one unit (but for an admin), and both the user's to manage."""
    if user is not None and user.role != "admin" and keep.unit_id != other.unit_id:
        raise Forbidden("Chỉ gộp các vụ việc của cùng một đơn vị.", "Only matters of one unit are merged.")
    if not (can_manage_matter(user, keep) and can_manage_matter(user, other)):
        raise Forbidden("Bạn chỉ gộp được các vụ việc có mọi đơn do phòng ban mình xử lý; hãy đề nghị Văn phòng "
                        "HĐND-UBND gộp.", "You may merge only matters whose every petition your office handles.")


def require_manage_matter(user: User | None, matter: Matter) -> None:
    if not can_manage_matter(user, matter):
        raise Forbidden("Vụ việc có đơn của phòng ban khác: hãy đề nghị Văn phòng HĐND-UBND thực hiện.",
                        "The matter has petitions of other offices: ask the Văn phòng.")


# --- identity ---------------------------------------------------------------------------------------

def _assigned_by_one_allowed(user: User, petition: Petition) -> bool:
    """Was the user's assignment made by someone allowed to assign (not by themselves, before the rule)?"""
    session = object_session(petition)
    actor_id = session.scalar(select(Event.actor_id).where(Event.petition_id == petition.id,
                                                          Event.kind == "assigned")
                              .order_by(Event.at.desc(), Event.id.desc()).limit(1))
    if actor_id is None:  # the service itself, or no recorded event
        return True
    if actor_id == user.id:
        return False
    chooser = session.get(User, actor_id)
    return chooser is not None and can_assign(chooser, petition)


def can_see_identity(user: User | None, petition: Petition) -> bool:
    """Anyone who may view the petition sees the petitioner, except for a denunciation: then only the
    receiving Văn phòng, the head of the handling office, the assignee chosen by one allowed to assign, the
    chairperson and the inspectors (Luật Tố cáo Điều 47 k2, Điều 56)."""
    if user is None or not can_view(user, petition):
        return False
    if petition.kind != "to_cao" or petition.identity_disclosed:
        return True
    if user.role in READ_ONLY_ROLES:
        return True
    mine = relations(user, petition)
    if VAN_PHONG in mine or LEAD_HEAD in mine:
        return True
    return ASSIGNEE in mine and _assigned_by_one_allowed(user, petition)


def identity_visible_clause(user: User) -> ColumnElement[bool]:
    """`can_see_identity` as SQL, for petitions already within `visible_petitions(user)`: what a search by
    the petitioner's phone or name may find (TC Đ47 k2: finding a denunciation by its denouncer's phone would
    say who denounced). Stricter than `can_see_identity` in one case only: an assignee who is not Văn phòng
    nor the head finds denunciations by their own text, never by the denouncer's phone or name."""
    open_ = or_(Petition.kind != "to_cao", Petition.identity_disclosed.is_(True))
    if not user.active:
        return false()
    if user.role in READ_ONLY_ROLES:
        return true()
    if user.role == "admin":
        return open_
    if user.role not in HANDLING_ROLES:
        return false()
    if _is_van_phong(user, user.unit_id):
        return true()
    if user.role == "office_head" and user.office_id is not None:
        return or_(open_, Petition.lead_office_id == user.office_id)
    return open_


# --- the acting user of a domain verb ---------------------------------------------------------------

def user_of(session: Session, actor: Actor) -> User | None:
    """The staff user behind an actor, or None for the service itself and citizens (no user_id): their verbs
    check their own rules (the citizen's phone, a job's schedule). A user_id that names no active account
    acts on nothing."""
    if actor.user_id is None:
        return None
    user = session.get(User, actor.user_id)
    if user is None or not user.active:
        raise Forbidden("Tài khoản không còn hoạt động.", "The account is not active.")
    return user


def check_act(session: Session, actor: Actor, petition: Petition, action: str) -> None:
    """What every domain verb on a petition calls first: the policy, when a staff user acts."""
    user = user_of(session, actor)
    if user is not None:
        require_act(user, petition, action)


# --- beyond one petition (units, dialogues, the reception book, data requests, publication, plans) -------
# In access_units.py (imported above and re-exported) to keep each file readable; callers ask this module.
