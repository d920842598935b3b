"""The public accountability pages (issue #21) in real Chromium on a 390×844 phone: figures with a chart and
its table, published answers; axe-core finds no violation, nothing scrolls sideways, no identity shows.
Screenshots go to /tmp/screens-public/ for a person to look at."""
from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.helpers import staff_token
from tests.security.test_redaction_http import SECRETS
from tests.web.test_public_accountability import ANSWER, CONTENT, DENUNCIATION, UNIT

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
SCREENS = Path("/tmp/screens-public")
ROADS = ("Mặt đường trục chính khu dân cư số {n} bị sụt lún, ô tô đi qua rất nguy hiểm, đề nghị sửa chữa sớm.",
         "Cống thoát nước khu dân cư số {n} bị tắc, nước tràn vào nhà dân mỗi khi mưa lớn, đề nghị nạo vét.")


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def figures(client, session):
    """A few petitions of Cát Hải answered, rated and one published; a denunciation."""
    vp = {"Authorization": f"Bearer {staff_token(session, 'vp', 'staff', UNIT, 'van_phong')}"}
    admin = {"Authorization": f"Bearer {staff_token(session, 'adm', 'admin', None, None)}"}
    codes = []
    for n, (content, category) in enumerate([(CONTENT, "ha_tang_giao_thong"), (ROADS[0], "ha_tang_giao_thong"),
                                             (ROADS[1], "moi_truong"), (ROADS[0].replace("{n}", "9"), "ha_tang_giao_thong")]):
        r = client.post("/api/v1/petitions", json={
            "content": content.replace("{n}", str(n)), "unit": UNIT, "kind": "phan_anh", "category": category,
            "consent": True, "allow_publication": True,
            "petitioner": {"name": "Nguyễn Văn An", "phone": f"09123456{n:02d}", "address": "Số 12 ngõ 64 Trại Lẻ"}})
        assert r.status_code == 201, r.get_json()
        codes.append((r.get_json()["code"], f"09123456{n:02d}"))
    for code, number in codes[:3]:
        assert client.post(f"/api/v1/petitions/{code}/actions", json={"action": "answer", "text": ANSWER},
                           headers=vp).status_code < 400
    for (code, number), score in zip(codes[:3], (5, 4, 3)):
        client.post(f"/api/v1/status/{code}/rating", json={"phone": number, "score": score})
    assert client.post(f"/api/v1/petitions/{codes[0][0]}/publication", json={"publish": True},
                       headers=vp).status_code == 200
    r = client.post("/api/v1/petitions", json={"content": DENUNCIATION, "unit": UNIT, "kind": "to_cao",
                                               "category": "can_bo_cong_vu", "consent": True,
                                               "petitioner": {"name": "Nguyễn Văn An", "phone": "0912345678"}})
    assert r.status_code == 201
    assert admin


def _check(page, name: str) -> str:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} scrolls sideways"
    text = page.inner_text("body")
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} on {name}"
    assert "nhận tiền" not in text
    return text


def test_public_figures_on_a_phone(phone, live_server, figures):
    phone.goto(f"{live_server}/cong-khai?unit={UNIT}")
    text = _check(phone, "cong-khai")
    assert "Tỷ lệ trả lời đúng hạn theo cơ quan" in text and "Mức độ hài lòng" in text
    assert phone.locator("svg.chart").count() == 2 and phone.locator("table.data").count() == 3
    phone.goto(f"{live_server}/cong-khai")
    _check(phone, "cong-khai-thanh-pho")


def test_published_answers_on_a_phone(phone, live_server, figures):
    phone.goto(f"{live_server}/cong-khai/tra-loi?unit={UNIT}")
    text = _check(phone, "cong-khai-tra-loi")
    assert "thay bóng đèn" in text and "Đèn chiếu sáng" in text
    assert phone.locator("article.answer").count() == 1
