"""The citizen pages: landing page, petition form, confirmation, status look-up and rating.

Vietnamese, mobile-first, usable without JavaScript (form.js only adds comfort). Views are thin:
the form becomes an InboundMessage for `intake.submit`; validation and storage happen in the domain.
A browser may see a confirmation or status page only for codes it submitted or looked up with the
phone number (kept in the signed session cookie), so codes cannot be enumerated.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask import session as browser
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict

from service.db import utcnow
from service.domain.casework import status
from service.domain.codes import KINDS
from service.domain.errors import DomainError, NotFound, ValidationFailed
from service.domain.inbound import CITIZEN, AttachmentData, InboundMessage, Location, PersonData, contact_refusals
from service.domain.intake import lookup_guard
from service.domain.intake import operations as intake
from service.domain.intake.validation import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, MAX_CO_SIGNERS
from service.domain.matters import flags
from service.domain.matters import operations as matters
from service.domain.routing.units import search_units
from service.models.petition import Petition
from service.models.unit import Unit
from service.web import csrf, formatting
from service.web.security import limiter
from service.web.session import commit, db_session

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

# Representatives of a crowd (Luật Tiếp công dân Điều 29): rows rep-<n>-name/phone/address, n = 1..the most
# the law allows, and a box for "I, the sender, am one of them".
MAX_REPRESENTATIVES = matters.representative_limits(MAX_CO_SIGNERS + 1)[1]
REP_ROWS = tuple(range(1, MAX_REPRESENTATIVES + 1))
# For form.js: [[from people, fewest, most], …] wherever the law's limits change.
REP_LIMITS = [[n, *matters.representative_limits(n)] for n in range(flags.CROWD, MAX_CO_SIGNERS + 2)
              if n == flags.CROWD or matters.representative_limits(n) != matters.representative_limits(n - 1)]
REP_RULE = ", ".join(
    (f"từ {start} đến {nxt[0] - 1} người" if nxt else f"từ {start} người trở lên") + f" cử từ {low} đến {high} người"
    for (start, low, high), nxt in zip(REP_LIMITS, [*REP_LIMITS[1:], None]))
REP_INPUTS = tuple(f"rep-{n}-{part}" for n in REP_ROWS for part in ("name", "phone", "address"))

# Domain field name -> the form input that shows its error.
FIELD_INPUTS = {
    "unit": "unit", "kind": "kind", "title": "title", "content": "content", "location.address": "place",
    "attachments": "attachments", "petitioner": "name", "petitioner.name": "name", "petitioner.address": "address",
    "petitioner.phone": "phone", "petitioner.email": "email", "co_signers": "co_signers", "consent": "consent",
    "representatives": "representatives", "rep_self": "rep_self", **{name: name for name in REP_INPUTS},
}
# The order of the inputs on the page, so the error summary reads top to bottom.
FIELD_ORDER = ("unit", "kind", "title", "content", "place", "attachments", "name", "address", "phone", "email",
               "co_signers", "representatives", "rep_self", *REP_INPUTS, "consent")
CONSENT_MISSING = ("Bạn cần đồng ý cho cơ quan xử lý dữ liệu cá nhân để gửi đơn "
                   "(Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15).")
FILES_LOST = "Vì lý do an toàn, trình duyệt không giữ tệp đã chọn: vui lòng chọn lại tệp đính kèm."

# How each character of a tracking code is read aloud in Vietnamese.
SPOKEN = {"A": "a", "B": "bê", "C": "xê", "D": "dê", "E": "e", "F": "ép", "G": "giê", "H": "hát", "J": "gi",
          "K": "ca", "M": "em-mờ", "N": "en-nờ", "P": "pê", "Q": "quy", "R": "e-rờ", "S": "ét-xì", "T": "tê",
          "W": "vê kép", "X": "ích-xì", "Y": "i dài", "Z": "dét", "2": "hai", "3": "ba", "4": "bốn", "5": "năm",
          "6": "sáu", "7": "bảy", "8": "tám", "9": "chín"}

REMEMBERED_KEY = "codes"
MAX_REMEMBERED = 20
ACCESS_KEY = "access_key"  # the last petition's access key, for its confirmation page


def _public_limit() -> str:
    return current_app.config.get("RATELIMIT_PUBLIC", "30 per minute")


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
@limiter.limit(_public_limit)
def submit_petition():
    csrf.check_csrf()
    form = request.form
    files = [f for f in request.files.getlist("attachments") if f.filename]
    if not form.get("consent"):
        # Without consent the personal data is not processed at all, not even validated (Luật BVDLCN 91/2025).
        return render_form(form, errors={"consent": [CONSENT_MISSING]}, had_files=bool(files), status_code=422)
    crowd = crowd_from_form(form)
    if crowd.errors:
        return render_form(form, errors=crowd.errors, had_files=bool(files), status_code=422)
    try:
        submitted = intake.submit(db_session(), message_from_form(form, files, crowd), CITIZEN)
    except ValidationFailed as exc:
        return render_form(form, errors=crowd.placed(exc.fields), had_files=bool(files), status_code=exc.http_status)
    commit()
    remember(submitted.petition.code)
    if submitted.access_key:  # shown on the confirmation page of this browser only; never stored in plain
        browser[ACCESS_KEY] = {"code": submitted.petition.code, "key": submitted.access_key}
    return redirect(url_for(".submitted", code=submitted.petition.code), code=303)


def message_from_form(form: MultiDict, files: list[FileStorage], crowd: Crowd | None = None) -> InboundMessage:
    """The form as the one contract every channel produces; empty inputs become None. The representatives
    are listed as co-signers with `representative=True`, beside the count of all co-signers."""
    def text(name: str) -> str | None:
        return form.get(name) or None

    crowd = crowd or crowd_from_form(form)
    person = PersonData(name=text("name"), phone=text("phone"), email=text("email"), address=text("address"),
                        representative=crowd.sender_represents, **contact_refusals(form))
    has_person = any((person.name, person.phone, person.email, person.address))
    place = text("place")
    return InboundMessage(
        channel="web", content=form.get("content", ""), title=text("title"), unit=text("unit"), kind=text("kind"),
        petitioner=person if has_person else None, anonymous=bool(form.get("anonymous")),
        co_signers=[p for _, p in crowd.listed] or crowd.count, co_signer_total=crowd.count,
        location=Location(address=place) if place else None,
        attachments=[AttachmentData(f.filename or "tep", f.read(), f.mimetype) for f in files],
        consent=bool(form.get("consent")),
    )


@dataclass
class Crowd:
    """The co-signers part of the form: their count, the representatives named, and what is wrong with them."""

    count: int
    listed: list[tuple[int, PersonData]] = field(default_factory=list)  # (form row, representative)
    sender_represents: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)

    def placed(self, fields: dict[str, list[str]]) -> dict[str, list[str]]:
        """Intake's errors with 'co_signers.<i>.phone' renamed to the row's input, 'rep-<n>-phone'."""
        out: dict[str, list[str]] = {}
        for name, messages in fields.items():
            parts = name.split(".")
            if len(parts) == 3 and parts[0] == "co_signers" and parts[1].isdigit() and int(parts[1]) < len(self.listed):
                name = f"rep-{self.listed[int(parts[1])][0]}-{parts[2]}"
            out.setdefault(name, []).extend(messages)
        return out


def crowd_from_form(form: MultiDict) -> Crowd:
    """Five or more people on one petition appoint representatives: 1-2 for up to ten people, at most 5
    beyond (Luật Tiếp công dân Điều 29; NĐ 124/2020 Điều 6 k2). The law's count is `matters.representative_limits`."""
    count = _count(form.get("co_signers", ""))
    listed = []
    for n in REP_ROWS:
        values = {part: (form.get(f"rep-{n}-{part}") or "").strip() or None for part in ("name", "phone", "address")}
        if any(values.values()):
            listed.append((n, PersonData(**values, representative=True)))
    sender = bool(form.get("rep_self"))
    crowd = Crowd(count, listed)
    named = len(listed) + sender
    people = 1 + count
    if count < 0:
        return crowd  # intake explains the count
    if named and (people < flags.CROWD or form.get("anonymous")):
        crowd.errors["representatives"] = [
            "Đơn gửi nặc danh không ghi người đại diện: bỏ chọn «Gửi nặc danh» hoặc xoá phần người đại diện."
            if form.get("anonymous") else
            f"Chỉ cử người đại diện khi có từ {flags.CROWD} người trở lên cùng đứng tên đơn: hãy ghi số người "
            f"cùng ký, hoặc xoá phần người đại diện."]
        return crowd
    if people < flags.CROWD or form.get("anonymous"):
        return crowd
    low, high = matters.representative_limits(people)
    if named < low:
        crowd.errors["representatives"] = [
            f"Đơn có {people} người cùng đứng tên: vui lòng ghi họ tên, số điện thoại của người đại diện "
            f"(từ {low} đến {high} người, Luật Tiếp công dân, Điều 29)."]
    elif named > high:
        crowd.errors["representatives"] = [
            f"Đơn có {people} người cùng đứng tên chỉ cử tối đa {high} người đại diện; bạn đã ghi {named} người "
            f"(Luật Tiếp công dân, Điều 29)."]
    for n, person in listed:
        if not person.name:
            crowd.errors[f"rep-{n}-name"] = [f"Cần nhập họ tên người đại diện thứ {n}."]
        if not person.phone:
            crowd.errors[f"rep-{n}-phone"] = [f"Cần nhập số điện thoại người đại diện thứ {n}."]
    if sender and not (form.get("name") or "").strip():
        crowd.errors["rep_self"] = ["Để là người đại diện, bạn cần ghi họ và tên của mình ở mục 3."]
    crowd.sender_represents = sender
    return crowd


def _count(value: str) -> int:
    """A typed number of co-signers; anything else becomes -1, which intake refuses with its message."""
    value = value.strip()
    if not value:
        return 0
    return int(value) if value.isdigit() and len(value) < 10 else -1


def render_form(values: MultiDict, *, errors: dict[str, list[str]] | None = None, query: str = "",
                had_files: bool = False, status_code: int = 200):
    units, matches, selected = _unit_choices(query.strip(), values.get("unit", ""))
    field_errors, general = _place_errors(errors or {})
    if had_files and field_errors and "attachments" not in field_errors:
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


def _place_errors(fields: dict[str, list[str] | str]) -> tuple[dict[str, list[str]], list[str]]:
    """Domain field errors keyed by form input; those no input shows (channel, round…) go to the summary."""
    placed: dict[str, list[str]] = {}
    general: list[str] = []
    for name, messages in fields.items():
        messages = [messages] if isinstance(messages, str) else list(messages)
        target = FIELD_INPUTS.get(name) or FIELD_INPUTS.get(name.split(".")[0])
        if target:
            placed.setdefault(target, []).extend(messages)
        else:
            general.extend(messages)
    return placed, general


@bp.errorhandler(413)
def too_large(_exc):
    limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 2**20
    return render_template("public/too_large.html", limit_mb=limit_mb, max_files=MAX_ATTACHMENTS,
                           max_mb=MAX_ATTACHMENT_BYTES // 2**20), 413


# ---- confirmation ---------------------------------------------------------------------------

@bp.get("/da-gui/<code>")
def submitted(code: str):
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
@limiter.limit(_public_limit)
def lookup():
    """The look-up form; a POST (or a GET carrying both `code` and `phone`) checks them. `phone` also takes
    the access key of a petition without a phone (or `key`).

    No CSRF token: a look-up changes nothing. The limits per IP and per code stop guessing of phone numbers;
    every mismatch answers the same page."""
    source = request.form if request.method == "POST" else request.args
    code, phone = source.get("code", "").strip(), source.get("phone", "").strip()
    if request.method == "GET" and "phone" not in request.args and "key" not in request.args:
        return render_template("public/lookup.html", code=code, phone="", error=None)
    try:
        petition = look_up(code, phone, source.get("key"))
    except DomainError as exc:  # NotFound, or TooManyLookups (429)
        return render_template("public/lookup.html", code=code, phone="", error=exc.message,
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
@limiter.limit(_public_limit)
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
        return render_status(petition, errors=exc.fields, status_code=422)
    commit()
    remember(petition.code)
    flash("Cảm ơn bạn đã đánh giá việc giải quyết đơn.", "success")
    return redirect(url_for(".status_page", code=petition.code), code=303)


# ---- helpers ------------------------------------------------------------------------------------

def look_up(code: str, proof: str | None, key: str | None = None) -> Petition:
    """status.look_up for this client's IP; a failed attempt is committed before the error answers, so it counts."""
    session = db_session()
    try:
        return status.look_up(session, code, proof, key=key, client=lookup_guard.requester("ip", request.remote_addr))
    except NotFound:
        commit()
        raise


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
