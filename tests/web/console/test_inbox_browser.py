"""The inbox at 1366×768 in real Chromium (issue 20 point 1): at least twelve petitions above the fold under the
compact filter bar, a bulk assignment undone with "Hoàn tác", and axe-core finds no WCAG 2.1 AA violation."""
from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import select

from service.models.petition import Petition
from tests.factories import builder
from tests.web.console.conftest import PASSWORD

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1366, "height": 768}, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
UNIT = "11914"
SCREENS = os.environ.get("SCREENS_DIR", "/tmp/screens-console")
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}
make = builder(unit=UNIT, consent=True, commit=True)
STORIES = ["Đèn đường hỏng ở tổ dân phố {i}, buổi tối rất tối, đề nghị sửa sớm.",
           "Ổ gà lớn trên đường trục thôn {i}, xe máy ngã nhiều lần.",
           "Rác thải tồn đọng ở chân đê thôn {i} bốc mùi hôi thối nhiều ngày."]


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG_21_AA)
    return [f"{v['id']}: {', '.join(str(n['target']) for n in v['nodes'])}" for v in results.response["violations"]]


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


def test_twelve_rows_above_the_fold_and_a_bulk_assignment_undone(browser, live_server, make_user, session):
    make_user("vp_lan", "staff", unit=UNIT, office="van_phong", full_name="Nguyễn Thị Lan")
    make_user("kt_hung", "staff", unit=UNIT, office="phong_kinh_te", full_name="Trần Văn Hùng")
    for i in range(24):
        make(session, STORIES[i % 3].format(i=i + 1), name=f"Người gửi {i}", phone=f"09120001{i:02d}",
             days_ago=1 + i / 10)
    page = desk(browser, live_server, "vp_lan")
    rows = page.locator("table.inbox tbody tr")
    assert rows.count() == 20
    above = [box for box in (rows.nth(i).bounding_box() for i in range(rows.count()))
             if box and box["y"] + box["height"] <= DESK["viewport"]["height"]]
    os.makedirs(SCREENS, exist_ok=True)
    page.screenshot(path=f"{SCREENS}/inbox-1366x768.png")
    assert len(above) >= 12, f"only {len(above)} rows above the fold"
    assert page.locator("details.filterbar__more").get_attribute("open") is None  # advanced filters folded
    assert page.get_by_role("columnheader", name="Người xử lý").is_visible()
    assert axe_violations(page) == []

    # Bulk: assign two petitions, then undo.
    codes = [rows.nth(i).get_attribute("data-row") for i in (0, 1)]
    for code in codes:
        page.get_by_label(f"Chọn đơn {code}").check()
    page.get_by_label("Người được giao").select_option(label="Trần Văn Hùng (Phòng Kinh tế)")
    page.get_by_role("button", name="Giao", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("Đã thực hiện: giao người xử lý 2 đơn.").is_visible()
    session.expire_all()
    assigned = session.scalars(select(Petition).where(Petition.code.in_(codes))).all()
    assert all(p.assignee_id is not None for p in assigned)
    assert page.locator(f'tr[data-row="{codes[0]}"]').get_by_text("Trần Văn Hùng").is_visible()
    page.screenshot(path=f"{SCREENS}/inbox-bulk-undo-1366x768.png")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Hoàn tác").click()
    page.wait_for_load_state()
    assert page.get_by_text("Đã hoàn tác: giao người xử lý 2 đơn.").is_visible()
    session.expire_all()
    assert all(p.assignee_id is None for p in session.scalars(select(Petition).where(Petition.code.in_(codes))))
    assert page.get_by_role("button", name="Hoàn tác").count() == 0


def test_petition_canned_answers_and_entry_pages_are_axe_clean(browser, live_server, make_user, session):
    from service.domain.inbound import AttachmentData
    from tests.helpers import png_bytes
    from tests.ocr_letters import as_bytes, typed

    make_user("vp_mai", "staff", unit=UNIT, office="van_phong", full_name="Lê Thị Mai")
    p = make(session, STORIES[0].format(i=9), name="Vũ Văn Tâm", phone="0912000999", days_ago=1,
             attachments=[AttachmentData("den-hong.png", png_bytes((64, 48)))])
    page = desk(browser, live_server, "vp_mai")
    page.goto(f"{live_server}/can-bo/don/{p.code}")
    assert page.locator('[data-preview="image"] img').is_visible()
    page.screenshot(path=f"{SCREENS}/petition-1366x768.png", full_page=True)
    assert axe_violations(page) == []

    page.goto(f"{live_server}/can-bo/mau-tra-loi")
    page.get_by_label("Tên mẫu").fill("Đã sửa đèn")
    page.get_by_role("button", name="Thêm mẫu").click()
    page.wait_for_load_state()
    assert page.get_by_text("Đã lưu mẫu trả lời “Đã sửa đèn”.").is_visible()
    assert axe_violations(page) == []

    page.goto(f"{live_server}/can-bo/nhap-don")
    scan = f"{SCREENS}/don-giay.png"
    with open(scan, "wb") as out:
        out.write(as_bytes(typed()))
    page.get_by_label("Bản quét (PDF) hoặc ảnh chụp đơn giấy").set_input_files(scan)
    page.get_by_role("button", name="Đọc chữ từ bản quét").click()
    page.wait_for_load_state()
    assert "nạo vét" in page.locator("#f-content").input_value()
    page.screenshot(path=f"{SCREENS}/entry-scan-1366x768.png", full_page=True)
    assert axe_violations(page) == []
