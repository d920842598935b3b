"""Issue #14, sessions and secrets, through HTTP: server-side revocation of console sessions, the production
refusal of development secrets, a lock-out that neither reveals user names nor lets a stranger lock an
account, the password policy, trusted proxies and `Cache-Control: no-store` on personal data."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

import pytest
from sqlalchemy import select

from service import crypto
from service.domain.people import login_throttle
from service.models.user import AuditEntry, User
from service.settings import ROOT, InsecureSettings
from tests.helpers import staff_token
from tests.security.conftest import api_petition, csrf_of, login

PASSWORD = "mat-khau-dai-1"


def _audit(session, action):
    session.expire_all()
    return session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def _client(app, ip: str):
    """A browser at this address (the peer the server sees)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def _copy_cookie(source, target) -> None:
    target.set_cookie("session", source.get_cookie("session").value)


# ---- sessions end on the server ---------------------------------------------------------------------

def test_a_cookie_copied_before_logout_is_refused_after_logout(login_as, app):
    owner = login_as("staff")
    thief = app.test_client()
    _copy_cookie(owner, thief)
    assert thief.get("/can-bo/don").status_code == 200  # the copy works while the session lives
    page = owner.get("/can-bo/don").get_data(as_text=True)
    owner.post("/can-bo/dang-xuat", data={"csrf_token": csrf_of(page)})
    replay = thief.get("/can-bo/don")
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/can-bo/dang-nhap")


def test_a_password_change_in_one_client_ends_the_session_of_another(login_as, app, session):
    first = login_as("staff")
    second = app.test_client()
    login(second, first.username)
    copied = app.test_client()
    _copy_cookie(first, copied)  # a copy of the very cookie that changes the password
    page = first.get("/can-bo/tai-khoan").get_data(as_text=True)
    changed = first.post("/can-bo/tai-khoan", data={"current": PASSWORD, "new": "song-nuoc-cat-ba-7",
                                                    "confirm": "song-nuoc-cat-ba-7", "csrf_token": csrf_of(page)})
    assert changed.status_code == 302
    assert second.get("/can-bo/don").status_code == 302
    assert copied.get("/can-bo/don").status_code == 302
    assert first.get("/can-bo/don").status_code == 200  # the browser that changed it goes on, on a new session


def test_deactivating_an_account_ends_its_sessions_at_once(login_as, session):
    clerk = login_as("staff")
    admin = login_as("admin")
    target = session.scalar(select(User).where(User.username == clerk.username))
    path = f"/can-bo/quan-tri/tai-khoan/{target.id}"
    admin.post(path, data={"csrf_token": csrf_of(admin.get(path).get_data(as_text=True)), "role": "staff",
                           "unit": "11914", "office": "van_phong"})  # "active" unticked
    assert clerk.get("/can-bo/don").status_code == 302


# Committed: a GET records the use in its own transaction (console.auth.current_user), which must outlive the
# request's rollback; inside one test transaction it would be a savepoint that the rollback undoes.
@pytest.mark.committed
def test_idle_and_absolute_lifetimes_end_a_session(make_app, make_user, monkeypatch):
    from service.web.console import auth

    app = make_app(STAFF_SESSION_IDLE_MINUTES=30, STAFF_SESSION_MAX_HOURS=2)
    make_user("idle1", "staff", unit="11914", office="van_phong")
    client = app.test_client()
    assert login(client, "idle1").status_code == 302
    start = auth.utcnow()
    for minutes, status in ((20, 200), (45, 200), (76, 302)):  # used at +20 and +45, then idle 31 minutes
        monkeypatch.setattr(auth, "utcnow", lambda m=minutes: start + dt.timedelta(minutes=m))
        assert client.get("/can-bo/don").status_code == status
    assert login(client, "idle1").status_code == 302  # at +76
    for minutes, status in ((100, 200), (125, 200), (150, 200), (175, 200), (200, 302)):  # in use, past 2 hours
        monkeypatch.setattr(auth, "utcnow", lambda m=minutes: start + dt.timedelta(minutes=m))
        assert client.get("/can-bo/don").status_code == status


# ---- no development secrets in production --------------------------------------------------------------

@pytest.fixture
def restore_keyring():
    yield
    crypto.configure({"TESTING": True})  # back to the development key for the other tests


STRONG_SECRET = "x" * 48


@pytest.mark.parametrize(("overrides", "setting"), [
    ({"SECRET_KEY": "dev-only-change-me"}, "SECRET_KEY"),
    ({"SECRET_KEY": "short-but-not-default"}, "SECRET_KEY"),
    ({"SECRET_KEY": STRONG_SECRET, "DATA_ENCRYPTION_KEY": ""}, "DATA_ENCRYPTION_KEY"),
    ({"SECRET_KEY": STRONG_SECRET, "DATA_ENCRYPTION_KEY": crypto.DEV_KEY}, "DATA_ENCRYPTION_KEY"),
])
def test_production_refuses_to_build_the_app_with_development_secrets(make_app, restore_keyring, overrides, setting):
    settings = {"DATA_ENCRYPTION_KEY": crypto.generate_key(), **overrides}
    with pytest.raises(InsecureSettings, match=setting):
        make_app(TIEPDAN_ENV="production", **settings)


def test_production_starts_with_its_own_secrets_and_development_with_the_defaults(make_app, restore_keyring):
    app = make_app(TIEPDAN_ENV="production", SECRET_KEY=STRONG_SECRET, DATA_ENCRYPTION_KEY=crypto.generate_key())
    assert app.test_client().get("/healthz").status_code == 200
    make_app(SECRET_KEY="dev-only-change-me", DATA_ENCRYPTION_KEY="")  # development: the defaults are fine
    with pytest.raises(InsecureSettings, match="TIEPDAN_ENV"):
        make_app(TIEPDAN_ENV="prod")  # a typo must not quietly mean development


def test_the_cli_and_the_jobs_process_refuse_too(monkeypatch, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATA_ENCRYPTION_KEY")}
    env.update(TIEPDAN_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    cli = subprocess.run([sys.executable, "-m", "flask", "--app", "service.app", "users", "--help"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120)
    assert cli.returncode != 0 and "SECRET_KEY" in cli.stderr
    from service.jobs.__main__ import main as jobs_main

    monkeypatch.setenv("TIEPDAN_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", STRONG_SECRET)
    monkeypatch.delenv("DATA_ENCRYPTION_KEY", raising=False)
    assert jobs_main([]) == 2


# ---- the lock-out tells nothing and locks nobody out -------------------------------------------------

def _normalised(answer, username: str) -> str:
    body = answer.get_data(as_text=True).replace(username, "NAME")
    return re.sub(r'name="csrf_token" value="[^"]+"', "TOKEN", body)


def test_unknown_user_and_wrong_password_get_identical_answers_even_when_backed_off(app, make_user, session):
    make_user("that-dung", "staff", unit="11914", office="van_phong")
    answers = {}
    for name, ip in (("that-dung", "192.0.2.11"), ("khong-ton-tai", "192.0.2.12")):
        client = _client(app, ip)
        answers[name] = [login(client, name, "sai-mat-khau-123") for _ in range(login_throttle.PAIR_LIMIT + 1)]
    real, ghost = answers["that-dung"], answers["khong-ton-tai"]
    assert [a.status_code for a in real] == [a.status_code for a in ghost] == [401] * (login_throttle.PAIR_LIMIT + 1)
    for mine, theirs in zip(real, ghost):
        assert _normalised(mine, "that-dung") == _normalised(theirs, "khong-ton-tai")
    assert "tạm khóa" in real[-1].get_data(as_text=True)  # the back-off is said, for both names alike
    failures = _audit(session, "login_failed")
    assert len(failures) == 2 * (login_throttle.PAIR_LIMIT + 1)
    assert {e.ip for e in failures} == {"192.0.2.11", "192.0.2.12"}
    assert {e.object_id for e in _audit(session, "login_locked")} == {"that-dung", "khong-ton-tai"}


def test_failures_from_another_address_do_not_lock_the_owner_out(app, make_user):
    make_user("chu-tai-khoan", "staff", unit="11914", office="van_phong")
    stranger = _client(app, "198.51.100.20")
    for _ in range(login_throttle.PAIR_LIMIT + 2):
        login(stranger, "chu-tai-khoan", "doan-mo-mat-khau")
    assert "tạm khóa" in login(stranger, "chu-tai-khoan").get_data(as_text=True)  # the stranger waits
    assert login(_client(app, "192.0.2.30"), "chu-tai-khoan").status_code == 302  # the owner at the desk does not


def test_an_account_wide_back_off_spares_the_owners_usual_address(app, make_user, monkeypatch):
    monkeypatch.setattr(login_throttle, "ACCOUNT_LIMIT", 6)  # 100 in production; smaller here to stay quick
    make_user("chu-tai-khoan2", "staff", unit="11914", office="van_phong")
    assert login(_client(app, "192.0.2.40"), "chu-tai-khoan2").status_code == 302  # the usual desk
    for n in range(3):  # a botnet: a few tries from each address, under the per-address limit
        for _ in range(2):
            login(_client(app, f"203.0.113.{50 + n}"), "chu-tai-khoan2", "doan-mo-mat-khau")
    assert login(_client(app, "203.0.113.99"), "chu-tai-khoan2").status_code == 401  # new address: backed off
    assert login(_client(app, "192.0.2.40"), "chu-tai-khoan2").status_code == 302  # the usual one is not


def test_the_per_address_back_off_trips_over_many_names(app, make_user, monkeypatch):
    monkeypatch.setattr(login_throttle, "IP_LIMIT", 8)  # 30 in production
    make_user("nan-nhan", "staff", unit="11914", office="van_phong")
    sprayer = _client(app, "203.0.113.70")
    for n in range(8):  # a different name each time: the per-name limit never trips
        assert login(sprayer, f"ten-{n}", "doan-mo-mat-khau").status_code == 401
    refused = login(sprayer, "nan-nhan")  # even the right password, from that address
    assert refused.status_code == 401 and "tạm khóa" in refused.get_data(as_text=True)
    assert login(_client(app, "192.0.2.71"), "nan-nhan").status_code == 302


# ---- password policy -----------------------------------------------------------------------------------

WEAK = ["123456789012", "password1234", "aaaaaaaaaaaa", "abcabcabcabc"]


@pytest.mark.parametrize("weak", WEAK)
def test_weak_passwords_are_refused_by_the_console_password_change(login_as, session, weak):
    client = login_as("staff")
    page = client.get("/can-bo/tai-khoan").get_data(as_text=True)
    answer = client.post("/can-bo/tai-khoan", data={"current": PASSWORD, "new": weak, "confirm": weak,
                                                    "csrf_token": csrf_of(page)})
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert "phổ biến" in text or "lặp lại hoặc dãy liên tiếp" in text
    assert client.get("/can-bo/don").status_code == 200  # nothing changed, the session lives


def test_a_password_holding_the_user_name_or_unit_is_refused(login_as):
    client = login_as("staff", username="hoanglan")
    for weak, message in (("hoanglan-2026!", "tên đăng nhập"), ("cathai-2026-xyz", "tên hoặc mã đơn vị")):
        page = client.get("/can-bo/tai-khoan").get_data(as_text=True)
        answer = client.post("/can-bo/tai-khoan", data={"current": PASSWORD, "new": weak, "confirm": weak,
                                                        "csrf_token": csrf_of(page)})
        assert answer.status_code == 422 and message in answer.get_data(as_text=True)


@pytest.mark.parametrize("weak", WEAK[:3])
def test_weak_passwords_are_refused_by_flask_users_create(app, session, weak):
    result = app.test_cli_runner().invoke(args=["users", "create", "--username", "lan-moi", "--password", weak,
                                                "--role", "admin"])
    assert result.exit_code != 0
    assert "phổ biến" in result.output or "lặp lại hoặc dãy liên tiếp" in result.output
    assert session.scalar(select(User).where(User.username == "lan-moi")) is None


# ---- trusted proxies --------------------------------------------------------------------------------------

def _lookups(client, forwarded_for: str, n: int) -> list[int]:
    return [client.post("/tra-cuu", data={"code": f"K7M4-Q2X{chr(65 + i)}-R", "phone": "0912345600"},
                        headers={"X-Forwarded-For": forwarded_for}).status_code for i in range(n)]


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_PUBLIC="2 per minute", TRUSTED_PROXIES="10.20.0.0/16")
    balancer = _client(app, "10.20.0.5")
    assert 429 not in _lookups(balancer, "203.0.113.201", 2)
    assert _lookups(balancer, "203.0.113.201", 1) == [429]
    assert 429 not in _lookups(balancer, "203.0.113.202", 2)  # another citizen behind the same balancer
    # A client writing its own X-Forwarded-For cannot pick a fresh bucket: the balancer appends the real one.
    assert _lookups(balancer, "198.51.100.1, 203.0.113.201", 1) == [429]


def test_without_trusted_proxies_x_forwarded_for_is_ignored(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_PUBLIC="2 per minute")
    spoofer = _client(app, "192.0.2.210")
    assert 429 not in _lookups(spoofer, "203.0.113.211", 2)
    assert _lookups(spoofer, "203.0.113.212", 1) == [429]  # a new header is not a new bucket


def test_the_audit_log_records_the_forwarded_address_only_from_a_trusted_proxy(make_app, make_user, session):
    make_user("qua-proxy", "staff", unit="11914", office="van_phong")
    trusting = make_app(TRUSTED_PROXIES="10.20.0.5, 2001:db8::/32")
    for app, peer, expected in ((trusting, "10.20.0.5", "203.0.113.220"), (trusting, "192.0.2.221", "192.0.2.221"),
                                (make_app(), "10.20.0.5", "10.20.0.5")):
        client = _client(app, peer)
        page = client.get("/can-bo/dang-nhap").get_data(as_text=True)
        client.post("/can-bo/dang-nhap", headers={"X-Forwarded-For": "203.0.113.220"},
                    data={"username": "qua-proxy", "password": PASSWORD, "csrf_token": csrf_of(page)})
        assert _audit(session, "login")[-1].ip == expected


# ---- no-store on personal data -----------------------------------------------------------------------------

def _no_store(answer) -> bool:
    return answer.headers.get("Cache-Control") == "no-store" and answer.headers.get("Pragma") == "no-cache"


def test_console_petition_pages_and_api_answers_are_not_stored(client, login_as, session):
    created = client.post("/api/v1/petitions", json=api_petition())
    assert created.status_code == 201 and _no_store(created)
    body = created.get_json()
    staff = login_as("staff", office=body["lead_office"])
    page = staff.get(f"/can-bo/don/{body['code']}")
    assert page.status_code == 200 and _no_store(page)
    assert _no_store(staff.get("/can-bo/don"))
    token = staff_token(session, username="api-vp", office=body["lead_office"])
    auth = {"Authorization": f"Bearer {token}"}
    detail = client.get(f"/api/v1/petitions/{body['code']}", headers=auth)
    assert detail.status_code == 200 and _no_store(detail)
    assert _no_store(client.get("/api/v1/petitions", headers=auth))
    assert _no_store(client.get(f"/da-gui/{body['code']}"))
    assert "no-store" not in client.get("/api/v1/units").headers.get("Cache-Control", "")  # public reference data


def test_a_mistyped_trusted_proxy_stops_the_start(make_app):
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        make_app(TRUSTED_PROXIES="10.0.0.300")  # must not quietly trust nobody, or everybody
