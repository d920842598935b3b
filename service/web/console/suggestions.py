"""Console: Văn phòng answers a "có thể cùng vụ việc" suggestion in one click.

POST /can-bo/don/<code>/vu-viec-goi-y/<id>   decision=confirm | reject (reason optional)

The domain verb asks the access policy (people.access: act on the petition, manage the matter); audited.
"""
from __future__ import annotations

from flask import flash, redirect, request, url_for

from service.domain.errors import DomainError
from service.domain.matters import suggestions
from service.web.console import bp
from service.web.console.auth import actor_of, current_user, log, login_required
from service.web.console.petition import _page, load_petition
from service.web.csrf import check_csrf
from service.web.session import after_commit, db_session


@bp.post("/don/<code>/vu-viec-goi-y/<int:suggestion_id>")
@login_required()
def answer_suggestion(code: str, suggestion_id: int):
    check_csrf()
    p, user, session = load_petition(code), current_user(), db_session()
    decision = request.form.get("decision", "")
    try:
        row = suggestions.get(session, p, suggestion_id)
        suggestions.decide(session, row, decision, actor_of(user), request.form.get("reason"))
    except DomainError as err:
        session.rollback()
        return _page(load_petition(code), error=err, failed="matter_suggestion", values=request.form)
    log("matter_changed", object_type="petition", object_id=p.code, op=f"suggestion_{decision}",
        suggestion=suggestion_id, matter=row.matter_id)
    after_commit(flash, "Đã xác nhận cùng vụ việc." if decision == "confirm" else "Đã ghi nhận: không cùng vụ việc.",
                 "success")
    return redirect(url_for("console.petition", code=p.code), 303)
