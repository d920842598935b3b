"""Personal-data requests (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15): the citizen's page and the staff's.

Citizen: `/tra-cuu/<code>/du-lieu-ca-nhan`, reachable from the status page by a browser that looked the
petition up with its tracking code and phone or access key (as the status page); asks for a copy of their
data or a correction, proving again with the phone or access key, and follows the answers. Staff: `/can-bo/yeu-cau-du-lieu`, the requests routed to their
Văn phòng; they grant (applying a correction) or refuse, with an answer the citizen reads.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import session as browser

from service.domain.errors import DomainError, ValidationFailed
from service.domain.intake import lookup_guard
from service.domain.people import privacy
from service.domain.people.access import HIDDEN_DENOUNCER, can_see_identity
from service.web import csrf
from service.web.console.auth import client_ip, current_user, log, login_required
from service.web.public import REMEMBERED_KEY, load_remembered
from service.web.security import intake_limits, limiter, public_limit
from service.web.session import after_commit, db_session

bp = Blueprint("privacy", __name__)
staff_bp = Blueprint("privacy_staff", __name__, url_prefix="/can-bo/yeu-cau-du-lieu")


# ---- the citizen --------------------------------------------------------------------------------

@bp.route("/tra-cuu/<code>/du-lieu-ca-nhan", methods=["GET", "POST"])
@limiter.limit(public_limit, methods=["POST"])
def requests_page(code: str):
    if code not in browser.get(REMEMBERED_KEY, []):
        return redirect(url_for("public.lookup", code=code), code=303)
    petition = load_remembered(code)
    session = db_session()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        csrf.check_csrf()
        try:
            privacy.create_request(session, petition, request.form.get("kind", ""), request.form.get("details"),
                                   proof=request.form.get("proof"), ip=request.remote_addr,
                                   client=lookup_guard.requester("ip", request.remote_addr),
                                   lookups=intake_limits().lookup)
        except ValidationFailed as err:
            errors = err.fields or {"kind": [err.message]}
        except DomainError as err:  # Conflict, or TooManyLookups
            errors = {"kind": [err.message]}
        # With errors the page answers 422 and is committed all the same: a wrong proof counts as a failed
        # look-up (nothing else was stored).
        if not errors:
            after_commit(flash, "Đã ghi nhận yêu cầu của bạn. Văn phòng HĐND và UBND sẽ xem xét và trả lời tại "
                                "trang này.", "success")
            return redirect(url_for(".requests_page", code=petition.code), code=303)
    requests = privacy.requests_of(session, petition)
    copy = privacy.personal_data(petition) if privacy.copy_available(requests) else None
    return render_template("public/privacy.html", petition=petition, requests=requests, copy=copy, errors=errors,
                           form=request.form, kinds=privacy.REQUEST_KINDS, statuses=privacy.REQUEST_STATUSES,
                           labels=privacy.CORRECTABLE), (422 if errors else 200)


# ---- staff --------------------------------------------------------------------------------------

@staff_bp.get("/")
@login_required("admin", "staff", "office_head", "chairperson")
def list_requests():
    show_all = request.args.get("tat-ca") == "1"
    rows = privacy.list_requests(db_session(), current_user(), open_only=not show_all)
    return render_template("console/privacy_requests.html", rows=rows, show_all=show_all,
                           kinds=privacy.REQUEST_KINDS, statuses=privacy.REQUEST_STATUSES)


@staff_bp.route("/<int:request_id>", methods=["GET", "POST"])
@login_required("admin", "staff", "office_head", "chairperson")
def request_page(request_id: int):
    user, session = current_user(), db_session()
    try:
        data_request = privacy.get_request(session, user, request_id)
    except DomainError:
        abort(404)
    petition = data_request.petition
    identity = can_see_identity(user, petition)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        csrf.check_csrf()
        form = request.form
        correction = None
        if identity and data_request.kind == "correction":
            correction = privacy.Correction(**{name: form[f"new_{name}"] for name in privacy.CORRECTABLE
                                               if form.get(f"new_{name}") is not None and form[f"new_{name}"] != ""})
        try:
            privacy.resolve(session, data_request, user, form.get("status", ""), form.get("response"),
                            correction=correction, ip=client_ip())
        except DomainError as err:
            session.rollback()
            errors = err.fields or {"status": [err.message]}
        else:
            after_commit(flash, "Đã lưu kết quả xử lý yêu cầu.", "success")
            return redirect(url_for(".request_page", request_id=request_id), code=303)
    if identity:
        log("view_identity", object_type="petition", object_id=petition.code, reason="data_request")
    return render_template("console/privacy_request.html", item=data_request, petition=petition,
                           data=privacy.personal_data(petition) if identity else None, hidden=HIDDEN_DENOUNCER,
                           can_handle=privacy.can_handle(user, data_request), errors=errors,
                           kinds=privacy.REQUEST_KINDS, statuses=privacy.REQUEST_STATUSES,
                           labels=privacy.CORRECTABLE), (422 if errors else 200)
