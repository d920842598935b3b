"""Logs never contain phone numbers, ID numbers or tokens, whatever the code logs and at any level."""
from __future__ import annotations

import io
import logging

import pytest

from service import logging_filters
from tests.bots.fake_telegram import TOKEN as BOT_TOKEN
from tests.helpers import staff_token
from tests.security.conftest import PHONE, api_petition, csrf_of, submit_form

CCCD = "031090012345"
PASSWORD = "mat-khau-dai-1"
WEBHOOK_SECRET = "tg-secret"


@pytest.fixture
def everything_logged(caplog):
    """Capture every record at DEBUG, including httpx/httpcore (whose URLs carry the Bot API token)."""
    caplog.set_level(logging.DEBUG)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    noisy = [logging.getLogger(n) for n in ("httpx", "httpcore", "werkzeug")]
    levels = [lg.level for lg in noisy]
    for lg in noisy:
        lg.setLevel(logging.DEBUG)
    yield lambda: caplog.text + stream.getvalue()
    root.removeHandler(handler)
    for lg, level in zip(noisy, levels):
        lg.setLevel(level)


def forbidden_values(token: str) -> list[str]:
    return [PHONE, "912345678", "+84 912 345 678", "84912345678", CCCD, token, PASSWORD, WEBHOOK_SECRET, BOT_TOKEN,
            "dung@example.vn"]


def test_a_submission_a_bot_conversation_and_a_login_leave_no_personal_data_or_secret_in_the_logs(
        bot_app, telegram_chat, session, everything_logged, make_user):
    token = staff_token(session)
    client = bot_app.test_client()
    # The web form, the API (with an ID number and an e-mail) and a status look-up with the phone.
    assert submit_form(client).status_code == 303
    body = api_petition(petitioner={"name": "Phạm Thị Dung", "phone": "+84 912 345 678", "id_number": CCCD,
                                    "email": "dung@example.vn"})
    assert client.post("/api/v1/petitions", json=body).status_code == 201
    assert client.get("/api/v1/petitions", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    client.get(f"/api/v1/status/K7M4-Q2XA-R?phone={PHONE}")
    # A Telegram conversation that shares the phone as a contact (the replies go through the fake Bot API).
    telegram_chat.say("/start")
    telegram_chat.send(telegram_chat.updates.contact("+84 912 345 678"))
    telegram_chat.post(telegram_chat.updates.text("/start"), secret="wrong-" + WEBHOOK_SECRET)
    # A staff login, a failed one with the password typed as user name, and a careless log line.
    make_user("vp-log", "staff", unit="11914", office="van_phong")
    page = client.get("/can-bo/dang-nhap").get_data(as_text=True)
    client.post("/can-bo/dang-nhap", data={"username": PASSWORD, "password": "x", "csrf_token": csrf_of(page)})
    client.post("/can-bo/dang-nhap", data={"username": "vp-log", "password": PASSWORD, "csrf_token": csrf_of(page)})
    logging.getLogger("service.careless").info("citizen %s (CCCD %s) token=%s Bearer %s", PHONE, CCCD, token, token)
    try:
        raise ValueError(f"duplicate key (phone)=({PHONE}) for id {CCCD}")
    except ValueError:
        logging.getLogger("service.careless").exception("insert failed")

    logged = everything_logged()
    assert "[phone]" in logged and "insert failed" in logged  # the lines are there, scrubbed
    assert len(logged.splitlines()) > 20
    leaked = [value for value in forbidden_values(token) if value in logged]
    assert leaked == []


def test_secrets_from_the_settings_are_scrubbed_literally():
    logging_filters.install({"ZALO_OA_SECRET_KEY": "oa-secret-value-123"})
    assert logging_filters.scrub("signing with oa-secret-value-123 now") == "signing with [secret] now"


@pytest.mark.parametrize("text,expected", [
    ("call 0912345678 now", "call [phone] now"),
    ("call +84 912 345 678 now", "call [phone] now"),
    ("GET /api/v1/status/K7M4?phone=%2B84912345678", "GET /api/v1/status/K7M4?phone=[phone]"),
    ("landline 0225 3842 123", "landline [phone]"),
    ("CCCD 031090012345", "CCCD [number]"),
    ("POST https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage",
     "POST https://api.telegram.org/bot[token]/sendMessage"),
    ("Authorization: Bearer tds_abcdefghijklmnop", "Authorization: Bearer [token]"),
    ("secret_token=abc123def", "secret_token=[redacted]"),
    ('{"access_token": "xyz987"}', '{"access_token": "[redacted]"}'),
    ("Petition K7M4-Q2XA-R received via web for unit 11914", "Petition K7M4-Q2XA-R received via web for unit 11914"),
    ("outbox 42 sent after 3 attempts in 0.25 s", "outbox 42 sent after 3 attempts in 0.25 s"),
])
def test_scrub_patterns(text, expected):
    assert logging_filters.scrub(text) == expected


def test_a_petitions_access_key_in_a_query_string_is_never_logged():
    """`GET /api/v1/status/<code>?key=…` opens a phone-less petition like a password (issue #14)."""
    line = '127.0.0.1 - - "GET /api/v1/status/W8JM-R7M5-R?key=K7QF-M2XH-PA HTTP/1.1" 200 -'
    scrubbed = logging_filters.scrub(line)
    assert "K7QF-M2XH-PA" not in scrubbed and "/api/v1/status/W8JM-R7M5-R?key=" in scrubbed
