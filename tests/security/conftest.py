"""Helpers of the security tests: the web form, API submissions, a logged-in console, the chat webhooks."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image

# The fake Telegram / Zalo servers and a webhook-enabled app, shared with the bot tests.
from tests.bots.conftest import bot_app, bot_settings, fake_telegram, fake_zalo, telegram_chat, zalo_chat  # noqa: F401
from tests.web.console.conftest import csrf_of, login, login_as, make_user  # noqa: F401

UNIT = "11914"  # Đặc khu Cát Hải
PHONE = "0912345678"


def form_token(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/gui-don").get_data(as_text=True)).group(1)


def web_form(client, **overrides) -> dict:
    data = {"csrf_token": form_token(client), "unit": UNIT, "kind": "", "title": "Đèn đường hỏng",
            "content": "Đèn đường ngõ 12 tắt đã hai tuần, buổi tối rất tối.", "place": "Ngõ 12",
            "name": "Nguyễn Văn An", "address": "Số 3 ngõ 12", "phone": PHONE, "email": "", "co_signers": "",
            "consent": "1"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def submit_form(client, files=None, **overrides):
    data = web_form(client, **overrides)
    if files:
        data["attachments"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/gui-don", data=data, content_type="multipart/form-data")


def api_petition(**overrides) -> dict:
    body = {"content": "Cống thoát nước trước nhà số 7 bị tắc, nước tràn ra đường.", "unit": UNIT,
            "petitioner": {"name": "Trần Thị Bình", "phone": PHONE, "address": "Số 7 đường Hà Sen"},
            "consent": True}
    body.update(overrides)
    return body


def jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (32, 32), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (20.0, 48.0, 30.0), 3: "E", 4: (106.0, 41.0, 12.0)}  # GPS: a house in Hải Phòng
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def limited_client(make_app):
    """A client of an app whose limiters are on (the test settings switch them off)."""
    def build(**limits):
        return make_app(RATELIMIT_ENABLED=True, **limits).test_client()
    return build
