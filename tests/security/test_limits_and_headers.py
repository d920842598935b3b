"""Rate limits per IP and per phone number, security headers, and webhook secrets compared in constant time."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import select

from bots.zalo import signature
from service.models import Person
from service.settings import ROOT
from tests.bots.helpers import code_in
from tests.helpers import count_petitions, staff_token
from tests.security.conftest import api_petition, submit_form

PHONE_LIMIT_MESSAGE = "Số điện thoại này đã gửi"


# ---- per IP ---------------------------------------------------------------------------------------

def test_api_submissions_from_one_ip_are_limited_with_a_vietnamese_429(limited_client):
    client = limited_client(RATELIMIT_PUBLIC="2 per minute", RATELIMIT_PER_PHONE="")
    statuses = [client.post("/api/v1/petitions", json=api_petition(content="")).status_code for _ in range(3)]
    assert statuses == [422, 422, 429]
    answer = client.post("/api/v1/petitions", json=api_petition())
    assert answer.status_code == 429
    error = answer.get_json()["error"]
    assert error["code"] == "rate_limited" and "quá nhiều yêu cầu" in error["message"]
    assert "Retry-After" in answer.headers or "X-RateLimit-Limit" in answer.headers


def test_the_status_lookup_is_limited_per_ip_so_phone_numbers_cannot_be_guessed(limited_client):
    client = limited_client(RATELIMIT_PUBLIC="3 per minute")
    statuses = [client.post("/tra-cuu", data={"code": "K7M4-Q2XA-R", "phone": f"09123456{i:02d}"}).status_code
                for i in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_the_staff_login_is_limited_per_ip(limited_client):
    client = limited_client()
    statuses = [client.post("/can-bo/dang-nhap", data={"username": "x", "password": "y"}).status_code
                for _ in range(21)]
    assert statuses[-1] == 429 and 429 not in statuses[:20]


# ---- per phone number --------------------------------------------------------------------------------

def test_the_web_form_accepts_n_petitions_per_phone_then_answers_429_in_vietnamese(limited_client, session):
    client = limited_client(RATELIMIT_PUBLIC="100 per minute", RATELIMIT_PER_PHONE="2 per hour")
    assert [submit_form(client).status_code for _ in range(2)] == [303, 303]
    refused = submit_form(client, phone="+84 912 345 678")  # the same number, written differently
    assert refused.status_code == 429
    assert PHONE_LIMIT_MESSAGE in refused.get_data(as_text=True)
    assert submit_form(client, phone="0987654321").status_code == 303  # another citizen is not affected
    assert count_petitions(session) == 3


def test_the_api_counts_the_same_phone_across_channels_and_exempts_staff(limited_client, session):
    client = limited_client(RATELIMIT_PUBLIC="100 per minute", RATELIMIT_PER_PHONE="2 per hour")
    assert submit_form(client).status_code == 303  # one through the web form
    assert client.post("/api/v1/petitions", json=api_petition()).status_code == 201
    refused = client.post("/api/v1/petitions", json=api_petition())
    assert refused.status_code == 429
    error = refused.get_json()["error"]
    assert error["code"] == "rate_limited" and PHONE_LIMIT_MESSAGE in error["message"]
    assert "petitioner.phone" in error["fields"]
    token = staff_token(session)  # a clerk entering hotline calls is not a flood
    entered = client.post("/api/v1/petitions", json=api_petition(channel="hotline"),
                          headers={"Authorization": f"Bearer {token}"})
    assert entered.status_code == 201


def test_the_limit_is_off_when_the_limiter_is_off(make_app, session):
    client = make_app(RATELIMIT_PER_PHONE="1 per hour").test_client()  # test settings: RATELIMIT_ENABLED=false
    assert [client.post("/api/v1/petitions", json=api_petition()).status_code for _ in range(3)] == [201] * 3


def test_the_bot_refuses_a_petition_over_the_phone_quota_with_a_clear_message(make_app, bot_settings, fake_telegram,
                                                                              session):
    from tests.bots.conftest import TelegramChat, with_bot_blueprints

    app = with_bot_blueprints(make_app(RATELIMIT_ENABLED=True, RATELIMIT_PER_PHONE="2 per hour", **bot_settings))
    web = app.test_client()
    for _ in range(2):
        assert web.post("/api/v1/petitions", json=api_petition()).status_code == 201
    chat = TelegramChat(app, fake_telegram)
    for text in ("/start", "Gửi phản ánh, kiến nghị", "phan anh", "Đèn đường ở ngõ 5 phố Kiến Thiết hỏng hai tuần nay.",
                 "Xong", "Đặc khu Cát Hải", "Bỏ qua"):
        chat.say(text)
    chat.send(chat.updates.contact("+84 912 345 678"))
    for text in ("Nguyễn Văn An", "0", "Đồng ý"):
        chat.say(text)
    answer = " ".join(chat.say("Gửi đơn"))
    assert "Chưa gửi được đơn" in answer and PHONE_LIMIT_MESSAGE in answer
    assert count_petitions(session) == 2
    # With another number the same draft goes through.
    chat.send(chat.updates.contact("0987654321"))
    assert code_in(chat.say("Gửi đơn") + fake_telegram.texts(chat.updates.chat_id))
    assert session.scalar(select(Person.phone).order_by(Person.id.desc()).limit(1)) == "0987654321"


# ---- security headers -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/gui-don", "/tra-cuu", "/api/v1/units", "/can-bo/dang-nhap", "/khong-co"])
def test_every_answer_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS would be meaningless


def test_hsts_is_sent_behind_https(client):
    direct = client.get("/", base_url="https://tiepdan.haiphong.gov.vn")
    proxied = client.get("/", headers={"X-Forwarded-Proto": "https"})
    for answer in (direct, proxied):
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_session_cookies_are_http_only_and_same_site(client):
    client.get("/gui-don")  # creates the CSRF token in the session
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_405_names_the_allowed_methods(client):
    answer = client.delete("/api/v1/units")
    assert answer.status_code == 405 and "GET" in answer.headers["Allow"]


def test_an_oversized_numeric_id_in_a_path_is_404_not_500(login_as):
    staff = login_as("admin")
    assert staff.get("/can-bo/yeu-cau-du-lieu/99999999999999999999999").status_code == 404


# ---- webhook secrets and signatures ------------------------------------------------------------------

@pytest.mark.parametrize("secret", [None, "", "tg-secre", "tg-secret-", "TG-SECRET", "tg-sécret", "tg-secret\x00"])
def test_the_telegram_webhook_refuses_any_wrong_secret_with_401(telegram_chat, session, secret):
    answer = telegram_chat.post(telegram_chat.updates.text("/start"), secret=secret)
    assert answer.status_code == 401
    assert count_petitions(session) == 0


def test_the_zalo_webhook_refuses_a_forged_signature_with_401(zalo_chat):
    event = zalo_chat.events.text("xin chào")
    raw, signed = zalo_chat.events.signed(event)
    forged = signature.sign(raw, "zalo-app", "not-the-oa-secret")
    for header in (forged, "mac=", "mac=" + "0" * 64, signed[signature.HEADER].upper() + "ư", ""):
        answer = zalo_chat.client.post("/bots/zalo/webhook", data=raw,
                                       headers={signature.HEADER: header, "Content-Type": "application/json"})
        assert answer.status_code == 401
    assert zalo_chat.post(event).status_code == 200  # the genuine signature still works


def test_a_wrong_bearer_token_is_401_and_a_non_ascii_csrf_token_is_400_not_500(client):
    for token in ("tds_wrong", "tds_" + "é" * 40, ""):
        answer = client.get("/api/v1/petitions", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401
    client.get("/gui-don")
    answer = client.post("/gui-don", data={"csrf_token": "ĐẶC-BIỆT", "consent": "1"})
    assert answer.status_code == 400


SECRET_WORDS = ("secret", "token", "signature", "mac", "csrf", "digest", "password", "hash")


def _named_secret(node: ast.AST) -> bool:
    names = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            names.append(sub.id)
        elif isinstance(sub, ast.Attribute):
            names.append(sub.attr)
        elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "get" and sub.args \
                and isinstance(sub.args[0], ast.Constant) and isinstance(sub.args[0].value, str):
            names.append(sub.args[0].value)
    return any(word in name.lower() for name in names for word in SECRET_WORDS)


# Comparisons whose names sound secret but whose values are not, each with the reason.
NOT_SECRETS = {
    "record.request_hash != digest": "the hash of an idempotent request's body, public to its sender",
    "row.access_token != stale": "has another worker already refreshed the Zalo token? (no caller input)",
}


def test_no_secret_token_or_signature_is_compared_with_equals_anywhere():
    """Every comparison of a secret in service/ and bots/ goes through hmac.compare_digest (constant time).
    A SQL filter on a stored hash (`ApiToken.token_hash == digest`) is an index look-up, not a comparison
    whose timing reveals the secret, so SQLAlchemy column expressions are allowed."""
    offenders = []
    for path in [*Path(ROOT, "service").rglob("*.py"), *Path(ROOT, "bots").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare) or not any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops):
                continue
            sides = [node.left, *node.comparators]
            if any(isinstance(s, ast.Constant) for s in sides):
                continue  # "is it set?" and word checks (a parser's `token == "k"`) reveal no secret
            if any(isinstance(s, ast.Attribute) and isinstance(s.value, ast.Name) and s.value.id[:1].isupper()
                   for s in sides):
                continue  # Model.column == value: SQL
            if any(_named_secret(s) for s in sides) and ast.unparse(node) not in NOT_SECRETS:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert offenders == []
