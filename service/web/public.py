"""The citizen pages: landing page, petition form, confirmation, status look-up and rating.

Vietnamese, mobile-first, usable without JavaScript (form.js only adds comfort). Views are thin:
the form becomes an InboundMessage for `intake.submit`; validation and storage happen in the domain.
A browser may see a confirmation or status page only for codes it submitted or looked up with the
phone number (kept in the signed session cookie), so codes cannot be enumerated.
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask import session as browser
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from service.db import utcnow
from service.domain.casework import status
from service.domain.codes import KINDS
from service.domain.errors import DomainError, NotFound, ValidationFailed
from service.domain.inbound import CITIZEN
from service.domain.intake import lookup_guard
from service.domain.intake import operations as intake
from service.domain.intake.validation import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from service.domain.matters import flags
from service.domain.matters import operations as matters
from service.domain.routing.units import search_units
from service.models.petition import Petition
from service.models.unit import Unit
from service.web import csrf, formatting
from service.web.public_form import (FIELD_ORDER, REP_LIMITS, REP_ROWS, REP_RULE, crowd_from_form, message_from_form,
                                     place_errors)
from service.web.security import intake_limits, limiter, public_limit
from service.web.session import after_commit, database, db_session

logger = logging.getLogger(__name__)

bp = Blueprint("public", __name__)
formatting.register(bp)
csrf.register(bp)

# The order in which the select groups the 114 units and the city.
UNIT_GROUPS = (("phuong", "Phường"), ("xa", "Xã"), ("dac_khu", "Đặc khu"), ("city", "Thành phố"))

# One line per kind, in words a citizen uses.
KIND_HINTS = {
    "phan_anh": "Báo cho chính quyền biết một sự việc, vấn đề (đường hỏng, ô nhiễm, mất trật tự…).",
    "kien_nghi": "Đề nghị chính quyền làm hoặc thay đổi một việc.",
    "khieu_nai": "Đề nghị xem xét lại quyết định, việc làm của cơ quan, cán bộ ảnh hưởng đến quyền lợi "
                 "của chính bạn. Cần ghi họ tên, địa chỉ.",
    "to_cao": "Báo hành vi vi phạm pháp luật của cán bộ, cơ quan hoặc bất kỳ ai. "
              "Danh tính người tố cáo được giữ bí mật.",
}

# What each deadline means for the citizen.
STEP_HINTS = {
    "xu_ly_don": "Cơ quan xem xét đơn và báo cho bạn biết đơn được nhận giải quyết, hướng dẫn hay chuyển đi",
    "thu_ly": "Cơ quan quyết định có thụ lý (nhận giải quyết) đơn hay không",
    "tra_loi": "Cơ quan trả lời bạn",
    "giai_quyet": "Cơ quan giải quyết xong và ra quyết định, kết luận",
    "chuyen_don": "Cơ quan chuyển đơn tới nơi có thẩm quyền và báo cho bạn",
}

CONSENT_MISSING = ("Bạn cần đồng ý cho cơ quan xử lý dữ liệu cá nhân để gửi đơn "
                   "(Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15).")
FILES_LOST = "Vì lý do an toàn, trình duyệt không giữ tệp đã chọn: vui lòng chọn lại tệp đính kèm."

# How each character of a tracking code is read aloud in Vietnamese.
SPOKEN = {"A": "a", "B": "bê", "C": "xê", "D": "dê", "E": "e", "F": "ép", "G": "giê", "H": "hát", "J": "gi",
          "K": "ca", "M": "em-mờ", "N": "en-nờ", "P": "pê", "Q": "quy", "R": "e-rờ", "S": "ét-xì", "T": "tê",
          "W": "vê kép", "X": "ích-xì", "Y": "i dài", "Z": "dét", "2": "hai", "3": "ba", "4": "bốn", "5": "năm",
          "6": "sáu", "7": "bảy", "8": "tám", "9": "chín"}

def _lookup_missing(code: str, phone: str):
    return (("code", code, "Vui lòng nhập mã đơn (ví dụ: K7M4-Q2XA-R)."),
            ("phone", phone, "Vui lòng nhập số điện thoại đã khai khi gửi đơn, hoặc mã truy cập."))


REMEMBERED_KEY = "codes"
MAX_REMEMBERED = 20
ACCESS_KEY = "access_key"  # the last petition's access key, for its confirmation page


# ---- landing page ---------------------------------------------------------------------------

@bp.get("/")
def index():
    return render_template("public/index.html", kinds=KINDS, kind_hints=KIND_HINTS)


# ---- the petition form ----------------------------------------------------------------------

@bp.get("/gui-don")
def petition_form():
    """The empty form; `?tim=` narrows the unit list without JavaScript."""
    return render_form(MultiDict({"unit": request.args.get("unit", "")}), query=request.args.get("tim", ""))


@bp.post("/gui-don")
@limiter.limit(public_limit)
def submit_petition():
    csrf.check_csrf()
    form = request.form
    files = [f for f in request.files.getlist("attachments") if f.filename]
    if form.get("find_unit"):  # «Tìm» without JavaScript: narrow the units, keep everything typed
        query = "" if form.get("find_unit") == "all" else form.get("tim", "")
        return render_form(form, query=query, had_files=bool(files), files_note=bool(files))
    crowd = crowd_from_form(form)  # consent and the crowd's representatives are intake's law (intake/law.py)
    try:
        submitted = intake.submit(db_session(), message_from_form(form, files, crowd), CITIZEN,
                                  quota=intake_limits().phone)
    except ValidationFailed as exc:
        db_session().rollback()
        return render_form(form, errors=crowd.placed(exc.fields), had_files=bool(files), status_code=exc.http_status)
    after_commit(_confirm, submitted.petition.code, submitted.access_key)
    return redirect(url_for(".submitted", code=submitted.petition.code), code=303)


def render_form(values: MultiDict, *, errors: dict[str, list[str]] | None = None, query: str = "",
                had_files: bool = False, status_code: int = 200, files_note: bool = False):
    units, matches, selected = _unit_choices(query.strip(), values.get("unit", ""))
    field_errors, general = place_errors(errors or {})
    if (had_files and field_errors and "attachments" not in field_errors) or files_note:
        general.append(FILES_LOST)
    summary = [(f"f-{name}", message) for name in FIELD_ORDER for message in field_errors.get(name, [])]
    return render_template(
        "public/form.html", values=values, errors=field_errors, summary=summary, general_errors=general,
        unit_groups=_group_units(units), selected_unit=selected, query=query.strip(), matches=matches,
        kinds=KINDS, kind_hints=KIND_HINTS, max_files=MAX_ATTACHMENTS, max_mb=MAX_ATTACHMENT_BYTES // 2**20,
        consent_missing=CONSENT_MISSING, crowd=flags.CROWD, rep_rows=REP_ROWS, rep_limits=REP_LIMITS,
        rep_rule=REP_RULE,
    ), status_code


def _unit_choices(query: str, selected: str) -> tuple[list[Unit], list[Unit] | None, str]:
    """Every unit, or those matching the search (diacritics ignored); one match is preselected."""
    session = db_session()
    units = list(session.scalars(select(Unit)))
    matches = search_units(session, query, limit=len(units)) if query else None
    if matches:
        units = matches
        if len(matches) == 1 and not selected:
            selected = matches[0].code
    return units, matches, selected


def _group_units(units: list[Unit]) -> list[tuple[str, list[Unit]]]:
    groups = []
    for kind, label in UNIT_GROUPS:
        members = sorted((u for u in units if u.kind == kind), key=lambda u: u.name_folded)
        if members:
            groups.append((label, members))
    return groups


@bp.errorhandler(413)
def too_large(_exc):
    limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 2**20
    return render_template("public/too_large.html", limit_mb=limit_mb, max_files=MAX_ATTACHMENTS,
                           max_mb=MAX_ATTACHMENT_BYTES // 2**20), 413


# ---- confirmation ---------------------------------------------------------------------------

@bp.get("/da-gui/<code>")
def submitted(code: str):
    if code not in browser.get(REMEMBERED_KEY, []):  # opened later, in another browser: say what is needed
        return render_template("public/lookup.html", code=code, phone="", error=None, errors={}, elsewhere=True), 404
    petition = load_remembered(code)
    view = status.citizen_view(db_session(), petition)
    first = min(view.deadlines, key=lambda d: d["due"]) if view.deadlines else None
    representatives = [(p.name, masked(p.phone)) for p in matters.representatives(petition)]
    given = browser.get(ACCESS_KEY) or {}
    access_key = given.get("key") if given.get("code") == petition.code else None
    return render_template("public/submitted.html", view=view, office=petition.lead_office, first=first,
                           step_hints=STEP_HINTS, spoken=spoken(view.code), access_key=access_key,
                           people=flags.petitioners_on(petition), representatives=representatives)


def masked(phone: str | None) -> str:
    """'0912345678' -> '0912 *** 678': enough to check, not enough to collect (the page is kept in the session)."""
    return f"{phone[:4]} *** {phone[-3:]}" if phone and len(phone) > 7 else ""


def spoken(code: str) -> list[tuple[str, str]]:
    """'K7M4-…' -> [('K', 'ca'), ('7', 'bảy'), …]; the dashes are not read."""
    return [(c, SPOKEN.get(c, c)) for c in code if c != "-"]


# ---- status look-up and rating ----------------------------------------------------------------

@bp.route("/tra-cuu", methods=["GET", "POST"])
@limiter.limit(public_limit)
def lookup():
    """The look-up form; a POST (or a GET carrying both `code` and `phone`) checks them. `phone` also takes
    the access key of a petition without a phone (or `key`).

    No CSRF token: a look-up changes nothing. The limits per IP and per code stop guessing of phone numbers;
    every mismatch answers the same page."""
    source = request.form if request.method == "POST" else request.args
    code, phone = source.get("code", "").strip(), source.get("phone", "").strip()
    if request.method == "GET" and "phone" not in request.args and "key" not in request.args:
        return render_template("public/lookup.html", code=code, phone="", error=None, errors={})
    missing = {name: [message] for name, value, message in _lookup_missing(code, phone)
               if not value and not (name == "phone" and source.get("key"))}
    if missing:  # said next to each field in Vietnamese (the form is novalidate: no browser English)
        return render_template("public/lookup.html", code=code, phone=phone, error=None, errors=missing,
                               summary=[(f"f-{n}", m[0]) for n, m in missing.items()]), 422
    try:
        petition = look_up(code, phone, source.get("key"))
    except DomainError as exc:  # NotFound, or TooManyLookups (429)
        return render_template("public/lookup.html", code=code, phone="", error=exc.message, errors={},
                               limited=exc.http_status == 429), exc.http_status
    remember(petition.code)
    return redirect(url_for(".status_page", code=petition.code), code=303)


@bp.get("/tra-cuu/<code>")
def status_page(code: str):
    if code not in browser.get(REMEMBERED_KEY, []):
        return redirect(url_for(".lookup", code=code), code=303)
    return render_status(load_remembered(code))


def render_status(petition: Petition, *, errors: dict | None = None, status_code: int = 200):
    view = status.citizen_view(db_session(), petition)
    return render_template("public/status.html", view=view, step_hints=STEP_HINTS, errors=errors or {},
                           anonymous=petition.anonymous, now=utcnow()), status_code


@bp.post("/tra-cuu/<code>/danh-gia")
@limiter.limit(public_limit)
def rate(code: str):
    """A 1-5 rating, from a browser that looked the petition up or with the phone on record."""
    csrf.check_csrf()
    session = db_session()
    if code in browser.get(REMEMBERED_KEY, []):
        petition = load_remembered(code)
    else:
        petition = look_up(code, request.form.get("phone", ""), request.form.get("key"))
    raw = request.form.get("score", "").strip()
    try:
        status.rate(session, petition, int(raw) if raw.isdigit() else None, request.form.get("comment"))
    except ValidationFailed as exc:
        session.rollback()
        return render_status(petition, errors=exc.fields, status_code=422)
    after_commit(remember, petition.code)
    after_commit(flash, "Cảm ơn bạn đã đánh giá việc giải quyết đơn.", "success")
    return redirect(url_for(".status_page", code=petition.code), code=303)


# ---- helpers ------------------------------------------------------------------------------------

def look_up(code: str, proof: str | None, key: str | None = None) -> Petition:
    """status.look_up for this client's IP, in a short transaction of its own: a failed attempt is stored
    even though the request answers an error (and rolls back), so it counts. The petition found is the
    request's session's."""
    failed: NotFound | None = None
    client = lookup_guard.requester("ip", request.remote_addr)
    with database().session_scope() as guard:
        try:
            found = status.look_up(guard, code, proof, key=key, client=client, policy=intake_limits().lookup)
        except NotFound as exc:
            failed = exc  # raised once the failure is committed
    if failed is not None:
        raise failed
    return db_session().get(Petition, found.id)


def _confirm(code: str, access_key: str | None) -> None:
    remember(code)
    if access_key:  # shown on the confirmation page of this browser only; never stored in plain
        browser[ACCESS_KEY] = {"code": code, "key": access_key}


def remember(code: str) -> None:
    """Let this browser see the code's confirmation and status pages (the most recent codes only)."""
    codes = [c for c in browser.get(REMEMBERED_KEY, []) if c != code]
    browser[REMEMBERED_KEY] = (codes + [code])[-MAX_REMEMBERED:]


def load_remembered(code: str) -> Petition:
    """The petition if this browser submitted or looked it up; raises NotFound otherwise (same answer
    whether the code exists or not)."""
    petition = None
    if code in browser.get(REMEMBERED_KEY, []):
        petition = db_session().scalar(select(Petition).where(Petition.code == code))
    if petition is None:
        raise NotFound("Không tìm thấy trang này. Để xem tình trạng đơn, hãy tra cứu bằng mã đơn và số điện thoại.",
                       "Not found.")
    return petition
