"""The triage path in real Chromium against a real server: a Văn phòng clerk filters the inbox, opens a petition,
corrects its field and sends it to another office; that office's clerk answers it."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from service.db import utcnow
from service.domain.inbound import Actor, InboundMessage, PersonData
from service.domain.intake.operations import submit
from service.models.event import Event
from service.models.petition import Petition
from service.models.reply import Reply
from service.models.user import AuditEntry
from tests.web.console.conftest import PASSWORD

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1366, "height": 768}, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
UNIT = "11914"  # Đặc khu Cát Hải
CONTENT = "Mái phòng học lớp 3 của trường tiểu học thôn 4 bị dột nặng, học sinh phải chuyển lớp mỗi khi trời mưa."
ANSWER_TEXT = "Phòng Kinh tế đã kiểm tra ngày 12/3 và bố trí kinh phí lợp lại mái phòng học trong tháng 4."



def desk(browser, live_server, username):
    context = browser.new_context(**DESK)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server}/can-bo/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/can-bo/don$"))
    return page


def open_action(page, summary):
    page.locator("details.action > summary", has_text=summary).click()
    return page.locator("details.action[open]")


def test_triage_correct_field_transfer_and_answer(browser, live_server, make_user, session, tmp_path):
    make_user("vp_lan", "staff", unit=UNIT, office="van_phong", full_name="Nguyễn Thị Lan")
    make_user("kt_hung", "staff", unit=UNIT, office="phong_kinh_te", full_name="Trần Văn Hùng")
    msg = InboundMessage(consent=True, channel="web", content=CONTENT, unit=UNIT, kind="phan_anh", category="khac",
                         petitioner=PersonData(name="Bùi Văn Nam", phone="0912555666", address="Thôn 4, Cát Hải"))
    petition = submit(session, msg, Actor(label="Công dân"), now=utcnow() - dt.timedelta(hours=3)).petition
    decoy = submit(session, InboundMessage(channel="web", unit=UNIT, kind="kien_nghi", category="khac",
                                           content="Đề nghị mở thêm tuyến xe buýt ra bến phà Gót vào buổi tối."),
                   Actor(label="Công dân"), now=utcnow() - dt.timedelta(hours=2)).petition
    session.commit()
    code = petition.code
    assert petition.lead_office.code == "van_phong"

    # 1. The Văn phòng clerk filters the inbox (no diacritics typed) and opens the petition.
    page = desk(browser, live_server, "vp_lan")
    page.get_by_label("Tìm trong nội dung hoặc mã đơn").fill("mai phong hoc bi dot")
    page.get_by_label("Loại đơn").select_option("phan_anh")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url(re.compile(r"q=mai"))
    assert page.get_by_role("link", name=code).is_visible()
    assert page.get_by_role("link", name=decoy.code).count() == 0
    page.get_by_role("link", name=code).click()
    page.wait_for_url(re.compile(rf"/can-bo/don/{code}$"))
    assert page.get_by_role("heading", name=re.compile(code)).is_visible()
    assert page.locator("[data-office]").inner_text() == "Văn phòng HĐND và UBND"
    assert page.get_by_text("Quy tắc lĩnh vực", exact=False).first.is_visible()

    # 2. Correct the field: a school belongs to Phòng Văn hóa - Xã hội, which the routing then picks.
    form = open_action(page, "Xác nhận hoặc sửa phân loại")
    form.get_by_label("Lĩnh vực").select_option("chinh_sach_xa_hoi")
    form.get_by_label("Lý do (bắt buộc khi sửa)").fill("Phản ánh về trường học")
    form.get_by_role("button", name="Lưu phân loại").click()
    page.wait_for_load_state()
    assert page.get_by_text("Đã thực hiện: sửa phân loại.").is_visible()
    assert page.locator("[data-category]").inner_text() == "Chính sách xã hội, y tế, giáo dục"
    assert page.locator("[data-office]").inner_text() == "Phòng Văn hóa - Xã hội"
    assert page.locator('[data-event="reclassified"]').count() == 1
    page.screenshot(path=str(tmp_path / "after-field.png"), full_page=True)

    # 3. Send it on to Phòng Kinh tế: the roof is a building repair.
    form = open_action(page, "Chuyển phòng ban, đơn vị")
    form.get_by_label("Phòng ban nhận").select_option("phong_kinh_te")
    form.get_by_label("Lý do chuyển").fill("Sửa chữa công trình trường học do Phòng Kinh tế chủ trì")
    form.get_by_role("button", name="Chuyển").click()
    page.wait_for_load_state()
    assert page.get_by_text("Đã thực hiện: chuyển phòng ban, đơn vị.").is_visible()
    assert page.locator("[data-office]").inner_text() == "Phòng Kinh tế"
    assert page.locator('[data-event="rerouted"]').count() == 2
    page.context.close()

    # 4. Phòng Kinh tế's clerk finds it in the inbox and answers from the prefilled draft.
    page = desk(browser, live_server, "kt_hung")
    page.get_by_role("link", name=code).click()
    page.wait_for_url(re.compile(rf"/can-bo/don/{code}$"))
    form = open_action(page, "Trả lời")
    draft = form.get_by_label(re.compile("Văn bản trả lời")).input_value()
    assert draft.startswith("VĂN BẢN TRẢ LỜI ĐƠN PHẢN ÁNH") and code in draft and "[…]" in draft
    form.get_by_role("button", name="Gửi trả lời").click()  # the blank left in: refused, the text kept
    page.wait_for_load_state()
    assert page.get_by_role("alert").first.is_visible()
    assert "còn chỗ chưa điền" in page.locator("#action-error").inner_text()
    form = page.locator("details.action[open]")
    kept = form.get_by_label(re.compile("Văn bản trả lời"))
    assert kept.input_value() == draft
    answer = draft.replace("[…] (nêu kết quả xem xét, việc đã làm hoặc sẽ làm, thời gian thực hiện)", ANSWER_TEXT)
    kept.fill(answer)
    form.get_by_label("Số văn bản").fill("27/PKT")
    form.get_by_role("button", name="Gửi trả lời").click()
    page.wait_for_load_state()
    assert page.get_by_text("Đã thực hiện: trả lời.").is_visible()
    assert page.locator("[data-status]").inner_text() == "Đã trả lời"
    assert page.locator('[data-reply="answer"]').filter(has_text=ANSWER_TEXT).count() == 1
    assert page.locator('[data-deadline="tra_loi"][data-state="met"]').count() == 1
    page.screenshot(path=str(tmp_path / "answered.png"), full_page=True)
    page.context.close()

    # 5. What the database says at the end.
    session.expire_all()
    stored = session.scalar(select(Petition).where(Petition.code == code))
    assert (stored.status, stored.category, stored.lead_office.code) == ("answered", "chinh_sach_xa_hoi",
                                                                         "phong_kinh_te")
    reply = session.scalar(select(Reply).where(Reply.petition_id == stored.id, Reply.kind == "answer"))
    assert ANSWER_TEXT in reply.text and reply.document_number == "27/PKT"
    kinds = session.scalars(select(Event.kind).where(Event.petition_id == stored.id).order_by(Event.id)).all()
    assert kinds.count("reclassified") == 1 and kinds.count("rerouted") == 2 and kinds[-1] == "answered"
    ops = session.scalars(select(AuditEntry.data).where(AuditEntry.action == "petition_action",
                                                        AuditEntry.object_id == code).order_by(AuditEntry.id)).all()
    assert [o["op"] for o in ops] == ["classify", "route", "answer"]
