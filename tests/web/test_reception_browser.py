"""Issue #22 in real Chromium at 390×844: booking a reception day, the map pin (tap and "use my position"), and the
"already reported here" suggestion with «Tôi cũng gặp vấn đề này»; axe-core finds no violation on these pages.
Screenshots under /tmp/screens-reception/. Map tiles are answered by the test itself (no network)."""
from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from sqlalchemy import select

from service.models import Petition, ReceptionBooking, ReceptionDay, Supporter
from service.models.unit import Unit
from tests import factories
from tests.helpers import vn_today

pytestmark = pytest.mark.browser

SCREENS = Path("/tmp/screens-reception")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh", "geolocation": {"latitude": 20.7005, "longitude": 106.7905},
         "permissions": ["geolocation"]}
UNIT = "11737"
POTHOLE = "Ổ gà lớn trên đường Lý Thánh Tông đoạn trước chợ Vạn Hương, xe máy ngã nhiều lần khi trời mưa."


def _tile() -> bytes:
    image = Image.new("RGB", (256, 256), (236, 240, 232))
    draw = ImageDraw.Draw(image)
    draw.line([(0, 128), (256, 128)], fill=(255, 255, 255), width=10)
    draw.line([(90, 0), (90, 256)], fill=(250, 220, 150), width=8)
    draw.rectangle([(0, 0), (255, 255)], outline=(215, 220, 210))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


TILE = _tile()


@pytest.fixture
def phone(browser):
    SCREENS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    context.route(re.compile(r"^https://tile\.openstreetmap\.org/"),
                  lambda route: route.fulfill(status=200, content_type="image/png", body=TILE))
    yield context.new_page()
    context.close()


def axe_clean(page) -> None:
    violations = Axe().run(page).response["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_citizen_books_a_reception_day_on_a_phone(phone, live_server, session):
    unit = session.scalar(select(Unit).where(Unit.code == UNIT))
    day = ReceptionDay(unit_id=unit.id, day=vn_today() + dt.timedelta(days=4), starts_at="07:30", ends_at="11:00",
                       host="Chủ tịch UBND phường", capacity=10, place="Trụ sở UBND phường Nam Đồ Sơn")
    session.add(day)
    session.commit()
    page = phone
    page.goto(f"{live_server}/tiep-cong-dan?unit={UNIT}")
    assert page.get_by_text("Điều 15").is_visible() and no_horizontal_scroll(page)
    axe_clean(page)
    page.screenshot(path=str(SCREENS / "01-lich-tiep-cong-dan.png"), full_page=True)
    page.get_by_role("link", name=day.day.strftime("%d/%m/%Y")).click()
    page.get_by_label("Họ và tên").fill("Trần Văn Dân")
    page.locator("#f-phone").fill("0912 555 071")
    page.get_by_label("Nội dung cần trình bày").fill("Hỏi về tiến độ cấp giấy chứng nhận quyền sử dụng đất.")
    page.get_by_label("Tôi đồng ý").check()
    axe_clean(page)
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(SCREENS / "02-dang-ky.png"), full_page=True)
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_url(re.compile(r"/tiep-cong-dan/da-dang-ky/"))
    code = page.locator("#booking-code").inner_text().strip()
    assert re.fullmatch(r"LH[A-Z0-9]{6}", code)
    axe_clean(page)
    page.screenshot(path=str(SCREENS / "03-da-dang-ky.png"), full_page=True)
    session.expire_all()
    booking = session.scalar(select(ReceptionBooking).where(ReceptionBooking.code == code))
    assert (booking.name, booking.phone, booking.channel) == ("Trần Văn Dân", "0912555071", "web")


def test_the_map_pin_by_tap_and_by_position_is_stored_with_the_petition(phone, live_server, session):
    page = phone
    page.goto(f"{live_server}/gui-don")
    page.get_by_label("Tìm xã, phường").fill("nam do son")
    page.get_by_label("Phản ánh", exact=True).check()
    page.get_by_label("Nội dung").fill("Cột đèn chiếu sáng bị đổ nghiêng sắp rơi xuống lòng đường, rất nguy hiểm.")
    page.get_by_label("Địa điểm xảy ra sự việc").fill("Ngõ 7 đường Lý Thánh Tông")
    map_el = page.locator(".map-pin__map")
    map_el.scroll_into_view_if_needed()
    assert map_el.is_visible()
    expect(page.locator(".leaflet-tile-loaded").first).to_be_visible()
    box = map_el.bounding_box()
    map_el.tap(position={"x": box["width"] * 0.7, "y": box["height"] * 0.3})
    lat, lon = float(page.locator("#f-lat").input_value()), float(page.locator("#f-long").input_value())
    assert 20.7 < lat < 21.0 and 106.6 < lon < 106.9
    assert page.locator(".leaflet-marker-icon").count() == 1
    assert "Đã đánh dấu vị trí" in page.locator("[data-pin-status]").inner_text()
    page.get_by_role("button", name="Dùng vị trí của tôi").click()
    expect(page.locator("#f-lat")).to_have_value(re.compile(r"^20\.7005"))
    expect(page.locator("#f-long")).to_have_value(re.compile(r"^106\.7905"))
    page.screenshot(path=str(SCREENS / "04-ban-do.png"), full_page=False)
    page.get_by_label("Họ và tên").fill("Vũ Thị Lan")
    page.get_by_label("Số điện thoại").fill("0912 555 072")
    page.get_by_label("Tôi đồng ý").check()
    axe_clean(page)
    page.get_by_role("button", name="Gửi đơn").click()
    page.wait_for_url(re.compile(r"/da-gui/"))
    code = page.locator("[data-code]").inner_text().strip()
    session.expire_all()
    petition = session.scalar(select(Petition).where(Petition.code == code))
    assert (round(petition.latitude, 4), round(petition.longitude, 4)) == (20.7005, 106.7905)
    assert petition.place == "Ngõ 7 đường Lý Thánh Tông"


def test_the_form_suggests_the_same_report_and_the_citizen_supports_it(phone, live_server, session):
    existing = factories.petition(session, POTHOLE, unit=UNIT, phone="0912555080", name="Nguyễn Văn Hùng",
                                  commit=True)
    page = phone
    page.goto(f"{live_server}/gui-don")
    page.get_by_label("Tìm xã, phường").fill("nam do son")
    page.get_by_label("Nội dung").fill("Đường Lý Thánh Tông trước chợ Vạn Hương có ổ gà rất lớn, xe máy bị ngã.")
    box = page.locator("#similar")
    box.wait_for(state="visible")
    assert existing.code in box.inner_text() and "Hùng" not in box.inner_text()
    box.scroll_into_view_if_needed()
    axe_clean(page)
    page.screenshot(path=str(SCREENS / "05-da-co-nguoi-phan-anh.png"), full_page=False)
    page.get_by_role("link", name="Tôi cũng gặp vấn đề này").click()
    page.wait_for_url(re.compile(rf"/cung-van-de/{existing.code}"))
    page.get_by_label("Họ và tên").fill("Phạm Thị Mai")
    page.get_by_role("textbox", name="Số điện thoại").fill("0912 555 081")
    page.get_by_label("Tôi đồng ý").check()
    axe_clean(page)
    page.get_by_role("button", name="Tôi cũng gặp vấn đề này").click()
    page.wait_for_url(re.compile(rf"/cung-van-de/{existing.code}$"))
    assert page.get_by_text("Đã ghi nhận bạn cũng gặp vấn đề này").is_visible()
    page.screenshot(path=str(SCREENS / "06-cung-van-de.png"), full_page=True)
    session.expire_all()
    supporter = session.scalar(select(Supporter))
    assert (supporter.phone, supporter.matter_id) == ("0912555081", existing.matter_id)
