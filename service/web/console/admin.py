"""Console views for admins: staff accounts (create, edit, deactivate, reset password, unlock) and the
audit log (search, CSV export). Every change to an account is audited; the audit log has no route that
edits or deletes it (Luật Tố cáo Điều 47: who saw a denouncer's identity must stay traceable)."""
from __future__ import annotations

import csv
import datetime as dt
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from service.db import utcnow
from service.domain.codes import ROLES
from service.domain.documents.cells import csv_cell
from service.domain.errors import ValidationFailed
from service.domain.people import accounts, audit
from service.domain.routing.units import CITY_OFFICES, COMMUNE_OFFICES
from service.models.unit import Unit
from service.models.user import User
from service.web.console import bp
from service.web.console.auth import current_user, log, login_required
from service.web.csrf import check_csrf
from service.web.downloads import attachment
from service.web.formatting import LOCAL_TZ
from service.web.session import after_commit, db_session

PER_PAGE = 50
OFFICE_GROUPS = (("Xã, phường, đặc khu", COMMUNE_OFFICES), ("Thành phố", CITY_OFFICES))


# ---- accounts ----------------------------------------------------------------------------------

@bp.route("/quan-tri/tai-khoan", methods=["GET", "POST"])
@login_required("admin")
def users():
    errors: dict[str, list[str]] = {}
    values = request.form if request.method == "POST" else {}
    if request.method == "POST":
        check_csrf()
        temporary = None if request.form.get("password") else accounts.temporary_password()
        try:
            user = accounts.create_user(
                db_session(), username=request.form.get("username", ""), role=request.form.get("role", ""),
                password=request.form.get("password") or temporary, unit=request.form.get("unit") or None,
                office=request.form.get("office") or None, full_name=request.form.get("full_name"))
        except ValidationFailed as exc:
            db_session().rollback()
            errors = exc.fields
        else:
            log("user_created", object_type="user", object_id=user.username, role=user.role,
                unit=user.unit.code if user.unit else None, office=user.office.code if user.office else None)
            if temporary:
                return _show_password(user, temporary, created=True)
            after_commit(flash, f"Đã tạo tài khoản {user.username}.", "success")
            return redirect(url_for("console.user", user_id=user.id), code=303)
    query, role = request.args.get("q", "").strip(), request.args.get("role", "")
    page = _page()
    rows, total = accounts.list_users(db_session(), query=query, role=role if role in ROLES else None,
                                      page=page, per_page=PER_PAGE)
    return render_template("console/users.html", rows=rows, total=total, page=page, pages=_pages(total),
                           query=query, role=role, roles=ROLES, errors=errors, values=values, now=utcnow(),
                           **_choices()), (422 if errors else 200)


@bp.route("/quan-tri/tai-khoan/<int:user_id>", methods=["GET", "POST"])
@login_required("admin")
def user(user_id: int):
    target = _load(user_id)
    errors: dict[str, list[str]] = {}
    values = request.form if request.method == "POST" else {
        "role": target.role, "full_name": target.full_name or "", "unit": target.unit.code if target.unit else "",
        "office": target.office.code if target.office else "", "active": "1" if target.active else ""}
    if request.method == "POST":
        check_csrf()
        try:
            changes = accounts.update_user(
                db_session(), target, by=current_user(), role=request.form.get("role", ""),
                unit=request.form.get("unit") or None, office=request.form.get("office") or None,
                full_name=request.form.get("full_name"), active=bool(request.form.get("active")))
        except ValidationFailed as exc:  # raised before anything changed
            db_session().rollback()
            errors = exc.fields
        else:
            if changes:
                log("user_changed", object_type="user", object_id=target.username, changes=changes)
            after_commit(flash, "Đã lưu tài khoản." if changes else "Không có gì thay đổi.", "success")
            return redirect(url_for("console.user", user_id=target.id), code=303)
    return render_template("console/users_edit.html", target=target, values=values, errors=errors, roles=ROLES,
                           locked=accounts.is_locked(target), is_self=target.id == current_user().id,
                           **_choices()), (422 if errors else 200)


@bp.post("/quan-tri/tai-khoan/<int:user_id>/dat-lai-mat-khau")
@login_required("admin")
def user_password(user_id: int):
    check_csrf()
    target = _load(user_id)
    if target.id == current_user().id:  # their own: through «Tài khoản của tôi», which asks the current one
        flash("Đổi mật khẩu của chính bạn tại trang «Tài khoản của tôi».", "error")
        return redirect(url_for("console.user", user_id=target.id), code=303)
    temporary = accounts.reset_password(target)
    log("user_changed", object_type="user", object_id=target.username, change="password_reset")
    return _show_password(target, temporary, created=False)


@bp.post("/quan-tri/tai-khoan/<int:user_id>/mo-khoa")
@login_required("admin")
def user_unlock(user_id: int):
    check_csrf()
    target = _load(user_id)
    if accounts.unlock(target):
        log("user_changed", object_type="user", object_id=target.username, change="unlocked")
        flash(f"Đã mở khóa đăng nhập cho {target.username}.", "success")
    else:
        flash(f"Tài khoản {target.username} không bị khóa.", "info")
    return redirect(url_for("console.user", user_id=target.id), code=303)


def _show_password(target: User, temporary: str, *, created: bool) -> Response:
    """The temporary password, shown once on this answer only (never stored in clear, never cached)."""
    response = Response(render_template("console/users_password.html", target=target, temporary=temporary,
                                        created=created))
    response.headers["Cache-Control"] = "no-store"
    return response


def _load(user_id: int) -> User:
    target = db_session().get(User, user_id)
    if target is None:
        abort(404)
    return target


def _choices() -> dict:
    units = db_session().scalars(select(Unit).order_by(Unit.kind != "city", Unit.name)).all()
    return {"units": units, "office_groups": OFFICE_GROUPS}


# ---- audit log ---------------------------------------------------------------------------------

@bp.get("/quan-tri/nhat-ky")
@login_required("admin")
def audit_log():
    filters, errors = _audit_filters()
    page = _page()
    entries, total = audit.search(db_session(), filters, page=page, per_page=PER_PAGE)
    page_html = render_template(
        "console/audit.html", entries=entries, names=audit.usernames(db_session(), entries), total=total, page=page,
        pages=_pages(total), args=request.args, errors=errors, actions=audit.ACTIONS, object_types=audit.OBJECT_TYPES,
        export_url=url_for("console.audit_export", **request.args))
    return page_html, (422 if errors else 200)


@bp.get("/quan-tri/nhat-ky.csv")
@login_required("admin")
def audit_export():
    filters, errors = _audit_filters()
    if errors:
        raise ValidationFailed(" ".join(errors), "Invalid date filter.")
    session = db_session()
    entries = audit.export(session, filters)
    names = audit.usernames(session, entries)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Thời điểm", "Tài khoản", "Thao tác", "Mã thao tác", "Loại đối tượng", "Mã đối tượng", "IP",
                     "Chi tiết"])
    for e in entries:
        writer.writerow([csv_cell(v) for v in (
            e.at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M:%S"), names.get(e.user_id, ""),
            audit.ACTIONS.get(e.action, e.action), e.action, e.object_type or "", e.object_id or "", e.ip or "",
            details(e.data))])
    log("export", object_type="audit_log", rows=len(entries),
        filters={k: v for k, v in request.args.items() if v and k != "page"} or None)
    stamp = dt.datetime.now(LOCAL_TZ).strftime("%Y%m%d-%H%M")
    # BOM: Excel reads UTF-8
    return attachment("\ufeff" + out.getvalue(), "text/csv; charset=utf-8", f"nhat-ky-{stamp}.csv")


def details(data: dict | None) -> str:
    """'key: value; …' for the page and the CSV."""
    return "; ".join(f"{k}: {v}" for k, v in (data or {}).items())


def _audit_filters() -> tuple[audit.AuditFilters, list[str]]:
    args, errors = request.args, []
    since = _day(args.get("from", ""), errors, "Từ ngày")
    until = _day(args.get("to", ""), errors, "Đến ngày")
    if since and until and until < since:
        errors.append("«Đến ngày» phải sau «Từ ngày».")
    return audit.AuditFilters(
        username=args.get("user") or None, action=args.get("action") or None,
        object_type=args.get("object_type") or None, object_id=args.get("object_id") or None,
        since=since, until=until + dt.timedelta(days=1) - dt.timedelta(microseconds=1) if until else None,
    ), errors


def _day(value: str, errors: list[str], label: str) -> dt.datetime | None:
    """The start of a day in Hải Phòng (dd/mm/yyyy or yyyy-mm-dd), as an aware datetime."""
    value = value.strip()
    if not value:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, fmt).replace(tzinfo=LOCAL_TZ)
        except ValueError:
            continue
    errors.append(f"«{label}» cần ghi theo dạng ngày/tháng/năm, ví dụ 07/12/2026.")
    return None


def _page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


def _pages(total: int) -> int:
    return max(1, -(-total // PER_PAGE))
