"""Console views: bulk actions of the inbox (assign, route, mark read) and their undo ("Hoàn tác").

Thin over `service.domain.casework.bulk`, which asks the access policy for every petition. The undo is
offered on the inbox after the redirect (the audit line's id, kept in the signed session cookie)."""
from __future__ import annotations

from flask import flash, redirect, request, session, url_for

from service.domain.casework import bulk
from service.domain.errors import DomainError
from service.web.console import bp
from service.web.console.auth import actor_of, client_ip, current_user, login_required
from service.web.csrf import check_csrf
from service.web.session import after_commit, db_session

UNDO_KEY = "bulk_undo"


def _back() -> str:
    target = request.form.get("back") or ""
    return target if target.startswith("/can-bo/don") and "//" not in target else url_for("console.inbox")


def _say(result: bulk.BulkResult, verb: str) -> str:
    text = f"{verb}: {bulk.OPS[result.op].lower()} {len(result.done)} đơn."
    if result.skipped:
        text += f" Bỏ qua {len(result.skipped)} đơn bạn không được thao tác hoặc không còn áp dụng được."
    return text


@bp.post("/don/hang-loat")
@login_required("admin", "staff", "office_head")
def bulk_action():
    check_csrf()
    user, s = current_user(), db_session()
    assignee = request.form.get("assignee", "")
    try:
        result = bulk.run(s, user, actor_of(user), request.form.get("op", ""), request.form.getlist("codes"),
                          assignee_id=int(assignee) if assignee.isdigit() else None,
                          office=request.form.get("office") or None, ip=client_ip())
    except DomainError as err:
        s.rollback()
        flash(err.message, "error")
        return redirect(_back(), 303)
    after_commit(flash, _say(result, "Đã thực hiện"), "success")
    if result.done:
        after_commit(session.__setitem__, UNDO_KEY, result.entry_id)
    return redirect(_back(), 303)


@bp.post("/don/hang-loat/hoan-tac")
@login_required("admin", "staff", "office_head")
def bulk_undo():
    check_csrf()
    user, s = current_user(), db_session()
    entry = request.form.get("entry", "")
    try:
        result = bulk.undo(s, user, actor_of(user), int(entry) if entry.isdigit() else 0, ip=client_ip())
    except DomainError as err:
        s.rollback()
        flash(err.message, "error")
        return redirect(_back(), 303)
    after_commit(session.pop, UNDO_KEY, None)
    after_commit(flash, _say(result, "Đã hoàn tác"), "success")
    return redirect(_back(), 303)
