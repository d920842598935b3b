"""Console view: Mẫu trả lời — an office's canned answers per kind, edited by its head and the Văn phòng
(service.domain.casework.canned; every change audited)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from service.domain.casework import canned
from service.domain.codes import KINDS
from service.domain.errors import DomainError
from service.web.console import bp
from service.web.console.auth import client_ip, current_user, login_required
from service.web.csrf import check_csrf
from service.web.session import after_commit, db_session

EXAMPLE = ("Kính gửi {cong_dan},\n{co_quan} đã nhận đơn {loai_don} mã {ma_don} ngày {ngay_nhan} về việc: {ve_viec}.\n"
           "[…] (kết quả xem xét)\nÔng/bà có thể tra cứu tình trạng đơn bằng mã {ma_don}.")


@bp.route("/mau-tra-loi", methods=["GET", "POST"])
@login_required("admin", "staff", "office_head")
def canned_answers():
    user, s = current_user(), db_session()
    offices = canned.editable_offices(s, user)
    if not offices:
        abort(403)
    error, values = None, {}
    if request.method == "POST":
        check_csrf()
        form = request.form
        values = form
        answer_id = form.get("id", "")
        office = form.get("office_id", "")
        try:
            saved = canned.save(s, user, office_id=int(office) if office.isdigit() else 0, kind=form.get("kind", ""),
                                title=form.get("title", ""), text=form.get("text", ""),
                                active=form.get("active", "1") == "1",
                                answer_id=int(answer_id) if answer_id.isdigit() else None, ip=client_ip())
        except DomainError as err:
            s.rollback()
            error = err
        else:
            after_commit(flash, f"Đã lưu mẫu trả lời “{saved.title}”.", "success")
            return redirect(url_for("console.canned_answers"), 303)
    offices = canned.editable_offices(s, user)
    return render_template("console/canned.html", offices=offices, answers=canned.listed(s, offices), kinds=KINDS,
                           fields=canned.FIELDS, error=error, values=values, example=EXAMPLE,
                           office_names={o.id: o.name for o in offices}), (error.http_status if error else 200)
