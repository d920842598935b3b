"""Admin pages: staff accounts (create, edit, deactivate, password reset, unlock) and the audit log."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select

from service.domain.people import accounts, audit
from service.models.user import AuditEntry, User
from tests.web.console.conftest import PASSWORD, csrf_of, login

ADMIN_PAGES = ("/can-bo/quan-tri/tai-khoan", "/can-bo/quan-tri/nhat-ky", "/can-bo/quan-tri/nhat-ky.csv")


def _user(session, username) -> User:
    session.expire_all()
    return session.scalar(select(User).where(User.username == username))


def _audit(session, action=None):
    session.expire_all()
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    return session.scalars(stmt.where(AuditEntry.action == action) if action else stmt).all()


def _token(client, path="/can-bo/quan-tri/tai-khoan") -> str:
    return csrf_of(client.get(path).get_data(as_text=True))


@pytest.mark.parametrize("role", ["staff", "office_head", "chairperson", "inspector"])
def test_only_admins_open_the_admin_pages(login_as, make_user, role):
    other = login_as(role)
    for path in ADMIN_PAGES:
        assert other.get(path).status_code == 403, path
    target = make_user("nguoikhac", "inspector")
    assert other.get(f"/can-bo/quan-tri/tai-khoan/{target.id}").status_code == 403
    token = csrf_of(other.get("/can-bo/tai-khoan").get_data(as_text=True))
    for path in ("/can-bo/quan-tri/tai-khoan", f"/can-bo/quan-tri/tai-khoan/{target.id}",
                 f"/can-bo/quan-tri/tai-khoan/{target.id}/dat-lai-mat-khau",
                 f"/can-bo/quan-tri/tai-khoan/{target.id}/mo-khoa"):
        answer = other.post(path, data={"csrf_token": token, "username": "x", "role": "admin", "active": "1"})
        assert answer.status_code == 403, path


def test_admin_creates_a_user_who_can_log_in(login_as, app, session):
    admin = login_as("admin")
    answer = admin.post("/can-bo/quan-tri/tai-khoan", data={
        "csrf_token": _token(admin), "username": "vp_cathai", "full_name": "Phạm Thị Lan", "role": "staff",
        "unit": "11914", "office": "van_phong", "password": "mat-khau-moi-2026"})
    assert answer.status_code == 303
    created = _user(session, "vp_cathai")
    assert (created.role, created.unit.code, created.office.code, created.full_name) == \
        ("staff", "11914", "van_phong", "Phạm Thị Lan")
    entry = _audit(session, "user_created")[-1]
    assert entry.object_id == "vp_cathai" and entry.data["role"] == "staff"
    assert login(app.test_client(), "vp_cathai", "mat-khau-moi-2026").status_code == 302


def test_creating_without_a_password_shows_a_temporary_one_once(login_as, app, session):
    admin = login_as("admin")
    answer = admin.post("/can-bo/quan-tri/tai-khoan", data={
        "csrf_token": _token(admin), "username": "thanhtra1", "role": "inspector"})
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    temporary = re.search(r'id="temporary-password">([^<]+)<', answer.get_data(as_text=True)).group(1)
    assert login(app.test_client(), "thanhtra1", temporary).status_code == 302
    edit_page = admin.get(f"/can-bo/quan-tri/tai-khoan/{_user(session, 'thanhtra1').id}")
    assert temporary not in edit_page.get_data(as_text=True)


@pytest.mark.parametrize("form, field_message", [
    ({"username": "", "role": "staff", "unit": "11914", "office": "van_phong"}, "Cần tên đăng nhập"),
    ({"username": "a1", "role": "staff", "unit": "11914", "office": ""}, "Vai trò này cần phòng ban"),
    ({"username": "a2", "role": "chairperson", "unit": ""}, "Vai trò này cần đơn vị"),
    ({"username": "a3", "role": "vua", "unit": ""}, "Vai trò không hợp lệ"),
    ({"username": "a4", "role": "admin", "password": "ngan"}, "Mật khẩu cần ít nhất 10 ký tự"),
])
def test_create_errors_are_in_vietnamese_and_keep_values(login_as, session, form, field_message):
    admin = login_as("admin")
    before = session.scalar(select(func.count()).select_from(User))
    answer = admin.post("/can-bo/quan-tri/tai-khoan",
                        data={"csrf_token": _token(admin), "full_name": "Đỗ Văn Hải", **form})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert field_message in html and "Đỗ Văn Hải" in html
    assert session.scalar(select(func.count()).select_from(User)) == before


def test_duplicate_username_is_refused(login_as, make_user):
    make_user("trung", "inspector")
    admin = login_as("admin")
    answer = admin.post("/can-bo/quan-tri/tai-khoan", data={"csrf_token": _token(admin), "username": "trung",
                                                            "role": "inspector"})
    assert answer.status_code == 422 and "Tên đăng nhập trung đã có" in answer.get_data(as_text=True)


def test_list_searches_without_diacritics_and_filters_by_role(login_as, make_user):
    make_user("lan", "staff", unit="11914", office="van_phong", full_name="Phạm Thị Lan")
    make_user("hung", "chairperson", unit="11914", full_name="Vũ Văn Hùng")
    admin = login_as("admin")
    page = admin.get("/can-bo/quan-tri/tai-khoan?q=pham+thi").get_data(as_text=True)
    assert ">lan<" in page and ">hung<" not in page
    page = admin.get("/can-bo/quan-tri/tai-khoan?role=chairperson").get_data(as_text=True)
    assert ">hung<" in page and ">lan<" not in page and "Chủ tịch UBND" in page


def test_admin_edits_role_unit_office_and_name(login_as, make_user, session):
    target = make_user("cb1", "staff", unit="11914", office="van_phong")
    admin = login_as("admin")
    path = f"/can-bo/quan-tri/tai-khoan/{target.id}"
    answer = admin.post(path, data={"csrf_token": _token(admin, path), "role": "office_head", "unit": "11948",
                                    "office": "phong_kinh_te", "full_name": "Ngô Văn Tuấn", "active": "1"})
    assert answer.status_code == 303
    changed = _user(session, "cb1")
    assert (changed.role, changed.unit.code, changed.office.code, changed.full_name) == \
        ("office_head", "11948", "phong_kinh_te", "Ngô Văn Tuấn")
    entry = _audit(session, "user_changed")[-1]
    assert entry.object_id == "cb1"
    assert entry.data["changes"]["role"] == ["staff", "office_head"]
    assert entry.data["changes"]["unit"] == ["11914", "11948"]
    bad = admin.post(path, data={"csrf_token": _token(admin, path), "role": "staff", "unit": "11948", "office": "",
                                 "full_name": "Ngô Văn Tuấn", "active": "1"})
    assert bad.status_code == 422 and "Vai trò này cần phòng ban" in bad.get_data(as_text=True)
    assert _user(session, "cb1").role == "office_head"


def test_deactivated_user_session_ends_and_cannot_log_in(login_as, app, session):
    clerk = login_as("staff")
    assert clerk.get("/can-bo/nhap-don").status_code == 200
    target = _user(session, clerk.username)
    admin = login_as("admin")
    path = f"/can-bo/quan-tri/tai-khoan/{target.id}"
    answer = admin.post(path, data={"csrf_token": _token(admin, path), "role": "staff", "unit": "11914",
                                    "office": "van_phong", "full_name": target.full_name})  # active unticked
    assert answer.status_code == 303
    assert not _user(session, clerk.username).active
    assert clerk.get("/can-bo/nhap-don").status_code == 302  # back to the login page
    assert login(app.test_client(), clerk.username).status_code == 401
    assert _audit(session, "user_changed")[-1].data["changes"]["active"] == [True, False]


def test_admin_cannot_demote_or_deactivate_themselves(login_as, session):
    admin = login_as("admin")
    me = _user(session, admin.username)
    path = f"/can-bo/quan-tri/tai-khoan/{me.id}"
    demote = admin.post(path, data={"csrf_token": _token(admin, path), "role": "staff", "unit": "11914",
                                    "office": "van_phong", "active": "1"})
    assert demote.status_code == 422 and "tự bỏ vai trò quản trị" in demote.get_data(as_text=True)
    lock_out = admin.post(path, data={"csrf_token": _token(admin, path), "role": "admin"})
    assert lock_out.status_code == 422 and "tự khóa tài khoản" in lock_out.get_data(as_text=True)
    me = _user(session, admin.username)
    assert me.role == "admin" and me.active
    assert admin.get("/can-bo/quan-tri/tai-khoan").status_code == 200


def test_password_reset_ends_sessions_and_unlock_lifts_the_lock_out(login_as, app, session):
    clerk = login_as("staff")
    target = _user(session, clerk.username)
    admin = login_as("admin")
    path = f"/can-bo/quan-tri/tai-khoan/{target.id}"
    answer = admin.post(path + "/dat-lai-mat-khau", data={"csrf_token": _token(admin, path)})
    temporary = re.search(r'id="temporary-password">([^<]+)<', answer.get_data(as_text=True)).group(1)
    assert clerk.get("/can-bo/nhap-don").status_code == 302  # the old session is over
    assert login(app.test_client(), clerk.username, PASSWORD).status_code == 401
    for _ in range(accounts.MAX_FAILED_LOGINS):
        login(app.test_client(), clerk.username, "sai-mat-khau-99")
    assert "tạm khóa" in login(app.test_client(), clerk.username, temporary).get_data(as_text=True)
    assert "Tạm khóa do đăng nhập sai" in admin.get(path).get_data(as_text=True)
    assert admin.post(path + "/mo-khoa", data={"csrf_token": _token(admin, path)}).status_code == 303
    assert login(app.test_client(), clerk.username, temporary).status_code == 302
    changes = [e.data.get("change") for e in _audit(session, "user_changed")]
    assert changes == ["password_reset", "unlocked"]


# ---- the audit log ------------------------------------------------------------------------------

def _seed(session, make_user):
    ann = make_user("ann", "inspector")
    bob = make_user("bob", "inspector")
    old = dt.datetime(2026, 1, 10, 3, 0, tzinfo=dt.timezone.utc)  # 10/01/2026 10:00 in Hải Phòng
    session.add_all([
        AuditEntry(user_id=ann.id, action="view_identity", object_type="petition", object_id="K7M4-AB23", at=old),
        AuditEntry(user_id=bob.id, action="export", object_type="report", object_id="q1",
                   at=old + dt.timedelta(days=5)),
        AuditEntry(user_id=ann.id, action="note_added", object_type="petition", object_id="=HYPERLINK(1)",
                   at=old + dt.timedelta(days=10)),
    ])
    session.commit()


def test_audit_search_filters_newest_first_with_labels(login_as, make_user, session):
    _seed(session, make_user)
    admin = login_as("admin")
    page = admin.get("/can-bo/quan-tri/nhat-ky?user=ann").get_data(as_text=True)
    assert "Xem thông tin người gửi" in page and "Ghi chú nội bộ" in page and "q1" not in page
    assert page.index("=HYPERLINK(1)") < page.index("K7M4-AB23")  # newest first
    page = admin.get("/can-bo/quan-tri/nhat-ky?action=export&object_type=report").get_data(as_text=True)
    assert "q1" in page and "K7M4-AB23" not in page
    page = admin.get("/can-bo/quan-tri/nhat-ky?object_id=K7M4-AB23").get_data(as_text=True)
    assert "K7M4-AB23" in page and "q1" not in page
    page = admin.get("/can-bo/quan-tri/nhat-ky?from=14/01/2026&to=2026-01-15").get_data(as_text=True)
    assert "q1" in page and "K7M4-AB23" not in page and "HYPERLINK" not in page
    page = admin.get("/can-bo/quan-tri/nhat-ky?from=10/01/2026&to=10/01/2026").get_data(as_text=True)
    assert "K7M4-AB23" in page and "10/01/2026 10:00" in page
    bad = admin.get("/can-bo/quan-tri/nhat-ky?from=hom-qua")
    assert bad.status_code == 422 and "ngày/tháng/năm" in bad.get_data(as_text=True)


def test_audit_log_pages(login_as, make_user, session):
    user = make_user("nhieu", "inspector")
    session.add_all([AuditEntry(user_id=user.id, action="login", object_type="user", object_id=f"n{i:03}")
                     for i in range(60)])
    session.commit()
    admin = login_as("admin")
    first = admin.get("/can-bo/quan-tri/nhat-ky?user=nhieu").get_data(as_text=True)
    second = admin.get("/can-bo/quan-tri/nhat-ky?user=nhieu&page=2").get_data(as_text=True)
    assert "Trang 1/2" in first and "Trang 2/2" in second
    assert "n059" in first and "n000" in second and "n000" not in first


def test_audit_csv_export_is_filtered_safe_and_audited(login_as, make_user, session):
    _seed(session, make_user)
    admin = login_as("admin")
    answer = admin.get("/can-bo/quan-tri/nhat-ky.csv?user=ann")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Thời điểm", "Tài khoản", "Thao tác"]
    assert [r[3] for r in rows[1:]] == ["note_added", "view_identity"]
    assert rows[1][5] == "'=HYPERLINK(1)"  # a spreadsheet does not run it
    assert rows[2][0] == "10/01/2026 10:00:00" and rows[2][2] == "Xem thông tin người gửi"
    export = _audit(session, "export")[-1]
    assert export.object_type == "audit_log" and export.data["rows"] == 2
    assert export.data["filters"] == {"user": "ann"}
    assert export.user_id == _user(session, admin.username).id


def test_audit_log_cannot_be_changed_and_only_grows(login_as, make_user, app, session):
    _seed(session, make_user)
    admin = login_as("admin")
    before = [(e.id, e.action, e.object_id, e.at) for e in _audit(session)]
    token = _token(admin, "/can-bo/quan-tri/nhat-ky")
    for method in ("post", "delete", "put", "patch"):
        answer = getattr(admin, method)("/can-bo/quan-tri/nhat-ky", data={"csrf_token": token})
        assert answer.status_code == 405, method
    assert admin.delete("/can-bo/quan-tri/nhat-ky.csv").status_code == 405
    # no route anywhere in the app edits or deletes the audit log
    for rule in app.url_map.iter_rules():
        if "nhat-ky" in rule.rule or "audit" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
    admin.get("/can-bo/quan-tri/nhat-ky.csv")
    after = [(e.id, e.action, e.object_id, e.at) for e in _audit(session)]
    assert after[:len(before)] == before and len(after) > len(before)
    rows, total = audit.search(session, audit.AuditFilters(action="export"))
    assert total == 2 and rows[0].object_type == "audit_log"  # the seeded one and the CSV download
