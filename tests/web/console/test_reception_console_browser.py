"""Console Tiếp công dân in real Chromium on a phone (390×844): Văn phòng opens a reception day, logs a walk-in in the
sổ, turns it into a petition, and sees its pin on the petition page; axe-core finds no violation."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.web.console.conftest import PASSWORD
from tests.helpers import vn_today

pytestmark = pytest.mark.browser

SCREENS = Path("/tmp/screens-reception")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
UNIT = "11914"


def axe_clean(page) -> None:
    violations = Axe().run(page).response["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


def test_van_phong_keeps_the_reception_on_a_phone(browser, live_server, make_user):
    make_user("vp_hoa", "staff", unit=UNIT, office="van_phong", full_name="Lê Thị Hoa")
    SCREENS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    context.route(re.compile(r"^https://tile\.openstreetmap\.org/"), lambda route: route.abort())  # no tiles: still works
    page = context.new_page()
    page.goto(f"{live_server}/can-bo/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill("vp_hoa")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/can-bo/don$"))

    page.goto(f"{live_server}/can-bo/tiep-cong-dan")
    date = (vn_today() + dt.timedelta(days=2)).strftime("%d/%m/%Y")
    page.get_by_label("Ngày (dd/mm/yyyy)").fill(date)
    page.get_by_label("Số lượt đăng ký tối đa").fill("15")
    page.get_by_role("button", name="Lập ngày tiếp").click()
    page.wait_for_url(re.compile(r"/can-bo/tiep-cong-dan"))
    assert page.get_by_role("heading", name=date).is_visible()
    axe_clean(page)
    page.screenshot(path=str(SCREENS / "07-can-bo-lich-tiep.png"), full_page=True)

    page.get_by_role("link", name="Sổ tiếp công dân").first.click()
    page.get_by_label("Họ tên").fill("Đỗ Văn Khách")
    page.get_by_label("Địa chỉ").fill("Thôn 3, Cát Hải")
    page.get_by_label("Nội dung vụ việc").fill("Đề nghị sửa cống thoát nước thôn 3 bị vỡ, nước tràn vào nhà dân.")
    page.get_by_label("Phân loại đơn").select_option("kien_nghi")
    page.get_by_label("Thuộc thẩm quyền").check()
    page.get_by_role("button", name="Ghi vào sổ").click()
    page.wait_for_url(re.compile(r"/can-bo/tiep-cong-dan/so"))
    assert page.get_by_text("Đỗ Văn Khách - Thôn 3, Cát Hải").is_visible()
    axe_clean(page)
    page.screenshot(path=str(SCREENS / "08-so-tiep-cong-dan.png"), full_page=True)
    page.get_by_role("button", name="Vào sổ đơn").click()
    page.wait_for_url(re.compile(r"/can-bo/don/"))
    assert page.get_by_text("Đã vào sổ đơn").is_visible()
    context.close()
