"""Login, lock-out, logout, password change and the server-side role checks of the console."""
from __future__ import annotations

from sqlalchemy import select

from service.domain.people import accounts
from service.models.user import AuditEntry, User
from tests.web.console.conftest import PASSWORD, csrf_of, login


def _audit(session, action):
    session.expire_all()
    return session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_console_requires_login(client):
    answer = client.get("/can-bo/don")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/can-bo/dang-nhap?next=/can-bo/don")


def test_login_logout_and_audit(app, make_user, session):
    make_user("vp1", "staff", unit="11914", office="van_phong", full_name="Nguyễn Văn A")
    client = app.test_client()
    answer = login(client, "vp1")
    assert answer.status_code == 302 and answer.headers["Location"] == "/can-bo/don"
    page = client.get("/can-bo/don").get_data(as_text=True)
    assert "Nguyễn Văn A" in page and "Đăng xuất" in page
    assert len(_audit(session, "login")) == 1
    client.post("/can-bo/dang-xuat", data={"csrf_token": csrf_of(page)})
    assert client.get("/can-bo/don").status_code == 302
    assert len(_audit(session, "logout")) == 1


def test_login_without_csrf_token_is_refused(app, make_user):
    make_user("vp2", "staff", unit="11914", office="van_phong")
    answer = app.test_client().post("/can-bo/dang-nhap", data={"username": "vp2", "password": PASSWORD})
    assert answer.status_code == 400


def test_wrong_password_then_lock_out(app, make_user, session):
    make_user("vp3", "staff", unit="11914", office="van_phong")
    client = app.test_client()
    for _ in range(accounts.MAX_FAILED_LOGINS):
        answer = login(client, "vp3", "sai-mat-khau-123")
        assert answer.status_code == 401
        assert "không đúng" in answer.get_data(as_text=True)
    locked = login(client, "vp3")  # the right password no longer opens it
    assert locked.status_code == 401 and "tạm khóa" in locked.get_data(as_text=True)
    assert len(_audit(session, "login_failed")) == accounts.MAX_FAILED_LOGINS + 1
    assert _audit(session, "login_locked")


def test_unknown_user_gets_the_same_message(app):
    answer = login(app.test_client(), "khong-co-ai")
    assert answer.status_code == 401 and "Tên đăng nhập hoặc mật khẩu không đúng" in answer.get_data(as_text=True)


def test_open_redirect_is_refused(app, make_user):
    make_user("vp4", "staff", unit="11914", office="van_phong")
    client = app.test_client()
    page = client.get("/can-bo/dang-nhap").get_data(as_text=True)
    answer = client.post("/can-bo/dang-nhap", data={"username": "vp4", "password": PASSWORD, "next": "//evil.example/x",
                                                     "csrf_token": csrf_of(page)})
    assert answer.headers["Location"] == "/can-bo/don"


def test_change_password_ends_other_sessions(app, make_user, session):
    make_user("vp5", "staff", unit="11914", office="van_phong")
    first, second = app.test_client(), app.test_client()
    login(first, "vp5"), login(second, "vp5")
    page = first.get("/can-bo/tai-khoan").get_data(as_text=True)
    bad = first.post("/can-bo/tai-khoan", data={"current": PASSWORD, "new": "ngan", "confirm": "ngan",
                                                "csrf_token": csrf_of(page)})
    assert bad.status_code == 422 and "ít nhất 10 ký tự" in bad.get_data(as_text=True)
    ok = first.post("/can-bo/tai-khoan", data={"current": PASSWORD, "new": "mat-khau-moi-2026",
                                               "confirm": "mat-khau-moi-2026", "csrf_token": csrf_of(page)})
    assert ok.status_code == 302
    assert "Đã đổi mật khẩu" in first.get(ok.headers["Location"]).get_data(as_text=True)  # the flashed notice
    assert first.get("/can-bo/don").status_code == 200
    assert second.get("/can-bo/don").status_code == 302  # the other browser is logged out
    session.expire_all()
    user = session.scalar(select(User).where(User.username == "vp5"))
    assert accounts.verify_password(user, "mat-khau-moi-2026")
    assert _audit(session, "password_changed")


def test_admin_pages_are_for_admins_only(login_as):
    staff = login_as("staff")
    assert staff.get("/can-bo/quan-tri/tai-khoan").status_code == 403
    assert staff.get("/can-bo/quan-tri/nhat-ky").status_code == 403
    admin = login_as("admin")
    assert admin.get("/can-bo/quan-tri/tai-khoan").status_code == 200


def test_session_cookie_is_http_only(app, make_user):
    make_user("vp6", "staff", unit="11914", office="van_phong")
    client = app.test_client()
    answer = login(client, "vp6")
    cookie = answer.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
