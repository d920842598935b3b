"""A letter to the office mailbox becomes a petition (seed task 4.4: "tin nhắn, thư điện tử"), or a reply
to one.

- Once per Message-ID (ProcessedInbound "email"), however often the mailbox is read.
- A subject carrying a tracking code ("Re: [Đơn ABCD-EFGH-2] …", as the notices' subjects do) is the citizen's
  reply: kept on that petition (event `citizen_replied`, its files attached) and the handling office told.
- Any other letter goes through intake with channel `email`: the text, the subject as title, the sender's
  name and address, the attachments intake accepts. The sender's identity is unproven (an address is easy
  to forge), so the petition is flagged for Văn phòng to confirm the sender (needs_review and the event
  `sender_to_confirm`; Luật Tiếp công dân 2013 Điều 7 on identifying the sender, TT 05/2021 on processing đơn).
"""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import logging
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.errors import ValidationFailed
from service.domain.events import record
from service.domain.inbound import Actor, AttachmentData, InboundMessage, PersonData
from service.domain.intake import operations as intake
from service.domain.intake import tracking
from service.domain.intake.validation import FieldError, check_attachment
from service.domain.notifications import outbox as notify
from service.models.attachment import Attachment
from service.models.channel import ProcessedInbound
from service.models.petition import Petition

logger = logging.getLogger(__name__)

MAILBOX = Actor(label="Hộp thư điện tử của cơ quan")
CODE_IN_SUBJECT = re.compile(r"\[\s*Đơn\s+([A-Z0-9-]{6,20})\s*\]", re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")


@dataclass
class MailResult:
    kind: str  # petition | reply | duplicate | refused
    code: str | None = None


def message_id(mail: EmailMessage, raw: bytes) -> str:
    given = (mail.get("Message-ID") or "").strip()
    return (given or "sha256:" + hashlib.sha256(raw).hexdigest())[:128]


def body_text(mail: EmailMessage) -> str:
    part = mail.get_body(("plain", "html"))
    if part is None:
        return ""
    text = part.get_content()
    if part.get_content_type() == "text/html":
        text = TAG.sub(" ", text)
    # The quoted notice under a reply is ours already.
    kept = [line for line in text.splitlines() if not line.lstrip().startswith(">")]
    return "\n".join(kept).strip()


def files(mail: EmailMessage) -> list[AttachmentData]:
    out = []
    for part in mail.iter_attachments():
        data = part.get_payload(decode=True) or b""
        name = part.get_filename() or "tep"
        try:
            check_attachment(name, data)
        except FieldError:
            logger.info("mailbox: attachment %s refused by intake's checks", name[:40])
            continue
        out.append(AttachmentData(name, data, part.get_content_type()))
    return out


def take(session: Session, raw: bytes, *, unit: str | None = None, now: dt.datetime | None = None) -> MailResult:
    """One letter from the mailbox; flushes, never commits."""
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    key = message_id(mail, raw)
    if session.scalar(select(ProcessedInbound.id).where(ProcessedInbound.channel == "email",
                                                        ProcessedInbound.external_id == key)):
        return MailResult("duplicate")
    session.add(ProcessedInbound(channel="email", external_id=key))
    name, address = parseaddr(str(mail.get("From") or ""))
    subject = " ".join(str(mail.get("Subject") or "").split())
    text = body_text(mail)
    found = CODE_IN_SUBJECT.search(subject)
    petition = None
    if found:
        code = tracking.normalise_code(found.group(1))
        petition = session.scalar(select(Petition).where(Petition.code == code)) if code else None
    if petition is not None:
        return _reply(session, petition, address, text, files(mail), now)
    message = InboundMessage(channel="email", content=text, title=subject[:200] or None, unit=unit,
                             petitioner=PersonData(name=name or None, email=address or None),
                             attachments=files(mail), external_id=f"email:{key}", received_at=None,
                             # A citizen who writes to the office's own mailbox asks it to handle the letter and
                             # answer to that address: the processing the letter itself requests (Luật Bảo vệ dữ
                             # liệu cá nhân 91/2025). Văn phòng still confirms the sender.
                             consent=True)
    try:
        submitted = intake.submit(session, message, MAILBOX, now=now)
    except ValidationFailed as exc:
        logger.warning("mailbox: letter %s not taken: %s", key[:40], exc.message_en)
        session.flush()
        return MailResult("refused")
    petition = submitted.petition
    petition.needs_review = True
    record(session, petition, "sender_to_confirm", MAILBOX, at=now,
           reason="Đơn nhận qua thư điện tử: Văn phòng cần xác nhận người gửi trước khi xử lý.",
           data={"from": address, "message_id": key})
    session.flush()
    return MailResult("petition", petition.code)


def _reply(session: Session, petition: Petition, address: str, text: str, attached: list[AttachmentData],
           now: dt.datetime | None) -> MailResult:
    for a in attached:
        checked = check_attachment(a.filename, a.data)
        session.add(Attachment(petition_id=petition.id, filename=checked.filename, content_type=checked.content_type,
                               size=len(checked.data), sha256=checked.sha256, data=checked.data))
    record(session, petition, "citizen_replied", MAILBOX, at=now, reason=text[:2000] or None,
           data={"from": address, "files": len(attached)})
    if petition.lead_office is not None:
        notify.enqueue_office_notice(session, petition.lead_office,
                                     f"[Thư trả lời của công dân] Đơn {petition.code}: công dân ({address}) gửi thư "
                                     f"trả lời{f' kèm {len(attached)} tệp' if attached else ''}. Xem trong hồ sơ đơn.",
                                     f"mail-reply:{petition.id}:{hashlib.sha256(text.encode()).hexdigest()[:16]}",
                                     petition=petition, now=now)
    session.flush()
    return MailResult("reply", petition.code)
