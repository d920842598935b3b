"""The data subject's rights and the retention of personal data (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15).

A citizen who proves the petition is theirs (tracking code + phone, or the access key of a petition
without a phone; each request asks for the proof again) may ask for a copy of the
personal data the service keeps about them, or for a correction (the law's rights to access and to
correct; legal.md §4). Each request is recorded, audited and routed as a task to the Văn phòng
HĐND-UBND of the petition's unit; staff answer it and the citizen sees its state on the status page.
The implementing decree's response time is UNCONFIRMED (NĐ 13/2023 gave 72 hours): the console shows
how long each request has waited.

Retention: the law keeps personal data no longer than its purpose needs. Once a petition has been
closed for the configured years its people's personal data is erased; the petition, its events,
deadlines and replies (the record of how the State handled it) stay. Its attachments are erased too
(bytes and file name; a tombstone row says when), denunciations first: their scanned letters show the
denouncer's handwriting (bút tích), which Luật Tố cáo 2018 Điều 47 khoản 2 and Điều 56 order kept secret.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.casework.status import proves
from service.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from service.domain.intake import lookup_guard
from service.domain.intake.lookup_guard import LookupPolicy
from service.domain.intake.validation import FieldError, check_email, clean_text, normalise_phone
from service.domain.notifications import outbox as notify
from service.domain.people import access, audit
from service.domain.routing.units import CITY_CODE, office_of
from service.domain.text import fold
from service.models.attachment import Attachment
from service.models.channel import ChatConversation
from service.models.data_request import DataRequest
from service.models.outbox import OutboxMessage
from service.models.person import Person
from service.models.petition import Petition
from service.models.unit import Unit
from service.models.user import User

REQUEST_KINDS = {"copy": "Cung cấp bản sao dữ liệu cá nhân", "correction": "Chỉnh sửa dữ liệu cá nhân"}
REQUEST_STATUSES = {"new": "Đã tiếp nhận, đang xử lý", "done": "Đã giải quyết", "refused": "Không chấp nhận"}
MAX_OPEN_PER_PETITION = 3  # a citizen waits for an answer rather than filing the same request again
MAX_DETAILS_CHARS = 2000
# What a correction may change, with the label staff and citizens read.
CORRECTABLE = {"name": "Họ và tên", "address": "Địa chỉ", "phone": "Số điện thoại", "email": "Thư điện tử",
               "id_number": "Số CCCD/CMND/hộ chiếu"}
HANDLING_ROLES = {"staff", "office_head"}


def _intake_office_code(unit: Unit) -> str:
    return "vp_ubnd_tp" if unit.code == CITY_CODE else "van_phong"


PROOF_MISMATCH = "Số điện thoại hoặc mã truy cập không khớp với đơn này."


def create_request(session: Session, petition: Petition, kind: str, details: str | None, *,
                   proof: str | None = None, client: str | None = None, ip: str | None = None,
                   now: dt.datetime | None = None, lookups: LookupPolicy | None = None) -> DataRequest:
    """Record the citizen's request, audit it and tell the unit's Văn phòng (its task list and groups).

    `proof` is the phone on record or the petition's access key, checked within the failed-attempt limits
    of `client` and the code (lookup_guard, `lookups`: the adapter's policy): the code alone never obtains anyone's personal data (Luật
    BVDLCN 91/2025 protects it from third parties; Luật Tố cáo Đ47 a denouncer's above all)."""
    now = now or utcnow()
    if kind not in REQUEST_KINDS:
        raise ValidationFailed("Loại yêu cầu không hợp lệ.", "Unknown request kind.",
                               fields={"kind": ["Chọn: cung cấp bản sao hoặc chỉnh sửa dữ liệu."]})
    try:
        details = clean_text(details, label="nội dung cần chỉnh sửa", required=kind == "correction",
                             max_chars=MAX_DETAILS_CHARS, multiline=True)
    except FieldError as err:
        raise ValidationFailed(err.message, err.message_en, fields={"details": [err.message]})
    if any(p.anonymised_at for p in petition.people):
        raise Conflict("Dữ liệu cá nhân của đơn này đã được xóa khi hết thời hạn lưu trữ.",
                       "The personal data of this petition was erased when its retention period ended.")
    try:
        lookup_guard.guarded(session, client or lookup_guard.requester("unknown", None), petition.code,
                             lambda: _prove(session, petition, proof), now, policy=lookups)
    except NotFound:
        raise ValidationFailed(PROOF_MISMATCH, "The phone number or access key does not match this petition.",
                               fields={"proof": [PROOF_MISMATCH]})
    open_count = len(session.scalars(select(DataRequest.id).where(DataRequest.petition_id == petition.id,
                                                                  DataRequest.status == "new")).all())
    if open_count >= MAX_OPEN_PER_PETITION:
        raise Conflict("Bạn đã có yêu cầu đang chờ xử lý; vui lòng chờ cơ quan trả lời.",
                       "Requests for this petition are already waiting to be handled.")
    office = office_of(session, petition.unit, _intake_office_code(petition.unit))
    request = DataRequest(petition_id=petition.id, kind=kind, status="new", details=details,
                          unit_id=petition.unit_id, office_id=office.id if office else None, created_at=now)
    session.add(request)
    session.flush()
    audit.record(session, "data_request", object_type="data_request", object_id=request.id, ip=ip,
                 petition=petition.code, kind=kind, by="citizen")
    if office is not None:
        # No identity in the notice: a denouncer's name must not reach a group chat (Luật Tố cáo Đ47).
        notify.enqueue_office_notice(
            session, office, f"Yêu cầu mới về dữ liệu cá nhân ({REQUEST_KINDS[kind].lower()}) của đơn "
                             f"{petition.code}. Xử lý tại mục Yêu cầu dữ liệu cá nhân.",
            f"data_request:{request.id}", petition=petition, now=now)
    return request


def _prove(session: Session, petition: Petition, proof: str | None) -> None:
    if not proves(session, petition, proof):
        raise NotFound(PROOF_MISMATCH, "Proof does not match.")


def requests_of(session: Session, petition: Petition) -> list[DataRequest]:
    return list(session.scalars(select(DataRequest).where(DataRequest.petition_id == petition.id)
                                .order_by(DataRequest.created_at.desc(), DataRequest.id.desc())))


def copy_available(requests: list[DataRequest]) -> bool:
    """The citizen sees the copy once the office has granted a copy request."""
    return any(r.kind == "copy" and r.status == "done" for r in requests)


def personal_data(petition: Petition) -> dict[str, Any]:
    """Everything the service keeps about the people of this petition (the copy the citizen receives)."""
    return {
        "petition": {"code": petition.code, "received_at": petition.received_at, "channel": petition.channel,
                     "title": petition.title, "content": petition.content, "place": petition.place,
                     "latitude": petition.latitude, "longitude": petition.longitude},
        "people": [{"role": p.role, "representative": p.representative, "name": p.name, "phone": p.phone,
                    "email": p.email, "address": p.address, "id_number": p.id_number,
                    "chat": p.chat_channel if p.chat_user_id else None, "anonymised_at": p.anonymised_at}
                   for p in petition.people],
        "attachments": [{"filename": a.filename, "content_type": a.content_type, "size": a.size}
                        for a in petition.attachments],
    }


# ---- staff ------------------------------------------------------------------------------------

def visible_requests(user: User):
    """The requests a user may see (the access policy: people.access.visible_data_requests)."""
    return access.visible_data_requests(user)


def list_requests(session: Session, user: User, *, open_only: bool = True) -> list[DataRequest]:
    stmt = visible_requests(user)
    if open_only:
        stmt = stmt.where(DataRequest.status == "new")
    return list(session.scalars(stmt.order_by(DataRequest.created_at, DataRequest.id).limit(500)))


def get_request(session: Session, user: User, request_id: int) -> DataRequest:
    found = session.scalar(visible_requests(user).where(DataRequest.id == request_id))
    if found is None:
        raise NotFound("Không tìm thấy yêu cầu này.", "No such data request.")
    return found


def can_handle(user: User, request: DataRequest) -> bool:
    return access.can_handle_data_request(user, request)


@dataclass
class Correction:
    """Corrected values typed by staff; None leaves a field as it is, "" erases it."""

    name: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    id_number: str | None = None


def _checked_correction(correction: Correction) -> dict[str, str | None]:
    errors: dict[str, list[str]] = {}
    values: dict[str, str | None] = {}
    checks = {"name": lambda v: clean_text(v, label="họ tên", max_chars=200),
              "address": lambda v: clean_text(v, label="địa chỉ"),
              "phone": normalise_phone, "email": check_email,
              "id_number": lambda v: clean_text(v, label="số giấy tờ", max_chars=64)}
    for name, check in checks.items():
        value = getattr(correction, name)
        if value is None:
            continue
        try:
            values[name] = check(value) if value.strip() else None
        except FieldError as err:
            errors[name] = [err.message]
    if errors:
        raise ValidationFailed("Thông tin chỉnh sửa chưa hợp lệ.", "Invalid corrected values.", fields=errors)
    return values


def resolve(session: Session, request: DataRequest, user: User, status: str, response: str | None, *,
            correction: Correction | None = None, ip: str | None = None, now: dt.datetime | None = None) -> DataRequest:
    """Staff grant (done) or refuse a request, with an answer the citizen reads; a granted correction
    changes the petitioner's data. Audited with the names of the changed fields, never their values."""
    now = now or utcnow()
    if not can_handle(user, request):
        raise Forbidden("Chỉ Văn phòng tiếp nhận đơn được xử lý yêu cầu này.",
                        "Only the receiving office may handle this request.")
    if request.status != "new":
        raise Conflict("Yêu cầu này đã được xử lý.", "This request was already handled.")
    if status not in ("done", "refused"):
        raise ValidationFailed("Chọn kết quả: đã giải quyết hoặc không chấp nhận.", "status must be done or refused.",
                               fields={"status": ["Chọn kết quả xử lý."]})
    try:
        response = clean_text(response, label="trả lời", required=status == "refused", max_chars=MAX_DETAILS_CHARS,
                              multiline=True)
    except FieldError as err:
        raise ValidationFailed(err.message, err.message_en, fields={"response": [err.message]})
    changed: list[str] = []
    if status == "done" and request.kind == "correction" and correction is not None:
        values = _checked_correction(correction)
        petitioner = next((p for p in request.petition.people if p.role == "petitioner"), None)
        if values and petitioner is None:
            raise Conflict("Đơn không có thông tin người gửi để chỉnh sửa.", "The petition has no petitioner.")
        for name, value in values.items():
            if getattr(petitioner, name) != value:
                setattr(petitioner, name, value)
                changed.append(name)
        if "name" in changed:
            petitioner.name_folded = fold(petitioner.name) if petitioner.name else None
    request.status, request.response, request.handled_by_id, request.handled_at = status, response, user.id, now
    audit.record(session, "data_request_handled", user=user, object_type="data_request", object_id=request.id,
                 ip=ip, petition=request.petition.code, kind=request.kind, status=status, changed=changed or None)
    session.flush()
    return request


# ---- retention --------------------------------------------------------------------------------

@dataclass(frozen=True)
class RetentionPolicy:
    closed_petition_years: int = 5
    chat_days: int = 90
    outbox_days: int = 180

    @classmethod
    def from_settings(cls, settings: Any) -> RetentionPolicy:
        def number(key: str, default: int) -> int:
            value = str(settings.get(key, "") or "").strip()
            return int(value) if value.isdigit() else default
        return cls(number("RETENTION_CLOSED_PETITION_YEARS", 5), number("RETENTION_CHAT_DAYS", 90),
                   number("RETENTION_OUTBOX_DAYS", 180))


@dataclass
class RetentionResult:
    people: int = 0
    requests: int = 0
    conversations: int = 0
    messages: int = 0
    attachments: int = 0


ERASED_FILENAME = "(đã xóa khi hết thời hạn lưu trữ)"


def _erase_attachments(session: Session, expired, now: dt.datetime, batch: int) -> int:
    """Empty the files of petitions closed beyond the period, denunciations first; one audit line a petition."""
    erased = 0
    denunciation_first = case((Petition.kind == "to_cao", 0), else_=1)
    while True:
        rows = session.execute(
            select(Attachment.id, Petition.id, Petition.code, Petition.kind).join(Petition)
            .where(Attachment.petition_id.in_(expired), Attachment.erased_at.is_(None))
            .order_by(denunciation_first, Petition.closed_at, Attachment.id).limit(batch)).all()
        if not rows:
            return erased
        # A bulk UPDATE: the bytes are never loaded to be thrown away.
        session.execute(update(Attachment).where(Attachment.id.in_([r[0] for r in rows]))
                        .values(data=b"", filename=ERASED_FILENAME, size=0, sha256="", erased_at=now)
                        .execution_options(synchronize_session=False))
        per_petition: dict[tuple[str, str], int] = {}
        for _, _, code, kind in rows:
            per_petition[(code, kind)] = per_petition.get((code, kind), 0) + 1
        for (code, kind), count in per_petition.items():
            audit.record(session, "attachments_erased", object_type="petition", object_id=code, kind=kind,
                         count=count, by="retention")
        session.flush()
        erased += len(rows)


def apply_retention(session: Session, policy: RetentionPolicy, now: dt.datetime | None = None,
                    batch: int = 500) -> RetentionResult:
    """Erase personal data whose retention period has ended; idempotent (the jobs process runs it daily)."""
    now = now or utcnow()
    result = RetentionResult()
    if policy.closed_petition_years > 0:
        cutoff = now - dt.timedelta(days=365 * policy.closed_petition_years + policy.closed_petition_years // 4)
        expired = select(Petition.id).where(Petition.closed_at.is_not(None), Petition.closed_at < cutoff)
        while True:
            people = session.scalars(select(Person).where(Person.petition_id.in_(expired),
                                                          Person.anonymised_at.is_(None)).limit(batch)).all()
            for person in people:
                person.name = person.phone = person.email = person.address = person.id_number = None
                person.name_folded = person.chat_user_id = None
                person.anonymised_at = now
            session.flush()
            result.people += len(people)
            if len(people) < batch:
                break
        result.requests = session.execute(
            update(DataRequest).where(DataRequest.petition_id.in_(expired), DataRequest.details.is_not(None))
            .values(details=None).execution_options(synchronize_session=False)).rowcount or 0
        result.attachments = _erase_attachments(session, expired, now, batch)
    if policy.chat_days > 0:
        idle = now - dt.timedelta(days=policy.chat_days)
        result.conversations = session.execute(
            update(ChatConversation).where(ChatConversation.updated_at < idle, ChatConversation.state != "idle")
            .values(state="idle", draft={}, updated_at=now).execution_options(synchronize_session=False)).rowcount or 0
    if policy.outbox_days > 0:
        old = now - dt.timedelta(days=policy.outbox_days)
        result.messages = session.execute(
            update(OutboxMessage).where(OutboxMessage.status.in_(("sent", "failed")), OutboxMessage.created_at < old,
                                        OutboxMessage.text != "")
            .values(text="", payload={}).execution_options(synchronize_session=False)).rowcount or 0
    session.flush()
    return result
