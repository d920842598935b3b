"""Canned answers per office and kind (issue 20 point 4): edited by the office head and Văn phòng (audited),
picked on the answer form and filled from the petition — the citizen's name only for who may see it."""
from __future__ import annotations

import re

from sqlalchemy import select

from service.models.console import CannedAnswer
from service.models.petition import Petition
from service.models.reply import Reply
from service.models.unit import Office
from service.models.user import AuditEntry
from tests.factories import builder
from tests.web.console.conftest import csrf_of

UNIT = "11914"
make = builder(content="Đèn đường trên tuyến đường Hà Sen bị hỏng nhiều tháng nay.", unit=UNIT,
               name="Phạm Thị Hoa", phone="0912000111", hours_ago=1, commit=True)
TEXT = ("Kính gửi {cong_dan},\n{co_quan} đã nhận đơn {loai_don} mã {ma_don} ngày {ngay_nhan}.\n"
        "Đơn vị đã cử cán bộ kiểm tra và thay bóng đèn trong tuần.")


def office_id(session, code):
    return session.scalar(select(Office.id).join(Office.unit).where(Office.code == code,
                                                                    Office.unit.has(code=UNIT)))


def save(client, **form):
    token = csrf_of(client.get("/can-bo/mau-tra-loi").get_data(as_text=True))
    return client.post("/can-bo/mau-tra-loi", data={"csrf_token": token, **form})


def test_the_office_head_and_van_phong_edit_an_offices_answers_others_do_not(session, login_as):
    kt = office_id(session, "phong_kinh_te")
    head = login_as("office_head", office="phong_kinh_te")
    assert save(head, office_id=str(kt), kind="phan_anh", title="Đã sửa đèn", text=TEXT).status_code == 303
    answer = session.scalar(select(CannedAnswer))
    assert answer.title == "Đã sửa đèn" and answer.office_id == kt
    vp = login_as("staff", office="van_phong")
    assert save(vp, id=str(answer.id), office_id=str(kt), kind="phan_anh", title="Đã thay bóng đèn", text=TEXT,
                active="1").status_code == 303
    session.expire_all()
    assert session.get(CannedAnswer, answer.id).title == "Đã thay bóng đèn"
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "canned_answer_saved")).all()
    assert len(entries) == 2 and entries[1].data["before"]["title"] == "Đã sửa đèn"
    plain = login_as("staff", office="phong_kinh_te")
    assert plain.get("/can-bo/mau-tra-loi").status_code == 403
    other_head = login_as("office_head", office="phong_vhxh")
    refused = save(other_head, id=str(answer.id), office_id=str(office_id(session, "phong_vhxh")), kind="phan_anh",
                   title="x", text="y")
    assert refused.status_code == 403
    bad = save(head, office_id=str(kt), kind="phan_anh", title="Sai", text="Mã {ma_so}")
    assert bad.status_code == 422 and "Không có trường {ma_so}" in bad.get_data(as_text=True)


def test_a_routine_answer_from_a_canned_one(session, login_as):
    p = make(session)
    assert p.lead_office.code == "phong_kinh_te"
    head = login_as("office_head", office="phong_kinh_te")
    save(head, office_id=str(office_id(session, "phong_kinh_te")), kind="phan_anh", title="Đã sửa đèn", text=TEXT)
    answer = session.scalar(select(CannedAnswer))
    page = head.get(f"/can-bo/don/{p.code}").get_data(as_text=True)
    assert f'href="?mau={answer.id}#act-answer"' in page
    filled = head.get(f"/can-bo/don/{p.code}?mau={answer.id}").get_data(as_text=True)
    box = re.search(r'id="f-answer-text"[^>]*>(.*?)</textarea>', filled, re.S).group(1)
    received = p.received_at.astimezone().strftime("%d/%m/%Y")
    assert "Kính gửi ông/bà Phạm Thị Hoa," in box and f"mã {p.code} ngày" in box and "Phòng Kinh tế" in box
    assert re.search(r"ngày \d\d/\d\d/20\d\d\.", box) and "{" not in box, (box, received)
    assert 'data-action="answer" open' in filled
    head.post(f"/can-bo/don/{p.code}/thao-tac/start", data={"csrf_token": csrf_of(filled)})
    sent = head.post(f"/can-bo/don/{p.code}/thao-tac/answer", data={"csrf_token": csrf_of(filled), "text": box})
    assert sent.status_code == 303, sent.get_data(as_text=True)
    assert "thay bóng đèn" in session.scalar(select(Reply.text).where(Reply.petition_id == p.id))


def test_a_denouncers_name_is_filled_only_for_who_may_see_it(session, login_as):
    p = make(session, "Tố cáo cơ sở chế biến hải sản xả nước thải chưa xử lý ra bãi biển vào ban đêm.",
             kind="to_cao", category="moi_truong", name="Đỗ Minh Khang", phone="0987111222")
    assert p.lead_office.code == "phong_kinh_te"
    vp = login_as("staff", office="van_phong")
    save(vp, office_id=str(office_id(session, "phong_kinh_te")), kind="to_cao", title="Kết quả", text=TEXT)
    answer = session.scalar(select(CannedAnswer))
    session.expire_all()
    p = session.get(Petition, p.id)
    # a plain member of the handling office, assigned by nobody: may answer, may not know who denounced
    plain = login_as("staff", office="phong_kinh_te")
    html = plain.get(f"/can-bo/don/{p.code}?mau={answer.id}").get_data(as_text=True)
    if 'id="f-answer-text"' in html:
        box = re.search(r'id="f-answer-text"[^>]*>(.*?)</textarea>', html, re.S).group(1)
        assert "Khang" not in box and "Kính gửi ông/bà," in box
    head = login_as("office_head", office="phong_kinh_te")
    for action in ("accept", "start"):
        page = head.get(f"/can-bo/don/{p.code}").get_data(as_text=True)
        head.post(f"/can-bo/don/{p.code}/thao-tac/{action}", data={"csrf_token": csrf_of(page)})
    html = head.get(f"/can-bo/don/{p.code}?mau={answer.id}").get_data(as_text=True)
    box = re.search(r'id="f-answer-text"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert "Kính gửi ông/bà Đỗ Minh Khang," in box
    html = plain.get(f"/can-bo/don/{p.code}?mau={answer.id}").get_data(as_text=True)
    box = re.search(r'id="f-answer-text"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert "Khang" not in box and "Kính gửi ông/bà," in box
