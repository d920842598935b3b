"""Login, logout and the account page; who the current user is and what their role lets them open."""
from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Callable
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy import select

from service.db import utcnow
from service.domain.codes import CHANNELS, FLAGS, KINDS, ROLES, STATUSES, category_label
from service.domain.errors import DomainError, ValidationFailed
from service.domain.inbound import Actor
from service.domain.people import accounts, audit, staff_sessions
from service.models.user import User
from service.web.console import bp
from service.web.csrf import check_csrf
from service.web.security import limiter
from service.web.session import after_commit, database, db_session

# The cookie holds only this: a random id of a row in staff_sessions (service.domain.people.staff_sessions).
SESSION_ID = "sid"
ALL_ROLES = ("admin", "staff", "office_head", "chairperson", "inspector")


def _lifetimes() -> dict[str, dt.timedelta]:
    return {"idle": dt.timedelta(minutes=current_app.config["STAFF_SESSION_IDLE_MINUTES"]),
            "absolute": dt.timedelta(hours=current_app.config["STAFF_SESSION_MAX_HOURS"])}


def current_user() -> User | None:
    """The logged-in user, or None. The session must be live on the server: a logout, a password change,
    an admin's reset or deactivation, or the idle or absolute lifetime ends it, whatever the cookie says."""
    if "console_user" in g:
        return g.console_user
    user, token, now = None, session.get(SESSION_ID), utcnow()
    row = staff_sessions.live(db_session(), token, now=now, **_lifetimes()) if token else None
    if row is not None:
        user = row.user
        if staff_sessions.needs_touch(row, now):
            # Its own short transaction: a GET view never commits, and the use must count all the same.
            with database().session_scope() as s:
                staff_sessions.touch(s, row.id, now)
    elif token:
        session.pop(SESSION_ID, None)
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
        user = accounts.authenticate(s, username, request.form.get("password") or "", ip=client_ip())
    except DomainError as err:
        # Every failure is audited, refused ones too (who tried which name from where).
        known = s.scalar(select(User).where(User.username == username))
        backoff = getattr(err, "backoff", None)
        audit.record(s, "login_failed", user=known, object_type="user", object_id=username or None,
                     ip=client_ip(), reason=err.message,
                     backed_off=True if isinstance(err, accounts.LoginBackedOff) else None)
        if backoff is not None:
            audit.record(s, "login_locked", user=known, object_type="user", object_id=username or None,
                         ip=client_ip(), scope=backoff.scope, until=backoff.until.isoformat())
        return render_template("console/login.html", error=err.message, username=username,
                               next=request.form.get("next", "")), 401
    _start_session(user)
    audit.record(s, "login", user=user, object_type="user", object_id=user.username, ip=client_ip())
    return redirect(_safe_next(request.form.get("next")))


def _start_session(user: User) -> None:
    """A fresh cookie holding a new server-side session id (nothing from before survives: session
    fixation), committed by the caller."""
    csrf = session.get("_csrf")
    session.clear()
    if csrf:
        session["_csrf"] = csrf
    session.permanent = True
    session[SESSION_ID] = staff_sessions.open_session(
        db_session(), user, ip=client_ip(), user_agent=request.headers.get("User-Agent"), now=utcnow())
    g.console_user = user


@bp.post("/dang-xuat")
def logout():
    check_csrf()
    user = current_user()
    if user is not None:
        log("logout", object_type="user", object_id=user.username)
    # Revoked on the server: a copy of this cookie is worthless from now on.
    staff_sessions.revoke(db_session(), session.get(SESSION_ID), reason="logout", now=utcnow())
    after_commit(session.clear)  # the cookie goes once the revocation is stored
    after_commit(flash, "Bạn đã đăng xuất.", "info")
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
            db_session().rollback()
            errors = err.fields or {}
        else:
            log("password_changed", object_type="user", object_id=user.username)
            _start_session(user)  # every session ended with the change, this browser's too: a new one here
            after_commit(flash, "Đã đổi mật khẩu. Các phiên đăng nhập khác của tài khoản đã kết thúc.", "success")
            return redirect(url_for("console.account"))
    return render_template("console/account.html", user=user, errors=errors), (422 if errors else 200)
