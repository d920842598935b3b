"""Console views: Tiếp công dân — the unit's reception days and their bookings (Luật Tiếp công dân Điều 15), and the
sổ tiếp công dân (TT 04/2021 Mẫu 03): log a visit, turn it into a petition in one step, export the period as XLSX.
For the unit's Văn phòng HĐND-UBND and chairperson (service.domain.reception.schedule.can_manage); others 403."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from service.domain.errors import Conflict, DomainError, NotFound, ValidationFailed
from service.domain.reception import book, book_xlsx, schedule
from service.models.petition import Petition
from service.models.unit import Unit
from service.web.console import bp
from service.web.console.auth import current_user, log, login_required
from service.web.csrf import check_csrf
from service.web.downloads import attachment
from service.web.session import after_commit, db_session

ROLES = ("admin", "staff", "office_head", "chairperson")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _unit() -> Unit:
    """The unit whose reception the user keeps (an admin picks one with ?unit=)."""
    user = current_user()
    s = db_session()
    unit = user.unit
    if user.role == "admin":
        code = request.values.get("unit") or ""
        unit = s.scalar(select(Unit).where(Unit.code == code)) if code else s.scalar(
            select(Unit).where(Unit.kind != "city").order_by(Unit.name))
    if unit is None or not schedule.can_manage(user, unit.id):
        abort(403)
    return unit


@bp.route("/tiep-cong-dan", methods=["GET", "POST"])
@login_required(*ROLES)
def reception_days():
    user, unit, s = current_user(), _unit(), db_session()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        check_csrf()
        form = request.form
        try:
            day = schedule.create_day(s, user, unit=unit.code, date=form.get("date"), starts_at=form.get("starts_at"),
                                      ends_at=form.get("ends_at"), host=form.get("host"),
                                      capacity=form.get("capacity"), kind=form.get("kind"), place=form.get("place"))
        except (ValidationFailed, Conflict, NotFound) as err:  # the API's 409/404 (date, unit, booking): on the form
            s.rollback()
            errors = err.fields
        else:
            log("reception_day_created", object_type="reception_day", object_id=day.id)
            after_commit(flash, "Đã lập ngày tiếp công dân; lịch đã công bố tại trang Tiếp công dân.", "success")
            return redirect(url_for("console.reception_days", unit=unit.code), code=303)
    days = [(d, schedule.booked(s, d)) for d in schedule.upcoming(s, unit.id)]
    return render_template("console/reception_days.html", unit=unit, days=days, kinds=schedule.KINDS, errors=errors,
                           values=request.form), 422 if errors else 200


@bp.post("/tiep-cong-dan/<int:day_id>/huy")
@login_required(*ROLES)
def reception_day_cancel(day_id: int):
    check_csrf()
    day = schedule.get_day(db_session(), day_id)
    told = schedule.cancel_day(db_session(), current_user(), day)
    log("reception_day_cancelled", object_type="reception_day", object_id=day.id)
    after_commit(flash, f"Đã hủy ngày tiếp; {told} người đăng ký được báo tin.", "success")
    return redirect(url_for("console.reception_days", unit=db_session().get(Unit, day.unit_id).code), code=303)


def _period():
    from service.web.api.reception_book import period

    return period(request.args.get("from"), request.args.get("to"))


@bp.route("/tiep-cong-dan/so", methods=["GET", "POST"])
@login_required(*ROLES)
def reception_book():
    user, unit, s = current_user(), _unit(), db_session()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        check_csrf()
        form = request.form
        try:
            visit = book.log_visit(
                s, user, unit, visited_on=form.get("visited_on") or None, name=form.get("name"),
                address=form.get("address"), id_number=form.get("id_number"), summary=form.get("summary"),
                kind=form.get("kind"), people_count=form.get("people_count") or 1, handled_by=form.get("handled_by"),
                within_competence=bool(form.get("within_competence")), guidance=form.get("guidance"),
                transferred_to=form.get("transferred_to"), follow_up=form.get("follow_up"),
                result=form.get("result"), booking_code=form.get("booking_code") or None)
        except (ValidationFailed, Conflict, NotFound) as err:  # the API's 409/404 (date, unit, booking): on the form
            s.rollback()
            errors = err.fields
        else:
            log("reception_visit_logged", object_type="reception_visit", object_id=visit.id)
            after_commit(flash, "Đã ghi vào sổ tiếp công dân.", "success")
            return redirect(url_for("console.reception_book", unit=unit.code), code=303)
    try:
        first, last = _period()
    except ValidationFailed as err:
        errors, (first, last) = {**errors, **err.fields}, (schedule.today().replace(day=1), schedule.today())
    visits = book.visits(s, unit.id, first, last)
    codes = dict(s.execute(select(Petition.id, Petition.code).where(
        Petition.id.in_([v.petition_id for v in visits if v.petition_id]))).all()) if visits else {}
    rows = [(v, book.row(user, v, n, codes.get(v.petition_id)), codes.get(v.petition_id))
            for n, v in enumerate(visits, 1)]
    return render_template("console/reception_book.html", unit=unit, rows=rows, columns=book.COLUMNS,
                           kinds=book.KIND_NAMES, first=first, last=last, errors=errors,
                           values=request.form), 422 if errors else 200


@bp.get("/tiep-cong-dan/so.xlsx")
@login_required(*ROLES)
def reception_book_xlsx():
    user, unit = current_user(), _unit()
    first, last = _period()
    data = book_xlsx.workbook(db_session(), user, unit, first, last)
    log("export", object_type="reception_book", object_id=unit.code, period=f"{first.isoformat()}/{last.isoformat()}")
    return attachment(data, XLSX, book_xlsx.filename(unit, first, last))


@bp.post("/tiep-cong-dan/so/<int:visit_id>/tao-don")
@login_required(*ROLES)
def reception_visit_petition(visit_id: int):
    check_csrf()
    user, s = current_user(), db_session()
    visit = book.get_visit(s, user, visit_id)
    try:
        petition = book.to_petition(s, user, visit)
    except DomainError as err:
        s.rollback()
        flash(err.message, "error")
        return redirect(url_for("console.reception_book", unit=s.get(Unit, visit.unit_id).code), code=303)
    log("reception_visit_to_petition", object_type="petition", object_id=petition.code)
    after_commit(flash, f"Đã vào sổ đơn: mã {petition.code}.", "success")
    return redirect(url_for("console.petition", code=petition.code), code=303)



