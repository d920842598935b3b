"""Console view: Kế hoạch — the plan's tasks of the unit with due dates and status (chưa thực hiện / đang
thực hiện / hoàn thành / quá hạn), progress notes and evidence files. Thin: service.domain.plans.tracking."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from service.domain.errors import NotFound, ValidationFailed
from service.domain.people import access
from service.domain.plans import tracking
from service.domain.routing.units import find_unit
from service.models.unit import Unit
from service.models.user import User
from service.web.console import bp
from service.web.console.auth import current_user, log, login_required
from service.web.csrf import check_csrf
from service.web.downloads import attachment
from service.web.session import after_commit, db_session


def _unit(user: User) -> Unit:
    wanted = (request.values.get("unit") or "").strip()
    if wanted and access.sees_every_unit(user):
        unit = find_unit(db_session(), wanted)
        if unit is None:
            raise NotFound("Không tìm thấy đơn vị.", "Unknown unit.")
        return unit
    if user.unit_id is None:
        raise ValidationFailed("Chọn đơn vị để xem kế hoạch.", "Choose a unit.", fields={"unit": ["Chọn đơn vị."]})
    return db_session().get(Unit, user.unit_id)


@bp.get("/ke-hoach")
@login_required()
def plan_tasks():
    user = current_user()
    units = []
    if access.sees_every_unit(user):
        units = db_session().execute(select(Unit.code, Unit.name).order_by(Unit.kind != "city", Unit.name)).all()
    try:
        unit = _unit(user)
    except ValidationFailed:
        return render_template("console/plan_tasks.html", unit=None, rows=[], units=units, wanted="", statuses=tracking.STATUSES)
    rows = tracking.tasks(db_session(), unit)
    wanted = request.args.get("status", "")
    shown = [r for r in rows if not wanted or r["status"] == wanted]
    counts = {code: sum(r["status"] == code for r in rows) for code in tracking.STATUSES}
    return render_template("console/plan_tasks.html", unit=unit, rows=shown, counts=counts, units=units,
                           wanted=wanted, statuses=tracking.STATUSES)


@bp.route("/ke-hoach/<plan>/<task>", methods=["GET", "POST"])
@login_required()
def plan_task(plan: str, task: str):
    user = current_user()
    unit = _unit(user)
    errors = {}
    if request.method == "POST":
        check_csrf()
        upload = request.files.get("file")
        try:
            tracking.update(db_session(), user, unit, plan, task, status=request.form.get("status") or None,
                            note=request.form.get("note"), filename=upload.filename if upload else None,
                            data=upload.read() if upload and upload.filename else None)
            after_commit(flash, "Đã cập nhật nhiệm vụ.", "success")
            return redirect(url_for("console.plan_task", plan=plan, task=task, unit=unit.code))
        except ValidationFailed as err:
            errors = err.fields or {"note": [err.message]}
    row = tracking.find(db_session(), unit, plan, task)
    notes = tracking.notes(db_session(), unit, plan, task)
    may = access.can_track_plan(user, unit.id, row["lead_offices"])
    return render_template("console/plan_task.html", unit=unit, task=row, notes=notes, may=may, errors=errors,
                           statuses=tracking.STATUSES, choices=tracking.SET_BY_PEOPLE), (422 if errors else 200)


@bp.get("/ke-hoach/minh-chung/<int:note_id>")
@login_required()
def plan_evidence(note_id: int):
    row = tracking.evidence(db_session(), current_user(), note_id)
    log("view_evidence", object_type="plan_task_note", object_id=row.id)
    return attachment(row.data, row.content_type, row.filename)
