"""Login, logout and the account page; who the current user is and what their role lets them open."""
from __future__ import annotations

import functools
import hmac
from typing import Any, Callable
from urllib.parse import urlsplit

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy import select

from service.domain import accounts, audit
from service.domain.codes import CHANNELS, FLAGS, KINDS, ROLES, STATUSES, category_label
from service.domain.errors import DomainError, ValidationFailed
from service.domain.inbound import Actor
from service.models.user import User
from service.web.console import bp
from service.web.csrf import check_csrf
from service.web.security import limiter
from service.web.session import commit, db_session

SESSION_USER = "uid"
SESSION_STAMP = "pw"
ALL_ROLES = ("admin", "staff", "office_head", "chairperson", "inspector")


def current_user() -> User | None:
    """The logged-in user, or None. A changed password or a deactivated account ends the session."""
    if "console_user" in g:
        return g.console_user
    user = None
    uid = session.get(SESSION_USER)
    if uid is not None:
        user = db_session().get(User, uid)
        if user is None or not user.active or not hmac.compare_digest(
                str(session.get(SESSION_STAMP, "")).encode(), accounts.password_stamp(user).encode()):
            session.pop(SESSION_USER, None)
            user = None
    g.console_user = user
    return user


def login_required(*roles: str) -> Callable:
    """Only logged-in users (with one of `roles`, when given) reach the view; others go to the login page
    or get 403."""
    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            user = current_user()
            if user is None:
                return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
            if roles and user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate


def actor_of(user: User) -> Actor:
    return Actor(label=user.full_name or user.username, user_id=user.id, role=user.role)


def client_ip() -> str | None:
    return request.remote_addr


def log(action: str, *, object_type: str | None = None, object_id: Any = None, **data: Any) -> None:
    """An audit line for the current user's request (committed with the request's transaction)."""
    audit.record(db_session(), action, user=current_user(), object_type=object_type, object_id=object_id,
                 ip=client_ip(), **data)


def _safe_next(target: str | None) -> str:
    """Only same-site paths under the console: an open redirect would help phishing."""
    if target and target.startswith("/can-bo") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("console.inbox")


@bp.app_context_processor
def _console_globals() -> dict[str, Any]:
    return {"console_user": current_user, "role_label": lambda code: ROLES.get(code, code),
            "kind_label": lambda code: KINDS.get(code, code), "status_label": lambda code: STATUSES.get(code, code),
            "channel_label": lambda code: CHANNELS.get(code, code), "flag_label": lambda code: FLAGS.get(code, code),
            "category_label": category_label, "audit_label": lambda code: audit.ACTIONS.get(code, code)}


@bp.get("/")
def home():
    return redirect(url_for("console.inbox"))


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():
    if request.method == "GET":
        if current_user() is not None:
            return redirect(_safe_next(request.args.get("next")))
        return render_template("console/login.html", next=request.args.get("next", ""))
    check_csrf()
    username = (request.form.get("username") or "").strip()
    s = db_session()
    try:
        user = accounts.authenticate(s, username, request.form.get("password") or "")
    except DomainError as err:
        known = s.scalar(select(User).where(User.username == username))
        audit.record(s, "login_failed", user=known, object_type="user", object_id=username or None,
                     ip=client_ip(), reason=err.message)
        if known is not None and known.locked_until is not None:
            audit.record(s, "login_locked", user=known, object_type="user", object_id=username, ip=client_ip())
        commit()
        return render_template("console/login.html", error=err.message, username=username,
                               next=request.form.get("next", "")), 401
    csrf = session.get("_csrf")
    session.clear()  # a fresh session at login: nothing from before survives (session fixation)
    if csrf:
        session["_csrf"] = csrf
    session.permanent = True
    session[SESSION_USER] = user.id
    session[SESSION_STAMP] = accounts.password_stamp(user)
    g.console_user = user
    audit.record(s, "login", user=user, object_type="user", object_id=user.username, ip=client_ip())
    commit()
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/dang-xuat")
def logout():
    check_csrf()
    user = current_user()
    if user is not None:
        log("logout", object_type="user", object_id=user.username)
        commit()
    session.clear()
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("console.login"))


@bp.route("/tai-khoan", methods=["GET", "POST"])
@login_required()
def account():
    user = current_user()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        check_csrf()
        try:
            if request.form.get("new") != request.form.get("confirm"):
                raise ValidationFailed("Mật khẩu nhập lại không khớp.", "The passwords do not match.",
                                       fields={"confirm": ["Mật khẩu nhập lại không khớp."]})
            accounts.change_password(db_session(), user, request.form.get("current") or "",
                                     request.form.get("new") or "")
        except ValidationFailed as err:
            errors = err.fields or {}
        else:
            log("password_changed", object_type="user", object_id=user.username)
            commit()
            session[SESSION_STAMP] = accounts.password_stamp(user)
            flash("Đã đổi mật khẩu. Các phiên đăng nhập khác của tài khoản đã kết thúc.", "success")
            return redirect(url_for("console.account"))
    return render_template("console/account.html", user=user, errors=errors), (422 if errors else 200)
