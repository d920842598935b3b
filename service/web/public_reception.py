"""Citizen pages of the reception days (tiếp công dân): a unit's schedule, booking a slot, cancelling it.

Luật Tiếp công dân Điều 15: the chairperson of the commune receives citizens at least one day a week; the
schedule is public. Bookings are never listed publicly, only how many slots are left.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from service.domain.errors import Conflict, NotFound, ValidationFailed
from service.domain.reception import schedule
from service.models.reception import ReceptionDay
from service.models.unit import Unit
from service.web import csrf, formatting
from service.web.public_dialogues import UNIT_GROUPS
from service.web.security import limiter, public_limit
from service.web.session import after_commit, db_session

bp = Blueprint("public_reception", __name__)
formatting.register(bp)
csrf.register(bp)

CONSENT_MISSING = ("Bạn cần đồng ý cho cơ quan xử lý họ tên, số điện thoại để xếp lịch tiếp "
                   "(Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15).")


def _groups() -> list[tuple[str, list[Unit]]]:
    units = db_session().scalars(select(Unit).order_by(Unit.name)).all()
    return [(label, [u for u in units if u.kind == kind]) for kind, label in UNIT_GROUPS]


@bp.get("/tiep-cong-dan")
def index():
    s = db_session()
    code = (request.args.get("unit") or "").strip()
    unit = s.scalar(select(Unit).where(Unit.code == code)) if code else None
    days = schedule.upcoming(s, unit.id if unit else None)
    units = {u.id: u for u in s.scalars(select(Unit).where(Unit.id.in_({d.unit_id for d in days})))} if days else {}
    rows = [(d, units[d.unit_id], schedule.free_slots(s, d)) for d in days]
    return render_template("public/reception.html", unit=unit, rows=rows, groups=_groups(), kinds=schedule.KINDS)


def _open_day(day_id: int) -> ReceptionDay:
    day = db_session().get(ReceptionDay, day_id)
    if day is None or day.status != "open":
        raise NotFound("Không tìm thấy ngày tiếp công dân này.", "No such open reception day.")
    return day


def _render(day: ReceptionDay, *, errors=None, values=None, status: int = 200, next_day=None):
    s = db_session()
    values = values or {}
    getlist = getattr(values, "getlist", lambda _k: [])
    names, phones = list(getlist("rep_name"))[:5], list(getlist("rep_phone"))[:5]
    reps = [(names[i] if i < len(names) else "", phones[i] if i < len(phones) else "") for i in range(5)]
    return render_template("public/reception_day.html", day=day, unit=s.get(Unit, day.unit_id), reps=reps,
                           free=schedule.free_slots(s, day), kinds=schedule.KINDS, errors=errors or {},
                           values=values, next_day=next_day), status


@bp.get("/tiep-cong-dan/<int:day_id>")
def day_page(day_id: int):
    return _render(_open_day(day_id))


@bp.post("/tiep-cong-dan/<int:day_id>/dang-ky")
@limiter.limit(public_limit)
def book(day_id: int):
    csrf.check_csrf()
    day = _open_day(day_id)
    form = request.form
    if not form.get("consent"):
        return _render(day, errors={"consent": [CONSENT_MISSING]}, values=form, status=422)
    reps = [{"name": n, "phone": p} for n, p in zip(form.getlist("rep_name"), form.getlist("rep_phone"))
            if (n or "").strip() or (p or "").strip()]
    try:
        booking, created = schedule.book(db_session(), day, name=form.get("name"), phone=form.get("phone"),
                                         topic=form.get("topic"), petition_code=form.get("petition_code") or None,
                                         group_size=form.get("group_size") or 1, representatives=reps, channel="web")
    except ValidationFailed as err:
        db_session().rollback()
        return _render(day, errors=err.fields, values=form, status=422)
    except schedule.DayFull as full:
        db_session().rollback()
        return _render(day, errors={"_": [full.message]}, values=form, status=409, next_day=full.next_day)
    except Conflict as err:
        db_session().rollback()
        return _render(day, errors={"_": [err.message]}, values=form, status=409)
    after_commit(flash, (f"Đã đăng ký lịch tiếp công dân. Mã đăng ký của bạn: {booking.code}. Tin nhắn xác nhận đã "
                         f"được gửi; cơ quan sẽ nhắc lịch trước một ngày.") if created else
                 f"Số điện thoại này đã đăng ký ngày tiếp này, mã đăng ký {booking.code}.", "success")
    return redirect(url_for(".booked", code=booking.code), code=303)


@bp.get("/tiep-cong-dan/da-dang-ky/<code>")
def booked(code: str):
    return render_template("public/reception_booked.html", code=code)


@bp.route("/tiep-cong-dan/huy", methods=["GET", "POST"])
@limiter.limit(public_limit, methods=["POST"])
def cancel():
    errors: dict[str, list[str]] = {}
    values = request.form if request.method == "POST" else request.args
    if request.method == "POST":
        csrf.check_csrf()
        try:
            booking = schedule.cancel(db_session(), values.get("code"), values.get("phone"))
        except NotFound as err:
            errors = {"_": [err.message]}
        else:
            after_commit(flash, f"Đã hủy lịch tiếp công dân {booking.code}.", "success")
            return redirect(url_for(".index"), code=303)
    return render_template("public/reception_cancel.html", errors=errors, values=values), 404 if errors else 200


# --- "tôi cũng gặp vấn đề này": support an open matter instead of filing again -----------------------------------

def _support_page(petition, *, errors=None, values=None, status: int = 200):
    from service.domain import codes
    from service.domain.reception import similar

    return render_template("public/support.html", petition=petition, summary=similar.public_text(petition, 600),
                           status_label=codes.STATUSES.get(petition.status, str(petition.status)),
                           errors=errors or {}, values=values or {}), status


@bp.get("/cung-van-de/<code>")
def support_page(code: str):
    from service.domain.reception import supporters

    return _support_page(supporters.supportable(db_session(), code))


@bp.post("/cung-van-de/<code>")
@limiter.limit(public_limit)
def support(code: str):
    from service.domain.reception import supporters

    csrf.check_csrf()
    petition = supporters.supportable(db_session(), code)
    form = request.form
    try:
        _, created = supporters.support(db_session(), code, name=form.get("name"), phone=form.get("phone"),
                                        channel="web", consent=bool(form.get("consent")))
    except ValidationFailed as err:
        db_session().rollback()
        return _support_page(petition, errors=err.fields, values=form, status=422)
    after_commit(flash, "Đã ghi nhận bạn cũng gặp vấn đề này. Cơ quan sẽ nhắn tin báo kết quả giải quyết cho bạn."
                 if created else "Số điện thoại này đã được ghi nhận cho vấn đề này.", "success")
    return redirect(url_for(".support_page", code=petition.code), code=303)
