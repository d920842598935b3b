"""Console views: Đối thoại — plan and announce dialogue sessions, the briefing (page, DOCX, PDF), minutes,
commitments and the conclusion notice. For the unit's chairperson and its Văn phòng HĐND-UBND (task 4.3);
every other role or office gets 403 (service.domain.dialogues.operations.can_manage)."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from service.domain.dialogues import briefing as briefings
from service.domain.dialogues import changes, commitments
from service.domain.dialogues import operations as dialogue
from service.domain.dialogues import speakers
from service.domain.documents.administrative import build_docx, docx_to_pdf, soffice_path
from service.domain.documents.dialogue import briefing_document, conclusion_document
from service.domain.errors import Conflict, DomainError, NotFound, ValidationFailed
from service.models.dialogue import Commitment, DialogueSession
from service.models.petition import Petition
from service.models.unit import Unit
from service.web.console import bp
from service.web.console.auth import actor_of, current_user, log, login_required
from service.web.csrf import check_csrf
from service.web.downloads import attachment
from service.web.session import after_commit, db_session

ROLES = ("admin", "staff", "office_head", "chairperson")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STEPS = {"thong-bao": "announce", "da-to-chuc": "hold", "bien-ban": "minutes", "phat-bieu": "speech",
         "cam-ket": "commitment", "ket-thuc": "close", "sua": "edit", "doi-ngay": "postpone", "huy": "cancel"}
DONE = {"announce": "Đã công bố thông báo đối thoại và gửi tới người đăng ký nhận tin.",
        "hold": "Đã ghi nhận phiên đối thoại đã tổ chức.", "minutes": "Đã lưu biên bản và kết luận.",
        "speech": "Đã ghi ý kiến phát biểu vào biên bản.", "commitment": "Đã ghi cam kết và báo cho công dân liên quan.",
        "close": "Đã kết thúc phiên đối thoại; người đăng ký phát biểu được thông báo kết luận.",
        "edit": "Đã lưu thông tin phiên đối thoại.", "postpone": "Đã dời ngày đối thoại.",
        "cancel": "Đã hủy phiên đối thoại."}
TOLD = " Đã báo cho {n} người đăng ký, nhận tin qua tin nhắn."


def _load(session_id: int) -> DialogueSession:
    """The session if the current user manages its unit; NotFound (404) or Forbidden (403) otherwise."""
    ds = dialogue.get_session(db_session(), session_id)
    dialogue.check_manage(current_user(), ds.unit_id)
    return ds


def _units() -> list[Unit]:
    user = current_user()
    if user.role == "admin":
        return list(db_session().scalars(select(Unit).order_by(Unit.kind != "city", Unit.name)))
    return [user.unit] if user.unit is not None else []


@bp.route("/doi-thoai", methods=["GET", "POST"])
@login_required(*ROLES)
def dialogues():
    user = current_user()
    if not dialogue.can_manage(user, user.unit_id):
        abort(403)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        check_csrf()
        form = request.form
        try:
            ds = dialogue.create_session(
                db_session(), actor_of(user), unit=form.get("unit") or (user.unit.code if user.unit else ""),
                starts_at=form.get("date", ""), time=form.get("time") or None, place=form.get("place"),
                topics=[t for t in form.get("topics", "").splitlines() if t.strip()], chair=form.get("chair"),
                participants=form.getlist("participants") + [t for t in form.get("others", "").splitlines()
                                                             if t.strip()], user=user)
        except (ValidationFailed, Conflict, NotFound) as err:  # a past date (409), an unknown unit (404): on the form
            db_session().rollback()
            errors = err.fields
        else:
            log("dialogue_changed", object_type="dialogue", object_id=ds.id, step="created")
            # The page it opens warns at once when the date is less than 7 days ahead (changes.notice_warning).
            after_commit(flash, "Đã tạo phiên đối thoại. Chuẩn bị tài liệu và công bố thông báo ít nhất 7 ngày trước.", "success")
            return redirect(url_for("console.dialogue", session_id=ds.id), code=303)
    offices = [] if user.unit is None else list(user.unit.offices)
    return render_template("console/dialogues.html", sessions=dialogue.sessions_for(db_session(), user),
                           statuses=dialogue.STATUSES, units=_units(), offices=offices, errors=errors,
                           values=request.form), 422 if errors else 200


def _page(ds: DialogueSession, *, failed: str | None = None, error: DomainError | None = None, status: int = 200):
    s = db_session()
    unit = s.get(Unit, ds.unit_id)
    codes = dict(s.execute(select(Petition.id, Petition.code).where(Petition.unit_id == unit.id)).all())
    offices = {o.id: o for o in unit.offices}
    return render_template(
        "console/dialogue.html", ds=ds, unit=unit, statuses=dialogue.STATUSES, failed=failed, error=error,
        values=request.form if failed else {}, codes=codes, offices=offices,
        registrations=[(r, speakers.speaker_name(s, r)) for r in speakers.registrations_of(s, ds)],
        agenda=[(a, dialogue.agenda_speaker(s, a)) for a in dialogue.agenda_of(s, ds)],
        commitments=commitments.commitments_of(s, ds), is_overdue=commitments.is_overdue,
        commitment_statuses=dialogue.COMMITMENT_STATUSES, pdf_available=soffice_path() is not None,
        warning=changes.notice_warning(ds), changeable=ds.status in changes.CHANGEABLE,
    ), status


@bp.get("/doi-thoai/<int:session_id>", endpoint="dialogue")
@login_required(*ROLES)
def dialogue_page(session_id: int):
    return _page(_load(session_id))


def _do(step: str, ds: DialogueSession) -> int | None:
    """The step; how many citizens were told, for the steps that tell them."""
    s, user, form = db_session(), current_user(), request.form
    actor = actor_of(user)
    if step == "edit":
        return changes.edit_session(s, ds, actor, place=form.get("place"), chair=form.get("chair"),
                                    topics=[t for t in form.get("topics", "").splitlines() if t.strip()],
                                    participants=[t for t in form.get("participants", "").splitlines() if t.strip()])
    if step == "postpone":
        return changes.postpone(s, ds, actor, date=form.get("date", ""), time=form.get("time") or None,
                                reason=form.get("reason"))
    if step == "cancel":
        return changes.cancel(s, ds, actor, reason=form.get("reason"))
    if step == "announce":
        dialogue.announce(s, ds, actor)
    elif step == "hold":
        dialogue.mark_held(s, ds, actor)
    elif step == "minutes":
        dialogue.save_minutes(s, ds, minutes=form.get("minutes"), conclusion=form.get("conclusion"))
    elif step == "speech":
        reg = form.get("registration_id", "")
        dialogue.record_speech(s, ds, title=form.get("title"), speaker=form.get("speaker"), answer=form.get("answer"),
                               petition_code=form.get("petition_code") or None, office=form.get("office") or None,
                               registration_id=int(reg) if reg.isdigit() else None)
    elif step == "commitment":
        commitments.add_commitment(s, ds, actor, text=form.get("text"), office=form.get("office"),
                                   due=form.get("due"), petition_codes=form.get("petitions"))
    elif step == "close":
        dialogue.close(s, ds, actor)


@bp.post("/doi-thoai/<int:session_id>/<step>")
@login_required(*ROLES)
def dialogue_action(session_id: int, step: str):
    check_csrf()
    if step not in STEPS:
        abort(404)
    ds = _load(session_id)
    action = STEPS[step]
    try:
        told = _do(action, ds)
    except (ValidationFailed, Conflict) as err:
        db_session().rollback()
        return _page(dialogue.get_session(db_session(), session_id), failed=action, error=err,
                     status=err.http_status)
    log("dialogue_changed", object_type="dialogue", object_id=ds.id, step=action)
    after_commit(flash, DONE[action] + (TOLD.format(n=told) if told else ""), "success")
    return redirect(url_for("console.dialogue", session_id=ds.id), code=303)


@bp.post("/doi-thoai/<int:session_id>/cam-ket/<int:commitment_id>/<step>")
@login_required(*ROLES)
def commitment_action(session_id: int, commitment_id: int, step: str):
    check_csrf()
    ds = _load(session_id)
    c = db_session().get(Commitment, commitment_id)
    if c is None or c.session_id != ds.id or step not in ("hoan-thanh", "huy"):
        abort(404)
    action = "commitment_done" if step == "hoan-thanh" else "commitment_cancel"
    try:
        if step == "hoan-thanh":
            commitments.complete_commitment(db_session(), c, actor_of(current_user()), request.form.get("result"))
        else:
            commitments.cancel_commitment(db_session(), c, actor_of(current_user()), request.form.get("result"))
    except (ValidationFailed, Conflict) as err:
        db_session().rollback()
        return _page(dialogue.get_session(db_session(), session_id), failed=f"{action}-{commitment_id}", error=err,
                     status=err.http_status)
    log("dialogue_changed", object_type="commitment", object_id=c.id, step=action)
    after_commit(flash, "Đã cập nhật cam kết.", "success")
    return redirect(url_for("console.dialogue", session_id=ds.id, _anchor="cam-ket"), code=303)


# --- the briefing -------------------------------------------------------------------------------

@bp.route("/doi-thoai/<int:session_id>/tai-lieu", methods=["GET", "POST"])
@login_required(*ROLES)
def dialogue_briefing(session_id: int):
    ds = _load(session_id)
    s = db_session()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        check_csrf()
        try:
            briefings.edit_briefing(s, ds, intro=request.form.get("intro"),
                                    notes={k: request.form.get(f"note_{k}") for k in briefings.SECTIONS})
        except ValidationFailed as err:
            errors = err.fields
            s.rollback()
        else:
            log("dialogue_changed", object_type="dialogue", object_id=ds.id, step="briefing_edited")
            after_commit(flash, "Đã lưu phần chỉnh sửa tài liệu.", "success")
            return redirect(url_for("console.dialogue_briefing", session_id=ds.id), code=303)
    b = briefings.current_briefing(s, ds)  # the first compile is kept (committed with the page) as version 1
    return render_template("console/dialogue_briefing.html", ds=ds, b=b, sections=briefings.SECTIONS,
                           errors=errors, pdf_available=soffice_path() is not None,
                           versions=briefings.versions(s, ds), changed=briefings.changed_since(s, ds)), \
        422 if errors else 200


@bp.post("/doi-thoai/<int:session_id>/tai-lieu/tong-hop-lai")
@login_required(*ROLES)
def dialogue_briefing_refresh(session_id: int):
    check_csrf()
    ds = _load(session_id)
    briefings.refresh_briefing(db_session(), ds, user_id=current_user().id)
    log("dialogue_changed", object_type="dialogue", object_id=ds.id, step="briefing_compiled")
    after_commit(flash, "Đã tổng hợp lại số liệu thành một phiên bản mới; phần mở đầu và ghi chú của bạn được giữ "
                        "nguyên, các phiên bản trước vẫn được lưu.", "success")
    return redirect(url_for("console.dialogue_briefing", session_id=ds.id), code=303)


def _download(data: bytes, mimetype: str, name: str, ds: DialogueSession, document: str, fmt: str) -> Response:
    log("export", object_type="dialogue", object_id=ds.id, document=document, format=fmt)
    return attachment(data, mimetype, name)


@bp.get("/doi-thoai/<int:session_id>/tai-lieu.docx")
@login_required(*ROLES)
def dialogue_briefing_docx(session_id: int):
    ds = _load(session_id)
    data = build_docx(briefing_document(db_session(), ds))
    return _download(data, DOCX, f"tai-lieu-doi-thoai-{ds.id}.docx", ds, "briefing", "docx")


@bp.get("/doi-thoai/<int:session_id>/tai-lieu.pdf")
@login_required(*ROLES)
def dialogue_briefing_pdf(session_id: int):
    ds = _load(session_id)
    data = docx_to_pdf(build_docx(briefing_document(db_session(), ds)))
    return _download(data, "application/pdf", f"tai-lieu-doi-thoai-{ds.id}.pdf", ds, "briefing", "pdf")


@bp.get("/doi-thoai/<int:session_id>/ket-luan.docx")
@login_required(*ROLES)
def dialogue_conclusion_docx(session_id: int):
    ds = _load(session_id)
    data = build_docx(conclusion_document(db_session(), ds))
    return _download(data, DOCX, f"thong-bao-ket-luan-{ds.id}.docx", ds, "conclusion", "docx")

