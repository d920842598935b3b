"""One access policy for every door (issue #14, findings 1, 2, the matter part of 6, and "403 vs 404" of 7).

Through HTTP: the API acts by the console's rules (another office gets 404, the chairperson and inspectors
403), every API action is audited, only the head of the handling office or Văn phòng assigns (so a plain
member cannot give themselves a denunciation and see who made it), an office cannot merge another office's
matter to clear its flags, and a petition the caller may not view answers exactly like a code that does not
exist."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service.domain.intake import tracking
from service.domain.people import accounts
from service.domain.people.access import HIDDEN_DENOUNCER
from service.models.event import Event
from service.models.flag import Flag
from service.models.matter import Matter
from service.models.petition import Petition
from service.models.reply import Reply
from service.models.user import AuditEntry, User
from tests.factories import builder
from tests.web.console.conftest import csrf_of

UNIT = "11914"  # Đặc khu Cát Hải
NAME, PHONE = "Đỗ Minh Khang", "0987111222"
ROAD = "Đường Hà Sen có ổ gà lớn trước số 12, xe máy ngã nhiều lần, đề nghị sửa gấp."  # Phòng Kinh tế leads
SCHOOL = "Trường tiểu học xã chưa chi trả trợ cấp cho học sinh nghèo học kỳ này."  # Phòng Văn hóa - Xã hội
DENOUNCED = "Tố cáo cơ sở chế biến hải sản Hải Yến xả nước thải chưa xử lý ra bãi biển Cát Cò 2 vào ban đêm."


make = builder(content=ROAD, unit=UNIT, name="Phạm Thị Hoa", phone="0912000111", address="Thôn 3, Cát Bà",
               hours_ago=1, commit=True)


def fresh(session, petition: Petition) -> Petition:
    session.expire_all()
    return session.get(Petition, petition.id)


def bearer(session, username: str) -> dict[str, str]:
    token = accounts.create_token(session, username)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def api_act(client, code: str, headers, **body):
    return client.post(f"/api/v1/petitions/{code}/actions", json=body, headers=headers)


def console_act(client, code: str, action: str, **form):
    token = csrf_of(client.get("/can-bo/tai-khoan").get_data(as_text=True))
    return client.post(f"/can-bo/don/{code}/thao-tac/{action}", data={"csrf_token": token, **form})


def user_id(session, username: str) -> int:
    return session.scalar(select(User.id).where(User.username == username))


@pytest.fixture
def denunciation(session) -> Petition:
    p = make(session, content=DENOUNCED, kind="to_cao", category="moi_truong", name=NAME, phone=PHONE)
    assert p.lead_office.code == "phong_kinh_te"
    return p


# --- finding 1: the API acts by the console's rules -----------------------------------------------------

def test_another_office_can_neither_classify_nor_answer_nor_start_through_api_or_console(app, login_as, session):
    p = make(session)
    assert p.lead_office.code == "phong_kinh_te"
    console = login_as("staff", office="phong_vhxh", username="vh_b")
    headers = bearer(session, "vh_b")
    api = app.test_client()
    assert api.get(f"/api/v1/petitions/{p.code}", headers=headers).status_code == 404  # may not view…
    for body in ({"action": "classify", "office": "phong_vhxh", "reason": "Để tôi đọc được"},  # …so may not take it
                 {"action": "answer", "text": "Câu trả lời giả mạo gửi công dân. Cán bộ xã đã kiểm tra hiện trường và khắc phục xong trong ngày."},
                 {"action": "accept"}, {"action": "start"}):
        assert api_act(api, p.code, headers, **body).status_code == 404, body
        form = {k: v for k, v in body.items() if k != "action"}
        assert console_act(console, p.code, body["action"], **form).status_code == 404, body
    p = fresh(session, p)
    assert p.status == "classified" and p.lead_office.code == "phong_kinh_te"
    assert session.scalars(select(Reply).where(Reply.petition_id == p.id, Reply.kind == "tra_loi")).all() == []
    # The office that leads it may (control): the refusals above are the policy, not a broken action.
    lead = login_as("staff", office="phong_kinh_te", username="kt_a")
    assert api_act(app.test_client(), p.code, bearer(session, "kt_a"), action="accept").status_code == 200
    assert lead.get(f"/can-bo/don/{p.code}").status_code == 200


def test_the_chairperson_reads_but_gets_403_on_every_api_action(app, login_as, session):
    p = make(session)
    vp = bearer(session, login_as("staff", username="vp_1").username)
    assert api_act(app.test_client(), p.code, vp, action="accept").status_code == 200
    login_as("chairperson", username="chu_tich")
    headers = bearer(session, "chu_tich")
    client = app.test_client()
    assert client.get(f"/api/v1/petitions/{p.code}", headers=headers).status_code == 200
    for body in ({"action": "start"}, {"action": "answer", "text": "Đã xử lý. Cán bộ xã đã kiểm tra hiện trường và khắc phục xong trong ngày."},
                 {"action": "mark_complex", "reason": "x", "criteria": ["b"]}, {"action": "withdraw"}):
        answer = api_act(client, p.code, headers, **body)
        assert answer.status_code == 403, body
        assert answer.get_json()["error"]["code"] == "forbidden" and "chỉ được xem" in answer.get_json()["error"]["message"]
    assert fresh(session, p).status == "accepted"


def test_an_inspector_reads_a_denunciation_but_gets_403_on_api_actions(app, login_as, session, denunciation):
    p = denunciation
    login_as("inspector", username="thanh_tra")
    headers = bearer(session, "thanh_tra")
    client = app.test_client()
    assert client.get(f"/api/v1/petitions/{p.code}", headers=headers).status_code == 200
    for action in ("accept", "return", "classify"):
        assert api_act(client, p.code, headers, action=action, reason="Thử").status_code == 403, action
    assert fresh(session, p).status == "classified"


def test_api_actions_are_in_the_audit_log_like_the_console(app, login_as, session):
    p = make(session)
    login_as("staff", username="vp_audit")
    headers = bearer(session, "vp_audit")
    client = app.test_client()
    assert api_act(client, p.code, headers, action="accept", document_number="01/TB").status_code == 200
    assert api_act(client, p.code, headers, action="start").status_code == 200
    assert api_act(client, p.code, headers, action="extend", reason="x").status_code == 409  # refused: not logged
    session.expire_all()
    rows = session.scalars(select(AuditEntry).where(AuditEntry.action == "petition_action",
                                                    AuditEntry.object_id == p.code).order_by(AuditEntry.id)).all()
    assert [(r.data["op"], r.data["status_from"], r.data["status_to"], r.data["via"]) for r in rows] == [
        ("accept", "classified", "accepted", "api"), ("start", "accepted", "in_progress", "api")]
    assert {r.user_id for r in rows} == {user_id(session, "vp_audit")} and rows[0].object_type == "petition"


# --- finding 2: only the head or Văn phòng assigns; a plain member never unlocks a denouncer ------------

def test_a_plain_member_cannot_assign_a_denunciation_to_themselves(app, login_as, session, denunciation):
    p = denunciation
    client = login_as("staff", office="phong_kinh_te", username="kt_thuong")
    me = user_id(session, "kt_thuong")
    page = client.get(f"/can-bo/don/{p.code}").get_data(as_text=True)
    assert 'name="assignee"' not in page  # no assign form offered
    refused = console_act(client, p.code, "assign", assignee=str(me), reason="Tôi làm")
    assert refused.status_code == 403
    assert fresh(session, p).assignee_id is None
    html = client.get(f"/can-bo/don/{p.code}").get_data(as_text=True)
    assert HIDDEN_DENOUNCER in html and NAME not in html and PHONE not in html
    detail = app.test_client().get(f"/api/v1/petitions/{p.code}", headers=bearer(session, "kt_thuong"))
    assert detail.status_code == 200
    assert NAME not in detail.get_data(as_text=True) and PHONE not in detail.get_data(as_text=True)


def test_the_head_assigns_and_the_assignee_then_sees_the_denouncer(app, login_as, session, denunciation):
    p = denunciation
    worker = login_as("staff", office="phong_kinh_te", username="kt_duoc_giao")
    head = login_as("office_head", office="phong_kinh_te", username="kt_truong")
    assert NAME not in worker.get(f"/can-bo/don/{p.code}").get_data(as_text=True)
    assert console_act(head, p.code, "assign", assignee=str(user_id(session, "kt_duoc_giao")),
                       reason="Phụ trách môi trường").status_code == 303
    html = worker.get(f"/can-bo/don/{p.code}").get_data(as_text=True)
    assert NAME in html and PHONE in html
    detail = app.test_client().get(f"/api/v1/petitions/{p.code}", headers=bearer(session, "kt_duoc_giao"))
    assert detail.get_json()["people"][0]["name"] == NAME


def test_a_self_assignment_made_before_the_rule_unlocks_nothing(app, login_as, session, denunciation):
    """An assignment a plain member made to themselves (data from before the policy) does not count."""
    p = denunciation
    client = login_as("staff", office="phong_kinh_te", username="kt_tu_giao")
    me = session.get(User, user_id(session, "kt_tu_giao"))
    row = session.get(Petition, p.id)
    row.assignee_id = me.id
    session.add(Event(petition_id=p.id, kind="assigned", actor_id=me.id, actor_label="kt_tu_giao",
                      data={"from": None, "to": me.id}))
    session.commit()
    html = client.get(f"/can-bo/don/{p.code}").get_data(as_text=True)
    assert HIDDEN_DENOUNCER in html and NAME not in html and PHONE not in html


# --- finding 6 (matters): an office cannot merge away another office's flags --------------------------

def test_an_office_cannot_merge_another_offices_matter_to_clear_its_flags(login_as, session):
    a = make(session)  # Phòng Kinh tế's
    b = make(session, content=SCHOOL, category="chinh_sach_xa_hoi")  # Phòng Văn hóa - Xã hội's
    a, b = fresh(session, a), fresh(session, b)
    assert a.matter_id != b.matter_id and b.lead_office.code == "phong_vhxh"
    session.add_all([Flag(code="dong_nguoi", matter_id=a.matter_id, explanation={}),
                     Flag(code="phuc_tap_keo_dai", matter_id=a.matter_id, explanation={})])
    session.commit()
    office_b = login_as("staff", office="phong_vhxh", username="vh_gop")
    answer = console_act(office_b, b.code, "merge_matter", other=f"#{a.matter_id}", reason="Cùng một khu")
    assert answer.status_code == 403
    session.expire_all()
    assert session.get(Matter, a.matter_id).status != "merged" and fresh(session, a).matter_id != b.matter_id
    open_flags = session.scalars(select(Flag.code).where(Flag.matter_id == a.matter_id, Flag.cleared_at.is_(None)))
    assert sorted(open_flags) == ["dong_nguoi", "phuc_tap_keo_dai"]
    # Văn phòng of the unit may merge any matter of the unit (control).
    vp = login_as("staff", username="vp_gop")
    assert console_act(vp, b.code, "merge_matter", other=f"#{a.matter_id}", reason="Cùng một khu").status_code == 303
    assert fresh(session, a).matter_id == b.matter_id


def test_an_office_cannot_clear_the_flag_of_a_matter_shared_with_another_office(login_as, session):
    a, b = make(session), make(session, content=SCHOOL, category="chinh_sach_xa_hoi")
    vp = login_as("staff", username="vp_chung")
    assert console_act(vp, a.code, "merge_matter", other=f"#{fresh(session, b).matter_id}",
                       reason="Cùng một khu").status_code == 303
    matter_id = fresh(session, a).matter_id
    flag = Flag(code="dong_nguoi", matter_id=matter_id, explanation={})
    session.add(flag)
    session.commit()
    office_b = login_as("staff", office="phong_vhxh", username="vh_go_co")
    assert console_act(office_b, b.code, "clear_flag", flag_id=str(flag.id), reason="Không đông").status_code == 403
    assert console_act(office_b, b.code, "rename_matter", title="Việc riêng", reason="x").status_code == 403
    session.expire_all()
    assert session.get(Flag, flag.id).cleared_at is None


# --- finding 7: 403 vs 404 tells nothing ----------------------------------------------------------------

@pytest.mark.parametrize("body", [{"action": "accept"}, {"action": "answer", "text": "x"}, {"action": "nope"}, {}])
def test_unknown_code_and_a_code_one_may_not_view_answer_alike(app, login_as, session, body):
    p = make(session)
    login_as("staff", office="phong_vhxh", username="vh_do_tham")
    headers = bearer(session, "vh_do_tham")
    body_unknown = tracking.new_code()
    client = app.test_client()
    hidden = api_act(client, p.code, headers, **body)
    missing = api_act(client, body_unknown, headers, **body)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data(as_text=True).replace(p.code, "X") == missing.get_data(as_text=True).replace(body_unknown, "X")
    assert hidden.headers.get("Content-Type") == missing.headers.get("Content-Type")
