"""Intake: validate an InboundMessage, store the petition, stamp it, hand it on.

Every channel calls `submit`; it flushes and never commits (the caller owns the transaction).
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.classification import model as classify
from service.domain.codes import CHANNELS
from service.domain.deadlines import rules as deadlines
from service.domain.deadlines.calendar import Calendar
from service.domain.errors import ValidationFailed
from service.domain.events import record
from service.domain.inbound import Actor, InboundMessage, PersonData
from service.domain.intake import law, representation, tracking
from service.domain.intake import quota as phone_quota
from service.domain.intake.quota import PhoneQuota
from service.domain.intake.validation import (
    MAX_ATTACHMENTS,
    MAX_CO_SIGNERS,
    MAX_CONTENT_CHARS,
    MAX_TITLE_CHARS,
    CheckedFile,
    FieldError,
    check_attachment,
    check_email,
    clean_text,
    normalise_phone,
)
from service.domain.matters import arrival
from service.domain.notifications import receipts
from service.domain.people import confidential
from service.domain.routing import catalogue
from service.domain.routing import operations as routing
from service.domain.routing.units import CITY_CODE, find_unit, office_of
from service.domain.text import fold
from service.models.attachment import Attachment
from service.models.deadline import Deadline
from service.models.person import Person
from service.models.petition import Petition
from service.models.unit import Unit

logger = logging.getLogger(__name__)

OLDEST_BACKDATED = dt.timedelta(days=3 * 365)  # paper petitions entered late, within reason


@dataclass
class Submitted:
    petition: Petition
    first_deadline: Deadline | None
    access_key: str | None = None  # given once to a petitioner without a phone on record; only its digest is kept
    deadlines: list[Deadline] | None = None  # the deadlines stamped, in order (the answer needs no query)


@dataclass
class _Checked:
    content: str
    title: str | None
    unit: Unit
    place: str | None
    petitioner: PersonData | None
    co_signers: list[PersonData]
    co_signer_count: int
    files: list[CheckedFile]
    received_at: dt.datetime
    representatives_missing: bool = False  # a crowd from an integration: Văn phòng completes them


class _Errors:
    def __init__(self) -> None:
        self.vi: dict[str, list[str]] = {}
        self.en: dict[str, str] = {}

    def add(self, name: str, err: FieldError) -> None:
        self.vi.setdefault(name, []).append(err.message)
        self.en.setdefault(name, err.message_en)

    def add_all(self, problems) -> bool:
        """The rule's problems (law.py); True when there was any."""
        found = False
        for name, err in problems:
            self.add(name, err)
            found = True
        return found

    def check(self, name: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except FieldError as err:
            self.add(name, err)
            return None

    def raise_if_any(self) -> None:
        if self.vi:
            detail = "; ".join(f"{k}: {v}" for k, v in self.en.items())
            raise ValidationFailed("Thông tin gửi lên chưa hợp lệ, vui lòng xem lại các mục được đánh dấu.",
                                   f"Invalid fields: {detail}", fields=self.vi)


def _check_person(errors: _Errors, prefix: str, person: PersonData) -> PersonData:
    return PersonData(
        name=errors.check(f"{prefix}.name", clean_text, person.name, label="họ tên", max_chars=200),
        phone=errors.check(f"{prefix}.phone", normalise_phone, person.phone),
        email=errors.check(f"{prefix}.email", check_email, person.email),
        address=errors.check(f"{prefix}.address", clean_text, person.address, label="địa chỉ"),
        id_number=errors.check(f"{prefix}.id_number", clean_text, person.id_number, label="số giấy tờ", max_chars=64),
        representative=bool(person.representative),
        refuses_sms=bool(person.refuses_sms), refuses_email=bool(person.refuses_email),
    )


def _validate(session: Session, msg: InboundMessage, actor: Actor, now: dt.datetime) -> _Checked:
    errors = _Errors()
    content = errors.check("content", clean_text, msg.content, label="nội dung", required=True,
                           max_chars=MAX_CONTENT_CHARS, multiline=True)
    title = errors.check("title", clean_text, msg.title, label="tiêu đề", max_chars=MAX_TITLE_CHARS)
    if msg.channel not in CHANNELS:
        errors.add("channel", FieldError(f"Kênh '{msg.channel}' không hợp lệ.", f"Unknown channel '{msg.channel}'."))
    errors.add_all(law.kind_and_category(msg))
    unit = find_unit(session, msg.unit) if msg.unit else find_unit(session, CITY_CODE)
    if unit is None:
        errors.add("unit", FieldError(f"Không tìm thấy xã, phường, đặc khu '{msg.unit}'.", f"Unknown unit '{msg.unit}'."))
    place = None
    if msg.location is not None:
        place = errors.check("location.address", clean_text, msg.location.address, label="địa điểm")
        for name, value, bound in (("lat", msg.location.lat, 90), ("lon", msg.location.lon, 180)):
            if value is not None and not (-bound <= value <= bound):
                errors.add(f"location.{name}", FieldError("Tọa độ không hợp lệ.", f"{name} is out of range."))
    count = msg.co_signer_count
    if count < 0 or count > MAX_CO_SIGNERS:
        errors.add("co_signers", FieldError(f"Số người cùng ký phải từ 0 đến {MAX_CO_SIGNERS}.",
                                            f"co_signers must be between 0 and {MAX_CO_SIGNERS}."))
    petitioner, co_signers, stand_in = None, [], False
    if not errors.add_all(law.consent(msg)):  # without consent personal data is not even validated
        petitioner = _check_person(errors, "petitioner", msg.petitioner) if msg.petitioner else None
        co_signers = [_check_person(errors, f"co_signers.{i}", p) for i, p in enumerate(msg.co_signer_list)]
        errors.add_all(law.identity(msg, petitioner))
        errors.add_all(law.representatives(msg, petitioner, co_signers))
        stand_in = law.stands_in(msg, petitioner, co_signers)
        if stand_in and petitioner is not None:
            petitioner.representative = True  # until Văn phòng completes the crowd's representatives
    if len(msg.attachments) > MAX_ATTACHMENTS:
        errors.add("attachments", FieldError(f"Tối đa {MAX_ATTACHMENTS} tệp đính kèm.",
                                             f"At most {MAX_ATTACHMENTS} attachments."))
    files = [f for f in (errors.check("attachments", check_attachment, a.filename, a.data)
                         for a in msg.attachments[:MAX_ATTACHMENTS]) if f]
    received_at = _check_received_at(errors, msg, actor, now)
    errors.raise_if_any()
    return _Checked(content, title, unit, place, petitioner, co_signers, count, files, received_at, stand_in)


def _check_received_at(errors: _Errors, msg: InboundMessage, actor: Actor, now: dt.datetime) -> dt.datetime:
    if msg.received_at is None:
        return now
    if not actor.is_staff:
        errors.add("received_at", FieldError("Chỉ cán bộ được ghi thời điểm tiếp nhận.",
                                             "Only staff may set received_at."))
        return now
    if msg.received_at.tzinfo is None:
        errors.add("received_at", FieldError("Thời điểm cần có múi giờ.", "received_at needs a time zone."))
        return now
    if msg.received_at > now + dt.timedelta(minutes=5) or msg.received_at < now - OLDEST_BACKDATED:
        errors.add("received_at", FieldError("Thời điểm tiếp nhận không hợp lý (ở tương lai hoặc quá 3 năm trước).",
                                             "received_at is in the future or more than 3 years ago."))
        return now
    return msg.received_at


def _unique_code(session: Session) -> str:
    while True:
        code = tracking.new_code()
        if session.scalar(select(Petition.id).where(Petition.code == code)) is None:
            return code


def submit(session: Session, message: InboundMessage, actor: Actor, *, now: dt.datetime | None = None,
           quota: PhoneQuota | None = None) -> Submitted:
    """Validate and store a petition with its people and files, then classify, route and stamp deadlines.
    `quota`: the adapter's petitions-per-phone limit (IntakeLimits.phone); None limits nothing."""
    now = now or utcnow()
    with session.no_autoflush:
        checked = _validate(session, message, actor, now)
        if not actor.is_staff:  # petitions per phone (RATELIMIT_PER_PHONE), co-signers' phones too
            phone_quota.check_phones(session, quota, _phone_fields(checked), now)
        decision = classify.classify(checked.content, checked.title, session=session)
        kind = message.kind or decision.kind
        category = message.category or decision.category
        review = decision.needs_review and not (message.kind and message.category)
        result = routing.route(session, checked.unit, kind, category, checked.content, needs_review=review)
        # City-level matters (social housing, industrial zones, …) are handled by the city's department.
        handler = (find_unit(session, result.unit_code) if result.unit_code else None) or checked.unit
        office = office_of(session, handler, result.office_code)
        task_id = catalogue.task_id(session, result.plan_code, result.task_code)
        code = _unique_code(session)
    people = ([checked.petitioner] if checked.petitioner else []) + checked.co_signers
    names = [p.name for p in people if p.name]
    addresses = [p.address for p in people if p.address]
    petition = Petition(
        code=code, kind=kind, category=category, round=message.round, channel=message.channel,
        unit_id=handler.id, unit=handler, title=checked.title, content=checked.content, place=checked.place,
        latitude=message.location.lat if message.location else None,
        longitude=message.location.lon if message.location else None,
        received_at=checked.received_at, status="classified", anonymous=bool(message.anonymous),
        allow_publication=bool(message.allow_publication) and kind != "to_cao",
        co_signer_count=checked.co_signer_count, needs_review=review,
        lead_office_id=office.id if office else None, lead_office=office,
        collaborating_office_codes=result.collaborating_offices,
        task_id=task_id, channel_data=dict(message.channel_data),
        classification={"kind": decision.kind, "category": decision.category, "confidence": decision.confidence,
                        "kind_confidence": decision.kind_confidence,
                        "category_confidence": decision.category_confidence, "cues": decision.cues,
                        "explanation": decision.explanation, "source": decision.source,
                        "doubts": decision.doubts, "threshold": decision.threshold,
                        "given": {"kind": message.kind, "category": message.category}},
        routing={"office": result.office_code, "task": result.task_code, "plan": result.plan_code,
                 "unit": handler.code, "sent_to_unit": checked.unit.code, "rule": result.rule,
                 "collaborating": result.collaborating_offices, "notify_inspectors": result.notify_inspectors,
                 "explanation": result.explanation},
        created_at=now, updated_at=now,
    )
    access_key = None
    if not _phones(checked, with_petitioner=not message.anonymous):
        # No phone to prove the petition is theirs: a key, shown once (tracking.new_access_key).
        access_key = tracking.new_access_key()
        petition.access_key_hash = tracking.access_key_digest(code, tracking.normalise_access_key(access_key))
    confidential.derive(petition, names, addresses)  # the redacted text and the search text, once
    with session.no_autoflush:  # no query below may flush half a petition
        session.add(petition)
        # The rows below hang on the petition object, not its id: the petition and all of them go in ONE flush.
        _store_people(session, petition, message, checked)
        for f in checked.files:
            session.add(Attachment(petition=petition, filename=f.filename, content_type=f.content_type,
                                   size=len(f.data), sha256=f.sha256, data=f.data))
        record(session, petition, "received", actor, at=now, public=True,
               data={"channel": message.channel, "external_id": message.external_id})
        record(session, petition, "classified", classify_actor(), at=now,
               data={"kind": kind, "category": category, "confidence": decision.confidence, "cues": decision.cues,
                     "needs_review": review}, reason=decision.explanation)
        record(session, petition, "routed", classify_actor(), at=now, data=petition.routing, reason=result.explanation)
        first, stamped = _stamp_deadlines(session, petition)
        came = arrival.prepare(session, petition, now)  # its matter (a new one too) goes in the same flush
    session.flush()  # the one flush of the petition, its people, files, events, deadlines and matter
    if checked.representatives_missing:
        representation.ask_office(session, petition, handler, checked.co_signer_count + 1, now)
    arrival.finish(session, came, now, fresh=True)  # index keys, suggestions, đông người / kéo dài flags
    receipts.send_receipt(session, petition, first, now)  # ZNS / SMS and e-mail; a chat has its own reply
    # As before the single flush: the collections are read from the database when next asked for (a later
    # set-based change, e.g. an escalation, is then seen), not kept filled; the answer has `deadlines`.
    session.expire(petition, ["people", "attachments", "deadlines"])
    logger.info("Petition %s received via %s for unit %s", petition.code, petition.channel, checked.unit.code)
    return Submitted(petition, first, access_key, stamped)


def _phone_fields(checked: _Checked) -> dict[str, str]:
    """Each distinct phone of the petition with the field that holds it first."""
    fields: dict[str, str] = {}
    if checked.petitioner and checked.petitioner.phone:
        fields["petitioner.phone"] = checked.petitioner.phone
    for i, person in enumerate(checked.co_signers):
        if person.phone and person.phone not in fields.values():
            fields[f"co_signers.{i}.phone"] = person.phone
    return fields


def _phones(checked: _Checked, *, with_petitioner: bool = True) -> list[str]:
    """The distinct phones of the petitioner (an anonymous sender's is not stored) and the co-signers."""
    people = ([checked.petitioner] if checked.petitioner and with_petitioner else []) + checked.co_signers
    return list(dict.fromkeys(p.phone for p in people if p and p.phone))


def _store_people(session: Session, petition: Petition, message: InboundMessage, checked: _Checked) -> None:
    def add(person: PersonData, role: str) -> None:
        session.add(Person(petition=petition, role=role, representative=person.representative, name=person.name,
                           phone=person.phone, email=person.email, address=person.address,
                           id_number=person.id_number, name_folded=fold(person.name) if person.name else None,
                           chat_channel=message.channel if message.chat_user_id else None,
                           chat_user_id=message.chat_user_id if role == "petitioner" else None,
                           refuses_sms=person.refuses_sms, refuses_email=person.refuses_email))

    if checked.petitioner and not message.anonymous:
        add(checked.petitioner, "petitioner")
    elif message.chat_user_id:
        add(PersonData(), "petitioner")  # anonymous, but the chat is still where the answer goes
    for person in checked.co_signers:
        add(person, "co_signer")


def classify_actor() -> Actor:
    return Actor(label="Hệ thống (phân loại tự động)")


def _stamp_deadlines(session: Session, petition: Petition) -> tuple[Deadline | None, list[Deadline]]:
    specs = deadlines.receipt_deadlines(petition.kind, petition.received_at, round=petition.round,
                                        calendar=Calendar.load(session))
    if petition.kind == "to_cao" and petition.anonymous:
        # Luật Tố cáo 2018 Điều 25: an anonymous denunciation is not handled as a tố cáo but as information the
        # unit may inspect on its own initiative: the đơn is still processed (xử lý đơn), nothing is thụ lý.
        specs = [s for s in specs if s.step == "xu_ly_don"]
    rows = [Deadline(petition=petition, step=s.step, starts_at=s.starts_at, due_at=s.due_at, rule=s.rule,
                     office_id=petition.lead_office_id)
            for s in specs]
    session.add_all(rows)
    return (min(rows, key=lambda d: d.due_at) if rows else None), rows
