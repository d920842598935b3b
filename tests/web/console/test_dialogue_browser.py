"""Issue 20, the console dialogue page in real Chromium at 1366×768: panels read left to right (no centring
inherited from the citizen pages), the under-7-days warning right after creation, postponing through the page,
the briefing with its versions; axe-core finds no WCAG 2.1 AA violation. Screenshots: /tmp/screens-citizen/."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tests.web.a11y import axe_violations
from tests.web.console.test_console_browser import DESK, desk
from tests.helpers import vn_today

pytestmark = pytest.mark.browser

SCREENS = Path("/tmp/screens-citizen")
UNIT = "11914"  # Đặc khu Cát Hải


def day(days_ahead: int) -> str:
    return f"{vn_today() + dt.timedelta(days=days_ahead):%d/%m/%Y}"


def test_dialogue_page_reads_left_warns_and_postpones(browser, live_server, make_user):
    make_user("vp_lan", "staff", unit=UNIT, office="van_phong", full_name="Nguyễn Thị Lan")
    page = desk(browser, live_server, "vp_lan")
    assert page.viewport_size == DESK["viewport"]
    page.goto(f"{live_server}/can-bo/doi-thoai")
    page.get_by_label("Ngày (dd/mm/yyyy)").fill(day(3))
    page.get_by_label("Giờ (hh:mm)").fill("08:30")
    page.get_by_label("Địa điểm").fill("Hội trường UBND đặc khu")
    page.get_by_label("Nội dung đối thoại, mỗi dòng một nội dung").fill("Vệ sinh môi trường chợ Cát Bà")
    page.get_by_role("button", name="Tạo phiên đối thoại").click()
    page.wait_for_url(re.compile(r"/can-bo/doi-thoai/\d+$"))

    warning = page.locator("#notice-warning")
    assert warning.is_visible() and "còn chưa đến 7 ngày" in warning.inner_text()
    aligns = page.evaluate("[...document.querySelectorAll('.panel, .panel h2, .panel dd')]"
                           ".map(el => getComputedStyle(el).textAlign)")
    assert aligns and set(aligns) <= {"left", "start"}, aligns
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "dialogue-warning-1366.png"))
    assert axe_violations(page) == []

    page.locator("details.action > summary", has_text="Dời ngày đối thoại").click()
    form = page.locator("details#doi-ngay")
    form.get_by_label("Ngày mới (dd/mm/yyyy)").fill(day(12))
    form.get_by_label("Lý do").fill("Để kịp thông báo trước 7 ngày")
    form.get_by_role("button", name="Dời ngày và báo cho người đăng ký").click()
    page.wait_for_url(re.compile(r"/can-bo/doi-thoai/\d+$"))
    assert page.get_by_text("Đã dời ngày đối thoại.").is_visible()
    assert page.locator("#notice-warning").count() == 0
    assert page.get_by_text(re.compile(r"Dời ngày: .* → " + re.escape(day(12)))).is_visible()
    page.screenshot(path=str(SCREENS / "dialogue-postponed-1366.png"), full_page=True)
    assert axe_violations(page) == []

    page.get_by_role("link", name="Tài liệu phục vụ đối thoại (xem, chỉnh sửa)").click()
    page.wait_for_url(re.compile(r"/tai-lieu$"))
    page.get_by_role("button", name="Tổng hợp lại số liệu").click()
    page.wait_for_url(re.compile(r"/tai-lieu$"))
    assert page.get_by_role("heading", name="Các phiên bản tài liệu (2)").is_visible()
    page.locator("#phien-ban").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENS / "dialogue-briefing-versions-1366.png"))
    assert axe_violations(page) == []
    page.context.close()


def test_the_report_period_menu_is_not_cut_off(browser, live_server, make_user):
    make_user("vp_ha", "staff", unit="11737", office="van_phong", full_name="Lê Thu Hà")
    page = desk(browser, live_server, "vp_ha")
    page.goto(f"{live_server}/can-bo/bao-cao?period=2026-6m")
    menu = page.get_by_label("Kỳ báo cáo (TT 01/2024/TT-TTCP)")
    fits = page.evaluate("""() => { const s = document.getElementById('r-period');
        const c = document.createElement('canvas').getContext('2d'); c.font = getComputedStyle(s).font;
        const text = s.options[s.selectedIndex].text;
        return {need: c.measureText(text).width + 40, have: s.clientWidth, text}; }""")
    assert fits["need"] <= fits["have"], fits  # the chosen period's whole label shows
    assert menu.is_visible() and fits["text"].endswith("14/06/2026)")
    page.screenshot(path=str(SCREENS / "reports-1366.png"))
    assert axe_violations(page) == []
    page.context.close()
