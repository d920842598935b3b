"""The petition page of the staff console and its actions, through HTTP: what it shows, who may see and act,
CSRF, each action's happy path, refused moves shown in Vietnamese with the form kept."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service.domain.inbound import AttachmentData, PersonData
from service.models.event import Event
from service.models.flag import Flag
from service.models.matter import Matter
from service.models.outbox import OutboxMessage
from service.models.petition import Petition
from service.models.reply import Reply
from service.models.user import AuditEntry
from tests.factories import builder
from tests.helpers import png_bytes
from tests.web.console.conftest import csrf_of

UNIT = "11914"  # Đặc khu Cát Hải
CONTENT = "Đèn đường trên tuyến đường Hà Sen bị hỏng nhiều tháng nay, buổi tối rất tối. <script>alert(1)</script>"


make = builder(content=CONTENT, unit=UNIT, name="Phạm Thị Hoa", phone="0912000111", address="Thôn 3, Cát Bà",
               hours_ago=1, commit=True)


def fresh(session, petition) -> Petition:
    session.expire_all()
    return session.get(Petition, petition.id)


def audit(session, action, object_id=None):
    session.expire_all()
    stmt = select(AuditEntry).where(AuditEntry.action == action)
    if object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == str(object_id))
    return session.scalars(stmt).all()


def page(client, code):
    answer = client.get(f"/can-bo/don/{code}")
    return answer, answer.get_data(as_text=True)


def act(client, code, action, **form):
    _, html = page(client, code)
    token = csrf_of(html) if 'name="csrf_token"' in html else csrf_of(client.get("/can-bo/tai-khoan").get_data(as_text=True))
    return client.post(f"/can-bo/don/{code}/thao-tac/{action}", data={"csrf_token": token, **form})


def test_page_shows_the_petition_and_why_it_went_where(login_as, session):
    p = make(session)
    answer, html = page(login_as("staff"), p.code)
    assert answer.status_code == 200
    assert "Đèn đường trên tuyến đường Hà Sen" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html  # escaped
    assert "Phạm Thị Hoa" in html and "0912000111" in html  # not a denunciation: the office sees who wrote
    assert "Độ tin cậy" in html and "data-classification>Loại đơn: Phản ánh" in html  # and why
    assert "Phòng Kinh tế" in html and "Quy tắc lĩnh vực" in html  # routing and its explanation
    assert 'data-deadline="xu_ly_don"' in html and "ngày làm việc" in html
    assert 'data-event="received"' in html and "Tiếp nhận đơn" in html
    assert "VĂN BẢN TRẢ LỜI ĐƠN PHẢN ÁNH" in html and p.code in html  # the answer form, prefilled


def test_login_is_required(client, session):
    p = make(session)
    answer = client.get(f"/can-bo/don/{p.code}")
    assert answer.status_code == 302 and "/can-bo/dang-nhap" in answer.headers["Location"]


def test_another_offices_petition_is_a_404_like_a_missing_one(login_as, session):
    p = make(session, category="chinh_sach_xa_hoi",
             content="Trường tiểu học xã chưa chi trả trợ cấp cho học sinh nghèo học kỳ này.")
    assert fresh(session, p).lead_office.code == "phong_vhxh"
    other = login_as("staff", office="phong_kinh_te")
    hidden, html_hidden = page(other, p.code)
    missing, html_missing = page(other, "ABCD-EFGH-J")
    assert hidden.status_code == missing.status_code == 404
    assert "trợ cấp" not in html_hidden
    assert html_hidden.replace(p.code, "X") == html_missing.replace("ABCD-EFGH-J", "X")
    assert act(other, p.code, "note", text="thử").status_code == 404
    assert page(login_as("staff", unit="11737"), p.code)[0].status_code == 404  # another unit's Văn phòng
    assert page(login_as("staff", office="phong_vhxh"), p.code)[0].status_code == 200


def test_chairperson_and_inspector_read_but_cannot_act(login_as, session):
    p = make(session, kind="to_cao", category="moi_truong",
             content="Tố cáo cơ sở chế biến hải sản xả thải trái phép ra bãi biển Cát Cò.")
    for role in ("chairperson", "inspector"):
        client = login_as(role)
        answer, html = page(client, p.code)
        assert answer.status_code == 200 and "Chỉ xem" in html
        assert "/thao-tac/" not in html
        token = csrf_of(html)
        for action, form in (("accept", {}), ("note", {"text": "x"}), ("assign", {"assignee": ""})):
            refused = client.post(f"/can-bo/don/{p.code}/thao-tac/{action}", data={"csrf_token": token, **form})
            assert refused.status_code == 403
    assert fresh(session, p).status == "classified"
    assert not session.scalars(select(Event).where(Event.kind == "note")).all()


def test_actions_need_the_csrf_token(login_as, session):
    p = make(session)
    client = login_as("staff")
    answer = client.post(f"/can-bo/don/{p.code}/thao-tac/note", data={"text": "Gọi lại cho công dân"})
    assert answer.status_code == 400
    answer = client.post(f"/can-bo/don/{p.code}/thao-tac/note", data={"text": "x", "csrf_token": "sai"})
    assert answer.status_code == 400
    assert not session.scalars(select(Event).where(Event.kind == "note")).all()


def test_unknown_action_is_404(login_as, session):
    p = make(session)
    assert act(login_as("staff"), p.code, "xoa_don").status_code == 404


ANSWER = "Ủy ban đã cử cán bộ kiểm tra và thay bóng đèn ngày 10/3."

FLOWS = [
    ("phan_anh", [("classify", {"reason": "Đúng lĩnh vực"}), ("answer", {"text": ANSWER}),
                  ("close", {}), ("reopen", {"reason": "Công dân báo đèn lại hỏng"})], "in_progress"),
    ("phan_anh", [("return", {"reason": "Đơn không có nội dung cụ thể", "document_number": "12/TB"})], "returned"),
    ("phan_anh", [("guide", {"to_body": "Công ty Điện lực Hải Phòng", "reason": "Lưới điện do công ty quản lý"}),
                  ("close", {"reason": "Đã hướng dẫn"})], "closed"),
    ("kien_nghi", [("transfer", {"to_body": "Tổng công ty Điện lực miền Bắc", "document_number": "05/PC"})],
     "transferred"),
    ("phan_anh", [("withdraw", {"reason": "Công dân rút đơn"})], "withdrawn"),
    ("khieu_nai", [("accept", {"document_number": "01/TB-UBND"}),
                   ("mark_complex", {"reason": "Nhiều hộ liên quan", "criteria": ["b", "c"]}),
                   ("start", {}), ("answer", {"text": ANSWER, "document_number": "02/QĐ"})], "answered"),
    ("to_cao", [("accept", {}), ("mark_complex", {"reason": "Xác minh nhiều nơi", "criteria": "a"}),
                ("extend", {"reason": "Cần thêm thời gian xác minh"})], "in_progress"),
]


@pytest.mark.parametrize("kind,steps,final", FLOWS, ids=[f"{k}-{s[-1][0]}" for k, s, _ in FLOWS])
def test_each_action_happy_path(login_as, session, kind, steps, final):
    p = make(session, kind=kind, category="moi_truong" if kind == "to_cao" else "ha_tang_giao_thong",
             content="Cơ sở hải sản xả thải ra biển." if kind == "to_cao" else CONTENT)
    client = login_as("staff")  # Văn phòng: triage staff may act on every petition of the unit
    for action, form in steps:
        _, html = page(client, p.code)
        assert f'data-action="{action}"' in html, f"{action} not offered in {fresh(session, p).status}"
        answer = act(client, p.code, action, **form)
        assert answer.status_code == 303, answer.get_data(as_text=True)
        assert answer.headers["Location"].endswith(f"/can-bo/don/{p.code}")
    assert fresh(session, p).status == final
    logged = [e.data["op"] for e in audit(session, "petition_action", p.code)]
    assert sorted(logged) == sorted(a for a, _ in steps)
    followed = client.get(f"/can-bo/don/{p.code}").get_data(as_text=True)
    assert "Đã thực hiện" in followed and f'data-status="{final}"' in followed


def test_the_answer_reaches_the_citizen_and_the_page(login_as, session):
    p = make(session)
    client = login_as("staff")
    assert act(client, p.code, "answer", text=ANSWER, document_number="15/UBND").status_code == 303
    session.expire_all()
    reply = session.scalar(select(Reply).where(Reply.petition_id == p.id, Reply.kind == "answer"))
    assert reply.text == ANSWER and reply.document_number == "15/UBND"
    assert session.scalar(select(OutboxMessage).where(OutboxMessage.text == ANSWER)).recipient == "0912000111"
    html = page(client, p.code)[1]
    assert ANSWER in html and 'data-state="met"' in html


def test_a_refused_move_is_explained_with_the_form_kept(login_as, session):
    p = make(session, kind="to_cao", category="moi_truong", content="Cơ sở hải sản xả thải ra biển.")
    client = login_as("staff")
    assert act(client, p.code, "accept").status_code == 303
    answer = act(client, p.code, "extend", reason="Lý do gõ dở", document_number="07/QĐ")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Chỉ vụ việc phức tạp hoặc đặc biệt phức tạp mới được gia hạn" in html
    assert 'id="act-extend" data-action="extend" open' in html and "Lý do gõ dở" in html and "07/QĐ" in html
    assert fresh(session, p).status == "accepted"  # nothing of the refused action was kept
    stale = act(client, p.code, "return", reason="Muộn")  # not offered any more: refused by the workflow
    assert stale.status_code == 409 and "Không thể trả lại đơn khi đơn đang ở trạng thái" in stale.get_data(as_text=True)


def test_invalid_forms_are_422_with_vietnamese_messages(login_as, session):
    p = make(session)
    client = login_as("staff")
    missing = act(client, p.code, "return", document_number="09/TB")
    html = missing.get_data(as_text=True)
    assert missing.status_code == 422 and "Trường này là bắt buộc." in html and "09/TB" in html
    draft = act(client, p.code, "answer", text="Kính gửi ông/bà. […] Trân trọng.")
    assert draft.status_code == 422 and "còn chỗ chưa điền" in draft.get_data(as_text=True)
    assert "Kính gửi ông/bà. […] Trân trọng." in draft.get_data(as_text=True)
    assert fresh(session, p).status == "classified"


def test_route_to_another_office_then_that_office_acts(login_as, session):
    p = make(session, category="khac", content="Đề nghị lắp thêm đèn chiếu sáng đường Hà Sen.")
    assert fresh(session, p).lead_office.code == "van_phong"
    clerk = login_as("staff")
    answer = act(clerk, p.code, "route", office="phong_kinh_te", reason="Chiếu sáng do Phòng Kinh tế quản lý")
    assert answer.status_code == 303
    p = fresh(session, p)
    assert p.lead_office.code == "phong_kinh_te" and p.status == "classified"
    assert [e.data["op"] for e in audit(session, "petition_action", p.code)] == ["route"]
    economy = login_as("staff", office="phong_kinh_te")
    assert page(economy, p.code)[0].status_code == 200
    assert act(economy, p.code, "answer", text=ANSWER).status_code == 303
    assert fresh(session, p).status == "answered"


def test_route_needs_a_reason_and_a_target(login_as, session):
    p = make(session)
    client = login_as("staff")
    assert act(client, p.code, "route", office="phong_vhxh").status_code == 422
    assert act(client, p.code, "route", reason="Không rõ").status_code == 422
    assert fresh(session, p).lead_office.code == "phong_kinh_te"


def test_route_to_another_unit_leaves_the_clerks_desk(login_as, session):
    p = make(session)
    clerk = login_as("staff")
    answer = act(clerk, p.code, "route", unit="11737", reason="Tuyến đường thuộc phường Nam Đồ Sơn")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/can-bo/don")
    p = fresh(session, p)
    assert p.unit.code == "11737" and p.lead_office.code == "phong_kinh_te"
    assert page(clerk, p.code)[0].status_code == 404
    assert page(login_as("staff", unit="11737"), p.code)[0].status_code == 200


def test_assign_and_internal_note(login_as, make_user, session):
    p = make(session)
    worker = make_user("kt1", "staff", unit=UNIT, office="phong_kinh_te", full_name="Trần Văn Hùng")
    make_user("vh1", "staff", unit=UNIT, office="phong_vhxh")
    head = login_as("office_head", office="phong_kinh_te")
    assert act(head, p.code, "assign", assignee=str(worker.id), reason="Phụ trách chiếu sáng").status_code == 303
    assert fresh(session, p).assignee_id == worker.id
    assert audit(session, "petition_assigned", p.code)[0].data["assignee"] == "kt1"
    html = page(head, p.code)[1]
    assert 'data-assignee>Trần Văn Hùng' in html
    assert act(head, p.code, "note", text="Đã gọi điện hẹn kiểm tra thứ Hai.").status_code == 303
    note = session.scalar(select(Event).where(Event.petition_id == p.id, Event.kind == "note"))
    assert note.public is False and note.data["text"] == "Đã gọi điện hẹn kiểm tra thứ Hai."
    assert audit(session, "note_added", p.code)
    assert "Đã gọi điện hẹn kiểm tra thứ Hai." in page(head, p.code)[1]
    status = head.get(f"/api/v1/status/{p.code}?phone=0912000111").get_json()  # the citizen's view
    assert "hẹn kiểm tra" not in str(status) and "Trần Văn Hùng" not in str(status)


def test_assign_outside_the_lead_office_is_refused(login_as, make_user, session):
    p = make(session)
    outsider = make_user("vh2", "staff", unit=UNIT, office="phong_vhxh")
    client = login_as("staff")
    answer = act(client, p.code, "assign", assignee=str(outsider.id))
    assert answer.status_code == 422 and "phòng ban chủ trì" in answer.get_data(as_text=True)
    assert act(client, p.code, "note", text="   ").status_code == 422
    assert fresh(session, p).assignee_id is None


def test_merge_split_and_rename_the_matter(login_as, session):
    a = make(session)
    b = make(session, category="moi_truong", content="Bãi rác tự phát ở chân đê thôn 5 bốc mùi hôi thối.")
    a, b = fresh(session, a), fresh(session, b)
    assert a.matter_id != b.matter_id
    client = login_as("staff")
    assert act(client, a.code, "merge_matter", other=str(b.matter_id)).status_code == 422  # reason required
    assert act(client, a.code, "merge_matter", other="999999", reason="x").status_code == 422
    assert act(client, a.code, "merge_matter", other=f"#{b.matter_id}", reason="Cùng một khu").status_code == 303
    assert fresh(session, b).matter_id == a.matter_id
    html = page(client, a.code)[1]
    assert f'href="/can-bo/don/{b.code}"' in html and "Gộp vụ việc" in html
    assert act(client, a.code, "rename_matter", title="Chiếu sáng và rác ở Hà Sen", reason="Rõ hơn").status_code == 303
    assert session.get(Matter, a.matter_id).title == "Chiếu sáng và rác ở Hà Sen"
    assert act(client, b.code, "split_matter", reason="Hai việc khác nhau").status_code == 303
    assert fresh(session, b).matter_id != fresh(session, a).matter_id
    ops = sorted(e.data["op"] for e in audit(session, "matter_changed"))
    assert ops == ["merge", "rename", "split"]


def test_clear_a_flag_with_a_reason(login_as, session):
    p = make(session, co_signers=[PersonData(name=f"Người {i}", phone=f"091200020{i}", representative=i == 0)
                              for i in range(5)])
    flag = session.scalar(select(Flag).where(Flag.petition_id == p.id, Flag.code == "dong_nguoi"))
    assert flag is not None
    client = login_as("staff")
    html = page(client, p.code)[1]
    assert 'data-flag="dong_nguoi"' in html and "đơn có từ 5 người đứng tên" in html
    assert act(client, p.code, "clear_flag", flag_id=str(flag.id)).status_code == 422
    assert act(client, p.code, "clear_flag", flag_id="0", reason="x").status_code == 404
    assert act(client, p.code, "clear_flag", flag_id=str(flag.id), reason="Cùng một hộ gia đình").status_code == 303
    session.expire_all()
    assert session.get(Flag, flag.id).cleared_reason == "Cùng một hộ gia đình"


def test_attachment_is_a_logged_download(login_as, session):
    p = make(session, attachments=[AttachmentData("den-hong.png", png_bytes())])
    client = login_as("staff")
    html = page(client, p.code)[1]
    file_id = fresh(session, p).attachments[0].id
    assert f"/can-bo/don/{p.code}/tep/{file_id}" in html
    answer = client.get(f"/can-bo/don/{p.code}/tep/{file_id}")
    assert answer.status_code == 200 and answer.data == png_bytes()
    assert answer.headers["Content-Disposition"].startswith("attachment")
    assert answer.headers["X-Content-Type-Options"] == "nosniff" and answer.mimetype == "image/png"
    assert audit(session, "view_attachment", p.code)
    assert client.get(f"/can-bo/don/{p.code}/tep/{file_id + 999}").status_code == 404
    other = make(session, content="Ổ gà lớn trên đường trục xã, xe máy ngã nhiều lần.")
    assert client.get(f"/can-bo/don/{other.code}/tep/{file_id}").status_code == 404  # not this petition's file


def test_correcting_the_kind_needs_a_reason_and_is_kept_as_a_correction(login_as, session):
    p = make(session)
    client = login_as("staff")
    refused = act(client, p.code, "classify", kind="kien_nghi", category="ha_tang_giao_thong")
    assert refused.status_code == 422 and "Sửa phân loại cần ghi lý do." in refused.get_data(as_text=True)
    assert 'id="act-classify" data-action="classify" open' in refused.get_data(as_text=True)
    assert fresh(session, p).kind == "phan_anh"
    done = act(client, p.code, "classify", kind="kien_nghi", category="ha_tang_giao_thong", reason="Đề nghị lắp đèn")
    assert done.status_code == 303
    p = fresh(session, p)
    assert p.kind == "kien_nghi" and p.classification["corrected"] == {"kind": "kien_nghi",
                                                                         "category": "ha_tang_giao_thong"}
    html = page(client, p.code)[1]
    assert 'data-event="reclassified"' in html and "Lý do: Đề nghị lắp đèn" in html
