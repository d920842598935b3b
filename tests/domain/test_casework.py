"""Casework: who may act, assignment, notes, moving between offices and units, deadline states, answer drafts."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service.domain.casework import notices
from service.domain.casework import operations as casework
from service.domain.deadlines.calendar import VN_TZ
from service.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from service.domain.inbound import Actor
from service.domain.matters import operations as matters
from service.domain.workflow import operations as workflow
from service.models.outbox import OutboxMessage
from tests import factories
from tests.factories import builder

UNIT = "11737"  # Phường Nam Đồ Sơn (not remote)
STAFF = Actor(label="Cán bộ Văn phòng", user_id=None, role="staff")
CITIZEN = Actor(label="Công dân")


def at(y, m, d, h=9):
    return dt.datetime(y, m, d, h, tzinfo=VN_TZ)


make = builder(content="Đường Vạn Sơn có ổ gà lớn trước số 12, xe máy ngã nhiều lần.", unit=UNIT, name="Vũ Thị Mai",
               phone="0912333444", address="Số 12 Vạn Sơn", now=at(2026, 3, 2))


def user(session, username, role, office=None, unit=UNIT):
    return factories.user(session, username, role, unit, office, commit=False)


def test_who_may_act(session):
    p = make(session)  # Phòng Kinh tế leads
    assert casework.may_act(user(session, "vp", "staff", "van_phong"), p)  # triage of the unit
    assert casework.may_act(user(session, "kt", "staff", "phong_kinh_te"), p)  # the handling office
    assert casework.may_act(user(session, "ad", "admin"), p)
    assert not casework.may_act(user(session, "vh", "staff", "phong_vhxh"), p)
    assert not casework.may_act(user(session, "ct", "chairperson"), p)
    assert not casework.may_act(user(session, "tt", "inspector"), p)
    assert not casework.may_act(user(session, "vp2", "staff", "van_phong", unit="11914"), p)  # another unit
    helper = user(session, "vh2", "staff", "phong_vhxh")
    p.assignee_id = helper.id
    assert casework.may_act(helper, p)  # the assignee


def test_assign_records_event_and_tells_the_assignee(session):
    p = make(session)
    worker = user(session, "kt1", "staff", "phong_kinh_te")
    user(session, "kt_off", "staff", "phong_kinh_te").active = False
    assert [u.username for u in casework.assignable_users(session, p)] == ["kt1"]
    event = casework.assign(session, p, worker, STAFF, reason="Phụ trách đường")
    assert p.assignee_id == worker.id and event.kind == "assigned" and not event.public
    assert event.data["to"] == worker.id and event.reason == "Phụ trách đường"
    msg = session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == f"user:{worker.id}"))
    assert msg.channel == "console" and p.code in msg.text
    with pytest.raises(Conflict):
        casework.assign(session, p, worker, STAFF)  # already theirs
    casework.assign(session, p, None, STAFF)
    assert p.assignee_id is None


def test_assign_is_refused_outside_the_office_to_citizens_and_when_finished(session):
    p = make(session)
    with pytest.raises(ValidationFailed):
        casework.assign(session, p, user(session, "vh", "staff", "phong_vhxh"), STAFF)
    worker = user(session, "kt", "staff", "phong_kinh_te")
    with pytest.raises(Forbidden):
        casework.assign(session, p, worker, CITIZEN)
    workflow.perform(session, p, "withdraw", STAFF, at=at(2026, 3, 3))
    with pytest.raises(Conflict):
        casework.assign(session, p, worker, STAFF)


def test_notes_are_internal(session):
    p = make(session)
    with pytest.raises(ValidationFailed):
        casework.add_note(session, p, STAFF, "  ")
    with pytest.raises(ValidationFailed):
        casework.add_note(session, p, STAFF, "x" * (casework.NOTE_MAX + 1))
    with pytest.raises(Forbidden):
        casework.add_note(session, p, CITIZEN, "Tôi muốn ghi chú")
    casework.add_note(session, p, STAFF, "  Đã gọi điện cho công dân.  ")
    session.flush()
    [note] = casework.notes(session, p)
    assert note.data == {"text": "Đã gọi điện cho công dân."} and note.public is False


def test_route_to_office_drops_an_assignee_of_the_old_office(session):
    p = make(session)
    worker = user(session, "kt", "staff", "phong_kinh_te")
    casework.assign(session, p, worker, STAFF)
    casework.route_to_office(session, p, STAFF, office="phong_vhxh", reason="Việc của trường học")
    assert p.lead_office.code == "phong_vhxh" and p.assignee_id is None and p.status == "classified"
    kinds = [e.kind for e in casework.timeline(session, p)]
    assert sorted(kinds[-3:]) == ["assigned", "classified", "rerouted"] and kinds[-1] == "assigned"


def test_move_to_another_unit_and_the_city(session):
    p = make(session)
    casework.move_to_unit(session, p, STAFF, unit="11914", office=None, reason="Đường thuộc Cát Hải")
    assert p.unit.code == "11914" and p.lead_office.code == "phong_kinh_te" and p.status == "classified"
    with pytest.raises(ValidationFailed):
        casework.move_to_unit(session, p, STAFF, unit="11914", office=None, reason="Lại")
    with pytest.raises(ValidationFailed):
        casework.move_to_unit(session, p, STAFF, unit="khong-co", office=None, reason="x")
    casework.move_to_unit(session, p, STAFF, unit="31", office="so_xay_dung", reason="Quốc lộ do Sở quản lý")
    assert p.unit.code == "31" and p.lead_office.code == "so_xay_dung"
    workflow.perform(session, p, "answer", STAFF, text="Đã sửa. Cán bộ xã đã kiểm tra hiện trường và khắc phục xong trong ngày.")
    with pytest.raises(Conflict) as refused:
        casework.move_to_unit(session, p, STAFF, unit=UNIT, office=None, reason="x")
    assert "Đã trả lời" in refused.value.message


def test_deadline_states_in_working_days(session):
    p = make(session, now=at(2026, 3, 2))  # Monday; xu_ly_don and tra_loi: 10 WD -> Monday 16/3
    by_step = {s.deadline.step: s for s in casework.deadline_states(session, p, now=at(2026, 3, 4))}
    assert by_step["tra_loi"].state == "open" and by_step["tra_loi"].working_days == 8
    soon = casework.deadline_states(session, p, now=at(2026, 3, 12))
    assert {s.state for s in soon} == {"due_soon"} and soon[0].working_days == 2
    late = casework.deadline_states(session, p, now=at(2026, 3, 19))
    assert {s.state for s in late} == {"overdue"} and late[0].working_days == 3
    workflow.perform(session, p, "answer", STAFF, at=at(2026, 3, 18), text="Đã vá ổ gà. Cán bộ xã đã kiểm tra hiện trường và khắc phục xong trong ngày.")
    after = {s.deadline.step: s for s in casework.deadline_states(session, p, now=at(2026, 3, 19))}
    assert after["tra_loi"].state == "met_late" and after["tra_loi"].working_days == 2


def test_matter_view_counts_what_the_user_may_not_open(session):
    a = make(session)
    b = make(session, category="chinh_sach_xa_hoi", content="Trường mầm non phường thiếu giáo viên dạy buổi chiều.")
    matters.merge_matters(session, session.get(matters.Matter, a.matter_id), session.get(matters.Matter, b.matter_id),
                          STAFF, "Cùng một khu")
    economy = user(session, "kt", "staff", "phong_kinh_te")
    view = casework.matter_view(session, economy, a)
    assert view.petitions == [] and view.hidden == 1  # the other is Phòng Văn hóa - Xã hội's
    triage = casework.matter_view(session, user(session, "vp", "staff", "van_phong"), a)
    assert [x.code for x in triage.petitions] == [b.code] and triage.hidden == 0
    merged = [e for e in casework.timeline(session, a) if e.kind == "matter_merged"]
    assert merged and merged[0].petition_id is None  # the matter's own events are in the history
    assert casework.find_matter(session, f"#{a.matter_id}", a.unit_id).id == a.matter_id
    with pytest.raises(ValidationFailed):
        casework.find_matter(session, str(a.matter_id), 999999)
    with pytest.raises(NotFound):
        casework.clear_flag(session, a, 0, STAFF, "x")


@pytest.mark.parametrize("kind,heading,basis", [
    ("phan_anh", "VĂN BẢN TRẢ LỜI ĐƠN PHẢN ÁNH", "Luật Tiếp công dân 2013 Điều 28"),
    ("khieu_nai", "QUYẾT ĐỊNH GIẢI QUYẾT KHIẾU NẠI (LẦN ĐẦU)", "Luật Khiếu nại 2011 Điều 31"),
    ("to_cao", "THÔNG BÁO KẾT QUẢ GIẢI QUYẾT TỐ CÁO", "Luật Tố cáo 2018 Điều 35"),
])
def test_answer_draft_names_the_petition_and_the_law_never_the_person(session, kind, heading, basis):
    p = make(session, kind=kind)
    draft = notices.answer_draft(p)
    assert draft.startswith(heading) and basis in draft and p.code in draft and "02/03/2026" in draft
    assert "Vũ Thị Mai" not in draft and "0912333444" not in draft
    with pytest.raises(ValidationFailed):
        notices.check_filled(draft)
    assert notices.check_filled(draft.replace(notices.BLANK, "Đã sửa xong.")).startswith(heading)
    assert notices.action_basis("answer", kind) and notices.action_basis("start", kind) == ""
    assert "Điều" in notices.action_basis("return", kind)


def test_every_event_kind_the_domain_writes_has_a_label():
    for kind in ("received", "classified", "routed", "rerouted", "reclassified", "note", "assigned",
                 "flag_raised", "matter_merged", *(v[1] for v in workflow.ACTIONS.values())):
        assert casework.event_label(kind) != kind, kind
