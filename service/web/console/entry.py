"""Console views: Nhập đơn — a clerk types in a hotline call, e-mail, text message, walk-in or paper letter.

The form becomes an InboundMessage for `intake.submit` with the clerk as the actor, like every other
channel. A hidden one-time form id, stored as an IdempotencyRecord with the answer, makes a double
click or a re-sent form land on the petition already stored instead of creating a second one.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
import secrets
from itertools import zip_longest

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BuildError

from service.db import utcnow
from service.domain.codes import CHANNELS, KINDS
from service.domain.errors import ValidationFailed
from service.domain.inbound import AttachmentData, InboundMessage, Location, PersonData
from service.domain.intake import ocr
from service.domain.intake import operations as intake
from service.domain.intake.validation import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    MAX_CO_SIGNERS,
    MAX_CONTENT_CHARS,
    FieldError,
    clean_text,
)
from service.models.attachment import Attachment
from service.models.channel import IdempotencyRecord
from service.models.unit import Unit
from service.web.console import bp
from service.web.console.auth import actor_of, current_user, log, login_required
from service.web.csrf import check_csrf
from service.web.formatting import LOCAL_TZ
from service.web.public import FILES_LOST, spoken
from service.web.public_form import coordinates
from service.web.session import after_commit, database, db_session

# What the clerk picks; a paper letter (by post or handed in) is stored as channel in_person.
ENTRY_CHANNELS = {"hotline": CHANNELS["hotline"], "email": CHANNELS["email"], "sms": CHANNELS["sms"],
                  "in_person": "Trực tiếp tại trụ sở", "paper": "Đơn giấy (qua bưu chính hoặc nộp tại trụ sở)"}
CHANNEL_OF = {"paper": "in_person"}
REP_ROWS = 5  # rows for representatives on the form; how many a crowd appoints is intake's law (Điều 29)
OLDEST_RECEIVED = dt.timedelta(days=365)
TIME_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H.%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M")
FORM_USED = ("Biểu mẫu này đã được dùng để lưu đơn {code}. Nếu đây là một đơn khác, kiểm tra lại các mục "
             "rồi bấm «Lưu đơn» lần nữa.")
FORM_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

# Domain field name -> the input that shows its error; the order of the inputs on the page.
FIELD_INPUTS = {
    "channel": "channel", "received_at": "received_at", "unit": "unit", "kind": "kind", "title": "title",
    "content": "content", "location.address": "place", "location.lat": "lat", "location.lon": "long",
    "attachments": "attachments", "petitioner": "name",
    "petitioner.name": "name", "petitioner.phone": "phone", "petitioner.email": "email",
    "petitioner.address": "address", "petitioner.id_number": "id_number", "co_signers": "co_signers",
    "consent": "consent", "representatives": "representatives", "petitioner.representative": "representatives",
}
FIELD_INPUTS["scan"] = "scan"
FIELD_ORDER = ("scan", "channel", "received_at", "unit", "name", "phone", "address", "id_number", "email", "content",
               "place", "title", "kind", "co_signers", "representatives", "attachments", "consent")


@bp.route("/nhap-don", methods=["GET", "POST"])
@login_required("admin", "staff", "office_head")
def entry():
    user = current_user()
    if request.method == "GET":
        values = MultiDict({"channel": "hotline", "received_at": _local_text(utcnow()),
                            "unit": user.unit.code if user.unit else ""})
        return render_entry(values, form_id=_new_form_id())
    check_csrf()
    form = request.form
    files = [f for f in request.files.getlist("attachments") if f.filename]
    attachments = [AttachmentData(f.filename or "tep", f.read(), f.mimetype) for f in files]
    scans = _scans(form) + [AttachmentData(f.filename or "ban-quet", f.read(), f.mimetype)
                            for f in request.files.getlist("scan") if f.filename]
    if form.get("read_scan"):  # "Đọc chữ từ bản quét": fill the content box, keep the scan for the save
        return _read_scan(form, scans)
    attachments = scans + attachments
    files = files or scans
    form_id = form.get("form_id", "")
    if not FORM_ID.match(form_id):
        return render_entry(form, form_id=_new_form_id(), had_files=bool(files), status_code=422,
                            general=["Biểu mẫu không hợp lệ hoặc đã cũ; kiểm tra lại rồi bấm «Lưu đơn»."])
    scope, digest = f"console.entry:{user.id}", _digest(form, attachments)
    done = _stored(scope, form_id)
    if done is not None:
        return _replay(done, digest, form, had_files=bool(files))

    errors: dict[str, list[str]] = {}
    received_at = _checked(errors, "received_at", parse_received_at, form.get("received_at", ""), utcnow())
    channel = form.get("channel", "")
    if channel not in ENTRY_CHANNELS:
        errors["channel"] = ["Chọn kênh tiếp nhận: đường dây nóng, thư điện tử, tin nhắn, trực tiếp hoặc đơn giấy."]
    message = message_from_form(form, attachments, received_at, _unit_for(user, form.get("unit")))
    # Consent, the crowd's representatives and the rest of the law are intake's (service/domain/intake/law.py).
    if errors:
        _checked(errors, "content", clean_text, form.get("content"), label="nội dung", required=True,
                 max_chars=MAX_CONTENT_CHARS, multiline=True)
        return render_entry(form, form_id=form_id, errors=errors, had_files=bool(files), status_code=422)

    session = db_session()
    try:
        submitted = intake.submit(session, message, actor_of(user))
    except ValidationFailed as exc:
        session.rollback()
        return render_entry(form, form_id=form_id, errors=exc.fields, had_files=bool(files), status_code=422)
    code = submitted.petition.code
    _mark_originals(submitted.petition, scans)
    log("petition_entered", object_type="petition", object_id=code, channel=message.channel,
        medium="paper" if channel == "paper" else None, received_at=submitted.petition.received_at.isoformat(),
        consent="obtained_by_staff" if message.consent else None, attachments=len(attachments) or None)
    session.add(IdempotencyRecord(scope=scope, key=form_id, request_hash=digest, status_code=303,
                                  response={"code": code}))
    try:
        session.flush()  # the request's one commit follows the answer; a duplicate form id shows here already
    except IntegrityError:  # the same form committed first in another request: that petition is the answer
        session.rollback()
        done = _stored(scope, form_id)
        if done is None:
            raise
        return _replay(done, digest, form, had_files=bool(files))
    key = f" Đơn không có số điện thoại: mã truy cập để người gửi tra cứu (chỉ hiện một lần): {submitted.access_key}." \
        if submitted.access_key else ""
    after_commit(flash, f"Đã lưu đơn. Mã đơn đọc cho người gửi: {code} ({read_aloud(code)}).{key}", "success")
    return redirect(petition_url(code), code=303)


def _scans(form: MultiDict) -> list[AttachmentData]:
    """The scan read earlier, carried in the form (a file input cannot be filled again) until the save."""
    out = []
    for name, data in zip(form.getlist("scan_name"), form.getlist("scan_data")):
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            continue
        if 0 < len(raw) <= MAX_ATTACHMENT_BYTES:
            out.append(AttachmentData(name[:120] or "ban-quet", raw))
    return out[:MAX_ATTACHMENTS]


def _read_scan(form: MultiDict, scans: list[AttachmentData]):
    """OCR (service.domain.intake.ocr, Tesseract with Vietnamese) into the content box, channel "đơn giấy"."""
    values = MultiDict(form)
    for name in ("read_scan", "scan_name", "scan_data"):
        values.poplist(name)
    errors, notice = {}, None
    if not scans:
        errors["scan"] = ["Chọn tệp bản quét (PDF) hoặc ảnh chụp đơn giấy để đọc."]
    else:
        try:
            text = ocr.read_scans([s.data for s in scans])
        except ocr.OcrUnavailable as err:
            errors["scan"] = [err.message]
        except ocr.OcrFailed as err:
            errors["scan"] = [err.message]
        else:
            values["content"] = text[:MAX_CONTENT_CHARS]
            values["channel"] = "paper"
            notice = (f"Đã đọc chữ từ {len(scans)} tệp bản quét vào ô Nội dung. Hãy đối chiếu với bản gốc, sửa chỗ "
                      "đọc sai rồi bấm «Lưu đơn»; bản quét được đính kèm làm bản gốc.")
    for scan in scans:
        values.add("scan_name", scan.filename)
        values.add("scan_data", base64.b64encode(scan.data).decode("ascii"))
    return render_entry(values, form_id=form.get("form_id") or _new_form_id(), errors=errors,
                        status_code=422 if errors else 200, scan_notice=notice,
                        kept_scans=[s.filename for s in scans])


def _mark_originals(petition, scans: list[AttachmentData]) -> None:
    """The scan is the letter itself, in the sender's hand: kept as handwriting (bút tích), sealed for a
    denunciation like any other (Luật Tố cáo Điều 56)."""
    if not scans:
        return
    files = db_session().scalars(select(Attachment).where(Attachment.petition_id == petition.id)
                                 .order_by(Attachment.id).limit(len(scans)))  # the scans come first
    for file in files:  # (a photo is stored without its metadata: not the bytes sent, same order)
        file.handwriting = True


def message_from_form(form: MultiDict, attachments: list[AttachmentData], received_at: dt.datetime | None,
                      unit: str | None) -> InboundMessage:
    """The form as the contract every channel produces; empty inputs become None."""
    def text(name: str) -> str | None:
        return form.get(name) or None

    anonymous = bool(form.get("anonymous"))
    person = PersonData(name=text("name"), phone=text("phone"), email=text("email"), address=text("address"),
                        id_number=text("id_number"), representative=bool(form.get("rep_self")))
    has_person = any((person.name, person.phone, person.email, person.address, person.id_number))
    place = text("place")
    lat, lon = coordinates(form)  # the map pin (issue #22), optional
    return InboundMessage(
        channel=CHANNEL_OF.get(form.get("channel", ""), form.get("channel", "")), content=form.get("content", ""),
        title=text("title"), unit=unit, kind=text("kind"),
        petitioner=person if has_person and not anonymous else None, anonymous=anonymous,
        co_signers=_co_signers(form), co_signer_total=_co_signer_count(form),
        location=Location(lat=lat, lon=lon, address=place) if place or lat is not None else None,
        attachments=attachments, received_at=received_at, consent=bool(form.get("consent")),
    )


def _co_signer_count(form: MultiDict) -> int:
    """The number typed in (0 when empty, -1 when not a number: intake then answers with its message)."""
    raw = form.get("co_signers", "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else (0 if not raw else -1)


def _co_signers(form: MultiDict) -> int | list[PersonData]:
    """The named representatives among the co-signers; `co_signer_total` carries how many there are in all
    (Luật Tiếp công dân Điều 29)."""
    count = _co_signer_count(form)
    reps = []
    for name, phone, address in _rep_rows(form):
        if name.strip() or phone.strip() or address.strip():
            reps.append(PersonData(name=name or None, phone=phone or None, address=address or None,
                                   representative=True))
    if not reps or count < 0 or count > MAX_CO_SIGNERS:
        return count  # intake answers an out-of-range count with its own message
    return reps


def _rep_rows(form: MultiDict) -> list[tuple[str, str, str]]:
    return list(zip_longest(form.getlist("rep_name"), form.getlist("rep_phone"), form.getlist("rep_address"),
                            fillvalue=""))


def parse_received_at(value: str, now: dt.datetime) -> dt.datetime | None:
    """'07/12/2026 14:30' (Hải Phòng time) -> an aware datetime; empty means now (None). A petition is
    received when it reaches the office; the clerk may back-date a letter or a missed call up to a year."""
    value = " ".join((value or "").split())
    if not value:
        return None
    for fmt in TIME_FORMATS:
        try:
            local = dt.datetime.strptime(value, fmt).replace(tzinfo=LOCAL_TZ)
            break
        except ValueError:
            continue
    else:
        raise FieldError("Thời điểm tiếp nhận cần ghi theo dạng ngày/tháng/năm giờ:phút, ví dụ 07/12/2026 14:30.",
                         "received_at must look like 07/12/2026 14:30.")
    at = local.astimezone(dt.timezone.utc)
    if at > now + dt.timedelta(minutes=1):
        raise FieldError("Thời điểm tiếp nhận không được ở tương lai.", "received_at is in the future.")
    if at < now - OLDEST_RECEIVED:
        earliest = _local_text(now - OLDEST_RECEIVED)
        raise FieldError(f"Thời điểm tiếp nhận không được trước quá 1 năm (sớm nhất {earliest}).",
                         "received_at is more than a year ago.")
    return at


def _checked(errors: dict[str, list[str]], name: str, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except FieldError as err:
        errors.setdefault(name, []).append(err.message)
        return None


def _unit_for(user, chosen: str | None) -> str | None:
    """An admin chooses the unit (none: the city); everyone else enters petitions for their own unit."""
    if user.role == "admin":
        return (chosen or "").strip() or (user.unit.code if user.unit else None)
    return user.unit.code if user.unit else None


def _digest(form: MultiDict, attachments: list[AttachmentData]) -> str:
    fields = sorted((k, v) for k, vs in form.lists() if k not in ("csrf_token", "form_id") for v in vs)
    files = [hashlib.sha256(a.data).hexdigest() for a in attachments]
    return hashlib.sha256(json.dumps([fields, files], ensure_ascii=False).encode()).hexdigest()


def _stored(scope: str, key: str) -> IdempotencyRecord | None:
    """Read in its own session: the request's session may hold a rolled-back attempt."""
    with database().session_scope() as s:
        record = s.scalar(select(IdempotencyRecord).where(IdempotencyRecord.scope == scope,
                                                          IdempotencyRecord.key == key))
        if record is not None:
            s.expunge(record)
        return record


def _replay(record: IdempotencyRecord, digest: str, form: MultiDict, *, had_files: bool):
    code = record.response["code"]
    if record.request_hash != digest:  # the back button and an edited form: a new petition, on purpose
        return render_entry(form, form_id=_new_form_id(), had_files=had_files, status_code=409,
                            general=[FORM_USED.format(code=code)])
    flash(f"Đơn này đã được lưu trước đó, không tạo thêm đơn. Mã đơn: {code} ({read_aloud(code)}).", "info")
    return redirect(petition_url(code), code=303)


def petition_url(code: str) -> str:
    try:
        return url_for("console.petition", code=code)
    except BuildError:  # the petition page is another module; its URL is a contract
        return f"{url_for('console.inbox')}/{code}"


def read_aloud(code: str) -> str:
    return ", ".join(word for _, word in spoken(code))


def _new_form_id() -> str:
    return secrets.token_urlsafe(18)


def _local_text(at: dt.datetime) -> str:
    return at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def render_entry(values: MultiDict, *, form_id: str, errors: dict | None = None, general: list[str] | None = None,
                 had_files: bool = False, status_code: int = 200, scan_notice: str | None = None,
                 kept_scans: list[str] | None = None):
    user = current_user()
    placed: dict[str, list[str]] = {}
    general = list(general or [])
    for name, messages in (errors or {}).items():
        messages = [messages] if isinstance(messages, str) else list(messages)
        target = FIELD_INPUTS.get(name) or ("representatives" if name.startswith("co_signers.") else None)
        if target:
            placed.setdefault(target, []).extend(messages)
        else:
            general.extend(messages)
    if had_files and placed and "attachments" not in placed:
        general.append(FILES_LOST)
    summary = [(f"f-{name}", m) for name in FIELD_ORDER for m in placed.get(name, [])]
    units = (list(db_session().scalars(select(Unit).order_by(Unit.kind != "city", Unit.name)))
             if user.role == "admin" else [])
    reps = _rep_rows(values)
    reps += [("", "", "")] * (REP_ROWS - len(reps))
    return render_template(
        "console/entry.html", values=values, errors=placed, summary=summary, general_errors=general,
        form_id=form_id, channels=ENTRY_CHANNELS, kinds=KINDS, units=units, own_unit=user.unit,
        is_admin=user.role == "admin", reps=reps, max_files=MAX_ATTACHMENTS,
        max_mb=MAX_ATTACHMENT_BYTES // 2**20, scan_notice=scan_notice, ocr_ready=ocr.available(),
        kept_scans=kept_scans if kept_scans is not None else values.getlist("scan_name"),
    ), status_code
