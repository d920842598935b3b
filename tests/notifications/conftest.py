"""Real servers for the notices: an SMTP server (aiosmtpd), and ZNS and SpeedSMS servers of our own on
127.0.0.1 speaking the documented JSON, each able to refuse or to be down."""
from __future__ import annotations

import base64
import email
import email.policy
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from service import outbound
from tests.helpers import staff_token

NO_ZALO = "84916000111"  # ZNS: this phone has no Zalo account (-118)
ZNS_TOKEN = "zns-oa-token"
SMS_TOKEN = "speedsms-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    def __init__(self):
        self.mails: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append((envelope.rcpt_tos, email.message_from_bytes(envelope.original_content or envelope.content,
                                                                        policy=email.policy.default)))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpt, m in self.mails if address in rcpt]


@pytest.fixture
def smtp_server():
    box = Mailbox()
    port = free_port()
    box.url = f"smtp://127.0.0.1:{port}"

    def start():
        box.controller = Controller(box, hostname="127.0.0.1", port=port)
        box.controller.start()

    box.start = start
    start()
    yield box
    try:
        box.controller.stop()
    except (AssertionError, RuntimeError):  # stopped by the test already
        pass


class Provider:
    """ZNS (`/message/template`) and SpeedSMS (`/sms/send`) on one loopback server."""

    def __init__(self):
        self.calls: list[tuple[str, dict, dict]] = []
        self.down = False  # answer 503, as an outage does
        self.zns_error: dict[str, int] = {NO_ZALO: -118}

    def zns(self, phone: str | None = None) -> list[dict]:
        return [b for p, h, b in self.calls if p.endswith("/message/template") and phone in (None, b.get("phone"))]

    def sms(self, phone: str | None = None) -> list[dict]:
        return [b for p, h, b in self.calls if p.endswith("/sms/send") and (phone is None or phone in b.get("to"))]

    def headers(self, suffix: str) -> list[dict]:
        return [h for p, h, b in self.calls if p.endswith(suffix)]

    def answer(self, path: str, body: dict) -> tuple[int, dict]:
        if self.down:
            return 503, {"error": "down"}
        if path.endswith("/message/template"):
            code = self.zns_error.get(body.get("phone"), 0)
            if code:
                return 200, {"error": code, "message": "Zalo account not existed"}
            return 200, {"error": 0, "message": "Success",
                         "data": {"msg_id": f"zns-{len(self.calls)}", "sent_time": str(int(time.time() * 1000))}}
        return 200, {"status": "success", "code": "00",
                     "data": {"tranId": 1000 + len(self.calls), "totalSMS": 1, "totalPrice": 250, "invalidPhone": []}}


@pytest.fixture
def provider():
    state = Provider()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.loads(raw or b"{}")
            if not state.down:
                state.calls.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status, out = state.answer(self.path, body)
            data = json.dumps(out).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def notify_settings(smtp_server, provider) -> dict:
    return {"SMTP_URL": smtp_server.url, "MAIL_FROM": "tiepdan@kimthanh.haiphong.gov.vn", "ZNS_API_URL": provider.url,
            "ZALO_ACCESS_TOKEN": ZNS_TOKEN, "SMS_PROVIDER": "speedsms", "SMS_API_URL": f"{provider.url}/sms",
            "SMS_ACCESS_TOKEN": SMS_TOKEN, "SMS_SENDER": "UBND KIM THANH", "ZALO_APP_ID": "",
            "PUBLIC_BASE_URL": "https://tiepdan.haiphong.gov.vn"}


@pytest.fixture
def notify_app(make_app, notify_settings):
    app = make_app(**notify_settings)
    yield app
    for channel in outbound.CONFIGURABLE:
        outbound.unregister(channel)


@pytest.fixture
def api(notify_app):
    return notify_app.test_client()


@pytest.fixture
def staff(session):
    """A bearer header of a Văn phòng officer of Xã Kim Thành (the unit the tests send to)."""
    return {"Authorization": f"Bearer {staff_token(session, username='vp_kt', role='admin', unit=None, office=None)}"}


def basic_user(header: str) -> str:
    return base64.b64decode(header.split()[1]).decode().split(":")[0]
