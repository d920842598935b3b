"""The access policy's table (service.domain.people.access), and the domain verbs that ask it whoever calls them."""
from __future__ import annotations

import datetime as dt

import pytest

from service.domain.casework import operations as casework
from service.domain.deadlines.calendar import VN_TZ
from service.domain.errors import Forbidden, NotFound
from service.domain.inbound import Actor
from service.domain.matters import operations as matters
from service.domain.people import access
from service.domain.workflow import operations as workflow
from service.models.matter import Matter
from tests import factories
from tests.factories import builder

UNIT = "11737"  # Phường Nam Đồ Sơn
SYSTEM = Actor(label="Hệ thống")


make = builder(content="Đường Vạn Sơn có ổ gà lớn trước số 12, xe máy ngã nhiều lần.", unit=UNIT, name="Vũ Thị Mai",
               phone="0912333444", address="Số 12 Vạn Sơn", now=dt.datetime(2026, 3, 2, 9, tzinfo=VN_TZ))


def user(session, username, role, office=None, unit=UNIT):
    return factories.user(session, username, role, unit, office, commit=False)


def actor(u):
    return Actor(label=u.username, user_id=u.id, role=u.role)


WHO = {  # username: (role, office, unit)
    "admin": ("admin", None, UNIT), "vp": ("staff", "van_phong", UNIT), "vp_head": ("office_head", "van_phong", UNIT),
    "kt_head": ("office_head", "phong_kinh_te", UNIT), "kt": ("staff", "phong_kinh_te", UNIT),
    "vh": ("staff", "phong_vhxh", UNIT), "vh_head": ("office_head", "phong_vhxh", UNIT),
    "chair": ("chairperson", None, UNIT), "inspector": ("inspector", None, UNIT),
    "vp_other_unit": ("staff", "van_phong", "11914"),
}
# Who may do what on a phản ánh led by Phòng Kinh tế (nobody assigned): the table of the module docstring.
EXPECTED = {
    "admin": {"view", "classify", "answer", "note", "assign", "merge_matter"},
    "vp": {"view", "classify", "answer", "note", "assign", "merge_matter"},
    "vp_head": {"view", "classify", "answer", "note", "assign", "merge_matter"},
    "kt_head": {"view", "classify", "answer", "note", "assign", "merge_matter"},
    "kt": {"view", "classify", "answer", "note", "merge_matter"},
    "vh": set(), "vh_head": set(), "vp_other_unit": set(),
    "chair": {"view"}, "inspector": set(),  # inspectors follow denunciations and flagged cases only
}


def test_the_table(session):
    p = make(session)
    assert p.lead_office.code == "phong_kinh_te"
    for name, (role, office, unit) in WHO.items():
        u = user(session, name, role, office, unit)
        got = {"view"} if access.can_view(u, p) else set()
        got |= {a for a in ("classify", "answer", "note", "assign", "merge_matter") if access.can_act(u, p, a)}
        assert got == EXPECTED[name], name
        assert access.can_assign(u, p) == ("assign" in EXPECTED[name]), name


def test_an_assignee_handles_but_does_not_route_nor_reassign(session):
    p = make(session)
    helper = user(session, "kt2", "staff", "phong_kinh_te")
    head = user(session, "kt_head", "office_head", "phong_kinh_te")
    casework.assign(session, p, helper, actor(head))
    helper.office_id = None  # e.g. moved out of the office since: still the assignee
    assert access.can_act(helper, p, "answer") and access.can_act(helper, p, "note")
    assert not access.can_act(helper, p, "classify") and not access.can_assign(helper, p)


def test_a_denouncers_identity(session):
    p = make(session, kind="to_cao", category="moi_truong", content="Tố cáo cơ sở xả thải ra biển ban đêm.")
    users = {name: user(session, name, *WHO[name]) for name in WHO}
    seen = {name for name, u in users.items() if access.can_see_identity(u, p)}
    assert seen == {"vp", "vp_head", "kt_head", "chair", "inspector"}  # not the admin, nor a plain member
    casework.assign(session, p, users["kt"], actor(users["kt_head"]))
    assert access.can_see_identity(users["kt"], p)  # chosen by the head


def test_workflow_perform_asks_the_policy_for_staff_users_only(session):
    p = make(session)
    with pytest.raises(NotFound):
        workflow.perform(session, p, "accept", actor(user(session, "vh", "staff", "phong_vhxh")))
    with pytest.raises(Forbidden):
        workflow.perform(session, p, "accept", actor(user(session, "chair", "chairperson")))
    gone = user(session, "kt_old", "staff", "phong_kinh_te")
    gone.active = False
    with pytest.raises(Forbidden):
        workflow.perform(session, p, "accept", actor(gone))
    assert p.status == "classified"
    workflow.perform(session, p, "accept", SYSTEM)  # the service itself (jobs, demo data)
    assert p.status == "accepted"


def test_casework_verbs_ask_the_policy(session):
    p = make(session)
    plain = user(session, "kt", "staff", "phong_kinh_te")
    with pytest.raises(Forbidden):
        casework.assign(session, p, plain, actor(plain))  # not to themselves, not at all
    outsider = actor(user(session, "vh", "staff", "phong_vhxh"))
    for verb in (lambda: casework.add_note(session, p, outsider, "x"),
                 lambda: casework.route_to_office(session, p, outsider, office="phong_vhxh", reason="x"),
                 lambda: matters.rename_matter(session, session.get(Matter, p.matter_id), "Tên", outsider, "x")):
        with pytest.raises((NotFound, Forbidden)):
            verb()


def test_merging_needs_every_petition_of_both_matters(session):
    a = make(session)
    b = make(session, category="chinh_sach_xa_hoi", content="Trường mầm non phường thiếu giáo viên buổi chiều.")
    keep, other = session.get(Matter, b.matter_id), session.get(Matter, a.matter_id)
    office_b = user(session, "vh", "staff", "phong_vhxh")
    assert access.can_manage_matter(office_b, keep) and not access.can_manage_matter(office_b, other)
    with pytest.raises(Forbidden):
        matters.merge_matters(session, keep, other, actor(office_b), "Cùng khu")
    assert other.status != "merged"
    matters.merge_matters(session, keep, other, actor(user(session, "vp", "staff", "van_phong")), "Cùng khu")
    assert a.matter_id == keep.id
