"""Console views: one petition (what it says, who sent it within the confidentiality rules, classification,
routing, deadlines, matter, history, notes), its attachments, and the actions on it.

GET  /can-bo/don/<code>                      the page (404 when the user may not view it)
GET  /can-bo/don/<code>/tep/<id>             an attachment, as a download
POST /can-bo/don/<code>/thao-tac/<action>    a workflow action (workflow.ACTIONS) or one of CONSOLE_ACTIONS

Who may view, act, assign and see the petitioner is the access policy's (service.domain.people.access, its table in
the docstring): a petition the user may not view is a 404 like a missing code; the chairperson and the
inspectors read only and get 403 on every POST, as does an action that is not the user's.
"""
from __future__ import annotations

import io
from typing import Any, Callable

from flask import flash, redirect, render_template, request, send_file, url_for
from marshmallow import fields as ma_fields
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from service.domain.casework import bulk, canned, notices
from service.domain.casework import operations as casework
from service.domain.codes import ACTIONS as ACTION_LABELS  # the one table of labels
from service.domain.codes import KINDS, STATUSES, categories
from service.domain.errors import DomainError, Forbidden, NotFound, ValidationFailed
from service.domain.intake.tracking import normalise_code
from service.domain.matters import explain
from service.domain.matters import operations as matters
from service.domain.notifications import citizens
from service.domain.people import access, confidential
from service.domain.people.access import HIDDEN_DENOUNCER, can_see_identity, can_view
from service.domain.workflow import operations as workflow
from service.models.attachment import Attachment
from service.models.catalogue import CatalogueTask
from service.models.event import Event
from service.models.matter import Matter
from service.models.petition import Petition
from service.models.reply import Reply
from service.models.unit import Office, Unit
from service.models.user import User
from service.schemas.base import StrictBoolean
from service.web.api.actions import SCHEMAS, load_action
from service.web.console import bp
from service.web.console.auth import actor_of, current_user, log, login_required
from service.web.csrf import check_csrf
from service.web.session import after_commit, db_session

assert set(workflow.ACTIONS) <= set(ACTION_LABELS)
PEOPLE_ROLES = {"petitioner": "Người gửi đơn", "co_signer": "Người cùng đứng tên"}


def load_petition(code: str) -> Petition:
    """The petition by tracking code when the current user may view it. Raises NotFound otherwise: another
    office's petition answers exactly like a code that does not exist, so codes cannot be probed."""
    petition = db_session().scalar(select(Petition).where(Petition.code == (normalise_code(code) or code)))
    if petition is None or not can_view(current_user(), petition):
        raise access.not_found(code)
    return petition


@bp.get("/don/<code>")
@login_required()
def petition(code: str):
    p = load_petition(code)
    bulk.mark_read(db_session(), current_user(), p)  # opened: no longer "chưa đọc" in this user's inbox
    return _page(p)


PREVIEWABLE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})


@bp.get("/don/<code>/tep/<int:attachment_id>")
@login_required()
def attachment(code: str, attachment_id: int):
    """A file of the petition, as a download."""
    return _send_attachment(code, attachment_id, inline=False)


@bp.get("/don/<code>/tep/<int:attachment_id>/xem")
@login_required()
def attachment_preview(code: str, attachment_id: int):
    """An image or PDF shown in the page (an <img>, an <iframe>) without downloading it: the same checks."""
    return _send_attachment(code, attachment_id, inline=True)


def _send_attachment(code: str, attachment_id: int, *, inline: bool):
    """A denunciation's files may show the denouncer's handwriting (bút tích), so they are identity material
    (Luật Tố cáo Điều 56): sealed from whoever may not see the denouncer, shown or downloaded alike."""
    p = load_petition(code)
    file = db_session().scalar(select(Attachment).where(Attachment.id == attachment_id,
                                                        Attachment.petition_id == p.id))
    if file is None:
        raise NotFound("Không tìm thấy tệp đính kèm.", "No such attachment.")
    if p.kind == "to_cao" and not can_see_identity(current_user(), p):
        raise Forbidden("Tệp đính kèm của đơn tố cáo được giữ bí mật (Luật Tố cáo Điều 47, 56).",
                        "A denunciation's attachments are confidential.")
    if file.erased_at is not None:
        raise NotFound("Tệp này đã được xóa khi hết thời hạn lưu trữ.", "This file was erased when its retention "
                       "period ended.")
    if inline and file.content_type not in PREVIEWABLE:
        raise NotFound("Tệp này không xem trước được: hãy tải về.", "This file cannot be previewed.")
    log("view_attachment", object_type="petition", object_id=p.code, attachment=file.id, filename=file.filename,
        **({"preview": True} if inline else {}))
    response = send_file(io.BytesIO(file.data), mimetype=file.content_type, as_attachment=not inline,
                         download_name=file.filename, max_age=0)
    if inline:  # shown in this console's own page only; nothing in the file runs
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; frame-ancestors 'self'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/don/<code>/thao-tac/<action>")
@login_required()
def petition_action(code: str, action: str):
    check_csrf()
    p = load_petition(code)
    user = current_user()
    handler = CONSOLE_ACTIONS.get(action) or (_workflow_action if action in workflow.ACTIONS else None)
    if handler is None:
        raise NotFound(f"Không có thao tác “{action}”.", f"No action '{action}'.")
    access.require_act(user, p, action, code)  # the domain verbs ask again: this answers 403 before any form check
    session = db_session()
    try:
        done = handler(p, user, action, request.form)
    except DomainError as err:
        session.rollback()  # nothing of a refused action is kept; the page shows why, with the form as typed
        return _page(load_petition(code), error=err, failed=action, values=request.form)
    after_commit(flash, f"Đã thực hiện: {(done or ACTION_LABELS[action]).lower()}.", "success")
    if not can_view(user, p):  # sent to another unit or office: it left this user's desk
        after_commit(flash, f"Đơn {p.code} đã chuyển khỏi phạm vi của bạn.", "info")
        return redirect(url_for("console.inbox"), 303)
    return redirect(url_for("console.petition", code=p.code), 303)


# --- the actions ----------------------------------------------------------------------------------------

def _form_params(action: str, form: MultiDict) -> dict[str, Any]:
    """The action's parameters from the form, typed as the API's schema wants them (empty = not given)."""
    data: dict[str, Any] = {"action": action}
    for name, field in SCHEMAS[action]._declared_fields.items():
        if name in ("action", "at"):
            continue
        if isinstance(field, ma_fields.List):
            values = [v for v in form.getlist(name) if v.strip()]
            if values:
                data[name] = values
        elif isinstance(field, StrictBoolean):
            if form.get(name) in ("true", "false"):
                data[name] = form.get(name) == "true"
        elif (form.get(name) or "").strip():
            data[name] = form.get(name).strip()
    return data


def _workflow_action(p: Petition, user: User, action: str, form: MultiDict) -> str | None:
    params = load_action(_form_params(action, form))
    params = {k: v for k, v in params.items() if k not in ("action", "at") and v is not None}
    if action == "answer":
        params["text"] = notices.check_filled(params.get("text", ""))
    before = p.status
    workflow.perform(db_session(), p, action, actor_of(user), **params)
    log("petition_action", object_type="petition", object_id=p.code, op=action, status_from=before,
        status_to=p.status)
    if action == "classify":  # what was done: confirmed as it was, or corrected
        last = db_session().scalar(select(Event.kind).where(Event.petition_id == p.id)
                                   .order_by(Event.id.desc()).limit(1))
        return "Xác nhận phân loại" if last == "classification_confirmed" else "Sửa phân loại"
    return None


def _route(p: Petition, user: User, action: str, form: MultiDict) -> None:
    """Another office of the unit or a city department (classify with an office), or another unit."""
    unit, office, reason = (form.get(k, "").strip() for k in ("unit", "office", "reason"))
    if not reason:
        raise ValidationFailed("Cần ghi lý do chuyển.", "A reason is required.", fields={"reason": ["Cần ghi lý do."]})
    s, actor = db_session(), actor_of(user)
    if unit and unit != p.unit.code:
        casework.move_to_unit(s, p, actor, unit=unit, office=office or None, reason=reason)
    elif office:
        casework.route_to_office(s, p, actor, office=office, reason=reason)
    else:
        raise ValidationFailed("Chọn phòng ban hoặc đơn vị nhận đơn.", "Choose an office or a unit.",
                               fields={"office": ["Chọn nơi nhận."]})
    log("petition_action", object_type="petition", object_id=p.code, op="route", unit=p.unit.code,
        office=p.routing.get("office"))


def _assign(p: Petition, user: User, action: str, form: MultiDict) -> None:
    s = db_session()
    raw = form.get("assignee", "").strip()
    assignee = s.get(User, int(raw)) if raw.isdigit() else None
    if raw and assignee is None:
        raise ValidationFailed("Không tìm thấy cán bộ.", "No such user.", fields={"assignee": ["Không tìm thấy."]})
    casework.assign(s, p, assignee, actor_of(user), reason=form.get("reason"))
    log("petition_assigned", object_type="petition", object_id=p.code,
        assignee=assignee.username if assignee else None)


def _note(p: Petition, user: User, action: str, form: MultiDict) -> None:
    event = casework.add_note(db_session(), p, actor_of(user), form.get("text", ""))
    db_session().flush()
    log("note_added", object_type="petition", object_id=p.code, event=event.id)


def _matter(p: Petition) -> Matter:
    if p.matter_id is None:
        raise ValidationFailed("Đơn chưa thuộc vụ việc nào.", "The petition has no matter.")
    return db_session().get(Matter, p.matter_id)


def _merge(p: Petition, user: User, action: str, form: MultiDict) -> None:
    s, keep = db_session(), _matter(p)
    other = casework.find_matter(s, form.get("other", ""), None if user.role == "admin" else p.unit_id)
    matters.merge_matters(s, keep, other, actor_of(user), form.get("reason", ""))
    log("matter_changed", object_type="matter", object_id=keep.id, op="merge", merged=other.id, petition=p.code)


def _split(p: Petition, user: User, action: str, form: MultiDict) -> None:
    old = _matter(p)
    new = matters.split_petition(db_session(), p, actor_of(user), form.get("reason", ""))
    log("matter_changed", object_type="matter", object_id=old.id, op="split", new=new.id, petition=p.code)


def _rename(p: Petition, user: User, action: str, form: MultiDict) -> None:
    matter = _matter(p)
    matters.rename_matter(db_session(), matter, form.get("title", ""), actor_of(user), form.get("reason", ""))
    log("matter_changed", object_type="matter", object_id=matter.id, op="rename", petition=p.code)


def _clear_flag(p: Petition, user: User, action: str, form: MultiDict) -> None:
    raw = form.get("flag_id", "")
    flag = casework.clear_flag(db_session(), p, int(raw) if raw.isdigit() else 0, actor_of(user),
                               form.get("reason", ""))
    log("petition_action", object_type="petition", object_id=p.code, op="clear_flag", flag=flag.code)


CONSOLE_ACTIONS: dict[str, Callable[[Petition, User, str, MultiDict], None]] = {
    "route": _route, "assign": _assign, "note": _note, "merge_matter": _merge, "split_matter": _split,
    "rename_matter": _rename, "clear_flag": _clear_flag,
}


# --- the page -------------------------------------------------------------------------------------------

def _page(p: Petition, *, error: DomainError | None = None, failed: str | None = None,
          values: MultiDict | None = None):
    """Render the page; personal data shown is an audited view (Luật Tố cáo Điều 47 for a denouncer,
    Luật Bảo vệ dữ liệu cá nhân 91/2025 for everyone)."""
    s, user = db_session(), current_user()
    identity = can_see_identity(user, p)
    if identity and p.people:
        log("view_identity", object_type="petition", object_id=p.code, people=len(p.people), kind=p.kind)
    acting = access.can_act_at_all(user, p)
    allowed = [a for a in workflow.allowed_actions(p) if access.can_act(user, p, a)]
    assigning = access.can_assign(user, p)
    task = s.get(CatalogueTask, p.task_id) if p.task_id else None
    # A sealed denunciation shows its redacted title, text and place to whoever may not know the denouncer,
    # and redacts replies, notes and reasons too (Luật Tố cáo Điều 47 k2, 56).
    shows = confidential.shows_identity(user, p)
    context = {
        "p": p, "identity": identity, "shown_title": p.title if shows else p.title_redacted,
        "shown_content": p.content if shows else confidential.redacted_content(p),
        "shown_place": confidential.place_for(user, p), "shows_text": shows,
        "redact_text": (lambda text: text) if shows else (lambda text: confidential.text_for(user, p, text)),
        "hidden_label": HIDDEN_DENOUNCER, "people_roles": PEOPLE_ROLES,
        "acting": acting, "allowed": allowed, "labels": ACTION_LABELS, "task": task,
        "task_plan": task.plan.code if task else None,
        "collaborating": _office_names(s, p), "deadlines": casework.deadline_states(s, p),
        "matter": casework.matter_view(s, user, p), "flags": _one_per_code(casework.open_flags(s, p)),
        "rule_labels": casework.FLAG_RULE_LABELS, "explained": explain.petition(s, p),
        "flag_sentence": explain.flag_sentence,
        "timeline": casework.timeline(s, p), "event_label": casework.event_label,
        "notes": casework.notes(s, p), "replies": _replies(s, p), "deliveries": citizens.deliveries(s, p),
        "assignee": s.get(User, p.assignee_id) if p.assignee_id else None,
        "assignable": casework.assignable_users(s, p) if assigning else [], "assigning": assigning,
        "error": error, "failed": failed, "values": values or MultiDict(),
        "kinds": KINDS, "categories": categories(), "statuses": STATUSES,
        "basis": lambda action: notices.action_basis(action, p.kind),
        "answer_draft": notices.answer_draft(p) if "answer" in allowed else "",
        "canned": canned.for_petition(s, p) if "answer" in allowed else [], "opened": None, "picked": None,
    }
    picked = request.args.get("mau", "")
    if context["canned"] and picked.isdigit() and error is None:  # "Mẫu trả lời": the answer box filled from it
        context.update(answer_draft=canned.filled(s, user, p, int(picked)), opened="answer", picked=int(picked))
    if acting and "classify" in allowed:
        context.update(_route_choices(s, p))
    status = error.http_status if error is not None else 200
    return render_template("console/petition.html", **context), status


def _one_per_code(flags: list) -> list:
    """Each flag once: a petition's own flag and its matter's flag of the same code (đông người of the petition
    and of the matter) are one warning to the reader; the petition's own comes first (its page clears it)."""
    seen, out = set(), []
    for flag in sorted(flags, key=lambda f: f.petition_id is None):
        if flag.code not in seen:
            seen.add(flag.code)
            out.append(flag)
    return sorted(out, key=lambda f: f.raised_at)


def _office_names(s, p: Petition) -> list[str]:
    codes = p.collaborating_office_codes or []
    names = dict(s.execute(select(Office.code, Office.name).where(Office.unit_id == p.unit_id,
                                                                  Office.code.in_(codes))).all()) if codes else {}
    return [names.get(c, c) for c in codes]


def _replies(s, p: Petition) -> list[Reply]:
    return list(s.scalars(select(Reply).where(Reply.petition_id == p.id).order_by(Reply.created_at, Reply.id)))


def _route_choices(s, p: Petition) -> dict[str, Any]:
    """The offices of this unit (but the current one), the city's departments, and the other units."""
    unit_offices = [o for o in p.unit.offices if o.id != p.lead_office_id]
    city = s.scalar(select(Unit).where(Unit.kind == "city"))
    city_offices = city.offices if city is not None and city.id != p.unit_id else []
    units = s.scalars(select(Unit).where(Unit.id != p.unit_id).order_by(Unit.kind != "city", Unit.name)).all()
    return {"unit_offices": unit_offices, "city_offices": city_offices, "units": units}
