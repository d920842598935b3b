"""Issue 20, the citizen pages in real Chromium on a 390×844 phone: the rating error beside its field with the
focus there, the look-up form's own Vietnamese messages, the confirmation page opened in another browser, the
status page naming the office; axe-core finds no WCAG 2.1 AA violation. Screenshots: /tmp/screens-citizen/."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from service.models.petition import Petition
from service.models.reply import Reply
from tests.web.a11y import axe_violations

pytestmark = pytest.mark.browser

SCREENS = Path("/tmp/screens-citizen")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True,
         "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh", "reduced_motion": "reduce"}  # no smooth scroll
CONTENT = "Rãnh thoát nước dọc đường liên thôn bị đất đá lấp kín, mưa xuống nước tràn vào nhà dân."


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def shot(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=False)


def send(page, live_server) -> str:
    page.goto(f"{live_server}/gui-don")
    page.get_by_label("Tìm xã, phường").fill("kim thanh")
    page.get_by_label("Phản ánh", exact=True).check()
    page.get_by_label("Nội dung").fill(CONTENT)
    page.get_by_label("Số điện thoại").fill("0913 246 810")
    page.get_by_label("Tôi đồng ý").check()
    page.get_by_role("button", name="Gửi đơn").click()
    page.wait_for_url(re.compile(r"/da-gui/"))
    return page.locator("[data-code]").inner_text().strip()


def test_status_page_names_the_office_and_rating_errors_sit_beside_the_field(browser, phone, live_server, session):
    code = send(phone, live_server)
    phone.get_by_role("link", name="Xem tình trạng đơn").click()
    office = session.scalar(select(Petition).where(Petition.code == code)).lead_office.name
    assert phone.get_by_text(f"Đã tiếp nhận, đang chuyển đến {office}").is_visible()
    shot(phone, "status-390")
    assert axe_violations(phone) == []

    petition = session.scalar(select(Petition).where(Petition.code == code))
    petition.status = "answered"
    session.add(Reply(petition_id=petition.id, kind="answer", text="Xã đã cho nạo vét rãnh ngày 20/12."))
    session.commit()
    phone.reload()
    phone.get_by_role("button", name="Gửi đánh giá").click()  # no score chosen
    phone.wait_for_url(re.compile(r"#danh-gia$"))
    error = phone.locator("#f-score-error")
    error.wait_for()
    assert "Điểm đánh giá phải từ 1 đến 5" in error.inner_text()
    phone.locator("#f-score-1:focus").wait_for()  # the focus is on the field in error
    expect(error).to_be_in_viewport()  # the message is on the screen, not four screens down
    phone.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    shot(phone, "rating-error-390")
    assert axe_violations(phone) == []


def test_lookup_speaks_vietnamese_and_the_confirmation_elsewhere_explains_what_is_needed(browser, phone, live_server):
    code = send(phone, live_server)
    other = browser.new_context(**PHONE).new_page()
    other.goto(f"{live_server}/da-gui/{code}")
    assert "Không thực hiện được" not in other.content()
    assert other.get_by_text("Trang xác nhận chỉ hiện trên trình duyệt đã gửi đơn").is_visible()
    assert other.get_by_label("Mã đơn").input_value() == code
    shot(other, "confirmation-elsewhere-390")
    assert axe_violations(other) == []

    other.goto(f"{live_server}/tra-cuu")
    other.get_by_role("button", name="Tra cứu").click()
    summary = other.locator("#error-summary")
    summary.wait_for()
    assert "Vui lòng nhập mã đơn" in summary.inner_text()
    assert other.locator("#f-code-error").inner_text().endswith("Vui lòng nhập mã đơn (ví dụ: K7M4-Q2XA-R).")
    assert other.evaluate("document.activeElement.id") == "error-summary"
    messages = other.evaluate("[...document.querySelectorAll('input')].map(i => i.validationMessage)")
    assert all(m == "" for m in messages)  # no browser (English) message
    shot(other, "lookup-errors-390")
    assert axe_violations(other) == []
    other.context.close()


def test_searching_the_commune_without_javascript_keeps_the_content(browser, live_server):
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/gui-don")
    page.get_by_label("Nội dung").fill(CONTENT)
    page.get_by_label("Tìm xã, phường").fill("kim thanh")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#f-unit option[data-folded]").all_inner_texts() == ["Xã Kim Thành"]
    assert page.get_by_label("Nội dung").input_value() == CONTENT
    page.get_by_label("Nội dung").scroll_into_view_if_needed()
    shot(page, "form-nojs-search-390")
    context.close()
