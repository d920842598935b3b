"""The citizen pages in real Chromium (Playwright, sync API) against a real server, on a phone-sized screen."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from service.domain.matters import flags
from service.models.attachment import Attachment
from service.models.petition import Petition

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
CONTENT = "Cống thoát nước trước nhà số 5 đường Vạn Sơn bị tắc, nước tràn ra đường mỗi khi mưa."

# The form's tab stops, in order: each input once (a radio group once, at its checked radio), then the button.
FORM_TAB_STOPS = ["f-unit-search", "unit-search-button", "f-unit", "f-kind", "f-title", "f-content", "f-place",
                  "f-attachments", "f-name", "f-address", "f-phone", "f-email", "f-anonymous", "f-co_signers",
                  "f-consent", "f-allow-publication", "submit-button"]



@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def pictures(tmp_path: Path) -> list[Path]:
    png, jpeg = tmp_path / "cong-tac.png", tmp_path / "duong-ngap.jpg"
    Image.new("RGB", (64, 48), (30, 90, 160)).save(png, format="PNG")
    Image.new("RGB", (64, 48), (160, 90, 30)).save(jpeg, format="JPEG")
    return [png, jpeg]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_citizen_sends_a_petition_with_photos_and_follows_it_on_a_phone(browser, phone, live_server, tmp_path,
                                                                          session):
    page = phone
    page.goto(f"{live_server}/gui-don")
    assert no_horizontal_scroll(page)
    page.get_by_label("Tìm xã, phường").fill("nam do son")  # form.js filters the list as one types
    assert page.locator("#f-unit").input_value() == "11737"
    assert page.locator("#f-unit option[data-folded]").count() == 1
    page.get_by_label("Phản ánh", exact=True).check()
    page.get_by_label("Tiêu đề").fill("Cống thoát nước bị tắc")
    page.get_by_label("Nội dung").fill(CONTENT)
    page.get_by_label("Địa điểm xảy ra sự việc").fill("Số 5 đường Vạn Sơn")
    page.get_by_label("Ảnh hoặc tài liệu đính kèm").set_input_files(pictures(tmp_path))
    page.get_by_label("Họ và tên").fill("Trần Thị Bình")
    page.get_by_label("Địa chỉ của bạn").fill("Số 5 đường Vạn Sơn")
    page.get_by_label("Số điện thoại").fill("0987 654 321")
    page.get_by_label("Thư điện tử (email)").fill("binh@example.vn")
    page.get_by_label("Tôi đồng ý").check()
    page.screenshot(path=str(tmp_path / "form-360.png"), full_page=True)

    page.get_by_role("button", name="Gửi đơn").click()
    page.wait_for_url(re.compile(r"/da-gui/"))
    code = page.locator("[data-code]").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]", code)
    assert page.get_by_text("Đơn của bạn đã được gửi").is_visible()
    assert page.get_by_text(re.compile(r"Chậm nhất ngày \d\d/\d\d/\d{4}")).first.is_visible()
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / "confirmation-360.png"), full_page=True)

    petition = session.scalar(select(Petition).where(Petition.code == code))
    assert petition.content == CONTENT and petition.unit.code == "11737"
    types = session.scalars(select(Attachment.content_type).where(Attachment.petition_id == petition.id)).all()
    assert sorted(types) == ["image/jpeg", "image/png"]

    # Another phone (no session): look the petition up with the code and the phone number.
    other = browser.new_context(**PHONE).new_page()
    other.goto(f"{live_server}/tra-cuu")
    other.get_by_label("Mã đơn").fill(code.lower().replace("-", ""))
    other.get_by_label("Số điện thoại").fill("0987654321")
    other.get_by_role("button", name="Tra cứu").click()
    other.wait_for_url(re.compile(rf"/tra-cuu/{code}$"))
    assert other.get_by_role("heading", name="Quá trình xử lý").is_visible()
    assert other.locator(".timeline__item").filter(has_text="Đã tiếp nhận đơn").count() == 1
    assert no_horizontal_scroll(other)
    other.screenshot(path=str(tmp_path / "status-360.png"), full_page=True)
    other.context.close()


def test_keyboard_reaches_every_field_in_order_with_a_visible_focus(phone, live_server):
    page = phone
    page.goto(f"{live_server}/gui-don")
    page.keyboard.press("Tab")
    skip = page.evaluate("({text: document.activeElement.textContent.trim(),"
                         " top: document.activeElement.getBoundingClientRect().top})")
    assert skip["text"] == "Bỏ qua, tới nội dung chính" and skip["top"] >= 0  # shown when focused
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focus = page.evaluate("""() => {
            const el = document.activeElement, style = getComputedStyle(el);
            return {id: el.id || el.tagName,
                    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                    shadow: style.boxShadow !== 'none'};
        }""")
        if focus["id"] in FORM_TAB_STOPS:
            assert focus["outline"] or focus["shadow"], f"no visible focus on {focus['id']}"
            reached.append(focus["id"])
        if focus["id"] == "submit-button":
            break
    assert reached == FORM_TAB_STOPS


def test_every_input_has_an_accessible_label(phone, live_server):
    page = phone
    for path in ("/gui-don", "/tra-cuu"):
        page.goto(f"{live_server}{path}")
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
            .filter(el => el.type !== 'hidden' && el.labels.length === 0 && !el.getAttribute('aria-label'))
            .map(el => el.name)""")
        assert unlabelled == [], path
    page.goto(f"{live_server}/gui-don")
    for label, element_id in (("Số điện thoại", "f-phone"), ("Họ và tên", "f-name"), ("Nội dung", "f-content"),
                              ("Xã, phường, đặc khu nhận đơn", "f-unit"), ("Tìm xã, phường", "f-unit-search"),
                              ("Chưa rõ — để cán bộ phân loại", "f-kind"), ("Tố cáo (radio)", "f-kind-to_cao"),
                              ("Số người cùng ký đơn", "f-co_signers"), ("Gửi nặc danh", "f-anonymous"),
                              ("Tôi đồng ý", "f-consent"), ("Ảnh hoặc tài liệu đính kèm", "f-attachments")):
        exact = label.endswith(" (radio)")
        label = label.removesuffix(" (radio)")
        assert page.get_by_label(label, exact=exact).get_attribute("id") == element_id, label


def test_errors_are_announced_and_linked_and_nothing_is_stored(phone, live_server, session):
    page = phone
    page.goto(f"{live_server}/gui-don")
    page.get_by_label("Nội dung").fill("Xin lắp đèn đường ở ngõ 7.")
    page.get_by_label("Số điện thoại").fill("12345")
    page.get_by_role("button", name="Gửi đơn").click()
    # form.js stops the post without consent, and says why next to the box.
    consent_error = page.locator("#f-consent-error")
    consent_error.wait_for()
    assert "Bạn cần đồng ý" in consent_error.inner_text() and consent_error.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.id") == "f-consent"
    assert page.url.endswith("/gui-don")

    page.get_by_label("Tôi đồng ý").check()
    page.get_by_role("button", name="Gửi đơn").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.id") == "error-summary"  # form.js moves the focus there
    assert page.locator("#f-phone").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Nội dung").input_value() == "Xin lắp đèn đường ở ngõ 7."
    summary.get_by_role("link", name=re.compile("Số điện thoại không phải")).click()
    assert page.url.endswith("#f-phone")
    assert session.scalar(select(func.count()).select_from(Petition)) == 0


def test_the_form_works_without_javascript(browser, live_server, tmp_path, session):
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/gui-don")
    page.get_by_label("Tìm xã, phường").fill("kim thanh")
    page.get_by_role("button", name="Tìm", exact=True).click()  # posts the form back; the server narrows the select
    page.wait_for_load_state()
    assert page.locator("#f-unit option[data-folded]").all_inner_texts() == ["Xã Kim Thành"]
    page.get_by_label("Nội dung").fill("Đề nghị sửa đường liên thôn bị sạt lở.")
    page.get_by_label("Số điện thoại").fill("0912000111")
    page.get_by_label("Tôi đồng ý").check()
    page.get_by_role("button", name="Gửi đơn").click()
    page.wait_for_url(re.compile(r"/da-gui/"))
    code = page.locator("[data-code]").inner_text().strip()
    page.get_by_role("link", name="Xem tình trạng đơn").click()
    assert page.locator(".timeline__item").count() >= 1
    petition = session.scalar(select(Petition).where(Petition.code == code))
    assert petition.unit.name == "Xã Kim Thành"
    context.close()


def test_the_pages_fit_a_laptop_screen(browser, live_server, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    for path, name in (("/", "home"), ("/gui-don", "form")):
        page.goto(f"{live_server}{path}")
        assert no_horizontal_scroll(page)
        page.screenshot(path=str(tmp_path / f"{name}-1366.png"))
    context.close()


def test_representative_rows_appear_when_the_count_reaches_the_threshold(phone, live_server, session):
    page = phone
    page.goto(f"{live_server}/gui-don")
    block, add = page.locator("#representatives"), page.locator("#rep-add")
    assert block.is_hidden()
    count = page.get_by_label("Số người cùng ký đơn")
    count.fill(str(flags.CROWD - 2))  # one short of a crowd, with the sender
    assert block.is_hidden() and page.locator("#f-rep-1-name").is_disabled()  # hidden rows are not sent
    count.fill(str(flags.CROWD - 1))
    assert block.is_visible() and page.locator("#rep-1").is_visible() and page.locator("#rep-2").is_hidden()
    assert "vui lòng ghi người đại diện (tối đa 2 người)" in page.locator("#rep-status").inner_text()
    add.click()  # five to ten people: two at most
    assert page.locator("#rep-2").is_visible() and add.is_hidden()
    assert page.evaluate("document.activeElement.id") == "f-rep-2-name"
    count.fill("30")
    assert add.is_visible() and page.locator("#rep-3").is_hidden()
    page.locator("#f-rep-1-name").fill("Lê Văn Cường")
    page.locator("#f-rep-1-phone").fill("0912 000 111")
    page.get_by_label("Tôi (người gửi đơn) là một người đại diện").check()
    page.get_by_label("Nội dung").fill("Đề nghị làm lại cầu dân sinh thôn Đông bị sập sau bão.")
    page.get_by_label("Họ và tên").fill("Trần Thị Bình")
    page.get_by_label("Số điện thoại").fill("0987 654 321")
    page.get_by_label("Tôi đồng ý").check()
    page.get_by_role("button", name="Gửi đơn").click()
    page.wait_for_url(re.compile(r"/da-gui/"))
    listed = page.locator(".representatives-list li").all_inner_texts()
    assert listed == ["Trần Thị Bình – 0987 *** 321", "Lê Văn Cường – 0912 *** 111"]
    petition = session.scalar(select(Petition).where(Petition.code == page.locator("[data-code]").inner_text().strip()))
    assert petition.co_signer_count == 30 and [p.representative for p in petition.people] == [True, True]
