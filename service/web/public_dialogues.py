"""Citizen pages of the dialogue sessions: the announced sessions of a unit, a session's notice, and the
form to register to speak with a question sent in advance (Luật Thực hiện dân chủ ở cơ sở Điều 32).

Only sessions whose notice is published are shown. Registrants are never listed publicly.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from service.db import utcnow
from service.domain.dialogues import operations as dialogue
from service.domain.dialogues import speakers
from service.domain.errors import Conflict, NotFound, ValidationFailed
from service.models.dialogue import DialogueSession
from service.models.unit import Unit
from service.web import csrf, formatting
from service.web.security import limiter, public_limit
from service.web.session import after_commit, db_session

bp = Blueprint("public_dialogues", __name__)
formatting.register(bp)
csrf.register(bp)

CONSENT_MISSING = ("Bạn cần đồng ý cho cơ quan xử lý họ tên, số điện thoại để tổ chức đối thoại "
                   "(Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15).")
UNIT_GROUPS = (("phuong", "Phường"), ("xa", "Xã"), ("dac_khu", "Đặc khu"), ("city", "Thành phố"))


def _units() -> list[tuple[str, list[Unit]]]:
    units = db_session().scalars(select(Unit).order_by(Unit.name)).all()
    return [(label, [u for u in units if u.kind == kind]) for kind, label in UNIT_GROUPS]


def _load_public(session_id: int) -> DialogueSession:
    """The session if its notice is public; NotFound otherwise."""
    ds = db_session().get(DialogueSession, session_id)
    if ds is None or not dialogue.is_public(ds):
        raise NotFound("Không tìm thấy phiên đối thoại này.", "No such public dialogue session.")
    return ds


@bp.get("/doi-thoai")
def index():
    code = (request.args.get("unit") or "").strip()
    unit = db_session().scalar(select(Unit).where(Unit.code == code)) if code else None
    unit_id = unit.id if unit else None
    now = utcnow()
    upcoming = dialogue.upcoming(db_session(), unit_id, now)
    past = [ds for ds in dialogue.published(db_session(), unit_id, limit=20) if ds not in upcoming]
    return render_template("public/dialogues.html", unit=unit, upcoming=upcoming, past=past, groups=_units(),
                           statuses=dialogue.STATUSES)


def _render(ds: DialogueSession, *, errors=None, values=None, status: int = 200):
    open_ = ds.status == "announced" and ds.starts_at > utcnow()
    return render_template("public/dialogue.html", ds=ds, open=open_, errors=errors or {}, values=values or {},
                           statuses=dialogue.STATUSES), status


@bp.get("/doi-thoai/<int:session_id>")
def session_page(session_id: int):
    return _render(_load_public(session_id))


@bp.post("/doi-thoai/<int:session_id>/dang-ky")
@limiter.limit(public_limit)
def register(session_id: int):
    csrf.check_csrf()
    ds = _load_public(session_id)
    form = request.form
    if not form.get("consent"):
        return _render(ds, errors={"consent": [CONSENT_MISSING]}, values=form, status=422)
    try:
        _, created = speakers.register(db_session(), ds, name=form.get("name"), phone=form.get("phone"),
                                       question=form.get("question"), petition_code=form.get("petition_code") or None,
                                       channel="web")
    except ValidationFailed as err:
        db_session().rollback()
        return _render(ds, errors=err.fields, values=form, status=422)
    except Conflict as err:
        db_session().rollback()
        return _render(ds, errors={"_": [err.message]}, values=form, status=409)
    after_commit(flash, "Đã đăng ký phát biểu. Cơ quan sẽ sắp xếp để bạn được trình bày tại hội nghị." if created else
          "Số điện thoại này đã đăng ký phát biểu với cùng nội dung; đăng ký được giữ nguyên.", "success")
    return redirect(url_for(".session_page", session_id=ds.id), code=303)
